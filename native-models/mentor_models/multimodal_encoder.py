"""MENTOR's multimodal encoder: CLIP tower + connector + FlanT5 encoder (spec §1 steps 1–4, §2.1–2.4).

`MultimodalEncoder().state_dict()` keys equal the official checkpoint keys after their
`multimodal_encoder.` prefix (spec §3.3):
    vision_model.vision_tower.vision_model.*      CLIP ViT-L/14 (post_layernorm kept, unused)
    language_projection.{0,2}.{weight,bias}        mlp2x_gelu connector
    language_model.shared.weight                   T5 embedding table, and its tied alias
    language_model.encoder.embed_tokens.weight
    language_model.encoder.block.{i}.*, language_model.encoder.final_layer_norm.weight
CLIP's `embeddings.position_ids` is a non-persistent buffer: drop it from older saves before a
strict load.
"""

from __future__ import annotations

import torch
from torch import nn

from .encoder_configs import EncoderConfig
from .text_encoder import build_t5_encoder, splice_image_embeddings
from .vision import Connector, VisionTower


class MultimodalEncoder(nn.Module):
    """attn_implementation: transformers' attention kernel for CLIP and T5 (None = "sdpa"; "eager"
    for torch.onnx.export(dynamo=True), whose decomposition fails on T5's SDPA path)."""

    def __init__(self, cfg: EncoderConfig, attn_implementation: str | None = None) -> None:
        super().__init__()
        self.cfg = cfg
        self.vision_model = VisionTower(cfg, attn_implementation)
        self.language_projection = Connector(cfg)
        self.language_model = build_t5_encoder(cfg, attn_implementation)

    def encode_images(self, pixels: torch.Tensor) -> torch.Tensor:
        """pixels [n, 3, S, S] CLIP-normalised -> [n, P, d_model] image embeddings (P = tokens_per_image)."""
        return self.language_projection(self.vision_model(pixels))

    def encode_text(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                    image_embeds: torch.Tensor | None = None) -> torch.Tensor:
        """T5 encoder states [B, L, d_model] for right-padded prompts.

        input_ids [B, L] with each `<image>` marker already expanded to tokens_per_image copies of
        image_token_id; attention_mask [B, L] (1 = token, 0 = pad), passed to T5 as MENTOR does, so
        pad positions are encoded too and the caller moves/zeros them (spec §2.5). image_embeds
        [B, M, d_model] from `encode_images`, each sample's images concatenated in prompt order
        (see `splice_image_embeddings`); None or M = 0 for text-only prompts.
        """
        embeds = self.language_model.shared(input_ids)  # [B, L, D]; T5 does not scale embeddings
        if image_embeds is not None:
            embeds = splice_image_embeddings(input_ids, embeds, image_embeds, self.cfg.image_token_id)
        out = self.language_model(inputs_embeds=embeds, attention_mask=attention_mask)
        return out.last_hidden_state  # [B, L, D], after final_layer_norm
