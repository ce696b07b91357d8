"""Reading the official MENTOR / LlamaGen checkpoint files, and checking state dicts against key tables.

Spec: shared/spec/mentor-model.md §3 (file names §3.1, top-level dicts §3.2, key patterns and shapes
§3.3, loading recipes §3.4). This module only reads files and validates their contents; turning the
official layout into the state dicts our modules load (uncond resizing, dtype casts, splitting the
encoder off) lives in `state_dict_adapter.py`.

Safety: files are opened with `torch.load(weights_only=True)`. The official MENTOR trainer pickles its
`argparse.Namespace` of command-line args into every checkpoint (§3.2), so exactly that one class is
allow-listed. Anything else that needs a Python class to unpickle is refused: a checkpoint is data,
and unpickling arbitrary classes runs arbitrary code.

Unlike the official loaders (strict=False, or demo.py's silent filter, §3.4), every mismatch is reported
by key name: `check_state_dict` returns a `LoadReport`, and `LoadReport.raise_if_problems` turns it into
one readable `CheckpointError`.
"""

from __future__ import annotations

import argparse
import math
import os
import pickle
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Literal, Mapping

import torch
from torch import Tensor

from .configs import GPTConfig, VQConfig

CheckpointKind = Literal["mentor", "generator", "vq", "llamagen-t2i", "trainer"]
CHECKPOINT_KINDS: tuple[str, ...] = ("mentor", "generator", "vq", "llamagen-t2i", "trainer")

# The one class the official files need beyond tensors and plain containers (§3.2: `args`).
ALLOWED_PICKLE_CLASSES: tuple[type, ...] = (argparse.Namespace,)

ENCODER_PREFIX = "multimodal_encoder."
# Wrappers that leave a prefix on every key when a state dict is taken from the wrapper instead of the
# model: DDP/DeepSpeed (`module.`) and torch.compile (`_orig_mod.`). The official trainer saves
# `model.module._orig_mod.state_dict()`, so its files have neither (§3.2); other tools may not.
WRAPPER_PREFIXES: tuple[str, ...] = ("module.", "_orig_mod.")
# Non-persistent in recent transformers, persistent in older ones: present only in older saves (§3.3).
CLIP_POSITION_IDS = "vision_model.vision_tower.vision_model.embeddings.position_ids"

# Where each kind keeps its weights, in the order the official loaders look (§3.2). "bare" means the
# top-level dict is itself the state dict.
_CONTAINERS: dict[str, tuple[str, ...]] = {
    "mentor": ("model", "bare"),
    "generator": ("model", "bare"),
    "vq": ("model", "bare"),
    "llamagen-t2i": ("model", "module", "state_dict", "bare"),
    "trainer": ("model",),
}

# Keys that identify what a state dict holds, whatever else it has or lacks.
_GPT_MARKERS = ("tok_embeddings.weight", "cls_embedding.cap_proj.fc1.weight",
                "layers.0.attention.wqkv.weight", "output.weight")
_VQ_MARKERS = ("quantize.embedding.weight", "post_quant_conv.weight", "decoder.conv_in.weight",
               "encoder.conv_in.weight")
_ENCODER_MARKERS = ("language_model.shared.weight", "language_projection.0.weight",
                    "vision_model.vision_tower.vision_model.embeddings.patch_embedding.weight")
# The query-based (BLIP-2 Q-Former) connector that MENTOR's code supports but no script uses (§2.2).
_QFORMER_MARKERS = ("qformer.", "query_tokens")

_LIST_CAP = 10  # how many names each section of an error message shows before "... and N more"


class CheckpointError(Exception):
    """A checkpoint could not be read or does not fit the model; the message says which key or why.

    `report` is the `LoadReport` behind the error when there is one (key-level problems).
    """

    def __init__(self, message: str, report: "LoadReport | None" = None) -> None:
        super().__init__(message)
        self.report = report


# ------------------------------------------------------------------------------------------------
# Key tables and their checking
# ------------------------------------------------------------------------------------------------

Shape = tuple[int, ...]
ExpectedKeys = dict[str, tuple[Shape, "torch.dtype | None"]]  # key -> (shape, dtype or None = any)


@dataclass
class LoadReport:
    """What a state dict lacks or has too much of, by key name, plus notes on what was changed.

    `notes` carries the non-problems worth telling the user (prefixes stripped, rows resized, dtypes
    cast). `missing`/`unexpected`/`mismatched`/`wrong_dtype` are problems.
    """

    missing: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    mismatched: list[tuple[str, Shape, Shape]] = field(default_factory=list)  # key, expected, found
    wrong_dtype: list[tuple[str, torch.dtype, torch.dtype]] = field(default_factory=list)  # key, exp, found
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.unexpected or self.mismatched or self.wrong_dtype)

    def merge(self, other: "LoadReport", prefix: str = "") -> "LoadReport":
        """Add `other`'s findings to this report, with `prefix` put before its key names."""
        self.missing += [prefix + k for k in other.missing]
        self.unexpected += [prefix + k for k in other.unexpected]
        self.mismatched += [(prefix + k, a, b) for k, a, b in other.mismatched]
        self.wrong_dtype += [(prefix + k, a, b) for k, a, b in other.wrong_dtype]
        self.notes += other.notes
        return self

    def problems(self) -> list[str]:
        """The problem sections as text lines (empty when ok), long lists capped at 10 names each."""
        lines: list[str] = []
        if self.missing:
            lines.append(f"missing keys ({len(self.missing)}):")
            lines += _capped(self.missing)
        if self.unexpected:
            lines.append(f"unexpected keys ({len(self.unexpected)}):")
            lines += _capped(self.unexpected)
        if self.mismatched:
            lines.append(f"shape mismatches ({len(self.mismatched)}):")
            lines += _capped([f"{k}: expected {_fmt_shape(a)}, checkpoint has {_fmt_shape(b)}"
                              for k, a, b in self.mismatched])
        if self.wrong_dtype:
            lines.append(f"dtype mismatches ({len(self.wrong_dtype)}):")
            lines += _capped([f"{k}: expected {_fmt_dtype(a)}, checkpoint has {_fmt_dtype(b)}"
                              for k, a, b in self.wrong_dtype])
        return lines

    def summary(self) -> str:
        """Problems then notes, one per line; "ok" when there is nothing to say."""
        lines = self.problems() + (["notes:"] + [f"  {n}" for n in self.notes] if self.notes else [])
        return "\n".join(lines) if lines else "ok"

    def raise_if_problems(self, context: str) -> None:
        """Raise a CheckpointError naming every problem (capped) if there is any."""
        if self.ok:
            return
        raise CheckpointError(f"{context}: the state dict does not match the model\n"
                              + "\n".join(self.problems()), report=self)


def _capped(items: list[str]) -> list[str]:
    shown = [f"  {s}" for s in items[:_LIST_CAP]]
    if len(items) > _LIST_CAP:
        shown.append(f"  ... and {len(items) - _LIST_CAP} more")
    return shown


def _fmt_shape(shape: Shape) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _fmt_dtype(dtype: torch.dtype) -> str:
    return str(dtype).removeprefix("torch.")


def check_state_dict(state_dict: Mapping[str, Any], expected: Mapping[str, tuple[Shape, Any]],
                     ) -> LoadReport:
    """Compare a state dict with a key table: missing, unexpected, mis-shaped and mis-typed keys.

    `expected` maps each key to (shape, dtype); a dtype of None accepts any dtype. Values of the state
    dict only need `.shape` (and `.dtype` where a dtype is expected), so meta tensors work.
    """
    report = LoadReport()
    for key, (shape, dtype) in expected.items():
        if key not in state_dict:
            report.missing.append(key)
            continue
        value = state_dict[key]
        found = tuple(value.shape)
        if found != tuple(shape):
            report.mismatched.append((key, tuple(shape), found))
        elif dtype is not None and value.dtype != dtype:
            report.wrong_dtype.append((key, dtype, value.dtype))
    report.unexpected = [k for k in state_dict if k not in expected]
    return report


def expected_gpt_keys(cfg: GPTConfig, *, uncond_rows: int | None = None,
                      dtype: torch.dtype | None = None) -> ExpectedKeys:
    """The LlamaGen T2I GPT's state-dict keys and shapes (§3.3), top-level as in the official files.

    `uncond_rows` is the row count of `cls_embedding.uncond_embedding` (default `cls_token_num`;
    original LlamaGen T2I files have 120). No KV-cache or RoPE entries: the official files have none.
    For GPT-XL this is exactly the §3.3 table (e.g. wqkv [3840, 1280], w1 [3584, 1280]).
    """
    d, hd = cfg.dim, cfg.head_dim
    rows = cfg.cls_token_num if uncond_rows is None else uncond_rows
    keys: ExpectedKeys = {
        # CFG null condition, a buffer (never trained) in caption space, before cap_proj (§2.5).
        "cls_embedding.uncond_embedding": ((rows, cfg.caption_dim), dtype),
        "cls_embedding.cap_proj.fc1.weight": ((d, cfg.caption_dim), dtype),
        "cls_embedding.cap_proj.fc2.weight": ((d, d), dtype),
        "tok_embeddings.weight": ((cfg.vocab_size, d), dtype),
    }
    for i in range(cfg.n_layer):
        p = f"layers.{i}."
        keys[p + "attention.wqkv.weight"] = (((cfg.n_head + 2 * cfg.kv_heads) * hd, d), dtype)
        keys[p + "attention.wo.weight"] = ((d, cfg.n_head * hd), dtype)
        keys[p + "feed_forward.w1.weight"] = ((cfg.ffn_hidden_dim, d), dtype)
        keys[p + "feed_forward.w2.weight"] = ((d, cfg.ffn_hidden_dim), dtype)
        keys[p + "feed_forward.w3.weight"] = ((cfg.ffn_hidden_dim, d), dtype)
        keys[p + "attention_norm.weight"] = ((d,), dtype)
        keys[p + "ffn_norm.weight"] = ((d,), dtype)
    keys["norm.weight"] = ((d,), dtype)
    keys["output.weight"] = ((cfg.vocab_size, d), dtype)
    return keys


@dataclass(frozen=True)
class EncoderShapes:
    """The sizes that fix the multimodal encoder's key table: CLIP vision tower, MLP connector, T5 encoder.

    Defaults are the official ones (§2.1, §2.2, §2.4): CLIP ViT-L/14 at 224 px, mlp2x_gelu to 2048,
    FlanT5-XL encoder. `encoder_shapes(cfg)` reads them off an `encoder_configs.EncoderConfig`; this
    class exists so the key tables need nothing but numbers.
    """

    clip_hidden: int = 1024
    clip_layers: int = 24
    clip_intermediate: int = 4096
    clip_image_size: int = 224
    clip_patch: int = 14
    clip_channels: int = 3
    t5_vocab: int = 32128
    t5_d_model: int = 2048
    t5_layers: int = 24
    t5_heads: int = 32
    t5_d_kv: int = 64
    t5_d_ff: int = 5120
    t5_buckets: int = 32           # relative-attention buckets; the table lives in block 0 only

    @property
    def clip_positions(self) -> int:
        return (self.clip_image_size // self.clip_patch) ** 2 + 1  # patches + CLS: 257 for L/14 @ 224


OFFICIAL_ENCODER_SHAPES = EncoderShapes()


def encoder_shapes(enc_cfg: Any = None) -> EncoderShapes:
    """EncoderShapes from an encoder config: None (the official sizes), an EncoderShapes, or an
    `encoder_configs.EncoderConfig` (read through its `clip_*` / `t5_*` field names).
    """
    if enc_cfg is None:
        return OFFICIAL_ENCODER_SHAPES
    if isinstance(enc_cfg, EncoderShapes):
        return enc_cfg
    try:
        return EncoderShapes(
            clip_hidden=enc_cfg.clip_hidden_size, clip_layers=enc_cfg.clip_num_hidden_layers,
            clip_intermediate=enc_cfg.clip_intermediate_size, clip_image_size=enc_cfg.clip_image_size,
            clip_patch=enc_cfg.clip_patch_size, t5_vocab=enc_cfg.t5_vocab_size,
            t5_d_model=enc_cfg.t5_d_model, t5_layers=enc_cfg.t5_num_layers,
            t5_heads=enc_cfg.t5_num_heads, t5_d_kv=enc_cfg.t5_d_kv, t5_d_ff=enc_cfg.t5_d_ff,
            t5_buckets=enc_cfg.t5_relative_attention_num_buckets)
    except AttributeError as e:
        raise TypeError(f"cannot read encoder sizes from {type(enc_cfg).__name__}: expected None, an "
                        f"EncoderShapes or an EncoderConfig ({e})") from None


T5_EMBED_ALIAS = "language_model.encoder.embed_tokens.weight"  # same tensor as language_model.shared.weight


def expected_encoder_keys(enc_cfg: Any = None, *, dtype: torch.dtype | None = None,
                          include_alias: bool = True) -> ExpectedKeys:
    """The multimodal encoder's keys (what follows `multimodal_encoder.`) and shapes (§3.3).

    `include_alias`: the official files carry T5's input embedding twice, as `language_model.shared.weight`
    and its tied alias `language_model.encoder.embed_tokens.weight`.
    """
    s = encoder_shapes(enc_cfg)
    keys: ExpectedKeys = {}
    h, m = s.clip_hidden, s.clip_intermediate
    v = "vision_model.vision_tower.vision_model."
    keys[v + "embeddings.class_embedding"] = ((h,), dtype)
    keys[v + "embeddings.patch_embedding.weight"] = ((h, s.clip_channels, s.clip_patch, s.clip_patch),
                                                     dtype)  # conv without bias
    keys[v + "embeddings.position_embedding.weight"] = ((s.clip_positions, h), dtype)
    for ln in ("pre_layrnorm", "post_layernorm"):  # "layrnorm" is HF's spelling
        keys[v + ln + ".weight"] = ((h,), dtype)
        keys[v + ln + ".bias"] = ((h,), dtype)
    for i in range(s.clip_layers):
        p = f"{v}encoder.layers.{i}."
        for proj in ("q_proj", "k_proj", "v_proj", "out_proj"):
            keys[p + f"self_attn.{proj}.weight"] = ((h, h), dtype)
            keys[p + f"self_attn.{proj}.bias"] = ((h,), dtype)
        for ln in ("layer_norm1", "layer_norm2"):
            keys[p + ln + ".weight"] = ((h,), dtype)
            keys[p + ln + ".bias"] = ((h,), dtype)
        keys[p + "mlp.fc1.weight"] = ((m, h), dtype)
        keys[p + "mlp.fc1.bias"] = ((m,), dtype)
        keys[p + "mlp.fc2.weight"] = ((h, m), dtype)
        keys[p + "mlp.fc2.bias"] = ((h,), dtype)
    d = s.t5_d_model
    # mlp2x_gelu connector: Linear(clip_hidden -> d_model), GELU (index 1, no weights), Linear(d -> d).
    keys["language_projection.0.weight"] = ((d, h), dtype)
    keys["language_projection.0.bias"] = ((d,), dtype)
    keys["language_projection.2.weight"] = ((d, d), dtype)
    keys["language_projection.2.bias"] = ((d,), dtype)
    keys["language_model.shared.weight"] = ((s.t5_vocab, d), dtype)
    if include_alias:
        keys[T5_EMBED_ALIAS] = ((s.t5_vocab, d), dtype)
    inner = s.t5_heads * s.t5_d_kv
    for i in range(s.t5_layers):
        p = f"language_model.encoder.block.{i}.layer."
        keys[p + "0.SelfAttention.q.weight"] = ((inner, d), dtype)
        keys[p + "0.SelfAttention.k.weight"] = ((inner, d), dtype)
        keys[p + "0.SelfAttention.v.weight"] = ((inner, d), dtype)
        keys[p + "0.SelfAttention.o.weight"] = ((d, inner), dtype)
        if i == 0:  # shared by all blocks
            keys[p + "0.SelfAttention.relative_attention_bias.weight"] = ((s.t5_buckets, s.t5_heads),
                                                                          dtype)
        keys[p + "0.layer_norm.weight"] = ((d,), dtype)
        keys[p + "1.DenseReluDense.wi_0.weight"] = ((s.t5_d_ff, d), dtype)  # gated-gelu: two inputs
        keys[p + "1.DenseReluDense.wi_1.weight"] = ((s.t5_d_ff, d), dtype)
        keys[p + "1.DenseReluDense.wo.weight"] = ((d, s.t5_d_ff), dtype)
        keys[p + "1.layer_norm.weight"] = ((d,), dtype)
    keys["language_model.encoder.final_layer_norm.weight"] = ((d,), dtype)
    return keys


VQ_USAGE_SLOTS = 65536  # length of LlamaGen's `quantize.codebook_used` usage buffer, whatever the codebook


def expected_vq_keys(vq_cfg: VQConfig, *, include_encoder: bool = True,
                     include_usage: bool = True, dtype: torch.dtype | None = None) -> ExpectedKeys:
    """The VQ tokenizer's keys and shapes (§2.8, §3.3), walking LlamaGen's Encoder/Decoder layout.

    Encoder level l has `encoder_res_blocks` ResnetBlocks (ch·mult[l-1] -> ch·mult[l]), attention only at
    the last level, a stride-2 `downsample` after all but the last. The decoder walks the levels
    reversed with `decoder_res_blocks` each, attention only at its first level, `upsample` after all but
    its last. A ResnetBlock whose width changes gets a 1×1 `nin_shortcut`. Every conv has a bias.
    `include_encoder=False` gives the decode-only part; `include_usage` the `codebook_used` buffer.
    """
    keys: ExpectedKeys = {}

    def conv(name: str, cout: int, cin: int, k: int) -> None:
        keys[name + ".weight"] = ((cout, cin, k, k), dtype)
        keys[name + ".bias"] = ((cout,), dtype)

    def norm(name: str, c: int) -> None:  # GroupNorm, affine
        keys[name + ".weight"] = ((c,), dtype)
        keys[name + ".bias"] = ((c,), dtype)

    def res(name: str, cin: int, cout: int) -> None:
        norm(name + ".norm1", cin)
        conv(name + ".conv1", cout, cin, 3)
        norm(name + ".norm2", cout)
        conv(name + ".conv2", cout, cout, 3)
        if cin != cout:
            conv(name + ".nin_shortcut", cout, cin, 1)

    def attn(name: str, c: int) -> None:
        norm(name + ".norm", c)
        for proj in ("q", "k", "v", "proj_out"):
            conv(f"{name}.{proj}", c, c, 1)

    ch, mult, levels = vq_cfg.ch, vq_cfg.ch_mult, len(vq_cfg.ch_mult)
    top = ch * mult[-1]
    if include_encoder:
        conv("encoder.conv_in", ch, 3, 3)
        block_in = ch
        for lvl in range(levels):
            block_out = ch * mult[lvl]
            for j in range(vq_cfg.encoder_res_blocks):
                res(f"encoder.conv_blocks.{lvl}.res.{j}", block_in, block_out)
                block_in = block_out
                if lvl == levels - 1:
                    attn(f"encoder.conv_blocks.{lvl}.attn.{j}", block_in)
            if lvl != levels - 1:
                conv(f"encoder.conv_blocks.{lvl}.downsample.conv", block_in, block_in, 3)
        res("encoder.mid.0", top, top)
        attn("encoder.mid.1", top)
        res("encoder.mid.2", top, top)
        norm("encoder.norm_out", top)
        conv("encoder.conv_out", vq_cfg.z_channels, top, 3)
        conv("quant_conv", vq_cfg.codebook_embed_dim, vq_cfg.z_channels, 1)
    keys["quantize.embedding.weight"] = ((vq_cfg.codebook_size, vq_cfg.codebook_embed_dim), dtype)
    if include_usage:
        keys["quantize.codebook_used"] = ((VQ_USAGE_SLOTS,), dtype)
    conv("post_quant_conv", vq_cfg.z_channels, vq_cfg.codebook_embed_dim, 1)
    conv("decoder.conv_in", top, vq_cfg.z_channels, 3)
    res("decoder.mid.0", top, top)
    attn("decoder.mid.1", top)
    res("decoder.mid.2", top, top)
    block_in = top
    for idx, lvl in enumerate(reversed(range(levels))):
        block_out = ch * mult[lvl]
        for j in range(vq_cfg.decoder_res_blocks):
            res(f"decoder.conv_blocks.{idx}.res.{j}", block_in, block_out)
            block_in = block_out
            if lvl == levels - 1:
                attn(f"decoder.conv_blocks.{idx}.attn.{j}", block_in)
        if lvl != 0:
            conv(f"decoder.conv_blocks.{idx}.upsample.conv", block_in, block_in, 3)
    norm("decoder.norm_out", block_in)
    conv("decoder.conv_out", 3, block_in, 3)
    return keys


# ------------------------------------------------------------------------------------------------
# Reading files
# ------------------------------------------------------------------------------------------------

@dataclass
class LoadedCheckpoint:
    """One checkpoint file, opened and validated for its kind.

    `state_dict` holds the weights with wrapper prefixes stripped and stale keys dropped (see `notes`);
    its layout is still the official one (GPT keys top-level, encoder under `multimodal_encoder.`).
    `extras` holds the other top-level entries (optimizer, lr_scheduler, steps, ...) untouched.
    """

    path: Path
    kind: str
    container: str                         # "model" | "module" | "state_dict" | "bare"
    state_dict: dict[str, Tensor]
    extras: dict[str, Any] = field(default_factory=dict)
    args: dict[str, Any] | None = None     # the official trainer's argparse args, as a dict
    config: dict[str, Any] | None = None   # our trainer's saved config ("trainer" kind)
    notes: list[str] = field(default_factory=list)

    @property
    def steps(self) -> int | None:
        steps = self.extras.get("steps")
        return int(steps) if isinstance(steps, (int, Tensor)) else None


def load_checkpoint_file(path: str | os.PathLike, kind: CheckpointKind, *,
                         mmap: bool = False) -> LoadedCheckpoint:
    """Open an official (or our trainer's) checkpoint and return its weights, validated for `kind`.

    kind: "mentor" (stage1.pt / stage2.pt: GPT + `multimodal_encoder.*`, `{"model": sd, ...}` or bare),
    "generator" (generator_ckpt.pt: GPT only), "vq" (vq_ds16_t2i.pt), "llamagen-t2i" (original LlamaGen
    T2I GPT under "model" | "module" | "state_dict" | bare), "trainer" (ours: "model" and "config").
    `mmap=True` maps the tensors from the file instead of reading them (multi-GB files; zip-format only).
    Raises CheckpointError for a missing, truncated or non-PyTorch file, a pickled class outside the
    allow-list, a file that is not a dict of tensors, or a state dict that belongs to another kind.
    """
    if kind not in CHECKPOINT_KINDS:
        raise ValueError(f"kind: {kind!r} is not one of {CHECKPOINT_KINDS}")
    path = Path(path)
    obj = _torch_load(path, mmap=mmap)
    name = path.name
    if not isinstance(obj, dict):
        raise CheckpointError(f"{name} holds a {type(obj).__name__}, not a dict; expected a state dict "
                              "or a dict with a 'model' entry")
    notes: list[str] = []
    container, raw = _find_state_dict(obj, kind, name)
    if container != "model":
        notes.append(f"weights read from {container if container == 'bare' else repr(container)}"
                     + (" (top-level dict is the state dict)" if container == "bare" else ""))
    state_dict = _tensor_dict(raw, name, container)
    state_dict = _strip_wrapper_prefixes(state_dict, name, notes)
    for key in [k for k in state_dict if k.endswith(CLIP_POSITION_IDS)]:
        del state_dict[key]
        notes.append(f"dropped {key} (a constant buffer that older transformers saved)")
    _check_kind(state_dict, kind, name)

    extras = {k: v for k, v in obj.items() if k != container} if container != "bare" else {}
    args = extras.get("args")
    if isinstance(args, argparse.Namespace):
        args = vars(args)
    config = extras.get("config")
    if kind == "trainer" and not isinstance(config, dict):
        raise CheckpointError(f"{name} has no 'config' dict; a trainer checkpoint stores its config "
                              "beside the weights (top-level keys: "
                              f"{_fmt_keys(obj.keys())})")
    return LoadedCheckpoint(path=path, kind=kind, container=container, state_dict=state_dict,
                            extras=extras, args=args if isinstance(args, dict) else None,
                            config=config if isinstance(config, dict) else None, notes=notes)


_UNSUPPORTED_GLOBAL = re.compile(r"Unsupported global: GLOBAL ([\w.]+)")


def _torch_load(path: Path, *, mmap: bool) -> Any:
    name = path.name
    if not path.exists():
        raise CheckpointError(f"checkpoint file not found: {path}")
    if path.is_dir():
        raise CheckpointError(f"{path} is a directory, not a checkpoint file")
    if path.stat().st_size == 0:
        raise CheckpointError(f"{name} is truncated or not a PyTorch file (it is empty: 0 bytes)")
    safe_globals = getattr(torch.serialization, "safe_globals", None)
    if safe_globals is None:  # torch < 2.5: no scoped allow-list, and we will not add a global one
        raise CheckpointError("reading checkpoints safely needs torch >= 2.5 "
                              f"(torch.serialization.safe_globals); this is torch {torch.__version__}")
    try:
        with safe_globals(list(ALLOWED_PICKLE_CLASSES)):
            try:
                return torch.load(path, map_location="cpu", weights_only=True, mmap=mmap)
            except RuntimeError as e:
                if mmap and "mmap can only be used" in str(e):
                    # Legacy (pre-zip) format: read it whole instead of mapping it.
                    return torch.load(path, map_location="cpu", weights_only=True)
                raise
    except pickle.UnpicklingError as e:
        msg = str(e)
        found = _UNSUPPORTED_GLOBAL.search(msg)
        if found:
            allowed = ", ".join(f"{c.__module__}.{c.__qualname__}" for c in ALLOWED_PICKLE_CLASSES)
            raise CheckpointError(
                f"{name} needs class {found.group(1)} to unpickle; refusing to load arbitrary code "
                f"(only {allowed} is allowed besides tensors and plain containers)") from None
        raise CheckpointError(f"{name} is truncated or not a PyTorch file ({_first_line(msg)})") from None
    except PermissionError as e:
        raise CheckpointError(f"cannot read {path}: {e.strerror or e}") from None
    except (RuntimeError, EOFError, KeyError, IndexError, ValueError, OSError) as e:
        # Truncation shows up as "PytorchStreamReader failed reading zip archive: failed finding
        # central directory" (zip format) or as EOFError/garbage opcodes (legacy pickle format).
        raise CheckpointError(f"{name} is truncated or not a PyTorch file "
                              f"({type(e).__name__}: {_first_line(str(e)) or 'no detail'})") from None


def _first_line(msg: str) -> str:
    line = msg.strip().splitlines()[0] if msg.strip() else ""
    return line if len(line) <= 200 else line[:200] + "..."


def _fmt_keys(keys: Iterable[Any], cap: int = 8) -> str:
    keys = [str(k) for k in keys]
    shown = ", ".join(keys[:cap])
    return shown + (f", ... ({len(keys)} in all)" if len(keys) > cap else "") if keys else "none"


def _looks_like_state_dict(obj: Any) -> bool:
    return isinstance(obj, dict) and len(obj) > 0 and all(
        isinstance(k, str) and isinstance(v, Tensor) for k, v in obj.items())


def _find_state_dict(obj: dict, kind: str, name: str) -> tuple[str, Any]:
    for container in _CONTAINERS[kind]:
        if container == "bare":
            if _looks_like_state_dict(obj):
                return "bare", obj
        elif container in obj:
            return container, obj[container]
    wanted = " | ".join(repr(c) if c != "bare" else "a bare state dict" for c in _CONTAINERS[kind])
    raise CheckpointError(f"{name}: no model weights found for kind {kind!r} (expected {wanted}); "
                          f"top-level keys: {_fmt_keys(obj.keys())}")


def _tensor_dict(raw: Any, name: str, container: str) -> dict[str, Tensor]:
    where = "the file" if container == "bare" else f"{container!r}"
    if not isinstance(raw, dict):
        raise CheckpointError(f"{name}: {where} holds a {type(raw).__name__}, not a dict of tensors")
    if not raw:
        raise CheckpointError(f"{name}: {where} is an empty state dict")
    bad = [f"{k} ({type(v).__name__})" for k, v in raw.items()
           if not (isinstance(k, str) and isinstance(v, Tensor))]
    if bad:
        raise CheckpointError(f"{name}: {where} is not a dict of tensors; {len(bad)} entries are not: "
                              + ", ".join(bad[:_LIST_CAP]) + (" ..." if len(bad) > _LIST_CAP else ""))
    return dict(raw)


def _strip_wrapper_prefixes(sd: dict[str, Tensor], name: str, notes: list[str]) -> dict[str, Tensor]:
    counts = {p: 0 for p in WRAPPER_PREFIXES}
    out: dict[str, Tensor] = {}
    for key, value in sd.items():
        new = key
        stripped = True
        while stripped:
            stripped = False
            for p in WRAPPER_PREFIXES:
                if new.startswith(p):
                    new, stripped = new[len(p):], True
                    counts[p] += 1
        if new in out:
            raise CheckpointError(f"{name}: key {key!r} collides with {new!r} once the wrapper prefix "
                                  "is removed; the file holds two copies of the same weight")
        out[new] = value
    for p, n in counts.items():
        if n:
            notes.append(f"stripped the {p!r} prefix from {n} keys (saved from a wrapped model)")
    return out


def detect_contents(sd: Mapping[str, Any]) -> set[str]:
    """What a state dict holds, from characteristic keys: a subset of {"gpt", "encoder", "vq", "qformer"}."""
    found: set[str] = set()
    if any(k in sd for k in _GPT_MARKERS):
        found.add("gpt")
    if any(k in sd for k in _VQ_MARKERS):
        found.add("vq")
    enc_keys = [k[len(ENCODER_PREFIX):] for k in sd if k.startswith(ENCODER_PREFIX)]
    if enc_keys:
        found.add("encoder")
        if any(k.startswith(_QFORMER_MARKERS) for k in enc_keys):
            found.add("qformer")
    elif any(k in sd for k in _ENCODER_MARKERS):
        found.add("encoder")  # an encoder state dict without its prefix
    return found


def _check_kind(sd: dict[str, Tensor], kind: str, name: str) -> None:
    found = detect_contents(sd)
    gpt_kind = kind in ("mentor", "generator", "llamagen-t2i")
    if gpt_kind and "vq" in found and "gpt" not in found:
        raise CheckpointError(f"{name}: this looks like a VQ tokenizer checkpoint, not a MENTOR/GPT "
                              "checkpoint (it has quantize.embedding.weight / decoder.* keys); "
                              "load it as kind='vq'")
    if kind == "vq" and "vq" not in found:
        what = "this looks like a MENTOR/GPT checkpoint" if "gpt" in found else "this is"
        raise CheckpointError(f"{name}: {what}, not a VQ tokenizer checkpoint "
                              "(no quantize.embedding.weight / decoder.* keys)")
    if gpt_kind and "gpt" not in found:
        raise CheckpointError(f"{name}: not a MENTOR/GPT checkpoint: none of "
                              f"{', '.join(_GPT_MARKERS)} is present (first keys: {_fmt_keys(sd)})")
    if "qformer" in found:
        raise CheckpointError(f"{name}: has multimodal_encoder.qformer.* / query_tokens keys: the "
                              "query-based (BLIP-2 Q-Former, 32 tokens per image) connector, which is "
                              "not supported; only the MLP connector (language_projection.0/2) is")
    if kind == "mentor" and "encoder" not in found:
        raise CheckpointError(f"{name}: a GPT-only checkpoint (no multimodal_encoder.* keys), not a full "
                              "MENTOR model; load it as kind='generator' (generator_ckpt.pt) or "
                              "kind='llamagen-t2i'")
    if kind in ("generator", "llamagen-t2i") and "encoder" in found:
        raise CheckpointError(f"{name}: has multimodal_encoder.* keys, so it is a full MENTOR model "
                              "(stage1.pt / stage2.pt); load it as kind='mentor'")


def uncond_rows(sd: Mapping[str, Tensor]) -> int | None:
    """Row count of the checkpoint's CFG null condition (512 MENTOR, 120 LlamaGen T2I), None if absent."""
    t = sd.get("cls_embedding.uncond_embedding")
    return int(t.shape[0]) if t is not None else None


def state_dict_numel(sd: Mapping[str, Any]) -> int:
    """Total elements over a state dict or key table (values: tensors, (shape, dtype) pairs or shapes)."""
    total = 0
    for v in sd.values():
        if isinstance(v, tuple):
            shape = v[0] if v and isinstance(v[0], tuple) else v
        else:
            shape = v.shape
        total += math.prod(shape)
    return total
