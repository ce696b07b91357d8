"""What a bundle is made from: the GPT, the multimodal encoder, the VQ model and the tokenizer,
either with random weights (tests, benchmarks) or loaded from the official checkpoints."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from tokenizers import AddedToken, Tokenizer

from ..configs import GPTConfig, VQConfig, VQ_CONFIGS, get_gpt_config
from ..encoder_configs import EncoderConfig, get_encoder_config
from ..gpt import GPT
from ..manifest import sha256_file
from ..multimodal_encoder import MultimodalEncoder
from ..state_dict_adapter import conform_to_module, load_official
from ..tiny_tokenizer import DEFAULT_CORPUS, image_token_id, train_tiny_tokenizer
from ..vq import VQModel
from .presets import PRESETS, ExportPreset


@dataclass
class ExportModels:
    preset: ExportPreset
    gpt_cfg: GPTConfig
    enc_cfg: EncoderConfig
    vq_cfg: VQConfig
    gpt: GPT
    encoder: MultimodalEncoder
    vq: VQModel
    tokenizer: Tokenizer
    rope_variant: str
    sources: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def grid(self) -> int:
        return self.gpt_cfg.grid_size


def _preset(name: str) -> ExportPreset:
    if name not in PRESETS:
        raise ValueError(f"unknown config {name!r}; choose from {sorted(PRESETS)}")
    return PRESETS[name]


def _randomize_gpt(gpt: GPT, generator: torch.Generator) -> None:
    """normal(0, 0.02) everywhere, output head included (a fresh LlamaGen head is zero, which would
    make every logit 0 and every test of sampling meaningless); norms stay 1."""
    with torch.no_grad():
        for name, param in gpt.named_parameters():
            if name.endswith("norm.weight"):
                continue
            param.copy_(torch.randn(param.shape, generator=generator) * 0.02)


def random_models(config: str, *, seed: int = 0, rope_variant: str = "mentor") -> ExportModels:
    """Random weights at the preset's sizes, the same for the same seed."""
    preset = _preset(config)
    if preset.tokenizer_vocab is None:
        raise ValueError(f"--random-init --config {config} needs the official FlanT5 tokenizer; "
                         "pass --tokenizer FILE (tokenizer.json of the FlanT5 folder)")
    tokenizer = train_tiny_tokenizer(DEFAULT_CORPUS, preset.tokenizer_vocab)
    vocab = tokenizer.get_vocab_size()
    enc_cfg = get_encoder_config(preset.encoder, t5_vocab_size=vocab, image_token_id=image_token_id(tokenizer))
    gpt_cfg = get_gpt_config(preset.gpt, **preset.gpt_overrides)
    vq_cfg = VQ_CONFIGS[preset.vq]
    torch.manual_seed(seed)  # transformers initialises the encoders from the global generator
    generator = torch.Generator().manual_seed(seed)
    gpt = GPT(gpt_cfg, rope_variant=rope_variant)  # type: ignore[arg-type]
    _randomize_gpt(gpt, generator)
    encoder = MultimodalEncoder(enc_cfg)
    vq = VQModel(vq_cfg)
    for module in (gpt, encoder, vq):
        module.eval()
    return ExportModels(preset, gpt_cfg, enc_cfg, vq_cfg, gpt, encoder, vq, tokenizer, rope_variant,
                        sources=[{"role": "random-init", "seed": seed}])


def official_tokenizer(path: Path, expected_image_id: int) -> Tokenizer:
    """FlanT5's tokenizer.json with `<image>` added as a special token (spec §2.3)."""
    file = path / "tokenizer.json" if path.is_dir() else path
    if not file.is_file():
        raise FileNotFoundError(f"{file}: no tokenizer.json (give the FlanT5 / blip2-flan-t5-xl folder or the file)")
    tokenizer = Tokenizer.from_file(str(file))
    tokenizer.add_special_tokens([AddedToken("<image>", special=True, normalized=False)])
    got = tokenizer.token_to_id("<image>")
    if got != expected_image_id:
        raise ValueError(f"{file}: `<image>` got id {got}, but the checkpoint was trained with {expected_image_id}")
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return tokenizer


def trainer_config(checkpoint: Path) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """(preset, gpt overrides, encoder overrides) from a trainer checkpoint's `config["model"]`.

    Our trainer saves `{"model": state dict, "config": {"model": {"preset": "tiny" | "b" | "xl",
    "gpt": {GPTConfig fields}, "encoder": {EncoderConfig fields}}, ...}}`.
    """
    from ..checkpoints import CheckpointError, load_checkpoint_file

    loaded = load_checkpoint_file(checkpoint, "trainer", mmap=True)
    model = (loaded.config or {}).get("model")
    if not isinstance(model, dict) or model.get("preset") not in PRESETS:
        raise CheckpointError(f"{checkpoint.name}: config.model.preset must name one of {sorted(PRESETS)}")
    return model["preset"], dict(model.get("gpt", {})), dict(model.get("encoder", {}))


def official_models(config: str, *, mentor: Path, vq: Path, tokenizer: Path | None, kind: str = "mentor") -> ExportModels:
    """MENTOR from stage1/stage2.pt (kind 'mentor') or an original LlamaGen T2I GPT ('llamagen-t2i',
    original RoPE); the VQ from vq_ds16_t2i.pt; every key reported by name if anything is off."""
    gpt_overrides: dict[str, Any] = {}
    enc_overrides: dict[str, Any] = {}
    if kind == "trainer":
        config, gpt_overrides, enc_overrides = trainer_config(mentor)
    preset = _preset(config)
    test_tokenizer = None
    if tokenizer is None:
        if preset.tokenizer_vocab is None:
            raise ValueError("--tokenizer is required: give the FlanT5 tokenizer.json (or its folder)")
        # Small presets train with the deterministic test tokenizer, so it can be made again here.
        test_tokenizer = train_tiny_tokenizer(DEFAULT_CORPUS, preset.tokenizer_vocab)
        enc_overrides = {"t5_vocab_size": test_tokenizer.get_vocab_size(),
                         "image_token_id": image_token_id(test_tokenizer), **enc_overrides}
    gpt_cfg = get_gpt_config(preset.gpt, **{**preset.gpt_overrides, **gpt_overrides})
    enc_cfg = get_encoder_config(preset.encoder, **enc_overrides)
    vq_cfg = VQ_CONFIGS[preset.vq]
    rope_variant = "llamagen" if kind == "llamagen-t2i" else "mentor"
    weights = load_official(mentor, kind, gpt_cfg=gpt_cfg, enc_cfg=enc_cfg,  # type: ignore[arg-type]
                            generator=torch.Generator().manual_seed(0), mmap=True)
    vq_weights = load_official(vq, "vq", vq_cfg=vq_cfg, mmap=True)
    gpt = GPT(gpt_cfg, rope_variant=rope_variant)  # type: ignore[arg-type]
    gpt.load_state_dict(conform_to_module(weights.gpt, gpt.state_dict()), strict=True)
    encoder = MultimodalEncoder(enc_cfg)
    if weights.encoder is None:
        raise ValueError(f"{mentor}: holds no multimodal encoder weights; a bundle needs a stage-1/stage-2 MENTOR checkpoint")
    encoder.load_state_dict(conform_to_module(weights.encoder, encoder.state_dict()), strict=True)
    vq_model = VQModel(vq_cfg)
    vq_model.load_state_dict(conform_to_module(vq_weights.vq, vq_model.state_dict()), strict=True)
    for module in (gpt, encoder, vq_model):
        module.eval()
    sources = [{"role": kind, "file": mentor.name, "sha256": sha256_file(mentor)},
               {"role": "vq", "file": vq.name, "sha256": sha256_file(vq)}]
    notes = weights.report.notes + vq_weights.report.notes
    final_tokenizer = test_tokenizer if test_tokenizer is not None else official_tokenizer(tokenizer, enc_cfg.image_token_id)  # type: ignore[arg-type]
    return ExportModels(preset, gpt_cfg, enc_cfg, vq_cfg, gpt, encoder, vq_model, final_tokenizer, rope_variant, sources, notes)
