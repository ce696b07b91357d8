"""Trainer benchmark (issue 6, must-show 6/7): step time, samples/s and tokens/s of `mentor_models.train`.

    native-models/.venv/bin/python bench/train_bench.py                 # CPU: tiny and GPT-B-sized
    native-models/.venv/bin/python bench/train_bench.py --json out.json
    python bench/train_bench.py --gpu                                     # CUDA: GPT-B-sized stage 2,
                                                                          # 50 steps, bf16 + torch.compile
    native-models/.venv/bin/python bench/train_bench.py --paper         # the 8×A100 arithmetic (README)

Each case runs the real trainer (same loop, VQ encoding on the fly, AdamW, clipping) in this process
on generated data (`data.train=synthetic:N`), stage 2 (everything but CLIP trains), and reads its
metrics.jsonl. The first `--warmup` steps (allocation, compilation) are left out of the figures.
Tokens per sample = cls_token_num + block_size (prefix + image tokens, what the GPT runs over).
Not a test: numbers depend on the machine and its load; the table says which device gave them.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "native-models"))

import torch  # noqa: E402

from mentor_models.train.config import load_config  # noqa: E402
from mentor_models.train.loop import Trainer  # noqa: E402
from mentor_models.train.metrics import read_metrics  # noqa: E402

# name -> (overrides, steps, warmup) ; both stage 2, synthetic data, no checkpoints or samples.
CPU_CASES = {
    "tiny": (["model.preset=tiny", "train.global_batch=4", "parallel.cpu_threads=1"], 12, 2),
    "b (GPT-B-sized)": (["model.preset=b", "train.global_batch=2", "parallel.cpu_threads=0"], 4, 1),
}
GPU_CASES = {
    "b (GPT-B-sized)": (["model.preset=b", "train.global_batch=16", "parallel.precision=bf16", "parallel.compile=true",
                         "parallel.tf32=true", "data.num_workers=4"], 50, 5),
}


def count(module: torch.nn.Module, trainable_only: bool = False) -> int:
    return sum(p.numel() for p in module.parameters() if p.requires_grad or not trainable_only)


def run_case(name: str, overrides: list[str], steps: int, warmup: int) -> dict:
    base = ["stage=2", "train.grad_accum=1", f"train.max_steps={steps}", "train.log_every=1000",
            "checkpoint.every=1000000", "checkpoint.at_end=false", "samples.every=0", "data.num_workers=0",
            "schedule.warmup=0", "train.epochs=1000"]
    cfg = load_config("tiny", [*base, *overrides])
    n = max(cfg.train.global_batch * 2, 8)
    cfg = load_config("tiny", [*base, *overrides, f"data.train=synthetic:{n}"])
    with tempfile.TemporaryDirectory() as tmp:
        trainer = Trainer(cfg, Path(tmp), log=lambda _: None)
        threads = cfg.parallel.cpu_threads or torch.get_num_threads()
        started = time.perf_counter()
        trainer.run()
        wall = time.perf_counter() - started
        records = read_metrics(Path(tmp) / "metrics.jsonl")
        model = trainer.built.model
        timed = records[warmup:]
        step_s = statistics.median(r["step_time_s"] for r in timed)
        samples = cfg.samples_per_step()
        tokens = trainer.tokens_per_sample
        return {
            "case": name, "device": str(trainer.env.device), "cpu_threads": threads, "precision": cfg.parallel.precision if
            trainer.env.device.type == "cuda" else "fp32", "compile": cfg.parallel.compile and trainer.env.device.type == "cuda",
            "gpt_params": count(model.gpt), "encoder_params": count(model.multimodal_encoder),
            "trainable_params": count(model, trainable_only=True),
            "samples_per_step": samples, "tokens_per_sample": tokens, "steps_timed": len(timed),
            "step_time_s": step_s, "samples_per_s": samples / step_s, "tokens_per_s": samples * tokens / step_s,
            "first_step_s": records[0]["step_time_s"], "max_rss_mb": records[-1]["max_rss_mb"],
            "cuda_max_allocated_mb": records[-1].get("cuda_max_allocated_mb"), "wall_s": wall,
            "loss_first": records[0]["loss"], "loss_last": records[-1]["loss"],
        }


# --- the paper's 8×A100 figures (README "Training cost"): FLOPs per sample, implied MFU ---------------

A100_BF16_PEAK = 312e12          # dense bf16 tensor-core FLOP/s per GPU
GPUS, HOURS = 8, {1: 14.0, 2: 20.0}   # MENTOR README: stage 1 ≈ 14 h, stage 2 ≈ 20 h on 8× A100
EPOCHS, SAMPLES_PER_STEP = {1: 1, 2: 2}, {1: 96 * 4, 2: 64 * 4}
TOTAL_SAMPLES = 3.0e6            # project page: "approximately 3 million samples across all training tasks"
IMAGES_PER_SAMPLE = 1.0          # reference images per sample (T2I rows 0, most others 1, multi-object 2+)


def forward_flops() -> dict[str, float]:
    """Forward FLOPs of one sample per component at MENTOR's sizes, counted by torch's FlopCounterMode on
    meta tensors (matmuls and convolutions; attention over the full masked S×S, as SDPA computes it)."""
    from torch.utils.flop_counter import FlopCounterMode

    from mentor_models.configs import VQ_CONFIGS, get_gpt_config
    from mentor_models.encoder_configs import get_encoder_config
    from mentor_models.gpt import GPT
    from mentor_models.multimodal_encoder import MultimodalEncoder
    from mentor_models.vq import VQModel

    def count(fn) -> float:
        with FlopCounterMode(display=False) as mode:
            fn()
        return float(mode.get_total_flops())

    with torch.device("meta"):
        gpt, enc, vq = GPT(get_gpt_config("GPT-XL")), MultimodalEncoder(get_encoder_config("mentor-xl")), VQModel(VQ_CONFIGS["VQ-16"])
        states, mask = torch.randn(1, 512, 2048), torch.ones(1, 512, dtype=torch.int64)
        codes, ids = torch.zeros(1, 1024, dtype=torch.int64), torch.zeros(1, 512, dtype=torch.int64)
        return {
            "gpt": count(lambda: gpt.forward_train(states, mask, codes)),          # 512 + 1023 positions
            "t5": count(lambda: enc.language_model(input_ids=ids)),                # 512 (padded to max_length)
            "clip": count(lambda: enc.vision_model(torch.randn(1, 3, 224, 224))),  # per reference image
            "projector": count(lambda: enc.language_projection(torch.randn(1, 256, 1024))),
            "vq": count(lambda: vq.quant_conv(vq.encoder(torch.randn(1, 3, 512, 512)))),  # target, 512 px
        }


def paper_arithmetic() -> dict:
    f = forward_flops()
    k = IMAGES_PER_SAMPLE
    # Trained matmuls cost 3× forward (forward, input grads, weight grads); frozen parts on the gradient
    # path 2× (stage 1: the frozen GPT trunk sits between the loss and the trained T5); frozen parts off
    # it (CLIP, VQ) 1×. The lm head trains in stage 1 too: its weight grads add 2·21 M·1024 FLOPs.
    head_wgrad = 2 * 16384 * 1280 * 1024
    per_sample = {
        1: 2 * f["gpt"] + head_wgrad + 3 * f["t5"] + k * (3 * f["projector"] + f["clip"]) + f["vq"],
        2: 3 * f["gpt"] + 3 * f["t5"] + k * (3 * f["projector"] + f["clip"]) + f["vq"],
    }
    # Split the 3 M samples so both stages run at the same MFU: t1/t2 = D1·c1 / (2·D2·c2) = 14/20.
    ratio = (HOURS[1] / HOURS[2]) * EPOCHS[2] * per_sample[2] / per_sample[1]   # D1 / D2
    data = {1: TOTAL_SAMPLES * ratio / (1 + ratio), 2: TOTAL_SAMPLES / (1 + ratio)}
    out = {"forward_tflop": {k_: v / 1e12 for k_, v in f.items()}, "stages": {}}
    for s in (1, 2):
        seen = data[s] * EPOCHS[s]
        seconds = HOURS[s] * 3600
        flops = seen * per_sample[s]
        out["stages"][s] = {
            "train_tflop_per_sample": per_sample[s] / 1e12, "dataset_samples": data[s], "samples_seen": seen,
            "optimizer_steps": seen / SAMPLES_PER_STEP[s], "micro_batches": seen / (SAMPLES_PER_STEP[s] / 4),
            "samples_per_s": seen / seconds, "tokens_per_s": seen * 1536 / seconds,
            "step_time_s": SAMPLES_PER_STEP[s] * seconds / seen, "total_eflop": flops / 1e18,
            "mfu": flops / (seconds * GPUS * A100_BF16_PEAK),
        }
    return out


def paper_table(p: dict) -> str:
    f = p["forward_tflop"]
    lines = ["forward TFLOP per sample: " + ", ".join(f"{k} {v:.3f}" for k, v in f.items()), "",
             "stage | TFLOP/sample (train) | samples (assumed) | epochs | optimizer steps | samples/s | tokens/s | step s | EFLOP | MFU",
             "--- | --- | --- | --- | --- | --- | --- | --- | --- | ---"]
    for s, r in p["stages"].items():
        lines.append(f"{s} | {r['train_tflop_per_sample']:.2f} | {r['dataset_samples'] / 1e6:.2f} M | {EPOCHS[s]} | "
                     f"{r['optimizer_steps']:.0f} | {r['samples_per_s']:.1f} | {r['tokens_per_s'] / 1e3:.1f} k | "
                     f"{r['step_time_s']:.1f} | {r['total_eflop']:.1f} | {100 * r['mfu']:.1f}%")
    return "\n".join(lines)


def table(rows: list[dict]) -> str:
    head = ("case", "device", "GPT M", "enc M", "train M", "batch", "tok/sample", "step s", "samples/s", "tokens/s",
            "peak MB")
    lines = [" | ".join(head), " | ".join("---" for _ in head)]
    for r in rows:
        mem = r["cuda_max_allocated_mb"] if r["cuda_max_allocated_mb"] is not None else r["max_rss_mb"]
        where = f"{r['device']} {r['precision']}{' compile' if r['compile'] else ''}"
        if r["device"] == "cpu":
            where += f" {r['cpu_threads']} thr"
        lines.append(" | ".join([r["case"], where,
                                 f"{r['gpt_params'] / 1e6:.1f}", f"{r['encoder_params'] / 1e6:.1f}",
                                 f"{r['trainable_params'] / 1e6:.1f}", str(r["samples_per_step"]),
                                 str(r["tokens_per_sample"]), f"{r['step_time_s']:.3f}", f"{r['samples_per_s']:.2f}",
                                 f"{r['tokens_per_s']:.0f}", f"{mem:.0f}"]))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gpu", action="store_true", help="the CUDA case (GPT-B-sized, 50 steps, bf16 + compile)")
    parser.add_argument("--only", help="run only the case whose name starts with this")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--paper", action="store_true", help="only the 8×A100 arithmetic behind the README figures")
    args = parser.parse_args(argv)
    if args.paper:
        p = paper_arithmetic()
        print(paper_table(p))
        print(json.dumps(p, indent=2))
        return 0
    if args.gpu and not torch.cuda.is_available():
        print("train_bench: --gpu needs CUDA", file=sys.stderr)
        return 1
    cases = GPU_CASES if args.gpu else CPU_CASES
    rows = []
    for name, (overrides, steps, warmup) in cases.items():
        if args.only and not name.startswith(args.only):
            continue
        print(f"train_bench: {name}: {steps} steps ...", file=sys.stderr, flush=True)
        rows.append(run_case(name, overrides, steps, warmup))
    result = {"machine": {"platform": platform.platform(), "torch": torch.__version__,
                          "cpu_threads": torch.get_num_threads(),
                          "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None},
              "results": rows}
    print(table(rows))
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
