"""Prefix plumbing (spec §2.5, §4.3): left padding, the CFG null rows, the attention mask."""

import pytest
import torch

from mentor_models.prefix import (
    cfg_null,
    key_validity,
    left_pad,
    left_pad_mask,
    prefix_attention_mask,
)


def _right_padded_mask(lengths, t):
    return torch.arange(t)[None, :] < torch.tensor(lengths)[:, None]


def test_left_pad_is_mentors_rotation_for_right_padded_input():
    torch.manual_seed(0)
    t, c = 7, 3
    states = torch.randn(3, t, c)
    mask = _right_padded_mask([3, 7, 0], t)
    out, new_mask = left_pad(states, mask)
    for b in range(3):
        valid = int(mask[b].sum())
        # MENTOR inference: cat(emb[valid:], emb[:valid]), flipped mask, times the mask.
        flipped = torch.arange(t) >= t - valid
        want = torch.cat([states[b, valid:], states[b, :valid]]) * flipped[:, None]
        assert torch.equal(out[b], want)
        assert torch.equal(new_mask[b], flipped)
    assert new_mask.dtype == torch.bool


def test_left_pad_any_layout_keeps_order_and_zeroes_pads_exactly():
    t, c = 6, 2
    states = torch.arange(t * c, dtype=torch.float32).reshape(1, t, c)
    states[0, 1] = float("nan")  # pad rows may hold anything; they must come out exactly 0
    states[0, 4] = float("inf")
    mask = torch.tensor([[1, 0, 1, 1, 0, 1]])  # int mask, valid rows 0, 2, 3, 5
    out, new_mask = left_pad(states, mask)
    assert new_mask.tolist() == [[False, False, True, True, True, True]]
    assert torch.equal(out[0, :2], torch.zeros(2, c))
    assert torch.equal(out[0, 2:], states[0, [0, 2, 3, 5]])


def test_left_pad_is_idempotent():
    torch.manual_seed(1)
    states = torch.randn(2, 5, 4)
    once = left_pad(states, _right_padded_mask([2, 4], 5))
    twice = left_pad(*once)
    assert torch.equal(once[0], twice[0]) and torch.equal(once[1], twice[1])
    assert torch.equal(left_pad_mask(once[1]), once[1])


def test_cfg_null_is_the_raw_buffer_per_row():
    torch.manual_seed(2)
    uncond = torch.randn(5, 4)
    null = cfg_null(uncond, 3)
    assert null.shape == (3, 5, 4)
    for b in range(3):
        assert torch.equal(null[b], uncond)


def _reference_mask(prefix_mask, n_image):
    """LlamaGen/MENTOR's construction, literally: (T+N)² tril, prefix columns zeroed per sample,
    diagonal set to 1, then [:-1, :-1] for training."""
    b, t = prefix_mask.shape
    s = t + n_image
    out = torch.tril(torch.ones(b, s, s, dtype=torch.bool))
    for i in range(b):
        out[i, :, :t] &= prefix_mask[i].bool()[None, :]
        out[i].fill_diagonal_(True)
    return out[:, :-1, :-1]


def test_mask_matches_reference_construction():
    t, n = 6, 4
    prefix_mask = left_pad_mask(_right_padded_mask([2, 6, 0], t))
    got = prefix_attention_mask(prefix_mask, t + n - 1)
    assert got.shape == (3, t + n - 1, t + n - 1) and got.dtype == torch.bool
    assert torch.equal(got, _reference_mask(prefix_mask, n))


def test_mask_properties():
    t, s = 5, 9
    prefix_mask = left_pad_mask(_right_padded_mask([2, 5], t))  # sample 0: slots 0..2 are pads
    m = prefix_attention_mask(prefix_mask, s)
    idx = torch.arange(s)
    assert m[:, idx, idx].all()                                    # diagonal forced open
    assert not (m & (idx[None, :] > idx[:, None])).any()            # causal: no future keys
    assert not m[0, :, :3].fill_diagonal_(False).any()              # padded key columns closed
    assert m[0, 3:, 3:].tril().eq(torch.ones(s - 3, s - 3).tril().bool()).all()
    assert m[1].equal(torch.ones(s, s).tril().bool())               # no padding: plain causal


def test_key_validity():
    kv = key_validity(torch.tensor([[0, 1, 1]]), 5)
    assert kv.tolist() == [[False, True, True, True, True]]
    with pytest.raises(ValueError, match="^seq_len: "):
        key_validity(torch.ones(1, 3), 2)
