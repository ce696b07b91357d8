"""`python -m mentor_models.train` — train MENTOR stage 1 or stage 2 (spec/mentor-model.md §5).

  torchrun --standalone --nproc_per_node 8 -m mentor_models.train --stage 1 --config mentor-stage1 \\
      --data train_stage1.jsonl --out runs/stage1 init.generator=generator_ckpt.pt \\
      init.encoder=stage1.pt init.vq=vq_ds16_t2i.pt data.tokenizer=flan-t5-xl/tokenizer.json
  python -m mentor_models.train --config tiny --data synthetic:8 --out /tmp/run --max-steps 20

Flags: --config NAME|FILE (named: mentor-stage1, mentor-stage2, tiny; FILE: JSON or TOML),
--stage 1|2, --data FILE.jsonl (or synthetic:N), --out DIR, --max-steps S, --resume PATH|auto,
--print-config (print the resolved config and exit); then key=value overrides (optim.lr=1e-4 ...).
Writes OUT/config.json, OUT/metrics.jsonl, OUT/status.json, OUT/checkpoints/, OUT/samples/.
"""

from __future__ import annotations

import argparse
import json
import sys

from .config import NAMED_CONFIGS, ConfigError, load_config


def parse_args(argv: list[str] | None):
    parser = argparse.ArgumentParser(prog="python -m mentor_models.train", description="Train MENTOR stage 1 or 2.",
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n", 1)[1])
    parser.add_argument("--config", required=True,
                        help=f"named config ({', '.join(NAMED_CONFIGS)}) or a JSON/TOML file")
    parser.add_argument("--stage", type=int, choices=(1, 2), help="stage 1 or 2 (= stage=N)")
    parser.add_argument("--data", help="training JSONL (= data.train=FILE), or synthetic:N")
    parser.add_argument("--out", help="run folder (checkpoints, metrics, samples)")
    parser.add_argument("--max-steps", type=int, help="stop after S optimizer steps (= train.max_steps=S)")
    parser.add_argument("--resume", help="a checkpoint file, or 'auto' for the newest valid one in OUT/checkpoints")
    parser.add_argument("--print-config", action="store_true", help="print the resolved config as JSON and exit")
    parser.add_argument("overrides", nargs="*", metavar="key=value", help="config overrides, dotted: optim.lr=1e-4")
    return parser, parser.parse_intermixed_args(argv)


def main(argv: list[str] | None = None) -> int:
    parser, args = parse_args(argv)
    overrides = []
    if args.stage is not None:
        overrides.append(f"stage={args.stage}")
    if args.data is not None:
        overrides.append(f"data.train={args.data}")
    if args.max_steps is not None:
        overrides.append(f"train.max_steps={args.max_steps}")
    try:
        cfg = load_config(args.config, [*overrides, *args.overrides])
    except ConfigError as e:
        print(f"train: config: {e}", file=sys.stderr)
        return 2
    if args.print_config:
        print(json.dumps(cfg.to_dict(), indent=2))
        return 0
    if not args.out:
        parser.error("--out DIR is required")

    from ..checkpoints import CheckpointError
    from .checkpointing import ResumeError
    from .data import data_error_types
    from .loop import TrainingError, train

    try:
        return train(cfg, args.out, resume=args.resume)
    except (ConfigError, TrainingError, ResumeError, CheckpointError, FileNotFoundError,
            *data_error_types()) as e:
        print(f"train: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
