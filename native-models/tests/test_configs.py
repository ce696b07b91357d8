import dataclasses

import pytest

from mentor_models.configs import (
    GPT_CONFIGS,
    VQ_CONFIGS,
    GPTConfig,
    VQConfig,
    count_parameters,
    find_multiple,
    get_gpt_config,
)

# Sizes in LlamaGen's README model table, with the unit of the last digit they are rounded to.
# Those are the class-conditional (C2I) models: their condition is a label table
# Embedding(1000 classes + 1 CFG null row, dim) instead of the T2I caption projection
# cap_proj (caption_dim·dim + dim² weights) that count_parameters() counts. Swapping the two
# must land on the published figure to within its rounding.
PUBLISHED = {
    "GPT-B": (111e6, 1e6),
    "GPT-L": (343e6, 1e6),
    "GPT-XL": (775e6, 1e6),
    "GPT-XXL": (1.4e9, 0.1e9),
    "GPT-3B": (3.1e9, 0.1e9),
}
C2I_LABELS = 1001


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_parameter_count_matches_published_c2i_size(name):
    cfg = GPT_CONFIGS[name]
    published, unit = PUBLISHED[name]
    t2i = count_parameters(cfg)
    c2i = t2i - (cfg.caption_dim * cfg.dim + cfg.dim**2) + C2I_LABELS * cfg.dim
    assert abs(c2i - published) <= unit / 2, f"{name}: C2I count {c2i:,} vs published {published:,.0f}"
    # The T2I model itself is within 2 %: the caption projection is a small extra.
    assert abs(t2i - published) / published < 0.02


def test_gpt_xl_exact_count_and_shapes_from_spec():
    cfg = GPT_CONFIGS["GPT-XL"]
    assert count_parameters(cfg) == 777_678_080  # spec §2.6
    assert (cfg.head_dim, cfg.kv_heads) == (64, 20)
    assert (cfg.n_head + 2 * cfg.kv_heads) * cfg.head_dim == 3840  # wqkv rows, spec §3.3
    assert (cfg.cls_token_num, cfg.block_size, cfg.grid_size, cfg.seq_len) == (512, 1024, 32, 1536)
    assert GPTConfig() == cfg  # the defaults are MENTOR's GPT-XL


def test_ffn_hidden_follows_llamagen_rule():
    # XL: int(2·4·1280/3) = 3413, rounded up to a multiple of 256 -> 3584 (spec §2.6).
    assert int(2 * 4 * 1280 / 3) == 3413
    assert find_multiple(3413, 256) == 3584
    assert GPT_CONFIGS["GPT-XL"].ffn_hidden_dim == 3584
    assert find_multiple(2048, 256) == 2048  # already a multiple: unchanged
    assert GPT_CONFIGS["GPT-B"].ffn_hidden_dim == 2048
    # ffn_dim_multiplier scales the truncated 2/3 width before rounding: int(1.3·3413) = 4436 -> 4608.
    assert get_gpt_config("GPT-XL", ffn_dim_multiplier=1.3).ffn_hidden_dim == 4608


def test_count_does_not_depend_on_prefix_or_grid():
    # uncond_embedding and RoPE tables are buffers, so LlamaGen's 120/256 layout has the same count.
    xl = GPT_CONFIGS["GPT-XL"]
    llamagen_t2i = get_gpt_config("GPT-XL", cls_token_num=120, block_size=256)
    assert count_parameters(llamagen_t2i) == count_parameters(xl)
    assert llamagen_t2i.grid_size == 16


def test_gqa_shrinks_only_wqkv():
    full, gqa = GPT_CONFIGS["GPT-B"], get_gpt_config("GPT-B", n_kv_head=4)
    assert count_parameters(full) - count_parameters(gqa) == 12 * 2 * (12 - 4) * 64 * 768


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"dim": 1000, "n_head": 16}, "dim"),           # 1000 / 16 is not whole
        ({"dim": 768, "n_head": 128}, "n_head"),        # head_dim 6: not a multiple of 4
        ({"n_kv_head": 3}, "n_kv_head"),                # 3 does not divide 20
        ({"block_size": 1000}, "block_size"),           # not a square grid
        ({"n_layer": 0}, "n_layer"),
        ({"resid_dropout_p": 1.0}, "resid_dropout_p"),
        ({"ffn_dim_multiplier": -1.0}, "ffn_dim_multiplier"),
    ],
)
def test_invalid_config_is_rejected_naming_the_field(overrides, field):
    with pytest.raises(ValueError, match=rf"^{field}: "):
        GPTConfig(**overrides)


def test_configs_are_frozen_and_derived_fields_recompute():
    cfg = GPT_CONFIGS["GPT-L"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.dim = 1  # type: ignore[misc]
    assert dataclasses.replace(cfg, n_head=8).head_dim == 128
    with pytest.raises(KeyError, match="GPT-XL"):
        get_gpt_config("GPT-XLL")


def test_tiny_is_cpu_sized_and_pairs_with_vq_tiny():
    tiny, vq = GPT_CONFIGS["GPT-tiny"], VQ_CONFIGS["VQ-tiny"]
    assert count_parameters(tiny) < 5_000_000
    assert tiny.vocab_size == vq.codebook_size
    assert vq.tokens_for(32) == tiny.block_size
    assert (tiny.cls_token_num, tiny.grid_size, tiny.seq_len) == (64, 8, 128)


def test_vq16_matches_spec():
    vq = VQ_CONFIGS["VQ-16"]
    assert (vq.codebook_size, vq.codebook_embed_dim, vq.downsample) == (16384, 8, 16)
    assert vq.codebook_size == GPT_CONFIGS["GPT-XL"].vocab_size
    assert [vq.ch * m for m in reversed(vq.ch_mult)] == [512, 256, 256, 128, 128]  # decoder levels
    assert vq.tokens_for(512) == 1024 and vq.tokens_for(256) == 256
    with pytest.raises(ValueError, match="^image_size: "):
        vq.tokens_for(500)
    with pytest.raises(ValueError, match="^norm_groups: "):
        VQConfig(ch=100)
