"""FlanT5 encoder and `<image>` placeholder splicing of MENTOR's multimodal encoder (spec §2.3, §2.4)."""

from __future__ import annotations

import torch
from torch import nn

from .encoder_configs import EncoderConfig


def build_t5_encoder(cfg: EncoderConfig, attn_implementation: str | None = None) -> nn.Module:
    """transformers T5EncoderModel with random weights.

    Keys: `shared.weight`, `encoder.embed_tokens.weight` (the same tensor: both names appear in the
    state dict, as in the official checkpoint), `encoder.block.{i}.layer.{0,1}.*` with
    `relative_attention_bias` in block 0 only, `encoder.final_layer_norm.weight`.
    """
    from transformers import T5EncoderModel

    return T5EncoderModel(cfg.t5_config(attn_implementation))


def splice_image_embeddings(input_ids: torch.Tensor, token_embeds: torch.Tensor,
                            image_embeds: torch.Tensor, image_token_id: int) -> torch.Tensor:
    """Overwrite the `<image>` rows of the token embeddings with image features, in order.

    input_ids [B, L]; token_embeds [B, L, D] (= shared(input_ids)); image_embeds [B, M, D]: the
    projected features of sample b's images concatenated in prompt order (M = n_images ×
    tokens_per_image; a sample with fewer images pads its tail with anything, unused rows are never
    read; M may be 0). The j-th placeholder of sample b (counting left to right) receives
    image_embeds[b, j], so image k fills the k-th group of tokens_per_image placeholders, as
    MENTOR's LlavaT5 forward does. Text rows are returned unchanged; with no placeholders the
    result equals token_embeds.

    The caller must refuse prompts whose placeholder count differs from the image rows it supplies
    (MENTOR itself truncates silently): placeholder M gets the zero row used for M = 0, and any
    after it index out of range.

    Tensor ops only (cumsum index + gather + where), so the function traces into an ONNX graph
    with dynamic B, L and M.
    """
    is_image = input_ids == image_token_id  # [B, L]
    # Rank of each placeholder among its sample's placeholders; text rows get the rank of the
    # previous placeholder (or -1), which `where` discards below.
    rank = torch.cumsum(is_image.to(torch.int64), dim=1) - 1  # [B, L]
    # One extra zero row keeps the gather valid when M = 0 (text-only prompts).
    table = torch.cat([image_embeds.to(token_embeds.dtype), torch.zeros_like(token_embeds[:, :1])], dim=1)  # [B, M + 1, D]
    index = rank.clamp(min=0).unsqueeze(-1).expand(-1, -1, token_embeds.shape[-1])  # [B, L, D]
    picked = torch.gather(table, 1, index)  # [B, L, D]
    return torch.where(is_image.unsqueeze(-1), picked, token_embeds)
