"""2D rotary position embedding of the LlamaGen T2I GPT, with MENTOR's prefix fix as a switch.

Spec: shared/spec/mentor-model.md §2.7. The table is LlamaGen's `precompute_freqs_cis_2d`: one
(cos, sin) row per sequence position, `cls_token_num` all-zero rows for the condition prefix, then
one row per image grid cell in row-major order. The first half of the rotated pairs carries the
cell's row, the second half its column. Pairs are ADJACENT channels (2i, 2i+1), complex style.

Two behaviours on prefix positions (`RopeVariant`):
- "mentor": prefix q/k pass through unrotated (MENTOR `empty_fix_gpt.py`,
  `correct_apply_rotary_emb`; the same as rotating by the identity). Use with every MENTOR checkpoint.
- "llamagen": prefix q/k are multiplied by the zero rows and become zero vectors, the original
  LlamaGen behaviour (LlamaGen issue #54, https://github.com/FoundationVision/LlamaGen/issues/54).
  Use only to reproduce original LlamaGen T2I checkpoints.
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import Tensor

RopeVariant = Literal["mentor", "llamagen"]
ROPE_VARIANTS: tuple[str, ...] = ("mentor", "llamagen")


def precompute_freqs_cis_2d(grid_size: int, head_dim: int, base: float = 10000.0,
                            cls_token_num: int = 0, device: torch.device | str = "cpu") -> Tensor:
    """(cos, sin) table [cls_token_num + grid_size², head_dim // 2, 2], fp32, on `device`.

    Rows 0..cls_token_num-1 are zeros (the prefix). Image token j sits at row cls_token_num + j and
    encodes grid cell (r, c) = (j // grid_size, j % grid_size): pair i < head_dim/4 is rotated by
    r·freq[i], pair head_dim/4 + i by c·freq[i], with freq[i] = base^(-4i / head_dim).
    """
    if head_dim % 4 != 0:
        raise ValueError(f"head_dim: {head_dim} must be a multiple of 4 for 2D RoPE")
    half = head_dim // 2  # channels given to each axis
    # Each axis is a 1D RoPE over `half` channels: base^(-e/half) for e = 0, 2, 4, ...
    # fp32 throughout, as LlamaGen computes it, so the table matches the one the weights saw.
    even = torch.arange(0, half, 2, dtype=torch.float32, device=device)
    freqs = 1.0 / (base ** (even / half))                            # [hd/4]
    t = torch.arange(grid_size, dtype=torch.float32, device=device)
    axis = torch.outer(t, freqs)                                     # [G, hd/4]
    rows = axis[:, None, :].expand(grid_size, grid_size, -1)         # [G, G, hd/4], angle of r
    cols = axis[None, :, :].expand(grid_size, grid_size, -1)         # [G, G, hd/4], angle of c
    angles = torch.cat([rows, cols], dim=-1).reshape(grid_size * grid_size, half)  # [G², hd/2]
    grid = torch.stack([torch.cos(angles), torch.sin(angles)], dim=-1)             # [G², hd/2, 2]
    prefix = torch.zeros(cls_token_num, half, 2, dtype=torch.float32, device=device)
    return torch.cat([prefix, grid], dim=0)


def apply_rotary_emb(x: Tensor, freqs_cis: Tensor, variant: RopeVariant,
                     is_prefix: Tensor | None = None) -> Tensor:
    """Rotate adjacent channel pairs of q or k by the table rows of their positions.

    x: [B, S, H, D] (q or k, one row per position). freqs_cis: [S, D/2, 2], the table rows of
    those positions (`table[positions]`). is_prefix: [S] bool, True on condition-prefix positions;
    needed by "mentor" (those positions are returned unchanged), ignored by "llamagen" (whose zero
    table rows already zero them). Math in fp32, result in x's dtype.
    """
    if variant not in ROPE_VARIANTS:
        raise ValueError(f"variant: {variant!r} is not one of {ROPE_VARIANTS}")
    xf = x.float().reshape(*x.shape[:-1], -1, 2)                     # [B, S, H, D/2, 2]
    f = freqs_cis.float()[None, :, None]                             # [1, S, 1, D/2, 2]
    x0, x1 = xf[..., 0], xf[..., 1]
    cos, sin = f[..., 0], f[..., 1]
    out = torch.stack([x0 * cos - x1 * sin, x1 * cos + x0 * sin], dim=-1).flatten(-2)
    out = out.type_as(x)
    if variant == "mentor":
        if is_prefix is None:
            raise ValueError("is_prefix: required by the 'mentor' variant")
        # Pass-through rather than an identity rotation: exact, whatever the table holds there.
        out = torch.where(is_prefix[None, :, None, None], x, out)
    return out
