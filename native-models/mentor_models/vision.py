"""CLIP vision tower and mlp2x_gelu connector of MENTOR's multimodal encoder (spec §2.1, §2.2).

Pure modules: transformers' CLIP is built from a config object; weights come from a state dict.
"""

from __future__ import annotations

import inspect

import torch
from torch import nn

from .encoder_configs import EncoderConfig


class VisionTower(nn.Module):
    """CLIP ViT whose output is the patch features of layer `select_layer` (the penultimate by default).

    State-dict keys are the official `vision_tower.vision_model.*` ones (MENTOR's `CLIPVisionTower`
    wrapped an HF `CLIPVisionModel` as `vision_tower`). transformers 4.x puts the ViT under
    `CLIPVisionModel.vision_model`; transformers 5 flattened it, so there we add the `vision_model`
    level ourselves. All layers, post_layernorm included, are kept so checkpoints load strictly,
    but forward runs only the `clip_layers_used` layers the selected feature depends on.
    """

    def __init__(self, cfg: EncoderConfig, attn_implementation: str | None = None) -> None:
        super().__init__()
        from transformers import CLIPVisionModel

        self.cfg = cfg
        clip = CLIPVisionModel(cfg.clip_vision_config(attn_implementation))
        if hasattr(clip, "vision_model"):  # transformers 4.x
            self.vision_tower = clip
        else:  # transformers 5.x
            self.vision_tower = nn.Module()
            self.vision_tower.vision_model = clip
        layer = self._vit.encoder.layers[0]
        # 4.x layers take (hidden, attention_mask, causal_attention_mask) and return a tuple.
        self._legacy_layer_call = "causal_attention_mask" in inspect.signature(layer.forward).parameters

    @property
    def _vit(self) -> nn.Module:
        """The module holding embeddings / pre_layrnorm / encoder / post_layernorm."""
        return self.vision_tower.vision_model

    def forward(self, pixels: torch.Tensor) -> torch.Tensor:
        """pixels [n, 3, S, S] already CLIP-normalised (S = clip_image_size) -> [n, P, clip_hidden]."""
        vit = self._vit
        h = vit.pre_layrnorm(vit.embeddings(pixels))  # [n, 1 + P, C]; = HF hidden_states[0]
        # Running only the first k layers gives exactly HF hidden_states[select_layer]: the same
        # layer modules in the same order, and no layer sees anything computed after it.
        for layer in vit.encoder.layers[: self.cfg.clip_layers_used]:
            h = layer(h, None, None) if self._legacy_layer_call else layer(h, None)
            if isinstance(h, tuple):
                h = h[0]
        return h[:, 1:]  # [n, P, C]: "patch" features, CLS dropped, no post_layernorm


class Connector(nn.Sequential):
    """mlp2x_gelu projector: Linear(clip_hidden -> d_model), GELU (exact erf), Linear(d_model -> d_model).

    An nn.Sequential so the keys are `0.weight`, `0.bias`, `2.weight`, `2.bias` as in the official
    `language_projection` (and `mm_projector.bin` after its `model.mm_projector.` prefix).
    """

    def __init__(self, cfg: EncoderConfig) -> None:
        d_in, d_hidden, d_out = cfg.connector_dims
        super().__init__(nn.Linear(d_in, d_hidden), nn.GELU(), nn.Linear(d_hidden, d_out))
