"""2D RoPE table and application (spec §2.7), including LlamaGen's zeroed-prefix bug (#54)."""

import math

import pytest
import torch

from mentor_models.rope import apply_rotary_emb, precompute_freqs_cis_2d

GRID, HEAD_DIM, BASE, PREFIX = 4, 16, 10000.0, 5


@pytest.fixture(scope="module")
def table():
    return precompute_freqs_cis_2d(GRID, HEAD_DIM, BASE, PREFIX)


def test_table_shape_zero_prefix_and_row_column_layout(table):
    assert table.shape == (PREFIX + GRID * GRID, HEAD_DIM // 2, 2)
    assert table.dtype == torch.float32
    assert torch.count_nonzero(table[:PREFIX]) == 0  # cos = sin = 0 on the prefix rows
    quarter = HEAD_DIM // 4
    for j in range(GRID * GRID):
        r, c = divmod(j, GRID)  # row-major grid cell of image token j
        for i in range(quarter):
            freq = BASE ** (-4 * i / HEAD_DIM)  # = base^(-2i/half), half = head_dim/2
            row_pair, col_pair = table[PREFIX + j, i], table[PREFIX + j, quarter + i]
            for pair, pos in ((row_pair, r), (col_pair, c)):
                want = [math.cos(pos * freq), math.sin(pos * freq)]
                assert pair.tolist() == pytest.approx(want, abs=1e-6)


def test_spec_numbers_for_gpt_xl():
    # head_dim 64: 16 row + 16 column frequencies base^(-k/16); 512 zero rows + 32x32 cells.
    t = precompute_freqs_cis_2d(32, 64, 10000.0, 512)
    assert t.shape == (1536, 32, 2)
    cell = 512 + 1 * 32 + 1  # (r, c) = (1, 1): angles = the frequencies themselves
    angles = torch.atan2(t[cell, :, 1], t[cell, :, 0])
    want = torch.tensor([10000.0 ** (-k / 16) for k in range(16)] * 2)
    torch.testing.assert_close(angles, want, rtol=0, atol=1e-6)


def _pair_rotate(x0, x1, angle):
    return x0 * math.cos(angle) - x1 * math.sin(angle), x1 * math.cos(angle) + x0 * math.sin(angle)


def test_mentor_passes_prefix_and_rotates_adjacent_pairs(table):
    torch.manual_seed(0)
    s = PREFIX + GRID * GRID
    x = torch.randn(2, s, 3, HEAD_DIM)                                  # [B, S, H, D]
    is_prefix = torch.arange(s) < PREFIX
    out = apply_rotary_emb(x, table, "mentor", is_prefix)
    assert torch.equal(out[:, :PREFIX], x[:, :PREFIX])                  # bit-exact pass-through
    j = 2 * GRID + 3                                                     # cell (r, c) = (2, 3)
    r, c = divmod(j, GRID)
    for i in range(HEAD_DIM // 2):
        # Pairs are adjacent channels (2i, 2i+1); the first half rotates by the row, then columns.
        k = i % (HEAD_DIM // 4)
        pos = r if i < HEAD_DIM // 4 else c
        angle = pos * BASE ** (-4 * k / HEAD_DIM)
        x0, x1 = x[1, PREFIX + j, 2, 2 * i].item(), x[1, PREFIX + j, 2, 2 * i + 1].item()
        want = _pair_rotate(x0, x1, angle)
        got = out[1, PREFIX + j, 2, 2 * i: 2 * i + 2].tolist()
        assert got == pytest.approx(list(want), abs=1e-5)
    # Cell (0, 0) is the identity rotation; rotation keeps every pair's length.
    torch.testing.assert_close(out[:, PREFIX], x[:, PREFIX])
    norms = lambda t: t.reshape(*t.shape[:-1], -1, 2).norm(dim=-1)
    torch.testing.assert_close(norms(out), norms(x))


def test_llamagen_zeroes_prefix_and_matches_mentor_on_image_positions(table):
    torch.manual_seed(1)
    s = PREFIX + GRID * GRID
    x = torch.randn(1, s, 2, HEAD_DIM)
    is_prefix = torch.arange(s) < PREFIX
    bug = apply_rotary_emb(x, table, "llamagen")
    fix = apply_rotary_emb(x, table, "mentor", is_prefix)
    assert torch.count_nonzero(bug[:, :PREFIX]) == 0                   # q/k of the prefix -> 0
    assert torch.equal(bug[:, PREFIX:], fix[:, PREFIX:])


def test_fp32_math_and_dtype_round_trip(table):
    x = torch.randn(1, PREFIX + GRID * GRID, 1, HEAD_DIM).to(torch.bfloat16)
    is_prefix = torch.arange(x.shape[1]) < PREFIX
    out = apply_rotary_emb(x, table, "mentor", is_prefix)
    assert out.dtype == torch.bfloat16
    ref = apply_rotary_emb(x.float(), table, "mentor", is_prefix).to(torch.bfloat16)
    assert torch.equal(out, ref)


def test_single_decode_position(table):
    # Decode passes one table row and a one-element is_prefix (False): same as the full pass.
    x = torch.randn(3, PREFIX + GRID * GRID, 2, HEAD_DIM)
    full = apply_rotary_emb(x, table, "mentor", torch.arange(x.shape[1]) < PREFIX)
    p = PREFIX + 7
    one = apply_rotary_emb(x[:, p:p + 1], table[p:p + 1], "mentor", torch.tensor([False]))
    assert torch.equal(one, full[:, p:p + 1])


def test_bad_arguments():
    with pytest.raises(ValueError, match="^head_dim: "):
        precompute_freqs_cis_2d(4, 18)
    x, t = torch.zeros(1, 2, 1, 4), precompute_freqs_cis_2d(1, 4, cls_token_num=1)
    with pytest.raises(ValueError, match="^variant: "):
        apply_rotary_emb(x, t, "zero-fix")
    with pytest.raises(ValueError, match="^is_prefix: "):
        apply_rotary_emb(x, t, "mentor")
