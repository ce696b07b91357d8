"""Sample images during training (spec §5.7: the official trainer renders eval grids every 2000 micro-steps).

The same pipeline as mentor_models.reference.reference_generate — the bundle graphs' modules, the
exact sampler and the spec/uniforms.md uniforms — run on the training model's own modules and device,
in eval mode, without touching the global RNG (the checkpoint restores it; a sample must not shift it).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PIL import Image

from ..export.graphs import DecodeStepGraph, PrefillGraph, TextEncoderGraph, VisionGraph, VQDecodeGraph
from ..preprocess import preprocess_batch
from ..prompt import encode_prompt
from ..uniforms import uniforms as uniforms_for
from .data import preprocess_spec


@torch.no_grad()
def generate_sample(model, vq, tokenizer, *, prompt: str, reference: str | None, seed: int, cfg_scale: float,
                    temperature: float, top_k: int, top_p: float,
                    device: torch.device) -> tuple[np.ndarray, np.ndarray]:
    """(tokens [N] int64, image [H, W, 3] uint8) from the (unwrapped) MentorModel and the VQ, in eval
    mode; the tokens equal what an exported bundle of these weights draws for the same seed."""
    gpt, encoder = model.gpt, model.multimodal_encoder
    gpt_cfg, enc_cfg = gpt.cfg, encoder.cfg
    images = [Image.open(reference).convert("RGB")] if reference else []
    was_training = model.training
    model.eval()
    try:
        ids, mask = encode_prompt(tokenizer, prompt, len(images), enc_cfg.tokens_per_image,
                                  gpt_cfg.cls_token_num, enc_cfg.image_token_id)
        ids_t = torch.from_numpy(ids)[None].to(device)
        mask_t = torch.from_numpy(mask)[None].to(device)
        if images:
            pixels = torch.from_numpy(preprocess_batch(images, preprocess_spec(enc_cfg))).to(device)
            embeds = VisionGraph(encoder)(pixels).reshape(1, -1, enc_cfg.t5_d_model)
        else:
            embeds = torch.zeros(1, 1, enc_cfg.t5_d_model, device=device)
        states = TextEncoderGraph(encoder)(ids_t, mask_t, embeds)
        logits, kv, prefix_mask = PrefillGraph(gpt)(states, mask_t)
        step = DecodeStepGraph(gpt)
        r_all = torch.from_numpy(uniforms_for(seed, 1, gpt_cfg.block_size)).to(device)  # [1, N]
        scalars = tuple(torch.tensor(v, dtype=dt, device=device) for v, dt in (
            (cfg_scale, torch.float32), (temperature, torch.float32), (top_k, torch.int64), (top_p, torch.float32)))
        tokens = torch.zeros(1, gpt_cfg.block_size, dtype=torch.int64, device=device)
        for j in range(gpt_cfg.block_size):
            token, logits, kv = step(logits, kv, prefix_mask, torch.tensor(j, device=device), r_all[:, j], *scalars)
            tokens[:, j] = token
        image = VQDecodeGraph(vq, gpt_cfg.grid_size)(tokens)
        return tokens[0].cpu().numpy(), image[0].cpu().numpy()
    finally:
        model.train(was_training)


def save_sample(image: np.ndarray, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.png")
    Image.fromarray(image, "RGB").save(tmp)
    tmp.replace(path)
    return path
