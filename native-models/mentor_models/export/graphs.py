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
    -> logits [2B, V] (cond rows, then CFG-null rows), kv [L, 2, 2B, H, S, Dh], prefix_mask [B, T].

    The one-tensor cache form, for the PyTorch reference generator; the bundle's prefill.onnx is
    `PrefillCachesGraph`, the same computation with one output per layer and kind."""

    def __init__(self, gpt: GPT):
        super().__init__()
        self.gpt = gpt

    def forward(self, encoder_states: Tensor, attention_mask: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        logits, caches, prefix_mask = _prefill(self.gpt, encoder_states, attention_mask)
        return logits, torch.stack([torch.stack(pair) for pair in caches]), prefix_mask


class PrefillCachesGraph(nn.Module):
    """prefill.onnx (BUNDLE.md): encoder_states [B, T, D], attention_mask [B, T]
    -> logits [2B, V], prefix_mask [B, T], then key_cache_0, value_cache_0, key_cache_1, …
    each [2B, H, S, Dh] (slots >= T zero): the decode graph's cache inputs, one per layer and kind."""

    def __init__(self, gpt: GPT):
        super().__init__()
        self.gpt = gpt

    def forward(self, encoder_states: Tensor, attention_mask: Tensor) -> tuple[Tensor, ...]:
        logits, caches, prefix_mask = _prefill(self.gpt, encoder_states, attention_mask)
        return (logits, prefix_mask, *(t for pair in caches for t in pair))


def _prefill(gpt: GPT, encoder_states: Tensor, attention_mask: Tensor) -> tuple[Tensor, list[tuple[Tensor, Tensor]], Tensor]:
    rows = encoder_states.shape[0]
    states = torch.cat([encoder_states, encoder_states], dim=0)  # [2B, T, D]; null rows replaced inside
    mask = torch.cat([attention_mask, attention_mask], dim=0)  # the null branch keeps the prompt's mask
    null_rows = torch.arange(2 * rows, device=states.device) >= rows  # [2B]
    logits, caches = gpt.prefill_caches(states, mask, null_rows)
    return logits, caches, left_pad_mask(attention_mask).to(torch.int64)


def _sample(logits: Tensor, r: Tensor, cfg_scale: Tensor, temperature: Tensor, top_k: Tensor,
            top_p: Tensor) -> tuple[Tensor, Tensor]:
    """Sample one token per image from [cond; null] logits [2B, V] -> (token [B], the token for
    both CFG halves [2B])."""
    cond, uncond = logits.chunk(2, dim=0)  # [B, V] each
    token = sample_next_tensors(cond, uncond, r, cfg_scale, temperature, top_k, top_p)  # [B]
    return token, torch.cat([token, token], dim=0)


class DecodeStepGraph(nn.Module):
    """One token of the PyTorch reference generator (one token per call, as LlamaGen's eager
    `decode_one_token`): sample the token at grid index `index` from `logits`, feed it to both CFG
    halves, write its keys and values into `kv` IN PLACE (a static cache, as gpt-fast's KVCache)
    and return the next logits.

    logits [2B, V], kv [L, 2, 2B, H, S, Dh], prefix_mask [B, T], index [] int64, r [B] float32,
    cfg_scale [], temperature [], top_k [] int64, top_p [] -> token [B], logits_next [2B, V], kv
    (the same tensor, updated). Not exported: the bundle's decode graph is `DecodeRowGraph`, which
    computes the same steps.
    """

    def __init__(self, gpt: GPT):
        super().__init__()
        self.gpt = gpt
        self.prefix_len = gpt.cfg.cls_token_num

    def forward(self, logits: Tensor, kv: Tensor, prefix_mask: Tensor, index: Tensor, r: Tensor,
                cfg_scale: Tensor, temperature: Tensor, top_k: Tensor, top_p: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        token, both = _sample(logits, r, cfg_scale, temperature, top_k, top_p)
        mask = torch.cat([prefix_mask, prefix_mask], dim=0)  # [2B, T]
        position = index + self.prefix_len  # absolute position of this token in the sequence
        layers = [(kv[i, 0], kv[i, 1]) for i in range(kv.shape[0])]  # views into kv
        logits_next, new = self.gpt.decode_token(both, position, layers, self.gpt.cache_bias(mask, position))
        slot = position.reshape(1)
        for (k_cache, v_cache), (k, v) in zip(layers, new):
            k_cache.index_copy_(2, slot, k.to(k_cache.dtype))
            v_cache.index_copy_(2, slot, v.to(v_cache.dtype))
        return token, logits_next, kv


class DecodeLoopBody(nn.Module):
    """One iteration of decode.onnx's ONNX `Loop` (BUNDLE.md; export/decode_loop.py builds the
    Loop around the traced body): sample the token at grid index start_index + iteration from
    `logits`, feed it to both CFG halves, return the next logits and the rows grown by its k/v.

    logits [2B, V], prefix_mask [B, T], start_index [] int64, iteration [] int64, uniforms
    [B, K], cfg_scale [], temperature [], top_k [] int64, top_p [], then the caches
    key_cache_0, value_cache_0, … [2B, H, S, Dh], read only, holding slots < T + start_index,
    then the rows row_key_0, row_value_0, … [2B, H, j, Dh]: the k/v of the j = iteration tokens
    this call fed so far
    -> token [B], logits_next [2B, V], then the rows grown to [2B, H, j + 1, Dh].

    Only logits and the small rows are carried from iteration to iteration; the caches are read
    in place from the outer graph, so no iteration copies them. Iteration j computes what
    DecodeStepGraph computes at index start_index + j.
    """

    def __init__(self, gpt: GPT):
        super().__init__()
        self.gpt = gpt
        self.prefix_len = gpt.cfg.cls_token_num

    def forward(self, logits: Tensor, prefix_mask: Tensor, start_index: Tensor, iteration: Tensor, uniforms: Tensor,
                cfg_scale: Tensor, temperature: Tensor, top_k: Tensor, top_p: Tensor,
                *caches_and_rows: Tensor) -> tuple[Tensor, ...]:
        n = 2 * len(self.gpt.layers)
        if len(caches_and_rows) != 2 * n:
            raise ValueError(f"expected {n} caches and {n} rows (key and value per layer), got {len(caches_and_rows)} tensors")
        caches, rows = caches_and_rows[:n], caches_and_rows[n:]
        r = uniforms.index_select(1, iteration.reshape(1))[:, 0]  # [B]
        token, both = _sample(logits, r, cfg_scale, temperature, top_k, top_p)
        first = start_index + self.prefix_len  # absolute position of the call's first token
        bias = self.gpt.cache_bias(torch.cat([prefix_mask, prefix_mask], dim=0), first)
        logits_next, grown = self.gpt.decode_token(both, first + iteration, _pairs(caches), bias, _pairs(rows))
        return (token, logits_next, *(t for pair in grown for t in pair))


def _pairs(tensors: tuple[Tensor, ...] | list[Tensor]) -> list[tuple[Tensor, Tensor]]:
    """key_0, value_0, key_1, … -> [(key_0, value_0), …]"""
    return [(tensors[i], tensors[i + 1]) for i in range(0, len(tensors), 2)]


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
