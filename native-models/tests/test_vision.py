"""Encoder presets, CLIP vision tower and connector: official keys, penultimate-layer features, ONNX."""

import dataclasses

import numpy as np
import pytest
import torch

from mentor_models.encoder_configs import ENCODER_CONFIGS, EncoderConfig, get_encoder_config
from mentor_models.vision import Connector, VisionTower

# ---------------------------------------------------------------- presets and validation


def test_mentor_xl_preset_is_the_official_encoder():
    cfg = ENCODER_CONFIGS["mentor-xl"]
    assert cfg == EncoderConfig()
    assert (cfg.clip_hidden_size, cfg.clip_num_hidden_layers, cfg.clip_num_attention_heads) == (1024, 24, 16)
    assert (cfg.clip_image_size, cfg.clip_patch_size, cfg.clip_hidden_act) == (224, 14, "quick_gelu")
    assert (cfg.grid_size, cfg.tokens_per_image) == (16, 256)
    assert cfg.clip_layers_used == 23  # hidden_states[-2]: the last of 24 layers is not needed
    assert cfg.connector_dims == (1024, 2048, 2048)
    assert (cfg.t5_d_model, cfg.t5_num_layers, cfg.t5_num_heads, cfg.t5_d_kv, cfg.t5_d_ff) == (2048, 24, 32, 64, 5120)
    assert (cfg.t5_vocab_size, cfg.image_token_id) == (32128, 32100)
    assert cfg.image_mean == (0.48145466, 0.4578275, 0.40821073)
    assert cfg.image_std == (0.26862954, 0.26130258, 0.27577711)


def test_small_presets():
    tiny, b = ENCODER_CONFIGS["tiny"], ENCODER_CONFIGS["b"]
    assert (tiny.tokens_per_image, tiny.connector_dims, tiny.clip_layers_used) == (16, (32, 48, 48), 1)
    assert (b.tokens_per_image, b.t5_vocab_size, b.image_token_id) == (256, 32128, 32100)


def test_overrides_recompute_derived_fields():
    cfg = get_encoder_config("tiny", t5_vocab_size=300, image_token_id=299, t5_d_model=64)
    assert cfg.connector_dims == (32, 64, 64)
    assert get_encoder_config("mentor-xl", select_layer=-1).clip_layers_used == 24
    assert get_encoder_config("mentor-xl", select_layer=12).clip_layers_used == 12
    with pytest.raises(KeyError, match="unknown encoder config"):
        get_encoder_config("XL")


@pytest.mark.parametrize("overrides, field", [
    ({"clip_patch_size": 15}, "clip_patch_size"),
    ({"clip_num_attention_heads": 5}, "clip_num_attention_heads"),
    ({"select_layer": 0}, "select_layer"),
    ({"select_layer": -25}, "select_layer"),
    ({"connector_type": "linear"}, "connector_type"),
    ({"image_token_id": 32128}, "image_token_id"),
    ({"t5_vocab_size": 300}, "image_token_id"),  # the tiny tokenizer's size without its <image> id
    ({"pad_token_id": 32100}, "pad_token_id"),
    ({"resample": "area"}, "resample"),
    ({"image_std": (0.5, 0.0, 0.5)}, "image_std"),
    ({"t5_d_model": 0}, "t5_d_model"),
])
def test_validation_names_the_field(overrides, field):
    base = "tiny" if "t5_vocab_size" in overrides else "mentor-xl"
    with pytest.raises(ValueError, match=f"^{field}:"):
        get_encoder_config(base, **overrides)


def test_transformers_configs_carry_the_fields():
    cfg = ENCODER_CONFIGS["mentor-xl"]
    clip = cfg.clip_vision_config()
    assert (clip.hidden_size, clip.intermediate_size, clip.num_hidden_layers, clip.image_size,
            clip.patch_size, clip.hidden_act, clip.layer_norm_eps) == (1024, 4096, 24, 224, 14, "quick_gelu", 1e-5)
    t5 = cfg.t5_config()
    assert (t5.d_model, t5.d_kv, t5.d_ff, t5.num_layers, t5.num_heads, t5.vocab_size) == (2048, 64, 5120, 24, 32, 32128)
    assert (t5.relative_attention_num_buckets, t5.relative_attention_max_distance) == (32, 128)
    assert (t5.dense_act_fn, t5.is_gated_act, t5.layer_norm_epsilon) == ("gelu_new", True, 1e-6)
    d = cfg.to_dict()
    assert d["tokens_per_image"] == 256 and d["image_mean"] == list(cfg.image_mean)
    assert set(d) == {f.name for f in dataclasses.fields(cfg)}


# ---------------------------------------------------------------- official key layout


def clip_l_keys(prefix: str) -> dict[str, tuple[int, ...]]:
    """CLIP ViT-L/14 key table of spec §3.3."""
    keys = {
        "embeddings.class_embedding": (1024,),
        "embeddings.patch_embedding.weight": (1024, 3, 14, 14),
        "embeddings.position_embedding.weight": (257, 1024),
    }
    for ln in ("pre_layrnorm", "post_layernorm"):
        keys |= {f"{ln}.weight": (1024,), f"{ln}.bias": (1024,)}
    for i in range(24):
        p = f"encoder.layers.{i}."
        for proj in ("q", "k", "v", "out"):
            keys |= {f"{p}self_attn.{proj}_proj.weight": (1024, 1024), f"{p}self_attn.{proj}_proj.bias": (1024,)}
        for ln in ("layer_norm1", "layer_norm2"):
            keys |= {f"{p}{ln}.weight": (1024,), f"{p}{ln}.bias": (1024,)}
        keys |= {f"{p}mlp.fc1.weight": (4096, 1024), f"{p}mlp.fc1.bias": (4096,),
                 f"{p}mlp.fc2.weight": (1024, 4096), f"{p}mlp.fc2.bias": (1024,)}
    return {prefix + k: v for k, v in keys.items()}


def shapes(module: torch.nn.Module) -> dict[str, tuple[int, ...]]:
    return {k: tuple(v.shape) for k, v in module.state_dict().items()}


def test_full_size_vision_tower_and_connector_keys():
    cfg = ENCODER_CONFIGS["mentor-xl"]
    with torch.device("meta"):
        tower, connector = VisionTower(cfg), Connector(cfg)
    # `embeddings.position_ids` is a non-persistent buffer, so it is not in the table.
    assert shapes(tower) == clip_l_keys("vision_tower.vision_model.")
    assert shapes(connector) == {"0.weight": (2048, 1024), "0.bias": (2048,),
                                 "2.weight": (2048, 2048), "2.bias": (2048,)}


def test_connector_uses_exact_gelu():
    gelu = Connector(ENCODER_CONFIGS["tiny"])[1]
    assert isinstance(gelu, torch.nn.GELU) and gelu.approximate == "none"


# ---------------------------------------------------------------- features


@pytest.mark.parametrize("layers, select", [(2, -2), (3, -2), (3, -1), (3, 2)])
def test_features_are_hf_hidden_states_of_select_layer_without_cls(layers, select):
    torch.manual_seed(0)
    cfg = get_encoder_config("tiny", clip_num_hidden_layers=layers, select_layer=select)
    tower = VisionTower(cfg).eval()
    pixels = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        got = tower(pixels)
        hf = tower.vision_tower.vision_model(pixel_values=pixels, output_hidden_states=True)
    assert len(hf.hidden_states) == layers + 1
    assert got.shape == (2, cfg.tokens_per_image, cfg.clip_hidden_size)
    torch.testing.assert_close(got, hf.hidden_states[select][:, 1:], rtol=0, atol=0)


def test_layers_after_the_selected_one_are_not_run():
    torch.manual_seed(0)
    cfg = get_encoder_config("tiny", clip_num_hidden_layers=3)
    tower = VisionTower(cfg).eval()
    pixels = torch.randn(1, 3, 32, 32)
    with torch.no_grad():
        before = tower(pixels)
        vit = tower.vision_tower.vision_model
        vit.encoder.layers[2].mlp.fc2.weight.mul_(10.0)
        vit.post_layernorm.weight.mul_(10.0)
        torch.testing.assert_close(tower(pixels), before, rtol=0, atol=0)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # the TorchScript exporter warns it is legacy
@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.filterwarnings("ignore::torch.jit.TracerWarning")  # shape checks become constants: fine here
def test_vision_tower_and_connector_onnx_round_trip(tmp_path):
    import onnxruntime as ort

    class Vision(torch.nn.Module):
        def __init__(self, cfg):
            super().__init__()
            self.tower, self.connector = VisionTower(cfg), Connector(cfg)

        def forward(self, pixels):  # [n, 3, S, S] -> [n, P, d_model]
            return self.connector(self.tower(pixels))

    torch.manual_seed(0)
    model = Vision(ENCODER_CONFIGS["tiny"]).eval()
    path = tmp_path / "vision.onnx"
    torch.onnx.export(model, (torch.randn(2, 3, 32, 32),), path, dynamo=False, opset_version=17,
                      input_names=["pixels"], output_names=["image_embeds"],
                      dynamic_axes={"pixels": {0: "n"}, "image_embeds": {0: "n"}})
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    pixels = torch.randn(3, 3, 32, 32)  # another n than traced
    (got,) = session.run(None, {"pixels": pixels.numpy()})
    with torch.no_grad():
        want = model(pixels).numpy()
    assert got.shape == (3, 16, 48)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-4)
