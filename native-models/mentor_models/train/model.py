"""MENTOR as it is trained: GPT + multimodal encoder (one module, so DDP/FSDP wrap one thing), the VQ
beside it (frozen, never wrapped), and how all three are built and initialised from a config.

Spec: shared/spec/mentor-model.md §5.2 (parts), §5.3 (objective), §2.5 (prefix, CFG drop), §3.4
(loading recipes). The forward returns each sample's SUM of token cross-entropies; the loop
divides by the token count of the whole optimizer step, so the loss does not depend on how samples
are split over ranks and micro-batches.

Checkpoint layout ("our export format"): GPT keys at the top level and the encoder under
`multimodal_encoder.` — exactly the official MENTOR layout (spec §3.3), which `export --checkpoint`
and `state_dict_adapter.load_official(kind="trainer"|"mentor")` read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..checkpoints import ENCODER_PREFIX
from ..configs import VQ_CONFIGS, GPTConfig, VQConfig, get_gpt_config
from ..encoder_configs import EncoderConfig, get_encoder_config
from ..export.presets import PRESETS
from ..gpt import GPT
from ..multimodal_encoder import MultimodalEncoder
from ..state_dict_adapter import conform_to_module, load_official
from ..vq import VQModel
from .config import ConfigError, TrainerConfig, preset_image_size


class MentorModel(nn.Module):
    """The trainable model: `gpt` + `multimodal_encoder` (CLIP tower inside, always frozen)."""

    def __init__(self, gpt_cfg: GPTConfig, enc_cfg: EncoderConfig) -> None:
        super().__init__()
        self.gpt = GPT(gpt_cfg, rope_variant="mentor")
        self.multimodal_encoder = MultimodalEncoder(enc_cfg)
        self._gpt_forward = self.gpt.forward_train

    def compile_gpt(self) -> None:
        """torch.compile the GPT's teacher-forcing pass (the bulk of the FLOPs); weights stay shared."""
        self._gpt_forward = torch.compile(self.gpt.forward_train)

    def train(self, mode: bool = True) -> "MentorModel":
        super().train(mode)
        self.multimodal_encoder.vision_model.eval()  # frozen; CLIP has no dropout, but be explicit
        return self

    def image_embeds(self, pixels: Tensor, image_counts: Tensor) -> Tensor | None:
        """pixels [B, K, 3, S, S] (padded over K), image_counts [B] -> [B, K·P, D] or None (no images).

        Sample b's images are concatenated in prompt order; rows of padded image slots are zeros
        and never read (the prompt has image_counts[b] markers).
        """
        b, k = pixels.shape[:2]
        if k == 0:
            return None
        valid = torch.arange(k, device=pixels.device)[None, :] < image_counts[:, None]  # [B, K]
        if not bool(valid.any()):
            return None
        with torch.no_grad():  # CLIP is frozen: no activations kept for it
            feats = self.multimodal_encoder.vision_model(pixels[valid])            # [n, P, C]
        proj = self.multimodal_encoder.language_projection(feats)                 # [n, P, D]
        p, d = proj.shape[1:]
        out = proj.new_zeros(b, k, p, d)
        out = out.index_put((valid.nonzero(as_tuple=True)), proj)                  # [B, K, P, D]
        return out.reshape(b, k * p, d)

    def forward(self, input_ids: Tensor, attention_mask: Tensor, pixels: Tensor, image_counts: Tensor,
                codes: Tensor, null_rows: Tensor | None) -> Tensor:
        """Per-sample sums of the token cross-entropies, fp32 [B] (all N targets of each sample).

        input_ids/attention_mask [B, T] right-padded prompts with `<image>` expanded; pixels
        [B, K, 3, S, S]; image_counts [B]; codes [B, N] VQ targets; null_rows [B] bool: CFG drop.
        """
        embeds = self.image_embeds(pixels, image_counts)
        states = self.multimodal_encoder.encode_text(input_ids, attention_mask, embeds)  # [B, T, D]
        logits = self._gpt_forward(states, attention_mask, codes, null_rows)          # [B, N, V] fp32
        ce = F.cross_entropy(logits.reshape(-1, logits.shape[-1]).float(), codes.reshape(-1), reduction="none")
        return ce.view(codes.shape).sum(dim=1)


def export_state_dict(model_state: dict[str, Tensor]) -> dict[str, Tensor]:
    """MentorModel state dict ("gpt.*", "multimodal_encoder.*") -> the official/export layout."""
    out = {}
    for key, value in model_state.items():
        if key.startswith("gpt."):
            out[key[len("gpt."):]] = value
        elif key.startswith(ENCODER_PREFIX):
            out[key] = value
        else:
            raise KeyError(f"unexpected model key {key!r}")
    return out


def import_state_dict(export_sd: dict[str, Tensor]) -> dict[str, Tensor]:
    """Inverse of export_state_dict."""
    return {(k if k.startswith(ENCODER_PREFIX) else "gpt." + k): v for k, v in export_sd.items()}


@dataclass
class BuiltModel:
    model: MentorModel
    vq: VQModel
    gpt_cfg: GPTConfig
    enc_cfg: EncoderConfig
    vq_cfg: VQConfig
    tokenizer: Any
    image_size: int
    notes: list[str]
    model_config: dict[str, Any]   # checkpoint["config"]["model"]: {"preset", "gpt", "encoder"}
    vq_random: bool                # no init.vq: the VQ is random (written beside the run for export)


def build_tokenizer(cfg: TrainerConfig):
    """(tokenizer, encoder overrides it implies). Small presets: the deterministic tiny tokenizer
    (export trains the same one); xl or data.tokenizer: FlanT5's tokenizer.json + `<image>`."""
    from ..export.models import official_tokenizer
    from ..tiny_tokenizer import DEFAULT_CORPUS, image_token_id, train_tiny_tokenizer

    preset = PRESETS[cfg.model.preset]
    if cfg.data.tokenizer is None:
        if preset.tokenizer_vocab is None:
            raise ConfigError("data.tokenizer: preset xl needs the FlanT5 tokenizer (tokenizer.json or its folder)")
        tok = train_tiny_tokenizer(DEFAULT_CORPUS, preset.tokenizer_vocab)
        return tok, {"t5_vocab_size": tok.get_vocab_size(), "image_token_id": image_token_id(tok)}
    enc_cfg = get_encoder_config(preset.encoder, **cfg.model.encoder)
    return official_tokenizer(Path(cfg.data.tokenizer), enc_cfg.image_token_id), {}


def model_configs(cfg: TrainerConfig, tokenizer_overrides: dict[str, Any]) -> tuple[GPTConfig, EncoderConfig, VQConfig]:
    """The configs export/models.official_models rebuilds from checkpoint["config"]["model"], plus
    the training-only dropouts (they do not change any shape or any eval-mode output)."""
    preset = PRESETS[cfg.model.preset]
    t = cfg.train
    try:
        gpt_cfg = get_gpt_config(preset.gpt, **{**preset.gpt_overrides, **cfg.model.gpt,
                                                "token_dropout_p": t.dropout, "resid_dropout_p": t.dropout,
                                                "ffn_dropout_p": t.dropout, "class_dropout_prob": t.cfg_dropout})
    except (TypeError, ValueError) as e:
        raise ConfigError(f"model.gpt: {e}") from e
    try:
        enc_cfg = get_encoder_config(preset.encoder, **{**tokenizer_overrides, **cfg.model.encoder,
                                                        "t5_dropout_rate": t.t5_dropout})
    except (TypeError, ValueError) as e:
        raise ConfigError(f"model.encoder: {e}") from e
    vq_cfg = VQ_CONFIGS[preset.vq]
    if gpt_cfg.caption_dim != enc_cfg.t5_d_model:
        raise ConfigError(f"model.gpt.caption_dim: {gpt_cfg.caption_dim} != the encoder's t5_d_model "
                          f"{enc_cfg.t5_d_model}")
    if gpt_cfg.vocab_size != vq_cfg.codebook_size:
        raise ConfigError(f"model.gpt.vocab_size: {gpt_cfg.vocab_size} != the VQ codebook ({vq_cfg.codebook_size})")
    size = preset_image_size(cfg)
    try:
        n = vq_cfg.tokens_for(size)
    except ValueError as e:
        raise ConfigError(f"data.image_size: {e}") from e
    if n != gpt_cfg.block_size:
        raise ConfigError(f"data.image_size: {size} px gives {n} VQ codes but the GPT's block_size is "
                          f"{gpt_cfg.block_size}; set model.gpt.block_size={n} or another image size")
    return gpt_cfg, enc_cfg, vq_cfg


def build_model(cfg: TrainerConfig, *, log=print) -> BuiltModel:
    """Build and initialise the model, the VQ and the tokenizer for `cfg` (CPU, fp32)."""
    tokenizer, tok_overrides = build_tokenizer(cfg)
    gpt_cfg, enc_cfg, vq_cfg = model_configs(cfg, tok_overrides)
    notes: list[str] = []
    torch.manual_seed(cfg.init.seed)  # transformers initialises CLIP/T5 from the global generator
    model = MentorModel(gpt_cfg, enc_cfg)
    vq = VQModel(vq_cfg)
    gen = torch.Generator().manual_seed(cfg.init.seed)  # uncond rows beyond a checkpoint's (§2.5)
    init = cfg.init
    if init.generator:
        w = load_official(init.generator, "generator", gpt_cfg=gpt_cfg, generator=gen, mmap=True)
        model.gpt.load_state_dict(conform_to_module(w.gpt, model.gpt.state_dict()), strict=True)
        notes += w.report.notes + [f"GPT from {init.generator} (generator)"]
    if init.checkpoint:
        w = _load_full(init.checkpoint, gpt_cfg, enc_cfg, gen)
        model.gpt.load_state_dict(conform_to_module(w.gpt, model.gpt.state_dict()), strict=True)
        notes += w.report.notes + [f"GPT from {init.checkpoint}"]
        if w.encoder is not None:
            model.multimodal_encoder.load_state_dict(
                conform_to_module(w.encoder, model.multimodal_encoder.state_dict()), strict=True)
            notes.append(f"multimodal encoder from {init.checkpoint}")
    if init.encoder:
        w = _load_full(init.encoder, gpt_cfg, enc_cfg, gen)
        if w.encoder is None:
            raise ConfigError(f"init.encoder: {init.encoder} has no multimodal_encoder.* weights")
        model.multimodal_encoder.load_state_dict(
            conform_to_module(w.encoder, model.multimodal_encoder.state_dict()), strict=True)
        notes += w.report.notes + [f"multimodal encoder from {init.encoder}"]
    if init.vq:
        w = load_official(init.vq, "vq", vq_cfg=vq_cfg, mmap=True)
        vq.load_state_dict(conform_to_module(w.vq, vq.state_dict()), strict=True)
        notes += w.report.notes + [f"VQ from {init.vq}"]
    vq.eval().requires_grad_(False)
    model_config = {"preset": cfg.model.preset, "gpt": dict(cfg.model.gpt), "encoder": dict(cfg.model.encoder)}
    for note in notes:
        log(f"init: {note}")
    return BuiltModel(model, vq, gpt_cfg, enc_cfg, vq_cfg, tokenizer, preset_image_size(cfg), notes,
                      model_config, vq_random=not init.vq)


def _load_full(path: str, gpt_cfg: GPTConfig, enc_cfg: EncoderConfig, gen: torch.Generator):
    """Our trainer checkpoint (it has "config"), else an official MENTOR stage1.pt/stage2.pt."""
    from ..checkpoints import CheckpointError

    try:
        return load_official(path, "trainer", gpt_cfg=gpt_cfg, enc_cfg=enc_cfg, generator=gen, mmap=True)
    except CheckpointError as as_trainer:
        try:
            return load_official(path, "mentor", gpt_cfg=gpt_cfg, enc_cfg=enc_cfg, generator=gen, mmap=True)
        except CheckpointError as as_mentor:
            if "no 'config' dict" in str(as_trainer):  # not ours: the MENTOR reading's problem is the one
                raise as_mentor from None
            raise CheckpointError(f"{path}: as a trainer checkpoint: {as_trainer}; as a MENTOR file: "
                                  f"{as_mentor}") from None
