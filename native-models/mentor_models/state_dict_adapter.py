"""Official checkpoint layout <-> the state dicts our modules load.

Our modules use the official key names (spec §3.3), so no key is renamed here. What does change:
- MENTOR files hold one state dict for the whole model; ours are two modules: the GPT (top-level keys)
  and the multimodal encoder (keys after `multimodal_encoder.`). `split_mentor_state_dict` and
  `join_mentor_state_dict` go between the two.
- `cls_embedding.uncond_embedding` has the checkpoint's row count (120 in LlamaGen T2I files) and is
  resized to `cls_token_num` the way MENTOR's trainer does it (§2.5, §3.4): a fresh random
  [cls_token_num, caption_dim] buffer, randn/sqrt(caption_dim) like a new model's, whose first rows
  are overwritten with the checkpoint's.
- dtypes: the official encoder weights are bf16 (§2.4), the GPT fp32; `cast_state_dict` converts to
  the dtype the caller asks for.
Every such change is written to the `LoadReport`'s notes; nothing happens silently.

Exporter / trainer entry point: `load_official(path, kind, gpt_cfg=..., enc_cfg=..., vq_cfg=...)`
returns `NativeWeights` whose `.gpt`, `.encoder`, `.vq` load into our modules with `strict=True`
(after `conform_to_module` where a module keeps or drops an optional key).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

import torch
from torch import Tensor

from .checkpoints import (
    CLIP_POSITION_IDS,
    ENCODER_PREFIX,
    T5_EMBED_ALIAS,
    VQ_USAGE_SLOTS,
    CheckpointError,
    CheckpointKind,
    LoadedCheckpoint,
    LoadReport,
    check_state_dict,
    expected_encoder_keys,
    expected_gpt_keys,
    expected_vq_keys,
    load_checkpoint_file,
)
from .configs import GPTConfig, VQConfig

UNCOND_KEY = "cls_embedding.uncond_embedding"
T5_SHARED = "language_model.shared.weight"
_CLIP_POS_IDS_LOCAL = CLIP_POSITION_IDS               # key inside the encoder state dict
_CLIP_POS_EMB = "vision_model.vision_tower.vision_model.embeddings.position_embedding.weight"
VQ_USAGE_KEY = "quantize.codebook_used"
_VQ_ENCODER_PREFIXES = ("encoder.", "quant_conv.")    # what a decode-only VQ module leaves out


def split_mentor_state_dict(sd: Mapping[str, Tensor]) -> tuple[dict[str, Tensor], dict[str, Tensor]]:
    """(gpt_sd, encoder_sd): the encoder's keys lose their `multimodal_encoder.` prefix."""
    gpt: dict[str, Tensor] = {}
    enc: dict[str, Tensor] = {}
    for key, value in sd.items():
        if key.startswith(ENCODER_PREFIX):
            enc[key[len(ENCODER_PREFIX):]] = value
        else:
            gpt[key] = value
    return gpt, enc


def join_mentor_state_dict(gpt_sd: Mapping[str, Tensor],
                           encoder_sd: Mapping[str, Tensor]) -> dict[str, Tensor]:
    """The official one-dict layout: GPT keys top-level, encoder keys under `multimodal_encoder.`."""
    clash = [k for k in gpt_sd if k.startswith(ENCODER_PREFIX)]
    if clash:
        raise ValueError(f"GPT state dict already has {ENCODER_PREFIX}* keys, e.g. {clash[0]}")
    out = dict(gpt_sd)
    out.update({ENCODER_PREFIX + k: v for k, v in encoder_sd.items()})
    return out


def resize_uncond_embedding(sd: Mapping[str, Tensor], rows: int, *,
                            generator: torch.Generator | None = None,
                            report: LoadReport | None = None) -> dict[str, Tensor]:
    """Give `cls_embedding.uncond_embedding` `rows` rows, as MENTOR's trainer does (§2.5).

    Rows beyond the checkpoint's are new random values, randn/sqrt(caption_dim) like a freshly built
    model's buffer, drawn from `generator` (pass a seeded one for reproducible loads); the checkpoint's
    rows are copied into the first ones. The buffer is never trained (§2.5), so the new rows stay
    random. Shrinking is refused: the official trainer cannot do it either and it would drop rows.
    Returns a new dict (other tensors shared); a no-op when the row count already matches.
    """
    out = dict(sd)
    old = sd.get(UNCOND_KEY)
    if old is None or old.ndim != 2 or old.shape[0] == rows:
        return out
    have, width = old.shape
    if have > rows:
        raise CheckpointError(f"{UNCOND_KEY} has {have} rows, more than cls_token_num={rows}; "
                              "refusing to drop rows of the CFG null condition (build the model with "
                              f"cls_token_num={have} instead)")
    fresh = torch.randn(rows, width, generator=generator, dtype=torch.float32) / math.sqrt(width)
    fresh = fresh.to(old.dtype)
    fresh[:have] = old
    out[UNCOND_KEY] = fresh
    if report is not None:
        report.notes.append(f"resized {UNCOND_KEY} from {have} to {rows} rows: rows 0..{have - 1} "
                            f"from the checkpoint, rows {have}..{rows - 1} new random "
                            f"(randn/sqrt({width}), as the official trainer does)")
    return out


def cast_state_dict(sd: Mapping[str, Tensor], dtype: torch.dtype | None, *, what: str = "weights",
                    report: LoadReport | None = None) -> dict[str, Tensor]:
    """Cast every floating-point tensor to `dtype` (integer buffers keep theirs); None = leave as is.

    Each distinct conversion gets a note, e.g. "cast 398 encoder tensors from bfloat16 to float32".
    """
    if dtype is None:
        return dict(sd)
    counts: dict[torch.dtype, int] = {}
    out: dict[str, Tensor] = {}
    done: dict[int, Tensor] = {}  # by id: a tensor stored under two names (tied) stays one tensor
    for key, value in sd.items():
        if value.is_floating_point() and value.dtype != dtype:
            if id(value) not in done:
                counts[value.dtype] = counts.get(value.dtype, 0) + 1
                done[id(value)] = value.to(dtype)
            out[key] = done[id(value)]
        else:
            out[key] = value
    if report is not None:
        for src, n in counts.items():
            report.notes.append(f"cast {n} {what} tensors from {_dt(src)} to {_dt(dtype)}")
    return out


def _same_values(a: Tensor, b: Tensor) -> bool:
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.data_ptr() == b.data_ptr() and a.stride() == b.stride():
        return True  # one storage seen through two names: no need to compare 65 M values
    return torch.equal(a, b)


def _dt(dtype: torch.dtype) -> str:
    return str(dtype).removeprefix("torch.")


def gpt_from_official(sd: Mapping[str, Tensor], cfg: GPTConfig, *,
                      generator: torch.Generator | None = None,
                      dtype: torch.dtype | None = torch.float32, strict: bool = True,
                      report: LoadReport | None = None) -> tuple[dict[str, Tensor], LoadReport]:
    """A GPT state dict in official layout -> ours for `cfg`: uncond resized, cast, checked.

    Raises CheckpointError naming every missing/unexpected/mis-shaped key unless `strict=False`
    (then the problems are in the returned report).
    """
    report = LoadReport() if report is None else report
    out = dict(sd)
    old = out.get(UNCOND_KEY)
    if old is not None and old.ndim == 2 and old.shape[1] == cfg.caption_dim:
        out = resize_uncond_embedding(out, cfg.cls_token_num, generator=generator, report=report)
    out = cast_state_dict(out, dtype, what="GPT", report=report)
    found = check_state_dict(out, expected_gpt_keys(cfg))
    report.merge(found)
    if strict:
        report.raise_if_problems("GPT weights")
    return out, report


def encoder_from_official(sd: Mapping[str, Tensor], enc_cfg: Any = None, *,
                          dtype: torch.dtype | None = torch.float32, strict: bool = True,
                          report: LoadReport | None = None) -> tuple[dict[str, Tensor], LoadReport]:
    """The multimodal encoder's state dict (keys after `multimodal_encoder.`) -> ours: cast, checked.

    The T5 input embedding's tied alias (`language_model.encoder.embed_tokens.weight`) is filled in
    from `language_model.shared.weight` when a file lacks it, and a stale CLIP `position_ids` dropped.
    """
    report = LoadReport() if report is None else report
    out = dict(sd)
    if _CLIP_POS_IDS_LOCAL in out:
        del out[_CLIP_POS_IDS_LOCAL]
        report.notes.append(f"dropped {_CLIP_POS_IDS_LOCAL} (a constant buffer older transformers saved)")
    if T5_SHARED in out:
        shared = out[T5_SHARED]
        alias = out.get(T5_EMBED_ALIAS)
        if alias is None:
            out[T5_EMBED_ALIAS] = shared
            report.notes.append(f"{T5_EMBED_ALIAS} filled in from {T5_SHARED} (tied weights)")
        elif alias is not shared and _same_values(alias, shared):
            # torch.load gives the two names two tensor objects over one storage; make them one
            # object so a dtype cast below keeps them tied instead of copying the table twice.
            out[T5_EMBED_ALIAS] = shared
        elif alias is not shared:
            report.notes.append(f"warning: {T5_EMBED_ALIAS} differs from {T5_SHARED}; the model ties "
                                "them, so whichever loads last wins")
    out = cast_state_dict(out, dtype, what="encoder", report=report)
    found = check_state_dict(out, expected_encoder_keys(enc_cfg))
    report.merge(found)
    if strict:
        report.raise_if_problems("multimodal encoder weights")
    return out, report


def vq_from_official(sd: Mapping[str, Tensor], vq_cfg: VQConfig, *,
                     dtype: torch.dtype | None = torch.float32, normalize_codebook: bool = False,
                     strict: bool = True, report: LoadReport | None = None,
                     ) -> tuple[dict[str, Tensor], LoadReport]:
    """The VQ tokenizer's state dict -> ours: cast, checked.

    `normalize_codebook=True` L2-normalizes `quantize.embedding.weight` rows, which the official model
    does at every lookup anyway (§2.8; the stored rows may not be unit norm).
    """
    report = LoadReport() if report is None else report
    out = cast_state_dict(sd, dtype, what="VQ", report=report)
    if normalize_codebook and "quantize.embedding.weight" in out:
        table = out["quantize.embedding.weight"]
        out["quantize.embedding.weight"] = torch.nn.functional.normalize(table.float(), dim=-1).to(
            table.dtype)
        report.notes.append("L2-normalized the rows of quantize.embedding.weight (the official "
                            "decoder normalizes at lookup, so decoding is unchanged)")
    found = check_state_dict(out, expected_vq_keys(vq_cfg))
    report.merge(found)
    if strict:
        report.raise_if_problems("VQ tokenizer weights")
    return out, report


def mentor_from_official(sd: Mapping[str, Tensor], gpt_cfg: GPTConfig, enc_cfg: Any = None, *,
                         generator: torch.Generator | None = None,
                         gpt_dtype: torch.dtype | None = torch.float32,
                         encoder_dtype: torch.dtype | None = torch.float32, strict: bool = True,
                         ) -> tuple[dict[str, Tensor], dict[str, Tensor], LoadReport]:
    """A full MENTOR state dict (stage1/stage2) -> (gpt_sd, encoder_sd, report), both checked.

    Problems of both halves are reported together; encoder keys carry their `multimodal_encoder.`
    prefix in the report so the names match the file.
    """
    gpt_part, enc_part = split_mentor_state_dict(sd)
    report = LoadReport()
    gpt_sd, _ = gpt_from_official(gpt_part, gpt_cfg, generator=generator, dtype=gpt_dtype,
                                  strict=False, report=report)
    enc_report = LoadReport()
    enc_sd, _ = encoder_from_official(enc_part, enc_cfg, dtype=encoder_dtype, strict=False,
                                      report=enc_report)
    report.merge(enc_report, prefix=ENCODER_PREFIX)
    if strict:
        report.raise_if_problems("MENTOR weights")
    return gpt_sd, enc_sd, report


def mentor_to_official(gpt_sd: Mapping[str, Tensor], encoder_sd: Mapping[str, Tensor], *,
                       encoder_dtype: torch.dtype | None = torch.bfloat16,
                       report: LoadReport | None = None) -> dict[str, Tensor]:
    """Our two state dicts -> one dict in the official layout (encoder bf16 by default, as saved by
    MENTOR's trainer), e.g. to write `{"model": ...}` files the official code can load."""
    enc = cast_state_dict(encoder_sd, encoder_dtype, what="encoder", report=report)
    return join_mentor_state_dict(gpt_sd, enc)


def conform_to_module(sd: Mapping[str, Tensor], module_state: Mapping[str, Any] | Iterable[str], *,
                      report: LoadReport | None = None) -> dict[str, Tensor]:
    """Reconcile the optional keys a module may or may not register, so `strict=True` loads work.

    Handles only keys whose presence depends on the library version or on a design choice, never
    weights: the T5 embedding alias (tied; taken from `shared`), CLIP `position_ids` (a constant
    arange), VQ `quantize.codebook_used` (a training-time usage counter, zeros) and, for a decode-only
    VQ module, the `encoder.*`/`quant_conv.*` weights. Each change gets a note.
    `module_state` is `module.state_dict()` or just its keys.
    """
    keys = set(module_state.keys() if isinstance(module_state, Mapping) else module_state)
    out = dict(sd)
    notes: list[str] = []
    if T5_SHARED in out:
        if T5_EMBED_ALIAS in keys and T5_EMBED_ALIAS not in out:
            out[T5_EMBED_ALIAS] = out[T5_SHARED]
            notes.append(f"added {T5_EMBED_ALIAS} as the tied alias of {T5_SHARED}")
        elif T5_EMBED_ALIAS not in keys and T5_EMBED_ALIAS in out:
            del out[T5_EMBED_ALIAS]
            notes.append(f"dropped {T5_EMBED_ALIAS}: the module ties it to {T5_SHARED}")
    if _CLIP_POS_IDS_LOCAL in keys and _CLIP_POS_IDS_LOCAL not in out and _CLIP_POS_EMB in out:
        n = out[_CLIP_POS_EMB].shape[0]
        out[_CLIP_POS_IDS_LOCAL] = torch.arange(n).unsqueeze(0)  # [1, positions], as HF CLIP builds it
        notes.append(f"added {_CLIP_POS_IDS_LOCAL} = arange({n}) (the module keeps it persistent)")
    elif _CLIP_POS_IDS_LOCAL not in keys and _CLIP_POS_IDS_LOCAL in out:
        del out[_CLIP_POS_IDS_LOCAL]
        notes.append(f"dropped {_CLIP_POS_IDS_LOCAL} (constant; the module does not save it)")
    if "quantize.embedding.weight" in out:
        if VQ_USAGE_KEY in keys and VQ_USAGE_KEY not in out:
            out[VQ_USAGE_KEY] = torch.zeros(VQ_USAGE_SLOTS)
            notes.append(f"added {VQ_USAGE_KEY} as zeros (a training-time usage counter)")
        elif VQ_USAGE_KEY not in keys and VQ_USAGE_KEY in out:
            del out[VQ_USAGE_KEY]
            notes.append(f"dropped {VQ_USAGE_KEY} (a training-time usage counter the module lacks)")
        if not any(k.startswith(_VQ_ENCODER_PREFIXES) for k in keys):
            dropped = [k for k in out if k.startswith(_VQ_ENCODER_PREFIXES)]
            for k in dropped:
                del out[k]
            if dropped:
                notes.append(f"dropped {len(dropped)} VQ encoder keys (encoder.*, quant_conv.*): "
                             "the module is decode-only")
    if report is not None:
        report.notes += notes
    return out


@dataclass
class NativeWeights:
    """State dicts for our modules from one official file; absent parts are None.

    `checkpoint` is the file's `LoadedCheckpoint` without its state dict (extras, args, notes).
    """

    gpt: dict[str, Tensor] | None
    encoder: dict[str, Tensor] | None
    vq: dict[str, Tensor] | None
    report: LoadReport
    checkpoint: LoadedCheckpoint
    extras: dict[str, Any] = field(default_factory=dict)


def load_official(path: str | os.PathLike, kind: CheckpointKind, *,
                  gpt_cfg: GPTConfig | None = None, enc_cfg: Any = None,
                  vq_cfg: VQConfig | None = None, generator: torch.Generator | None = None,
                  gpt_dtype: torch.dtype | None = torch.float32,
                  encoder_dtype: torch.dtype | None = torch.float32,
                  vq_dtype: torch.dtype | None = torch.float32,
                  mmap: bool = False, strict: bool = True) -> NativeWeights:
    """Open an official file and return module-ready state dicts, validated against the configs.

    kind "mentor" -> .gpt + .encoder (needs gpt_cfg; enc_cfg None = official CLIP-L/FlanT5-XL sizes);
    "generator" / "llamagen-t2i" -> .gpt (uncond resized to gpt_cfg.cls_token_num; for "llamagen-t2i"
    build the GPT with the original, buggy RoPE variant, §2.7); "vq" -> .vq (needs vq_cfg);
    "trainer" -> .gpt and, if the file has them, .encoder.
    Raises CheckpointError on any file, kind or key problem (unless strict=False for key problems).
    """
    ckpt = load_checkpoint_file(path, kind, mmap=mmap)
    sd, ckpt.state_dict = ckpt.state_dict, {}
    report = LoadReport(notes=[f"{ckpt.path.name}: {n}" for n in ckpt.notes])
    gpt = enc = vq = None
    if kind == "vq":
        _need(vq_cfg, "vq_cfg", kind)
        vq, _ = vq_from_official(sd, vq_cfg, dtype=vq_dtype, strict=strict, report=report)
    elif kind in ("mentor", "trainer"):
        _need(gpt_cfg, "gpt_cfg", kind)
        has_encoder = any(k.startswith(ENCODER_PREFIX) for k in sd)
        if has_encoder:
            gpt, enc, part = mentor_from_official(sd, gpt_cfg, enc_cfg, generator=generator,
                                                  gpt_dtype=gpt_dtype, encoder_dtype=encoder_dtype,
                                                  strict=strict)
            report.merge(part)
        else:
            gpt, _ = gpt_from_official(sd, gpt_cfg, generator=generator, dtype=gpt_dtype,
                                       strict=strict, report=report)
    else:  # "generator", "llamagen-t2i"
        _need(gpt_cfg, "gpt_cfg", kind)
        gpt, _ = gpt_from_official(sd, gpt_cfg, generator=generator, dtype=gpt_dtype,
                                   strict=strict, report=report)
        if kind == "llamagen-t2i":
            report.notes.append("original LlamaGen T2I weights: build the GPT with the LlamaGen RoPE "
                                "variant (prefix q/k zeroed, spec §2.7) to reproduce them")
    return NativeWeights(gpt=gpt, encoder=enc, vq=vq, report=report, checkpoint=ckpt,
                         extras=ckpt.extras)


def _need(value: Any, name: str, kind: str) -> None:
    if value is None:
        raise ValueError(f"{name} is required to load a {kind!r} checkpoint")
