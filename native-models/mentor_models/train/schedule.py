"""Learning-rate schedule: linear warmup, then cosine to `min_lr_ratio` × peak (spec §5.4).

Documented recipe (default), over the S real optimizer steps:
    W = round(warmup · S) warmup steps (at least 1 when warmup > 0);
    step s < W:  lr = peak · (s + 1) / W                       (no wasted lr = 0 step)
    step s >= W: r = (s − W) / max(1, S − 1 − W);  lr = peak · (m + (1 − m) · (1 + cos πr) / 2)
    so the last step runs at exactly m · peak (m = 0.1).

`official_quirks` (MENTOR's `AnnealingLR` as its trainer drives it): the total T counts
micro-batches (A · S for accumulation A) but the scheduler advances once per optimizer step:
    it = s (steps taken before this one), Wq = warmup · T
    it <= Wq:  lr = peak · it / Wq                              (the first step runs at lr 0)
    it > Wq:   r = min(1, (it − Wq) / T);  lr = peak/10 · ((cos πr + 1) · 9/2 + 1)   (m = 0.1)
With A = 4 and warmup 0.05 the warmup spans 20% of the steps and the last step has r ≈ 0.2,
lr ≈ 0.914 · peak.

The lr is a pure function of the step index, so resuming needs only the step.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class LRSchedule:
    peak: float
    total_steps: int            # S: optimizer steps of the whole run
    warmup: float = 0.05
    decay: str = "cosine"       # "cosine" | "constant"
    min_ratio: float = 0.1
    official_quirks: bool = False
    grad_accum: int = 1         # A: only the quirk uses it

    def __post_init__(self) -> None:
        if self.total_steps < 1:
            raise ValueError(f"total_steps must be >= 1, got {self.total_steps}")

    @property
    def warmup_steps(self) -> float:
        """W (documented) or Wq (quirk, in micro-batch units: fractional in optimizer steps)."""
        if self.official_quirks:
            return self.warmup * self.total_steps * self.grad_accum
        if self.warmup <= 0:
            return 0
        return max(1, round(self.warmup * self.total_steps))

    def lr(self, step: int) -> float:
        """Learning rate of the optimizer step with 0-based index `step`."""
        peak, m = self.peak, self.min_ratio
        if self.official_quirks:
            total = self.total_steps * self.grad_accum
            wq = self.warmup_steps
            if wq > 0 and step <= wq:
                return peak * step / wq
            if self.decay == "constant":
                return peak
            r = min(1.0, (step - wq) / total)
            return peak * (m + (1 - m) * (math.cos(math.pi * r) + 1) / 2)
        w = int(self.warmup_steps)
        if step < w:
            return peak * (step + 1) / w
        if self.decay == "constant":
            return peak
        r = min(1.0, (step - w) / max(1, self.total_steps - 1 - w))
        return peak * (m + (1 - m) * (1 + math.cos(math.pi * r)) / 2)

    def state_dict(self) -> dict:
        return asdict(self)
