"""The five bundle graphs as small torch modules with the exact tensor signatures of BUNDLE.md.

Each wraps the pure model modules; the exporter traces them, the parity tests run them in PyTorch
against onnxruntime, and the reference generator uses the same code path step by step.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ..gpt import GPT
from ..multimodal_encoder import MultimodalEncoder
from ..prefix import left_pad_mask
from ..sampler import sample_next_tensors
from ..vq import VQModel


class VisionGraph(nn.Module):
    """pixels [n, 3, S, S] -> image_embeds [n, P, D]."""

    def __init__(self, encoder: MultimodalEncoder):
        super().__init__()
        self.encoder = encoder

    def forward(self, pixels: Tensor) -> Tensor:
        return self.encoder.encode_images(pixels)


class TextEncoderGraph(nn.Module):
    """input_ids [B, T], attention_mask [B, T], image_embeds [B, M, D] -> encoder_states [B, T, D]."""

    def __init__(self, encoder: MultimodalEncoder):
        super().__init__()
        self.encoder = encoder

    def forward(self, input_ids: Tensor, attention_mask: Tensor, image_embeds: Tensor) -> Tensor:
        return self.encoder.encode_text(input_ids, attention_mask, image_embeds)


class PrefillGraph(nn.Module):
    """encoder_states [B, T, D] (right-padded), attention_mask [B, T]
    -> logits [2B, V] (cond rows, then CFG-null rows), kv [L, 2, 2B, H, S, Dh], prefix_mask [B, T]."""

    def __init__(self, gpt: GPT):
        super().__init__()
        self.gpt = gpt

    def forward(self, encoder_states: Tensor, attention_mask: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        rows = encoder_states.shape[0]
        states = torch.cat([encoder_states, encoder_states], dim=0)  # [2B, T, D]; null rows replaced inside
        mask = torch.cat([attention_mask, attention_mask], dim=0)  # the null branch keeps the prompt's mask
        null_rows = torch.arange(2 * rows, device=states.device) >= rows  # [2B]
        logits, kv = self.gpt.prefill(states, mask, null_rows)
        return logits, kv, left_pad_mask(attention_mask).to(torch.int64)


class DecodeStepGraph(nn.Module):
    """One iteration of the decode Loop (BUNDLE.md): sample the token at grid index `index` from
    `logits`, feed it to both CFG halves, return the next logits and the updated cache.

    logits [2B, V], kv [L, 2, 2B, H, S, Dh], prefix_mask [B, T], index [] int64, r [B] float32,
    cfg_scale [], temperature [], top_k [] int64, top_p [] -> token [B], logits_next [2B, V], kv_next.
    """

    def __init__(self, gpt: GPT):
        super().__init__()
        self.gpt = gpt
        self.prefix_len = gpt.cfg.cls_token_num

    def forward(self, logits: Tensor, kv: Tensor, prefix_mask: Tensor, index: Tensor, r: Tensor,
                cfg_scale: Tensor, temperature: Tensor, top_k: Tensor, top_p: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        cond, uncond = logits.chunk(2, dim=0)  # [B, V] each
        token = sample_next_tensors(cond, uncond, r, cfg_scale, temperature, top_k, top_p)  # [B]
        both = torch.cat([token, token], dim=0)  # [2B]
        mask = torch.cat([prefix_mask, prefix_mask], dim=0)  # [2B, T]
        position = index + self.prefix_len  # absolute position of this token in the sequence
        logits_next, kv_next = self.gpt.decode_step(both, position, kv, mask)
        return token, logits_next, kv_next


class VQDecodeGraph(nn.Module):
    """tokens [B, N] -> image [B, H, W, 3] uint8 (RGB, HWC)."""

    def __init__(self, vq: VQModel, grid: int):
        super().__init__()
        self.vq = vq
        self.grid = grid

    def forward(self, tokens: Tensor) -> Tensor:
        x = self.vq.decode_codes(tokens, self.grid)  # [B, 3, H, W], nominally [-1, 1]
        pixels = torch.clamp((x + 1.0) * 127.5 + 0.5, 0.0, 255.0)  # round half up
        return pixels.floor().to(torch.uint8).permute(0, 2, 3, 1)
