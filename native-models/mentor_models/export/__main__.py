"""`python -m mentor_models.export`: write a bundle (BUNDLE.md) for the studio's engine.

  --random-init --config tiny|b|xl --out DIR        random weights (tests, benchmarks)
  --mentor stage2.pt --vq vq_ds16_t2i.pt --tokenizer FLANT5_DIR --out DIR
                                                    the official MENTOR checkpoints
  --llamagen t2i_XL_stage2_512.pt ...               an original LlamaGen T2I GPT (original RoPE)
  --checkpoint DIR/checkpoints/step-N.pt --vq ... --out DIR
                                                    a checkpoint of our trainer (sizes from its config)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ..checkpoints import CheckpointError
from .bundle_writer import export_bundle, remove_partial
from .models import official_models, random_models
from .presets import PRESETS


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m mentor_models.export", description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--random-init", action="store_true", help="random weights at --config's sizes")
    source.add_argument("--mentor", type=Path, help="MENTOR stage-1/stage-2 checkpoint (stage2.pt)")
    source.add_argument("--llamagen", type=Path, help="original LlamaGen T2I GPT checkpoint (buggy RoPE reproduced)")
    source.add_argument("--checkpoint", type=Path, help="a checkpoint written by mentor_models.train")
    parser.add_argument("--config", choices=sorted(PRESETS), default="xl", help="model sizes (default xl)")
    parser.add_argument("--vq", type=Path, help="VQ-16 checkpoint (vq_ds16_t2i.pt)")
    parser.add_argument("--tokenizer", type=Path, help="FlanT5 tokenizer.json or its folder (not needed for tiny/b)")
    parser.add_argument("--out", type=Path, required=True, help="new folder for the bundle")
    parser.add_argument("--precision", choices=["fp32", "fp16", "int8", "int4"], default="fp32",
                        help="fp16: weights and math in fp16 (GPUs); int8/int4: the GPT's matmul weights quantized "
                             "(CPUs: about 1.3x/2x faster decoding, tokens differ slightly from fp32)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random weights")
    parser.add_argument("--rope", choices=["mentor", "llamagen"], default="mentor", help="RoPE variant for --random-init")
    parser.add_argument("--name", help="bundle name shown in the studio")
    args = parser.parse_args(argv)
    if not args.random_init and args.vq is None:
        parser.error("checkpoint exports need --vq (vq_ds16_t2i.pt) too")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    try:
        if args.random_init:
            models = random_models(args.config, seed=args.seed, rope_variant=args.rope)
        else:
            kind, path = (("mentor", args.mentor) if args.mentor else
                          ("llamagen-t2i", args.llamagen) if args.llamagen else ("trainer", args.checkpoint))
            models = official_models(args.config, mentor=path, vq=args.vq, tokenizer=args.tokenizer, kind=kind)
            for note in models.notes:
                print(f"export: {note}")
    except (CheckpointError, FileNotFoundError, ValueError) as e:
        print(f"export: {e}", file=sys.stderr)
        return 1
    try:
        export_bundle(models, args.out, precision=args.precision, name=args.name)
    except FileExistsError as e:
        print(f"export: {e}", file=sys.stderr)
        return 1
    except BaseException:
        remove_partial(args.out)
        raise
    preset = next((name for name, p in PRESETS.items() if p == models.preset), args.config)
    print(f"export: wrote {args.out} ({preset}, {args.precision}) in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
