"""Named export configurations: which GPT, encoders and VQ make a bundle, at which image size."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ExportPreset:
    gpt: str                      # configs.GPT_CONFIGS name
    encoder: str                  # encoder_configs.ENCODER_CONFIGS name
    vq: str                       # configs.VQ_CONFIGS name
    image_size: int               # output pixels per side = grid × VQ downsample
    gpt_overrides: dict[str, Any] = field(default_factory=dict)
    # None: train the small test tokenizer at export time; else the official FlanT5 tokenizer is required.
    tokenizer_vocab: int | None = 512
    sampling: dict[str, Any] = field(default_factory=dict)


# MENTOR's own evaluation settings during training (spec §4.1): CFG 7.5, temperature 0.9, no top-k/p.
MENTOR_SAMPLING = {"cfgScale": 7.5, "temperature": 0.9, "topK": 0, "topP": 1.0}

PRESETS: dict[str, ExportPreset] = {
    # Tests and CI: 0.2 M-parameter GPT, 16 tokens per reference image, 64-token prefix, 32 px output.
    "tiny": ExportPreset(gpt="GPT-tiny", encoder="tiny", vq="VQ-tiny", image_size=32, sampling=MENTOR_SAMPLING),
    # GPT-B-sized (111 M) with small encoders: one 256-token reference + 64 text tokens, 256 px.
    "b": ExportPreset(gpt="GPT-B-256", encoder="b", vq="VQ-16", image_size=256,
                      gpt_overrides={"caption_dim": 512, "cls_token_num": 320}, sampling=MENTOR_SAMPLING),
    # MENTOR as released: GPT-XL, CLIP-L/14 + FlanT5-XL, VQ-16 at 512 px, 512-token prefix.
    "xl": ExportPreset(gpt="GPT-XL", encoder="mentor-xl", vq="VQ-16", image_size=512, tokenizer_vocab=None,
                       sampling=MENTOR_SAMPLING),
}
