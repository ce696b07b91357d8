"""Which parameters train in each stage (spec/mentor-model.md §5.2, `M:autoregressive/train/train_t2i.py`
~l.486–540).

- Always frozen: the CLIP vision tower (`multimodal_encoder.vision_model.*`). `cls_embedding.
  uncond_embedding` is a buffer, so it is never an optimizer parameter.
- Stage 1 (`--train_text_encoder --subject_driven --unfreeze_output`): T5 encoder, projector,
  `tok_embeddings`, final `norm`, `output` train; the GPT `layers` and `cls_embedding.cap_proj` are frozen.
  (`tok_embeddings` is never explicitly frozen in the official code, so it trains.)
- Stage 2 (`--train_all`): everything except CLIP.
- `parts.text_encoder=false` freezes T5 + projector too (what the paper's text says; config.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from torch import nn

CLIP_PREFIX = "multimodal_encoder.vision_model."
TEXT_ENCODER_PREFIXES = ("multimodal_encoder.language_model.", "multimodal_encoder.language_projection.")
STAGE1_GPT_TRAINABLE = ("gpt.tok_embeddings.", "gpt.norm.", "gpt.output.")


def is_trainable(name: str, stage: int, text_encoder: bool = True) -> bool:
    """Whether the MentorModel parameter `name` trains in `stage`."""
    if name.startswith(CLIP_PREFIX):
        return False
    if name.startswith(TEXT_ENCODER_PREFIXES):
        return text_encoder
    if not name.startswith("gpt."):
        raise ValueError(f"{name}: a parameter outside gpt.* / multimodal_encoder.*")
    if stage == 2:
        return True
    return name.startswith(STAGE1_GPT_TRAINABLE)


@dataclass
class FreezeReport:
    trainable: int          # parameter elements
    frozen: int
    trainable_names: list[str]

    def summary(self) -> str:
        total = self.trainable + self.frozen
        return (f"{self.trainable / 1e6:.2f} M of {total / 1e6:.2f} M parameters train "
                f"({len(self.trainable_names)} tensors)")


def apply_stage(model: nn.Module, stage: int, text_encoder: bool = True) -> FreezeReport:
    """Set requires_grad on every MentorModel parameter for `stage`."""
    if stage not in (1, 2):
        raise ValueError(f"stage must be 1 or 2, got {stage}")
    trainable = frozen = 0
    names = []
    for name, p in model.named_parameters():
        on = is_trainable(name, stage, text_encoder)
        p.requires_grad_(on)
        if on:
            trainable += p.numel()
            names.append(name)
        else:
            frozen += p.numel()
    return FreezeReport(trainable, frozen, names)
