"""`python -m mentor_models.dataset`: build and check MENTOR training JSONL files.

  build --images DIR --out FILE.jsonl [--captions FILE] [--masks DIR] [--force]
        a folder of images (+ captions, + masks) -> valid JSONL (see builder.py for the mapping)
  check FILE.jsonl [--skip-bad-rows] [--base-dir DIR] [--no-image-check]
        [--tokenizer tokenizer.json [--prefix-len 512] [--tokens-per-image 256]]
        validate every row; print rows per task, images and problems. Exit 1 on any problem; with
        --skip-bad-rows bad rows are what training would skip, and only a file with no usable
        row fails.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from ..prompt import IMAGE_TOKEN, PromptError, encode_prompt
from .builder import build_jsonl
from .jsonl import DataError, read_rows, row_message
from .samples import branch_prompt, branch_task


def _counts(counter: Counter) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))) or "none"


def cmd_build(args: argparse.Namespace) -> int:
    report = build_jsonl(args.images, args.out, captions=args.captions, masks=args.masks, force=args.force)
    print(f"wrote {report.out}: {report.rows} rows from {report.n_images} images")
    print(f"  tasks (stage 2 view): {_counts(report.tasks)}")
    for note in report.notes:
        print(f"  note: {note}")
    for problem in report.problems:
        print(f"  skipped: {problem}", file=sys.stderr)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    report = read_rows(args.file, skip_bad_rows=True, base_dir=args.base_dir, check_images=not args.no_image_check)
    name = report.path.name
    problems = report.skipped_lines()
    good = {id(r) for r in report.rows}
    if args.tokenizer is not None:
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(args.tokenizer))
        image_id = tokenizer.token_to_id(IMAGE_TOKEN)
        if image_id is None:
            raise DataError(f"{args.tokenizer}: the tokenizer has no {IMAGE_TOKEN} token")
        for row in report.rows:
            for stage in (1, 2):
                prompt = branch_prompt(row, stage)
                try:
                    encode_prompt(tokenizer, prompt, prompt.count(IMAGE_TOKEN), args.tokens_per_image,
                                  args.prefix_len, image_id)
                except PromptError as e:
                    problems.append(row_message(name, row.line, "input_text",
                                                f"stage {stage} {branch_task(row, stage)} prompt does not fit: {e}"))
                    good.discard(id(row))
    rows = [r for r in report.rows if id(r) in good]
    files = {p for r in rows for p in (*r.image_files(), *r.source_files())}
    print(f"{report.path}: {report.n_lines} rows, {len(rows)} good, {len(problems)} problem{'s' if len(problems) != 1 else ''}")
    for stage in (1, 2):
        print(f"  tasks, stage {stage}: {_counts(Counter(branch_task(r, stage) for r in rows))}")
    print("  (stage 1 also turns 10% of samples into image-only reconstruction at random)")
    print(f"  images: {len(files)} files")
    for line in problems:
        print(f"  problem: {line}")
    if not rows:
        print("no usable rows", file=sys.stderr)
        return 1
    if problems and not args.skip_bad_rows:
        print(f"{len(problems)} bad rows; fix them or train with --skip-bad-rows", file=sys.stderr)
        return 1
    return 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m mentor_models.dataset", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="a folder of images (+ captions, + masks) -> MENTOR JSONL")
    b.add_argument("--images", type=Path, required=True, help="folder of images (searched recursively)")
    b.add_argument("--out", type=Path, required=True, help="JSONL to write")
    b.add_argument("--captions", type=Path, help="CSV or JSONL: file, caption[, object]")
    b.add_argument("--masks", type=Path, help="folder of masks named like the images")
    b.add_argument("--force", action="store_true", help="overwrite --out")
    c = sub.add_parser("check", help="validate a MENTOR JSONL")
    c.add_argument("file", type=Path)
    c.add_argument("--skip-bad-rows", action="store_true", help="bad rows are skipped, not fatal")
    c.add_argument("--base-dir", type=Path, help="folder relative paths start from (default: the file's)")
    c.add_argument("--no-image-check", action="store_true", help="only check that files exist (faster)")
    c.add_argument("--tokenizer", type=Path, help="tokenizer.json: also check that every prompt fits the prefix")
    c.add_argument("--prefix-len", type=int, default=512, help="prefix length (cls_token_num), default 512")
    c.add_argument("--tokens-per-image", type=int, default=256, help="<image> tokens per image, default 256")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        return cmd_build(args) if args.command == "build" else cmd_check(args)
    except DataError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
