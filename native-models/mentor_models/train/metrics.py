"""What a run reports while it trains (design.md §8: the studio charts these over SSH).

`OUT/metrics.jsonl`, one JSON object per optimizer step (rank 0):
    step          optimizer steps done (1-based: the line of the first step has step 1)
    loss          mean token cross-entropy over the whole optimizer step (all ranks, all micro-batches)
    lr            learning rate the step ran with
    grad_norm     global gradient norm before clipping
    samples_per_s, tokens_per_s   throughput of this step over all ranks; tokens = samples ×
                  (cls_token_num + block_size), the prefix and the image tokens the GPT runs over
    max_rss_mb    peak resident memory of rank 0's process
    cuda_max_allocated_mb         peak CUDA memory of rank 0 (absent on CPU)
    step_time_s   seconds of this step; wall_s: seconds since the run (or resume) started
    epoch         epoch of the step's last micro-batch
    time          UNIX time
    val_loss      (only on the steps where it is computed) mean token cross-entropy on data.val
`OUT/status.json` (rewritten atomically):
    {"phase": "starting"|"training"|"saving"|"done"|"failed", "step", "total_steps", "eta_s",
     "last_checkpoint", "error", "updated"}
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

import torch

from .checkpointing import atomic_write_bytes

PHASES = ("starting", "training", "saving", "done", "failed")


def max_rss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024  # bytes on macOS, KiB on Linux


def memory_fields(device: torch.device) -> dict[str, float]:
    out = {"max_rss_mb": round(max_rss_mb(), 1)}
    if device.type == "cuda":
        out["cuda_max_allocated_mb"] = round(torch.cuda.max_memory_allocated(device) / 2**20, 1)
    return out


class MetricsLog:
    """Appends lines to metrics.jsonl; on resume, first drops the lines after the restored step."""

    def __init__(self, path: Path, *, resume_step: int | None = None) -> None:
        self.path = path
        if resume_step is not None and path.exists():
            kept = []
            for line in path.read_text().splitlines():
                try:
                    if json.loads(line).get("step", 0) <= resume_step:
                        kept.append(line)
                except json.JSONDecodeError:
                    continue  # a line cut short by a kill
            atomic_write_bytes(path, ("\n".join(kept) + "\n" if kept else "").encode())
        elif resume_step is None and path.exists():
            path.unlink()
        self._f = open(path, "a", encoding="utf-8")

    def write(self, record: dict[str, Any]) -> None:
        self._f.write(json.dumps(record, separators=(",", ":")) + "\n")
        self._f.flush()

    def close(self) -> None:
        self._f.close()


class Status:
    def __init__(self, path: Path, total_steps: int) -> None:
        self.path = path
        self.state: dict[str, Any] = {"phase": "starting", "step": 0, "total_steps": total_steps, "eta_s": None,
                                      "last_checkpoint": None, "error": None}

    def update(self, **fields: Any) -> None:
        if "phase" in fields and fields["phase"] not in PHASES:
            raise ValueError(f"phase: {fields['phase']!r} is not one of {PHASES}")
        self.state.update(fields)
        self.state["updated"] = time.time()
        atomic_write_bytes(self.path, (json.dumps(self.state, indent=2) + "\n").encode())


def read_metrics(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]
