"""Builders of state dicts and checkpoint dicts laid out exactly like the official files, for tests.

Spec: shared/spec/mentor-model.md §3.2 (top-level dicts) and §3.3 (keys, shapes, dtypes). Values are
small random numbers (seeded by `generator`), sized by whatever config is given, so tests can write a
tiny "stage2.pt" or "vq_ds16_t2i.pt" with `torch.save` and load it back through the real loader.
What is copied from the official files: key names, nesting (`model` / `module` / `state_dict` / bare),
dtypes (GPT fp32, multimodal encoder bf16), the tied T5 embedding alias (one tensor under two names,
as `nn.Module.state_dict()` yields it), the trainer's extra entries, and `args` as a pickled
`argparse.Namespace`. The optimizer/scheduler contents only imitate the official structure.
Pure functions: no file I/O here.
"""

from __future__ import annotations

import argparse
from typing import Any

import torch
from torch import Tensor

from .checkpoints import (
    ENCODER_PREFIX,
    T5_EMBED_ALIAS,
    expected_encoder_keys,
    expected_gpt_keys,
    expected_vq_keys,
)
from .configs import GPTConfig, VQConfig

def _fill(table: dict[str, tuple[tuple[int, ...], Any]], dtype: torch.dtype,
          generator: torch.Generator | None) -> dict[str, Tensor]:
    # Values drawn in fp32 then cast, so a seed gives the same numbers whatever the target dtype.
    return {k: (torch.randn(shape, generator=generator) * 0.02).to(dtype)
            for k, (shape, _) in table.items()}


def official_gpt_state_dict(cfg: GPTConfig, dtype: torch.dtype = torch.float32,
                            generator: torch.Generator | None = None, *,
                            uncond_rows: int | None = None) -> dict[str, Tensor]:
    """The GPT's top-level keys (§3.3), fp32 like MENTOR's files; `uncond_rows` as saved (120 LlamaGen)."""
    sd = _fill(expected_gpt_keys(cfg, uncond_rows=uncond_rows), dtype, generator)
    rows, width = sd["cls_embedding.uncond_embedding"].shape
    # The null condition is randn/sqrt(caption_dim) in the official model (§2.5).
    sd["cls_embedding.uncond_embedding"] = (torch.randn(rows, width, generator=generator)
                                            / width ** 0.5).to(dtype)
    return sd


def official_encoder_state_dict(enc_shapes: Any = None, dtype: torch.dtype = torch.bfloat16,
                                generator: torch.Generator | None = None, *,
                                include_alias: bool = True,
                                include_position_ids: bool = False) -> dict[str, Tensor]:
    """The multimodal encoder's keys (after `multimodal_encoder.`), bf16 like MENTOR's files.

    The T5 embedding alias is the SAME tensor as `language_model.shared.weight`, as a tied module's
    state_dict() gives it. `include_position_ids` adds the CLIP buffer older transformers saved.
    """
    sd = _fill(expected_encoder_keys(enc_shapes, include_alias=False), dtype, generator)
    if include_alias:
        sd[T5_EMBED_ALIAS] = sd["language_model.shared.weight"]
    if include_position_ids:
        n = sd["vision_model.vision_tower.vision_model.embeddings.position_embedding.weight"].shape[0]
        sd["vision_model.vision_tower.vision_model.embeddings.position_ids"] = torch.arange(n)[None]
    return sd


def official_vq_state_dict(vq_cfg: VQConfig, dtype: torch.dtype = torch.float32,
                           generator: torch.Generator | None = None) -> dict[str, Tensor]:
    """LlamaGen VQModel keys (§3.3), encoder included, with the `quantize.codebook_used` counter."""
    sd = _fill(expected_vq_keys(vq_cfg), dtype, generator)
    sd["quantize.codebook_used"] = torch.zeros_like(sd["quantize.codebook_used"])
    return sd


def _adamw_state(sd: dict[str, Tensor], lr: float) -> dict[str, Any]:
    # torch.optim.AdamW.state_dict() structure: per-parameter moments keyed by index, then groups.
    params = [k for k in sd if not k.endswith("uncond_embedding")]  # a buffer, not optimized
    state = {i: {"step": torch.tensor(123.0), "exp_avg": torch.zeros_like(sd[k], dtype=torch.float32),
                 "exp_avg_sq": torch.zeros_like(sd[k], dtype=torch.float32)}
             for i, k in enumerate(params)}
    decay = [i for i, k in enumerate(params) if sd[k].ndim >= 2]
    no_decay = [i for i, k in enumerate(params) if sd[k].ndim < 2]
    group = {"lr": lr, "betas": (0.9, 0.95), "eps": 1e-8, "amsgrad": False, "maximize": False,
             "foreach": None, "capturable": False, "differentiable": False, "fused": True}
    return {"state": state, "param_groups": [dict(group, weight_decay=0.05, params=decay),
                                             dict(group, weight_decay=0.0, params=no_decay)]}


def _trainer_args(gpt_cfg: GPTConfig, **more: Any) -> argparse.Namespace:
    # A few of train_t2i.py's arguments (§5.1); the real Namespace has ~100 of them.
    return argparse.Namespace(gpt_model="GPT-XL", gpt_type="t2i", vq_model="VQ-16",
                              vocab_size=gpt_cfg.vocab_size, cls_token_num=gpt_cfg.cls_token_num,
                              image_size=gpt_cfg.grid_size * 16, downsample_size=16,
                              multimodal_encoder="llava", fix="gpt-empty-fix", lr=5e-4,
                              global_batch_size=96, mixed_precision="bf16", **more)


def official_mentor_checkpoint(gpt_cfg: GPTConfig, enc_shapes: Any = None, *,
                               generator: torch.Generator | None = None, steps: int = 123,
                               uncond_rows: int | None = None, bare: bool = False,
                               with_optimizer: bool = True) -> dict[str, Any]:
    """A stage1.pt/stage2.pt as MENTOR's trainer writes it (§3.2):
    {"model": GPT fp32 + "multimodal_encoder.*" bf16, "optimizer", "lr_scheduler", "steps", "args"}.
    `bare=True` gives the other accepted form, the state dict alone.
    """
    model = official_gpt_state_dict(gpt_cfg, torch.float32, generator, uncond_rows=uncond_rows)
    enc = official_encoder_state_dict(enc_shapes, torch.bfloat16, generator)
    model.update({ENCODER_PREFIX + k: v for k, v in enc.items()})
    if bare:
        return model
    ckpt: dict[str, Any] = {"model": model}
    if with_optimizer:
        ckpt["optimizer"] = _adamw_state(model, lr=5e-4)
        # AnnealingLR (M:scheduler.py, §5.4) keeps plain numbers.
        ckpt["lr_scheduler"] = {"start_lr": 5e-4, "warmup_iter": 50, "num_iters": steps,
                                "decay_style": "cosine", "end_iter": 1000, "decay_ratio": 0.1}
    ckpt["steps"] = steps
    ckpt["args"] = _trainer_args(gpt_cfg)
    return ckpt


def official_generator_checkpoint(gpt_cfg: GPTConfig, *, generator: torch.Generator | None = None,
                                  uncond_rows: int | None = None) -> dict[str, Any]:
    """generator_ckpt.pt (§3.2): {"model": GPT-only state dict}."""
    return {"model": official_gpt_state_dict(gpt_cfg, torch.float32, generator,
                                             uncond_rows=uncond_rows)}


def official_llamagen_t2i_checkpoint(gpt_cfg: GPTConfig, *, container: str = "model",
                                     uncond_rows: int = 120,
                                     generator: torch.Generator | None = None) -> dict[str, Any]:
    """An original LlamaGen T2I GPT file (§3.2): under "model" (DDP), "module" (DeepSpeed),
    "state_dict", or bare ("bare", FSDP); the null condition has 120 rows."""
    sd = official_gpt_state_dict(gpt_cfg, torch.float32, generator, uncond_rows=uncond_rows)
    if container == "bare":
        return sd
    if container not in ("model", "module", "state_dict"):
        raise ValueError(f"container: {container!r} is not model | module | state_dict | bare")
    return {container: sd, "steps": 10, "args": argparse.Namespace(gpt_model="GPT-XL",
                                                                    cls_token_num=uncond_rows)}


def official_vq_checkpoint(vq_cfg: VQConfig, *, generator: torch.Generator | None = None,
                           steps: int = 400000, with_ema: bool = False) -> dict[str, Any]:
    """vq_ds16_t2i.pt as LlamaGen's VQ trainer writes it (§3.2): the model under "model", beside
    optimizer, discriminator, optimizer_disc, steps, args (and optionally ema)."""
    model = official_vq_state_dict(vq_cfg, torch.float32, generator)
    disc = {"main.0.weight": torch.randn(8, 3, 4, 4, generator=generator) * 0.02,
            "main.0.bias": torch.zeros(8)}  # PatchGAN discriminator, only the structure matters
    ckpt: dict[str, Any] = {"model": model, "optimizer": {}, "discriminator": disc,
                            "optimizer_disc": {}, "steps": steps,
                            "args": argparse.Namespace(vq_model="VQ-16", codebook_size=vq_cfg.codebook_size,
                                                       codebook_embed_dim=vq_cfg.codebook_embed_dim,
                                                       image_size=256)}
    if with_ema:
        ckpt["ema"] = {k: v.clone() for k, v in model.items()}
    return ckpt
