"""Config of MENTOR's multimodal encoder: CLIP vision tower, connector, FlanT5 encoder, `<image>` token.

Facts come from spec/mentor-model.md §2.1–2.4. Defaults are the official sizes (CLIP ViT-L/14 at
224 px, mlp2x_gelu connector, FlanT5-XL encoder). `ENCODER_CONFIGS` holds the named presets; derive
variants with `get_encoder_config(name, **overrides)`, which re-runs the validation and recomputes
the derived fields. Field names after the `clip_` / `t5_` prefix are the transformers config names,
so `clip_vision_config()` / `t5_config()` pass them through unchanged.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, replace
from typing import Any

# OpenAI CLIP normalisation (CLIPImageProcessor of openai/clip-vit-large-patch14; the same numbers
# are hard-coded in MENTOR's train_t2i.py `postprocess`).
CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)

CONNECTOR_TYPES = ("mlp2x_gelu",)  # the only projector the released scripts use (spec §2.2)
RESAMPLE_FILTERS = ("nearest", "bilinear", "bicubic", "lanczos")


def _check(ok: bool, name: str, msg: str) -> None:
    if not ok:
        raise ValueError(f"{name}: {msg}")


@dataclass(frozen=True)
class EncoderConfig:
    # --- CLIP vision tower (ViT-L/14; names = transformers CLIPVisionConfig kwargs after `clip_`) ---
    clip_hidden_size: int = 1024
    clip_intermediate_size: int = 4096
    clip_num_hidden_layers: int = 24
    clip_num_attention_heads: int = 16
    clip_image_size: int = 224             # tower input side; also the preprocessing crop size
    clip_patch_size: int = 14              # 16x16 patches at 224 px
    clip_hidden_act: str = "quick_gelu"
    clip_layer_norm_eps: float = 1e-5
    select_layer: int = -2                 # index into HF hidden_states (embeddings, layer 1, ..., layer L)
    # --- connector: Linear(clip_hidden -> t5_d_model), GELU(erf), Linear(t5_d_model -> t5_d_model) ---
    connector_type: str = "mlp2x_gelu"
    # --- FlanT5 encoder (names = transformers T5Config kwargs after `t5_`) ---
    t5_vocab_size: int = 32128             # embedding rows; the tokenizer has 32100 + `<image>`
    t5_d_model: int = 2048
    t5_d_kv: int = 64
    t5_d_ff: int = 5120
    t5_num_layers: int = 24
    t5_num_heads: int = 32
    t5_relative_attention_num_buckets: int = 32
    t5_relative_attention_max_distance: int = 128
    t5_feed_forward_proj: str = "gated-gelu"  # wi_0/wi_1/wo with tanh GELU (gelu_new)
    t5_layer_norm_epsilon: float = 1e-6
    t5_dropout_rate: float = 0.1           # training only
    # --- prompt tokens ---
    image_token_id: int = 32100            # `<image>`, added after FlanT5's 32100 tokens
    pad_token_id: int = 0                  # T5: pad 0, `</s>` 1
    eos_token_id: int = 1
    # --- CLIP preprocessing (CLIPImageProcessor): shortest edge -> clip_image_size, center crop,
    #     rescale 1/255, normalise ---
    resize_shortest_edge: bool = True
    resample: str = "bicubic"
    center_crop: bool = True
    image_mean: tuple[float, float, float] = CLIP_MEAN
    image_std: tuple[float, float, float] = CLIP_STD
    # MENTOR's training data loader first resizes every reference image to squash_size x squash_size
    # (the generation size, 512; aspect ratio squashed, no crop) before the CLIP processor, so the
    # processor's center crop never cuts anything. Off = the demo's behaviour (crop the middle).
    squash_to_square: bool = True
    squash_size: int = 512
    squash_resample: str = "lanczos"

    # --- derived in __post_init__ (not constructor arguments) ---
    grid_size: int = field(init=False)        # patches per image side: 16
    tokens_per_image: int = field(init=False)  # grid_size^2 = 256 `<image>` tokens per marker
    clip_layers_used: int = field(init=False)  # encoder layers that select_layer needs: 23 of 24
    connector_dims: tuple[int, int, int] = field(init=False)  # (1024, 2048, 2048)

    def __post_init__(self) -> None:
        for name in ("clip_hidden_size", "clip_intermediate_size", "clip_num_hidden_layers",
                     "clip_num_attention_heads", "clip_image_size", "clip_patch_size",
                     "t5_vocab_size", "t5_d_model", "t5_d_kv", "t5_d_ff", "t5_num_layers",
                     "t5_num_heads", "t5_relative_attention_num_buckets",
                     "t5_relative_attention_max_distance", "squash_size"):
            _check(getattr(self, name) > 0, name, f"must be positive, got {getattr(self, name)}")
        _check(self.clip_hidden_size % self.clip_num_attention_heads == 0, "clip_num_attention_heads",
               f"{self.clip_num_attention_heads} does not divide clip_hidden_size={self.clip_hidden_size}")
        # No such check for T5: its attention width is t5_d_kv * t5_num_heads, independent of d_model.
        _check(self.clip_image_size % self.clip_patch_size == 0, "clip_patch_size",
               f"{self.clip_patch_size} does not divide clip_image_size={self.clip_image_size}")
        n = self.clip_num_hidden_layers
        # HF hidden_states has n + 1 entries (embeddings, then each layer); index 0 / -(n + 1), the
        # bare embeddings, is no feature any LLaVA-style model selects.
        _check(-n <= self.select_layer <= n and self.select_layer != 0, "select_layer",
               f"{self.select_layer} must index an encoder layer output: 1..{n} or -{n}..-1")
        _check(self.connector_type in CONNECTOR_TYPES, "connector_type",
               f"{self.connector_type!r} is not supported; choose from {CONNECTOR_TYPES}")
        _check(self.t5_feed_forward_proj in ("gated-gelu", "relu", "gated-relu", "gelu"),
               "t5_feed_forward_proj", f"unknown T5 activation {self.t5_feed_forward_proj!r}")
        _check(0 <= self.image_token_id < self.t5_vocab_size, "image_token_id",
               f"{self.image_token_id} is outside the T5 vocabulary (t5_vocab_size={self.t5_vocab_size})")
        for name in ("pad_token_id", "eos_token_id"):
            _check(0 <= getattr(self, name) < self.t5_vocab_size and getattr(self, name) != self.image_token_id,
                   name, f"{getattr(self, name)} must be a vocabulary id other than image_token_id")
        for name in ("clip_layer_norm_eps", "t5_layer_norm_epsilon"):
            _check(getattr(self, name) > 0, name, f"must be positive, got {getattr(self, name)}")
        _check(0.0 <= self.t5_dropout_rate < 1.0, "t5_dropout_rate",
               f"must be in [0, 1), got {self.t5_dropout_rate}")
        for name in ("resample", "squash_resample"):
            _check(getattr(self, name) in RESAMPLE_FILTERS, name,
                   f"{getattr(self, name)!r} is not one of {RESAMPLE_FILTERS}")
        for name in ("image_mean", "image_std"):
            _check(len(getattr(self, name)) == 3, name, f"needs 3 values (RGB), got {getattr(self, name)}")
        _check(all(s > 0 for s in self.image_std), "image_std", f"must be positive, got {self.image_std}")

        grid = self.clip_image_size // self.clip_patch_size
        set_ = object.__setattr__  # frozen dataclass: derived fields are set once, here
        set_(self, "grid_size", grid)
        set_(self, "tokens_per_image", grid * grid)
        set_(self, "clip_layers_used", self.select_layer if self.select_layer > 0 else n + 1 + self.select_layer)
        set_(self, "connector_dims", (self.clip_hidden_size, self.t5_d_model, self.t5_d_model))

    # attn_implementation (None = transformers' default, "sdpa"; or "eager") is a runtime choice,
    # not part of the model: results agree to float rounding. The torch.export-based ONNX exporter
    # (dynamo=True) needs "eager" for T5 in transformers 5.17.
    def clip_vision_config(self, attn_implementation: str | None = None):
        """transformers.CLIPVisionConfig with the tower's sizes (weights come from a state dict)."""
        from transformers import CLIPVisionConfig

        return CLIPVisionConfig(**self._prefixed("clip_"), num_channels=3, attention_dropout=0.0,
                                attn_implementation=attn_implementation)

    def t5_config(self, attn_implementation: str | None = None):
        """transformers.T5Config for the encoder stack (FlanT5-XL's values by default)."""
        from transformers import T5Config

        return T5Config(**self._prefixed("t5_"), pad_token_id=self.pad_token_id,
                        eos_token_id=self.eos_token_id, decoder_start_token_id=self.pad_token_id,
                        tie_word_embeddings=False, is_encoder_decoder=False, use_cache=False,
                        attn_implementation=attn_implementation)

    def to_dict(self) -> dict[str, Any]:
        """All fields, derived ones included, as JSON-ready values (for the bundle manifest)."""
        out = {}
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            out[f.name] = list(v) if isinstance(v, tuple) else v
        return out

    def _prefixed(self, prefix: str) -> dict[str, Any]:
        return {f.name[len(prefix):]: getattr(self, f.name)
                for f in dataclasses.fields(self) if f.init and f.name.startswith(prefix)}


ENCODER_CONFIGS: dict[str, EncoderConfig] = {
    # MENTOR as released: CLIP ViT-L/14 (303 M) + projector (6.3 M) + FlanT5-XL encoder (1,223.5 M).
    "mentor-xl": EncoderConfig(),
    # Small encoders for tests with a GPT-B-sized GPT (set its caption_dim=512). The CLIP side keeps
    # 224 px / patch 14, so a reference image still becomes 256 tokens and the prompt layout is the
    # real one; the T5 side keeps the real 32128-row vocabulary so the FlanT5 tokenizer works
    # unchanged. Widths are a quarter of the real ones and 4 layers each, ~30 M parameters (the
    # 16.4 M embedding table is most of it), so a random-weight export of both graphs takes seconds
    # on 2 cores and writes ~120 MB.
    "b": EncoderConfig(clip_hidden_size=256, clip_intermediate_size=1024, clip_num_hidden_layers=4,
                       clip_num_attention_heads=4,
                       t5_d_model=512, t5_d_kv=64, t5_d_ff=1024, t5_num_layers=4, t5_num_heads=8,
                       squash_size=224),
    # Debug size for CPU tests: 32 px / patch 8 -> 16 tokens per image, 2+2 layers. The vocabulary
    # belongs to the tiny tokenizer trained at export time: override t5_vocab_size and
    # image_token_id with its values (the defaults are placeholders that pass validation).
    "tiny": EncoderConfig(clip_hidden_size=32, clip_intermediate_size=128, clip_num_hidden_layers=2,
                          clip_num_attention_heads=4, clip_image_size=32, clip_patch_size=8,
                          t5_vocab_size=512, t5_d_model=48, t5_d_kv=12, t5_d_ff=96, t5_num_layers=2,
                          t5_num_heads=4, image_token_id=511, squash_size=32),
}


def get_encoder_config(name: str, **overrides) -> EncoderConfig:
    """Named preset with optional field overrides, e.g. get_encoder_config("tiny", t5_vocab_size=300, image_token_id=299)."""
    if name not in ENCODER_CONFIGS:
        raise KeyError(f"unknown encoder config {name!r}; choose from {sorted(ENCODER_CONFIGS)}")
    return replace(ENCODER_CONFIGS[name], **overrides)
