"""Official checkpoint files: reading, kind detection, key checks, uncond resizing, module loads.

Files are written with torch.save in the official layout (mentor_models.official_layout) at tiny
sizes and read back through the real loader. GPT-XL / VQ-16 / CLIP-L + FlanT5-XL shapes are checked
against the spec's tables (shared/spec/mentor-model.md §3.3) without allocating weights.
"""

import importlib
import math

import pytest
import torch

from mentor_models.checkpoints import (
    CheckpointError,
    EncoderShapes,
    LoadReport,
    check_state_dict,
    detect_contents,
    encoder_shapes,
    expected_encoder_keys,
    expected_gpt_keys,
    expected_vq_keys,
    load_checkpoint_file,
    state_dict_numel,
)
from mentor_models.configs import GPT_CONFIGS, VQ_CONFIGS, count_parameters, get_gpt_config
from mentor_models.encoder_configs import get_encoder_config
from mentor_models.official_layout import (
    official_encoder_state_dict,
    official_generator_checkpoint,
    official_gpt_state_dict,
    official_llamagen_t2i_checkpoint,
    official_mentor_checkpoint,
    official_vq_checkpoint,
)
from mentor_models.state_dict_adapter import (
    cast_state_dict,
    conform_to_module,
    gpt_from_official,
    join_mentor_state_dict,
    load_official,
    mentor_to_official,
    resize_uncond_embedding,
    split_mentor_state_dict,
)

GPT_TINY = GPT_CONFIGS["GPT-tiny"]
VQ_TINY = VQ_CONFIGS["VQ-tiny"]
ENC_TINY = get_encoder_config("tiny")
UNCOND = "cls_embedding.uncond_embedding"


def gen(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def save(tmp_path, name, obj):
    path = tmp_path / name
    torch.save(obj, path)
    return path


class NotAllowed:
    """A class a checkpoint might pickle; loading it would run this module's code."""

    def __init__(self) -> None:
        self.payload = 1


# --- key tables against the spec ---------------------------------------------------------------

def test_gpt_xl_table_is_the_spec_table():
    keys = expected_gpt_keys(GPT_CONFIGS["GPT-XL"])
    shapes = {k: s for k, (s, _) in keys.items()}
    assert shapes[UNCOND] == (512, 2048)
    assert shapes["cls_embedding.cap_proj.fc1.weight"] == (1280, 2048)
    assert shapes["cls_embedding.cap_proj.fc2.weight"] == (1280, 1280)
    assert shapes["tok_embeddings.weight"] == (16384, 1280)
    assert shapes["output.weight"] == (16384, 1280)
    assert shapes["norm.weight"] == (1280,)
    for i in (0, 35):
        p = f"layers.{i}."
        assert shapes[p + "attention.wqkv.weight"] == (3840, 1280)
        assert shapes[p + "attention.wo.weight"] == (1280, 1280)
        assert shapes[p + "feed_forward.w1.weight"] == (3584, 1280)
        assert shapes[p + "feed_forward.w3.weight"] == (3584, 1280)
        assert shapes[p + "feed_forward.w2.weight"] == (1280, 3584)
        assert shapes[p + "attention_norm.weight"] == (1280,)
        assert shapes[p + "ffn_norm.weight"] == (1280,)
    assert "layers.36.attention.wqkv.weight" not in shapes
    assert len(keys) == 4 + 36 * 7 + 2
    # §2.6: 777,678,080 parameters; the uncond buffer is not one.
    assert state_dict_numel(keys) - 512 * 2048 == 777_678_080 == count_parameters(GPT_CONFIGS["GPT-XL"])
    assert expected_gpt_keys(GPT_CONFIGS["GPT-XL"], uncond_rows=120)[UNCOND][0] == (120, 2048)


def test_encoder_xl_table_is_the_spec_table():
    keys = {k: s for k, (s, _) in expected_encoder_keys().items()}
    v = "vision_model.vision_tower.vision_model."
    assert keys[v + "embeddings.class_embedding"] == (1024,)
    assert keys[v + "embeddings.patch_embedding.weight"] == (1024, 3, 14, 14)
    assert keys[v + "embeddings.position_embedding.weight"] == (257, 1024)
    assert keys[v + "post_layernorm.bias"] == (1024,)
    assert keys[v + "encoder.layers.23.self_attn.out_proj.weight"] == (1024, 1024)
    assert keys[v + "encoder.layers.23.mlp.fc1.weight"] == (4096, 1024)
    assert keys[v + "encoder.layers.0.mlp.fc2.weight"] == (1024, 4096)
    assert keys["language_projection.0.weight"] == (2048, 1024)
    assert keys["language_projection.2.weight"] == (2048, 2048)
    assert keys["language_model.shared.weight"] == keys["language_model.encoder.embed_tokens.weight"] \
        == (32128, 2048)
    t = "language_model.encoder.block."
    assert keys[t + "23.layer.0.SelfAttention.q.weight"] == (2048, 2048)
    assert keys[t + "0.layer.0.SelfAttention.relative_attention_bias.weight"] == (32, 32)
    assert t + "1.layer.0.SelfAttention.relative_attention_bias.weight" not in keys
    assert keys[t + "5.layer.1.DenseReluDense.wi_0.weight"] == (5120, 2048)
    assert keys[t + "5.layer.1.DenseReluDense.wo.weight"] == (2048, 5120)
    # §1 budget: CLIP-L vision 303 M, projector 6.3 M, T5-XL encoder 1,223.5 M (alias counted once).
    table = expected_encoder_keys(include_alias=False)
    part = lambda prefix: state_dict_numel({k: s for k, s in table.items() if k.startswith(prefix)})
    assert round(part("vision_model.") / 1e6) == 303
    assert round(part("language_projection.") / 1e5) == 63
    assert round(part("language_model.") / 1e5) == 12235
    # The project's EncoderConfig for the official sizes gives the same table.
    assert expected_encoder_keys(get_encoder_config("mentor-xl")) == expected_encoder_keys()


def test_vq16_table_is_the_spec_table():
    keys = {k: s for k, (s, _) in expected_vq_keys(VQ_CONFIGS["VQ-16"]).items()}
    assert keys["encoder.conv_in.weight"] == (128, 3, 3, 3)
    assert keys["encoder.conv_out.weight"] == (256, 512, 3, 3)
    assert keys["quant_conv.weight"] == (8, 256, 1, 1)
    assert keys["quantize.embedding.weight"] == (16384, 8)
    assert keys["quantize.codebook_used"] == (65536,)
    assert keys["post_quant_conv.weight"] == (256, 8, 1, 1)
    assert keys["decoder.conv_in.weight"] == (512, 256, 3, 3)
    assert keys["decoder.conv_out.weight"] == (3, 128, 3, 3)
    nin = sorted(k.removesuffix(".nin_shortcut.weight") for k in keys if k.endswith("nin_shortcut.weight"))
    assert nin == ["decoder.conv_blocks.1.res.0", "decoder.conv_blocks.3.res.0",
                   "encoder.conv_blocks.2.res.0", "encoder.conv_blocks.4.res.0"]
    assert keys["encoder.conv_blocks.2.res.0.nin_shortcut.weight"] == (256, 128, 1, 1)
    assert keys["decoder.conv_blocks.3.res.0.nin_shortcut.weight"] == (128, 256, 1, 1)
    attn = sorted({k.rsplit(".", 2)[0] for k in keys if ".attn." in k})
    assert attn == ["decoder.conv_blocks.0.attn.0", "decoder.conv_blocks.0.attn.1",
                    "decoder.conv_blocks.0.attn.2", "encoder.conv_blocks.4.attn.0",
                    "encoder.conv_blocks.4.attn.1"]
    assert {k for k in keys if "downsample" in k} == {
        f"encoder.conv_blocks.{i}.downsample.conv.{w}" for i in range(4) for w in ("weight", "bias")}
    assert {k for k in keys if "upsample" in k} == {
        f"decoder.conv_blocks.{i}.upsample.conv.{w}" for i in range(4) for w in ("weight", "bias")}
    assert "decoder.conv_blocks.4.res.2.conv2.weight" in keys  # 3 res blocks per decoder level
    assert "encoder.conv_blocks.0.res.2.conv1.weight" not in keys  # 2 per encoder level
    # L:README: the VQ tokenizer has ~72 M parameters (usage buffer excluded).
    assert round((state_dict_numel(keys) - 65536) / 1e6) == 72


def test_encoder_shapes_reads_the_encoder_config():
    s = encoder_shapes(ENC_TINY)
    e = ENC_TINY
    assert (s.clip_hidden, s.clip_positions, s.t5_d_model, s.t5_vocab, s.t5_d_ff) == (
        e.clip_hidden_size, e.tokens_per_image + 1, e.t5_d_model, e.t5_vocab_size, e.t5_d_ff)
    assert encoder_shapes(None) == EncoderShapes()
    with pytest.raises(TypeError, match="cannot read encoder sizes"):
        encoder_shapes(object())


# --- official layouts load with nothing missing or unexpected -----------------------------------

def test_mentor_checkpoint_loads_complete(tmp_path):
    ckpt = official_mentor_checkpoint(GPT_TINY, ENC_TINY, generator=gen(), steps=123)
    assert ckpt["model"]["multimodal_encoder.language_model.shared.weight"].dtype == torch.bfloat16
    path = save(tmp_path, "stage2.pt", ckpt)

    w = load_official(path, "mentor", gpt_cfg=GPT_TINY, enc_cfg=ENC_TINY, generator=gen(1))

    assert w.report.ok, w.report.summary()
    assert set(w.gpt) == set(expected_gpt_keys(GPT_TINY))
    assert set(w.encoder) == set(expected_encoder_keys(ENC_TINY))
    assert all(t.dtype == torch.float32 for t in w.encoder.values())
    assert any("from bfloat16 to float32" in n for n in w.report.notes), w.report.notes
    # The tied alias stays one tensor after the cast (not two copies of the table).
    enc = w.encoder
    assert enc["language_model.encoder.embed_tokens.weight"] is enc["language_model.shared.weight"]
    torch.testing.assert_close(enc["language_model.shared.weight"],
                               ckpt["model"]["multimodal_encoder.language_model.shared.weight"].float())
    torch.testing.assert_close(w.gpt[UNCOND], ckpt["model"][UNCOND])  # same rows: no resize
    assert not any("resized" in n for n in w.report.notes)
    # The trainer's extras come through; `args` (an argparse.Namespace) is accepted.
    c = w.checkpoint
    assert c.container == "model" and c.steps == 123
    assert set(w.extras) == {"optimizer", "lr_scheduler", "steps", "args"}
    assert c.args["cls_token_num"] == GPT_TINY.cls_token_num and c.args["fix"] == "gpt-empty-fix"


def test_bare_mentor_state_dict_loads(tmp_path):
    path = save(tmp_path, "stage2.pt", official_mentor_checkpoint(GPT_TINY, ENC_TINY, bare=True))
    c = load_checkpoint_file(path, "mentor")
    assert c.container == "bare" and c.extras == {} and c.args is None
    assert any("bare" in n for n in c.notes)
    w = load_official(path, "mentor", gpt_cfg=GPT_TINY, enc_cfg=ENC_TINY)
    assert w.report.ok and w.gpt is not None and w.encoder is not None


def test_generator_checkpoint_loads_and_resizes_uncond(tmp_path):
    cfg = get_gpt_config("GPT-tiny", cls_token_num=512)  # MENTOR's prefix over a 120-row generator
    ckpt = official_generator_checkpoint(cfg, generator=gen(), uncond_rows=120)
    path = save(tmp_path, "generator_ckpt.pt", ckpt)
    w = load_official(path, "generator", gpt_cfg=cfg, generator=gen(7))
    assert w.report.ok and w.encoder is None and set(w.gpt) == set(expected_gpt_keys(cfg))
    new = w.gpt[UNCOND]
    assert new.shape == (512, cfg.caption_dim)
    torch.testing.assert_close(new[:120], ckpt["model"][UNCOND])
    assert any("resized cls_embedding.uncond_embedding from 120 to 512 rows" in n
               for n in w.report.notes), w.report.notes
    # Deterministic with a seeded generator, and the fresh rows look like a new buffer (randn/sqrt(d)).
    again = load_official(path, "generator", gpt_cfg=cfg, generator=gen(7)).gpt[UNCOND]
    torch.testing.assert_close(again, new)
    assert abs(new[120:].std().item() - 1 / math.sqrt(cfg.caption_dim)) < 0.02


@pytest.mark.parametrize("container", ["model", "module", "state_dict", "bare"])
def test_llamagen_t2i_loads_from_every_container(tmp_path, container):
    cfg = get_gpt_config("GPT-tiny", cls_token_num=512)
    ckpt = official_llamagen_t2i_checkpoint(cfg, container=container, uncond_rows=120, generator=gen())
    path = save(tmp_path, "t2i_XL_stage2_512.pt", ckpt)
    w = load_official(path, "llamagen-t2i", gpt_cfg=cfg, generator=gen(3))
    assert w.report.ok and w.checkpoint.container == container
    assert w.gpt[UNCOND].shape == (512, cfg.caption_dim)
    src = ckpt if container == "bare" else ckpt[container]
    torch.testing.assert_close(w.gpt[UNCOND][:120], src[UNCOND])
    assert any("resized" in n for n in w.report.notes)
    assert any("LlamaGen RoPE variant" in n for n in w.report.notes)


def test_vq_checkpoint_loads_complete(tmp_path):
    ckpt = official_vq_checkpoint(VQ_TINY, generator=gen(), with_ema=True)
    path = save(tmp_path, "vq_ds16_t2i.pt", ckpt)
    w = load_official(path, "vq", vq_cfg=VQ_TINY)
    assert w.report.ok and w.gpt is None and set(w.vq) == set(expected_vq_keys(VQ_TINY))
    assert set(w.extras) == {"optimizer", "discriminator", "optimizer_disc", "steps", "args", "ema"}
    assert w.checkpoint.args["vq_model"] == "VQ-16"


def test_vq_codebook_normalization_is_opt_in_and_reported():
    from mentor_models.state_dict_adapter import vq_from_official

    sd = official_vq_checkpoint(VQ_TINY, generator=gen())["model"]
    plain, r1 = vq_from_official(sd, VQ_TINY)
    torch.testing.assert_close(plain["quantize.embedding.weight"], sd["quantize.embedding.weight"])
    unit, r2 = vq_from_official(sd, VQ_TINY, normalize_codebook=True)
    norms = unit["quantize.embedding.weight"].norm(dim=-1)
    torch.testing.assert_close(norms, torch.ones_like(norms))
    assert not any("normalized" in n for n in r1.notes) and any("normalized" in n for n in r2.notes)


def test_trainer_checkpoint_hook(tmp_path):
    sd = official_gpt_state_dict(GPT_TINY, generator=gen())
    path = save(tmp_path, "0001000.pt", {"model": sd, "config": {"gpt": "GPT-tiny"}, "steps": 1000})
    w = load_official(path, "trainer", gpt_cfg=GPT_TINY)
    assert w.report.ok and w.checkpoint.config == {"gpt": "GPT-tiny"} and w.checkpoint.steps == 1000
    path = save(tmp_path, "noconfig.pt", {"model": sd})
    with pytest.raises(CheckpointError, match="no 'config' dict"):
        load_checkpoint_file(path, "trainer")


def test_mmap_load(tmp_path):
    path = save(tmp_path, "stage2.pt", official_mentor_checkpoint(GPT_TINY, ENC_TINY))
    w = load_official(path, "mentor", gpt_cfg=GPT_TINY, enc_cfg=ENC_TINY, mmap=True)
    assert w.report.ok


def test_wrapper_prefixes_and_stale_position_ids(tmp_path):
    sd = official_mentor_checkpoint(GPT_TINY, ENC_TINY, bare=True)
    sd["multimodal_encoder.vision_model.vision_tower.vision_model.embeddings.position_ids"] = \
        torch.arange(ENC_TINY.tokens_per_image + 1)[None]
    wrapped = {"module._orig_mod." + k: v for k, v in sd.items()}
    path = save(tmp_path, "ddp.pt", {"model": wrapped})
    c = load_checkpoint_file(path, "mentor")
    assert set(c.state_dict) == set(sd) - {
        "multimodal_encoder.vision_model.vision_tower.vision_model.embeddings.position_ids"}
    assert any("'module.' prefix" in n for n in c.notes)
    assert any("'_orig_mod.' prefix" in n for n in c.notes)
    assert any("position_ids" in n for n in c.notes)


# --- errors name the problem ---------------------------------------------------------------------

def test_renamed_key_is_named(tmp_path):
    ckpt = official_generator_checkpoint(GPT_TINY, generator=gen())
    sd = ckpt["model"]
    sd["layers.1.attention.qkv.weight"] = sd.pop("layers.1.attention.wqkv.weight")
    path = save(tmp_path, "generator_ckpt.pt", ckpt)
    with pytest.raises(CheckpointError) as err:
        load_official(path, "generator", gpt_cfg=GPT_TINY)
    msg = str(err.value)
    assert "missing keys (1):\n  layers.1.attention.wqkv.weight" in msg
    assert "unexpected keys (1):\n  layers.1.attention.qkv.weight" in msg
    assert err.value.report.missing == ["layers.1.attention.wqkv.weight"]


def test_wrong_shape_is_named_with_both_shapes(tmp_path):
    ckpt = official_mentor_checkpoint(GPT_TINY, ENC_TINY, generator=gen())
    ckpt["model"]["output.weight"] = torch.zeros(GPT_TINY.vocab_size + 1, GPT_TINY.dim)
    key = "multimodal_encoder.language_projection.0.weight"
    d, c = ENC_TINY.t5_d_model, ENC_TINY.clip_hidden_size
    ckpt["model"][key] = torch.zeros(d, c + 1, dtype=torch.bfloat16)
    path = save(tmp_path, "stage2.pt", ckpt)
    with pytest.raises(CheckpointError) as err:
        load_official(path, "mentor", gpt_cfg=GPT_TINY, enc_cfg=ENC_TINY)
    msg = str(err.value)
    v, dim = GPT_TINY.vocab_size, GPT_TINY.dim
    assert f"output.weight: expected [{v}, {dim}], checkpoint has [{v + 1}, {dim}]" in msg
    assert f"{key}: expected [{d}, {c}], checkpoint has [{d}, {c + 1}]" in msg


def test_truncated_file(tmp_path):
    path = save(tmp_path, "stage2.pt", official_mentor_checkpoint(GPT_TINY, ENC_TINY, generator=gen()))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(CheckpointError, match=r"stage2\.pt is truncated or not a PyTorch file"):
        load_checkpoint_file(path, "mentor")


@pytest.mark.parametrize("content", [b"", b"hello, this is not a checkpoint\n"])
def test_not_a_pytorch_file(tmp_path, content):
    path = tmp_path / "x.pt"
    path.write_bytes(content)
    with pytest.raises(CheckpointError, match="truncated or not a PyTorch file"):
        load_checkpoint_file(path, "vq")


def test_missing_file(tmp_path):
    with pytest.raises(CheckpointError, match="checkpoint file not found"):
        load_checkpoint_file(tmp_path / "nope.pt", "mentor")
    with pytest.raises(CheckpointError, match="is a directory"):
        load_checkpoint_file(tmp_path, "mentor")


@pytest.mark.parametrize("kind", ["mentor", "generator", "llamagen-t2i"])
def test_vq_given_as_gpt(tmp_path, kind):
    path = save(tmp_path, "vq_ds16_t2i.pt", official_vq_checkpoint(VQ_TINY, generator=gen()))
    with pytest.raises(CheckpointError, match="looks like a VQ tokenizer checkpoint, not a MENTOR/GPT"):
        load_checkpoint_file(path, kind)


@pytest.mark.parametrize("maker", ["generator", "mentor"])
def test_gpt_given_as_vq(tmp_path, maker):
    ckpt = (official_generator_checkpoint(GPT_TINY) if maker == "generator"
            else official_mentor_checkpoint(GPT_TINY, ENC_TINY))
    path = save(tmp_path, "stage2.pt", ckpt)
    with pytest.raises(CheckpointError, match="looks like a MENTOR/GPT checkpoint, not a VQ tokenizer"):
        load_checkpoint_file(path, "vq")


def test_generator_and_mentor_kinds_are_not_swapped(tmp_path):
    gen_path = save(tmp_path, "generator_ckpt.pt", official_generator_checkpoint(GPT_TINY))
    with pytest.raises(CheckpointError, match="GPT-only checkpoint .*kind='generator'"):
        load_checkpoint_file(gen_path, "mentor")
    full = save(tmp_path, "stage2.pt", official_mentor_checkpoint(GPT_TINY, ENC_TINY))
    with pytest.raises(CheckpointError, match="full MENTOR model .*kind='mentor'"):
        load_checkpoint_file(full, "generator")


def test_query_connector_is_refused(tmp_path):
    sd = official_mentor_checkpoint(GPT_TINY, ENC_TINY, bare=True)
    sd["multimodal_encoder.query_tokens"] = torch.zeros(1, 32, 768)
    path = save(tmp_path, "stage2.pt", sd)
    with pytest.raises(CheckpointError, match="Q-Former"):
        load_checkpoint_file(path, "mentor")


def test_pickled_class_outside_the_allow_list_is_refused(tmp_path):
    ckpt = official_generator_checkpoint(GPT_TINY)
    ckpt["extra"] = NotAllowed()
    path = save(tmp_path, "generator_ckpt.pt", ckpt)
    with pytest.raises(CheckpointError) as err:
        load_checkpoint_file(path, "generator")
    msg = str(err.value)
    assert "needs class" in msg and "NotAllowed" in msg and "refusing to load arbitrary code" in msg
    assert "argparse.Namespace" in msg  # says what is allowed


def test_not_a_dict_of_tensors(tmp_path):
    path = save(tmp_path, "a.pt", [torch.zeros(2)])
    with pytest.raises(CheckpointError, match="holds a list, not a dict"):
        load_checkpoint_file(path, "generator")
    sd = official_gpt_state_dict(GPT_TINY)
    sd["note"] = "hello"
    path = save(tmp_path, "b.pt", {"model": sd})
    with pytest.raises(CheckpointError, match=r"not a dict of tensors.*note \(str\)"):
        load_checkpoint_file(path, "generator")
    path = save(tmp_path, "c.pt", {"weights": official_gpt_state_dict(GPT_TINY), "steps": 1})
    with pytest.raises(CheckpointError, match="no model weights found .*top-level keys: weights, steps"):
        load_checkpoint_file(path, "llamagen-t2i")


def test_uncond_shrink_is_refused():
    sd = official_gpt_state_dict(GPT_TINY, uncond_rows=GPT_TINY.cls_token_num + 4)
    with pytest.raises(CheckpointError, match="more than cls_token_num"):
        gpt_from_official(sd, GPT_TINY)


# --- reports, split/join, casts, module-key conformance -----------------------------------------

def test_report_caps_long_lists():
    expected = {f"k{i}": ((2,), None) for i in range(25)}
    report = check_state_dict({"extra": torch.zeros(1)}, expected)
    assert len(report.missing) == 25 and report.unexpected == ["extra"]
    with pytest.raises(CheckpointError) as err:
        report.raise_if_problems("test weights")
    msg = str(err.value)
    assert msg.startswith("test weights: the state dict does not match the model")
    assert "missing keys (25):" in msg and "  k9\n" in msg and "k10" not in msg
    assert "... and 15 more" in msg and "unexpected keys (1):\n  extra" in msg
    LoadReport().raise_if_problems("fine")  # nothing to report, no error


def test_expected_dtype_is_checked():
    sd = {"a": torch.zeros(2, dtype=torch.bfloat16)}
    report = check_state_dict(sd, {"a": ((2,), torch.float32)})
    assert report.wrong_dtype == [("a", torch.float32, torch.bfloat16)]
    assert "a: expected float32, checkpoint has bfloat16" in report.summary()


def test_split_join_round_trip_and_detection():
    sd = official_mentor_checkpoint(GPT_TINY, ENC_TINY, bare=True)
    gpt, enc = split_mentor_state_dict(sd)
    assert set(gpt) == set(expected_gpt_keys(GPT_TINY))
    assert set(enc) == set(expected_encoder_keys(ENC_TINY))
    assert join_mentor_state_dict(gpt, enc).keys() == sd.keys()
    assert detect_contents(sd) == {"gpt", "encoder"} and detect_contents(enc) == {"encoder"}
    back = mentor_to_official(gpt, cast_state_dict(enc, torch.float32))
    assert back["multimodal_encoder.language_model.shared.weight"].dtype == torch.bfloat16


def test_cast_is_reported_and_keeps_integers():
    report = LoadReport()
    out = cast_state_dict({"w": torch.zeros(2, dtype=torch.bfloat16), "ids": torch.arange(3)},
                          torch.float32, what="encoder", report=report)
    assert out["w"].dtype == torch.float32 and out["ids"].dtype == torch.int64
    assert report.notes == ["cast 1 encoder tensors from bfloat16 to float32"]


def test_resize_is_a_noop_when_rows_match():
    sd = official_gpt_state_dict(GPT_TINY)
    report = LoadReport()
    out = resize_uncond_embedding(sd, GPT_TINY.cls_token_num, report=report)
    assert out[UNCOND] is sd[UNCOND] and report.notes == []


def test_conform_to_module_handles_optional_keys():
    enc = official_encoder_state_dict(ENC_TINY)
    alias = "language_model.encoder.embed_tokens.weight"
    report = LoadReport()
    without = conform_to_module(enc, [k for k in enc if k != alias], report=report)
    assert alias not in without and any("dropped" in n for n in report.notes)
    back = conform_to_module(without, enc.keys())
    assert back[alias] is back["language_model.shared.weight"]

    vq = official_vq_checkpoint(VQ_TINY)["model"]
    decode_only = [k for k in vq if not k.startswith(("encoder.", "quant_conv.", "quantize.codebook"))]
    report = LoadReport()
    out = conform_to_module(vq, decode_only, report=report)
    assert set(out) == set(decode_only)
    assert any("decode-only" in n for n in report.notes)
    assert any("codebook_used" in n for n in report.notes)


# --- into the real modules, strict ----------------------------------------------------------------

def _module(name: str):
    """Import a model module; skip (with the reason) only if that module file does not exist yet."""
    full = f"mentor_models.{name}"
    try:
        return importlib.import_module(full)
    except ModuleNotFoundError as e:
        if e.name == full:
            pytest.skip(f"{full} is not written yet")
        raise


def test_mentor_file_loads_into_gpt_and_encoder_strict(tmp_path):
    GPT = _module("gpt").GPT
    MultimodalEncoder = _module("multimodal_encoder").MultimodalEncoder
    path = save(tmp_path, "stage2.pt", official_mentor_checkpoint(GPT_TINY, ENC_TINY, generator=gen()))
    w = load_official(path, "mentor", gpt_cfg=GPT_TINY, enc_cfg=ENC_TINY)
    gpt = GPT(GPT_TINY)
    gpt.load_state_dict(conform_to_module(w.gpt, gpt.state_dict()), strict=True)
    torch.testing.assert_close(gpt.tok_embeddings.weight, w.gpt["tok_embeddings.weight"])
    enc = MultimodalEncoder(ENC_TINY)
    enc.load_state_dict(conform_to_module(w.encoder, enc.state_dict()), strict=True)
    torch.testing.assert_close(enc.language_model.shared.weight,
                               w.encoder["language_model.shared.weight"])


def test_llamagen_file_loads_into_gpt_strict(tmp_path):
    GPT = _module("gpt").GPT
    cfg = get_gpt_config("GPT-tiny", cls_token_num=512)
    path = save(tmp_path, "t2i.pt", official_llamagen_t2i_checkpoint(cfg, container="module"))
    w = load_official(path, "llamagen-t2i", gpt_cfg=cfg, generator=gen())
    gpt = GPT(cfg, rope_variant="llamagen")
    gpt.load_state_dict(w.gpt, strict=True)
    torch.testing.assert_close(gpt.cls_embedding.uncond_embedding, w.gpt[UNCOND])


def test_vq_file_loads_into_vqmodel_strict(tmp_path):
    VQModel = _module("vq").VQModel
    path = save(tmp_path, "vq_ds16_t2i.pt", official_vq_checkpoint(VQ_TINY, generator=gen()))
    w = load_official(path, "vq", vq_cfg=VQ_TINY)
    vq = VQModel(VQ_TINY)
    vq.load_state_dict(conform_to_module(w.vq, vq.state_dict()), strict=True)
    torch.testing.assert_close(vq.quantize.embedding.weight, w.vq["quantize.embedding.weight"])


def test_xl_modules_match_the_key_tables():
    """Our modules at the official sizes, built on the meta device (no memory), against the tables."""
    GPT = _module("gpt").GPT
    VQModel = _module("vq").VQModel
    MultimodalEncoder = _module("multimodal_encoder").MultimodalEncoder
    with torch.device("meta"):
        pairs = [
            (GPT(GPT_CONFIGS["GPT-XL"]), expected_gpt_keys(GPT_CONFIGS["GPT-XL"])),
            (VQModel(VQ_CONFIGS["VQ-16"]), expected_vq_keys(VQ_CONFIGS["VQ-16"])),
            (MultimodalEncoder(get_encoder_config("mentor-xl")), expected_encoder_keys()),
        ]
        for module, table in pairs:
            report = check_state_dict(module.state_dict(), table)
            assert report.ok, f"{type(module).__name__}:\n{report.summary()}"
