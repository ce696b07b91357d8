"""Condition-prefix plumbing of the MENTOR GPT: left padding, the CFG null condition, masks.

Spec: shared/spec/mentor-model.md §2.5 and §4.3. The T5 encoder's states arrive right-padded
(valid rows first). MENTOR moves the valid rows to the END of the `cls_token_num`-slot prefix so
that the last prefix slot, whose output predicts image token 0, always holds a real token.

Every function here is tensor-only (no Python branching on tensor values; only the batch size is
dynamic), so the GPT's prefill/decode graphs can hold this logic when exported to ONNX.
"""

from __future__ import annotations

import torch
from torch import Tensor


def left_pad_mask(mask: Tensor) -> Tensor:
    """[B, T] mask (any layout, bool or 0/1) -> [B, T] bool with its ones moved to the end."""
    t = mask.shape[1]
    n_valid = mask.to(torch.int64).sum(dim=1, keepdim=True)          # [B, 1]
    slots = torch.arange(t, device=mask.device)                       # [T]
    return slots[None, :] >= t - n_valid


def left_pad(states: Tensor, mask: Tensor) -> tuple[Tensor, Tensor]:
    """Move the valid rows (mask = 1) of [B, T, C] states to the end, keeping their order.

    Returns (states [B, T, C], mask [B, T] bool), pad rows exactly 0. Works for any layout of the
    input mask and is idempotent, so already left-padded input passes through (pad rows zeroed).
    For a right-padded input this is MENTOR's rotation `cat(emb[valid:], emb[:valid])` · mask.
    """
    b, t, c = states.shape
    valid = mask.to(torch.bool)
    slots = torch.arange(t, device=states.device)                     # [T]
    # Sort key: pad rows 0..T-1, valid rows T..2T-1. Keys are unique, so the order is the same
    # whether or not the sort is stable (ONNX TopK does not promise stability).
    key = valid.to(torch.int64) * t + slots[None, :]                  # [B, T]
    order = torch.argsort(key, dim=1)                                 # [B, T], source row per slot
    # One flat row gather instead of a [B, T, C] index (GatherElements) tensor.
    flat = (order + torch.arange(b, device=states.device)[:, None] * t).reshape(-1)  # [B·T]
    moved = states.reshape(b * t, c).index_select(0, flat).reshape(b, t, c)
    new_mask = left_pad_mask(valid)
    # where, not multiply: pad rows of an encoder output can hold anything (even inf/NaN).
    moved = torch.where(new_mask[:, :, None], moved, torch.zeros_like(moved))
    return moved, new_mask


def cfg_null(uncond_embedding: Tensor, batch: int) -> Tensor:
    """The CFG null prefix: `uncond_embedding` [T, C] repeated to [batch, T, C].

    It is the raw learned buffer, not an encoded empty prompt, and is NOT left-padded: the null
    row keeps the mask of its conditional row, so it sees the last `valid` rows (spec §4.3).
    """
    return uncond_embedding[None].expand(batch, -1, -1)


def key_validity(prefix_mask: Tensor, seq_len: int) -> Tensor:
    """[B, T] prefix mask -> [B, seq_len] bool: prefix slots as masked, image slots always True."""
    t = prefix_mask.shape[1]
    if seq_len < t:
        raise ValueError(f"seq_len: {seq_len} is shorter than the prefix ({t})")
    slots = torch.arange(seq_len, device=prefix_mask.device)          # [S]
    # Pad as int, not bool: constant padding of bool tensors is not exported by every opset.
    prefix = torch.nn.functional.pad(prefix_mask.to(torch.int64), (0, seq_len - t))  # [B, S]
    return (prefix > 0) | (slots >= t)[None, :]


def prefix_attention_mask(prefix_mask: Tensor, seq_len: int) -> Tensor:
    """Boolean [B, S, S] attention mask, True = attend (spec §2.5).

    Causal, AND key columns of padded prefix slots closed, with the diagonal forced open so that
    a pad query attends to itself (a fully closed row would give NaN). `prefix_mask` is [B, T]
    in its final (left-padded) layout; S >= T. Training uses S = T + N - 1 (the last token is
    never fed), which equals LlamaGen's (T+N)² mask cut with [:-1, :-1].
    """
    idx = torch.arange(seq_len, device=prefix_mask.device)            # [S]
    causal = idx[:, None] >= idx[None, :]                             # [S, S] (query, key)
    diagonal = idx[:, None] == idx[None, :]                           # [S, S]
    keys = key_validity(prefix_mask, seq_len)                         # [B, S]
    return (causal[None] & keys[:, None, :]) | diagonal[None]
