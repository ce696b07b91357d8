"""The next-token sampler of design.md §5, exactly as spec/sampler.md defines it.

Written as tensor ops only (no Python branch on tensor values, no `.item()`, no shapes read as
Python ints), so the same function traces into the ONNX decode graph and the Python reference
generator and the exported graph pick the same tokens for the same uniforms. The one exception is
`keep_mask`, compiled with TorchScript so that its two `if`s become ONNX `If` nodes: top-k and
top-p each sort the whole codebook, and when they are off (MENTOR's defaults) they keep every
token anyway, so skipping them changes no token and saves both sorts. The uniforms come from
mentor_models.uniforms (spec/uniforms.md).

Differences from LlamaGen's `sample_logits` (autoregressive/models/generate.py), on purpose:
the draw is an inverse-CDF lookup with an explicit uniform instead of `torch.multinomial`, top-k
keeps ties at the k-th value, and top-p is a prefix rule with a probability threshold (ties kept).
"""

from __future__ import annotations

import math
import warnings

import torch
from torch import Tensor, nn

ScalarLike = Tensor | float | int


def _scalar(value: ScalarLike, dtype: torch.dtype, like: Tensor) -> Tensor:
    # A type check, not a value check, so tracing sees the tensor input unchanged.
    if isinstance(value, Tensor):
        return value.to(device=like.device, dtype=dtype)
    return torch.tensor(value, dtype=dtype, device=like.device)


def _ranks(x: Tensor) -> Tensor:
    # 1..V along the last axis, built from the data so that V stays dynamic in a traced graph.
    return torch.ones_like(x, dtype=torch.int64).cumsum(dim=-1)  # [B, V]


def guide(logits_cond: Tensor, logits_uncond: Tensor, cfg_scale: Tensor) -> Tensor:
    """Step 1: g = u + s·(c − u) when s > 1, else c. [B, V] float32."""
    c = logits_cond.float()  # [B, V]
    u = logits_uncond.float()  # [B, V]
    return torch.where(cfg_scale > 1, u + cfg_scale * (c - u), c)


def top_k_keep(logits: Tensor, top_k: Tensor) -> Tensor:
    """Step 3: bool [B, V], True where logits >= the k-th largest of its row (ties all stay).

    top_k <= 0 or >= V keeps everything.
    """
    rank = _ranks(logits)
    sorted_logits, _ = torch.sort(logits, dim=-1, descending=True)  # [B, V]
    in_k = (rank <= top_k) | (top_k <= 0)  # top_k >= V selects every rank
    kth = torch.where(in_k, sorted_logits, math.inf).amin(dim=-1, keepdim=True)  # [B, 1]
    return logits >= kth


def top_p_keep(logits: Tensor, keep: Tensor, top_p: Tensor) -> Tensor:
    """Step 4: `keep` narrowed by the nucleus rule on softmax(logits over `keep`). bool [B, V].

    In descending probability order a token is kept iff the mass before it is < top_p (the top
    token always is); then every token at least as probable as the last kept one stays, so equal
    probabilities are never split by sort order. top_p >= 1 keeps `keep` as it is.
    """
    rank = _ranks(logits)
    probs = torch.softmax(torch.where(keep, logits, -math.inf), dim=-1)  # [B, V]
    sorted_probs, _ = torch.sort(probs, dim=-1, descending=True)  # [B, V]
    mass_before = sorted_probs.cumsum(dim=-1) - sorted_probs  # [B, V]
    in_p = (mass_before < top_p) | (rank == 1)
    p_min = torch.where(in_p, sorted_probs, math.inf).amin(dim=-1, keepdim=True)  # [B, 1]
    return keep & ((probs >= p_min) | (top_p >= 1))


def _keep_mask(logits: Tensor, top_k: Tensor, top_p: Tensor) -> Tensor:
    """Steps 3 and 4: `top_p_keep(logits, top_k_keep(logits, top_k), top_p)`, with each step run
    only when it is on (`top_k` in 1..V-1, `top_p` < 1); an off step keeps every token, so the
    result is the same either way. bool [B, V]."""
    keep = torch.ones_like(logits, dtype=torch.bool)
    if bool((top_k > 0) & (top_k < logits.shape[-1])):
        keep = top_k_keep(logits, top_k)
    if bool(top_p < 1):
        keep = top_p_keep(logits, keep, top_p)
    return keep


# TorchScript is deprecated in favour of torch.export, but it is what turns a Python `if` into an
# ONNX `If` under the TorchScript-based exporter the bundle uses (export/onnx_export.py).
with warnings.catch_warnings():
    warnings.simplefilter("ignore", category=DeprecationWarning)
    keep_mask = torch.jit.script(_keep_mask)


def draw(logits: Tensor, keep: Tensor, r: Tensor) -> Tensor:
    """Step 5: softmax over the kept logits, then the first i (token-id order) with
    cdf_i > r · cdf_{V-1}. int64 [B].

    Scaling r by the total rather than 1 guarantees a hit despite rounding; the clamp to V − 1
    only matters for NaN inputs.
    """
    cdf = torch.softmax(torch.where(keep, logits, -math.inf), dim=-1).cumsum(dim=-1)  # [B, V]
    threshold = r.float().unsqueeze(-1) * cdf[:, -1:]  # [B, 1]
    # cdf is non-decreasing, so the count of cdf_i <= threshold is the first index above it.
    drawn = (cdf <= threshold).to(torch.int64).sum(dim=-1)  # [B]
    return torch.minimum(drawn, _ranks(logits)[:, -1] - 1)


def sample_next(
    logits_cond: Tensor,
    logits_uncond: Tensor,
    r: Tensor,
    cfg_scale: ScalarLike,
    temperature: ScalarLike,
    top_k: ScalarLike,
    top_p: ScalarLike,
) -> Tensor:
    """Next image token for each row, per spec/sampler.md.

    logits_cond, logits_uncond: [B, V] raw logits (finite); everything is computed in float32.
    r: [B] uniforms in [0, 1) (float32; one per row, from `uniforms.uniform`).
    cfg_scale: 0-d float; guidance applies only when > 1.
    temperature: 0-d float; <= 0 means greedy (argmax of the guided logits).
    top_k: 0-d int64; <= 0 or >= V means off.
    top_p: 0-d float; >= 1 means off.
    Returns int64 [B].
    """
    like = logits_cond
    return sample_next_tensors(
        logits_cond, logits_uncond, r,
        _scalar(cfg_scale, torch.float32, like), _scalar(temperature, torch.float32, like),
        _scalar(top_k, torch.int64, like), _scalar(top_p, torch.float32, like),
    )


def sample_next_tensors(
    logits_cond: Tensor,
    logits_uncond: Tensor,
    r: Tensor,
    cfg_scale: Tensor,
    temperature: Tensor,
    top_k: Tensor,
    top_p: Tensor,
) -> Tensor:
    """`sample_next` with every argument a tensor (0-d float32 / int64 scalars): the form that
    both tracing and `torch.jit.script` take."""
    g = guide(logits_cond, logits_uncond, cfg_scale)  # [B, V]
    greedy = torch.argmax(g, dim=-1)  # [B]; ties -> lowest id

    # Step 2. The sampled branch is computed for every row and discarded when greedy, so the
    # divisor is made safe rather than branched on.
    sampling = temperature > 0
    logits = g / torch.where(sampling, temperature, torch.ones_like(temperature))  # [B, V]
    keep = keep_mask(logits, top_k, top_p)  # [B, V]
    return torch.where(sampling, draw(logits, keep, r), greedy)


class NextTokenSampler(nn.Module):
    """`sample_next` as a module, for tracing or scripting into a graph (no parameters)."""

    def forward(
        self,
        logits_cond: Tensor,
        logits_uncond: Tensor,
        r: Tensor,
        cfg_scale: Tensor,
        temperature: Tensor,
        top_k: Tensor,
        top_p: Tensor,
    ) -> Tensor:
        return sample_next_tensors(logits_cond, logits_uncond, r, cfg_scale, temperature, top_k, top_p)


def check_sampling_params(cfg_scale: float, temperature: float, top_k: int, top_p: float) -> None:
    """Raises ValueError for settings the graph would silently reinterpret (NaN, negatives).

    The graph itself cannot raise, so callers (the reference generator, the app) check first.
    """
    for name, value in (("cfg_scale", cfg_scale), ("temperature", temperature), ("top_p", top_p)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ValueError(f"{name} must be a finite number, got {value!r}")
    if cfg_scale < 0:
        raise ValueError(f"cfg_scale must be >= 0 (guidance applies above 1), got {cfg_scale}")
    if temperature < 0:
        raise ValueError(f"temperature must be >= 0 (0 = greedy), got {temperature}")
    if isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 0:
        raise ValueError(f"top_k must be an integer >= 0 (0 = off), got {top_k!r}")
    if not 0 < top_p <= 1:
        raise ValueError(f"top_p must be in (0, 1] (1 = off), got {top_p}")
