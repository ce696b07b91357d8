"""The PyTorch reference generator: the bundle's pipeline run step by step in eager PyTorch, one
token per step, with the exact sampler (spec/sampler.md) and uniforms (spec/uniforms.md).

It runs the same graph modules the exporter traces (export/graphs.py), so an exported bundle must
reproduce its tokens exactly; the TypeScript engine is held to the same tokens.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch
from PIL import Image

from .preprocess import preprocess_batch
from .prompt import encode_prompt
from .uniforms import uniforms as uniforms_for

if TYPE_CHECKING:
    from .export.models import ExportModels


@dataclass(frozen=True)
class Sampling:
    cfg_scale: float = 7.5
    temperature: float = 0.9
    top_k: int = 0
    top_p: float = 1.0


@dataclass
class ReferenceResult:
    tokens: np.ndarray  # [count, N] int64
    image: np.ndarray   # [count, H, W, 3] uint8


def preprocess_spec(models: "ExportModels") -> dict:
    from .export.bundle_writer import manifest_config

    return manifest_config(models)["preprocess"]


@torch.no_grad()
def reference_generate(models: "ExportModels", prompt: str, images: list[Image.Image], seed: int, *,
                       count: int = 1, sampling: Sampling = Sampling()) -> ReferenceResult:
    from .export.graphs import DecodeStepGraph, PrefillGraph, TextEncoderGraph, VisionGraph, VQDecodeGraph

    gpt_cfg, enc_cfg = models.gpt_cfg, models.enc_cfg
    n_tokens = gpt_cfg.block_size
    ids, mask = encode_prompt(models.tokenizer, prompt, len(images), enc_cfg.tokens_per_image,
                              gpt_cfg.cls_token_num, enc_cfg.image_token_id)
    ids_t = torch.from_numpy(ids)[None].repeat(count, 1)    # [count, T]
    mask_t = torch.from_numpy(mask)[None].repeat(count, 1)  # [count, T]
    if images:
        pixels = torch.from_numpy(preprocess_batch(images, preprocess_spec(models)))
        embeds = VisionGraph(models.encoder)(pixels).reshape(1, -1, enc_cfg.t5_d_model).repeat(count, 1, 1)
    else:
        embeds = torch.zeros(count, 1, enc_cfg.t5_d_model)
    states = TextEncoderGraph(models.encoder)(ids_t, mask_t, embeds)
    logits, kv, prefix_mask = PrefillGraph(models.gpt)(states, mask_t)
    step = DecodeStepGraph(models.gpt)
    r_all = torch.from_numpy(uniforms_for(seed, count, n_tokens))  # [count, N]
    scalars = (torch.tensor(sampling.cfg_scale, dtype=torch.float32), torch.tensor(sampling.temperature, dtype=torch.float32),
               torch.tensor(sampling.top_k, dtype=torch.int64), torch.tensor(sampling.top_p, dtype=torch.float32))
    tokens = torch.zeros(count, n_tokens, dtype=torch.int64)
    for j in range(n_tokens):
        token, logits, kv = step(logits, kv, prefix_mask, torch.tensor(j), r_all[:, j], *scalars)
        tokens[:, j] = token
    image = VQDecodeGraph(models.vq, gpt_cfg.grid_size)(tokens)
    return ReferenceResult(tokens=tokens.numpy(), image=image.numpy())
