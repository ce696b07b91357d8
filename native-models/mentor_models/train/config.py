"""The trainer's typed, closed configuration (style guideline 18; spec/mentor-model.md §5).

One `TrainerConfig` of frozen, keyword-only dataclass sections. Every way in goes through
`config_from_dict`, which rejects unknown keys and wrong types with a message naming the dotted key
(`optim.lr: expected float, got str 'fast'`), then `TrainerConfig.__post_init__` checks the values.

Sources, applied in order:
  1. `--config NAME` (a named config: `mentor-stage1`, `mentor-stage2`, `tiny`) or `--config FILE`
     (JSON, or TOML; a file may name `"base": "<named config>"` and override parts of it);
  2. the CLI flags `--stage`, `--data`, `--max-steps` (= `stage=`, `data.train=`, `train.max_steps=`);
  3. `key=value` overrides, dotted for nesting: `optim.lr=1e-4`, `model.gpt.n_layer=4`,
     `optim.betas=0.9,0.95`, `init.vq=none`. Values are parsed to the field's type.

The resolved config is written to `OUT/config.json` and into every checkpoint (`checkpoint["config"]`),
whose `model` section ({"preset", "gpt", "encoder"}) is what `python -m mentor_models.export
--checkpoint` rebuilds the model from.

Batch vocabulary (as in the official scripts, spec §5.1/§5.4):
  `train.global_batch`  samples per micro-batch summed over all ranks (the official
                        `--global-batch-size`, 96 in stage 1 = 12 per GPU × 8 GPUs);
  `train.grad_accum`    micro-batches per optimizer step (4);
  samples per optimizer step = global_batch × grad_accum (384 in stage 1, 256 in stage 2).

The documented recipe vs the official code (spec §5.2, §5.4); the default is the documented recipe:
  * Gradient accumulation. Documented: gradients are averaged over every sample (and token) of the
    optimizer step. Official code: `loss.backward()` runs before the loss is divided by the
    accumulation steps, so the gradients of the 4 micro-batches are SUMMED (each micro-batch's loss
    averaged over its own tokens) — a 4× larger gradient before clipping to norm 1.0.
  * LR schedule. Documented: "5% warmup, cosine decay" to 10% of peak over the real optimizer steps.
    Official code: `AnnealingLR`'s total counts micro-batches (len(loader) × epochs) but is stepped
    once per optimizer step, so with 4-step accumulation the warmup spans 20% of the optimizer steps
    and the cosine only reaches r = 0.2 of its way down: the final lr is ≈ 0.914 × peak.
  * Text encoder. The paper calls the multimodal encoder frozen; the released scripts pass
    `--train_text_encoder`, so FlanT5 and the projector train in both stages. `parts.text_encoder`
    (default true = the scripts, which produced the released weights) selects between the two.
  `recipe.official_quirks=true` reproduces the first two quirks exactly (needed to reproduce the
  released weights); the third is `parts.text_encoder`.
"""

from __future__ import annotations

import dataclasses
import json
import math
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Mapping, get_args, get_origin

from ..configs import GPTConfig
from ..encoder_configs import EncoderConfig
from ..export.presets import PRESETS


class ConfigError(ValueError):
    """A config that cannot be used; the message names the dotted key."""


# ------------------------------------------------------------------------------------------------
# Sections
# ------------------------------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class ModelSection:
    """Which model is trained. Sizes come from the export preset (export/presets.py) plus overrides."""

    preset: Literal["tiny", "b", "xl"] = "xl"  # tiny: CPU tests; b: GPT-B-sized; xl: MENTOR (GPT-XL, CLIP-L, FlanT5-XL)
    gpt: dict[str, Any] = field(default_factory=dict)      # GPTConfig field overrides, e.g. {"n_layer": 4}
    encoder: dict[str, Any] = field(default_factory=dict)  # EncoderConfig field overrides


@dataclass(frozen=True, kw_only=True)
class InitSection:
    """Where the weights start (spec §3.4, §5.1). Unset parts are random (seeded by `seed`)."""

    seed: int = 0                     # random init of whatever no file provides (and of the VQ)
    generator: str | None = None      # official generator_ckpt.pt (GPT only): stage-1 initialisation
    checkpoint: str | None = None     # a full model: our trainer's checkpoint or MENTOR stage1.pt/stage2.pt (stage 2)
    encoder: str | None = None        # the multimodal encoder from a MENTOR/trainer file (its multimodal_encoder.* keys)
    vq: str | None = None             # vq_ds16_t2i.pt (or {"model": VQ state dict}); random VQ when unset


@dataclass(frozen=True, kw_only=True)
class DataSection:
    train: str | None = None          # MENTOR JSONL (spec §5.6); `--data`
    val: str | None = None            # held-out JSONL: val_loss every `val_every` steps
    reference: str | None = None      # backgrounds JSONL for image recovery (`--reference_data_path`)
    tokenizer: str | None = None      # FlanT5 tokenizer.json (or its folder); required for preset xl
    image_size: int | None = None     # target side in pixels; None = the preset's (512 for xl)
    skip_bad_rows: bool = False       # drop malformed rows (reported) instead of stopping
    num_workers: int = 4              # DataLoader worker processes per rank
    image_only_rate: float = 0.1      # stage 1 `--with_image_only --image_only_rate 0.1`; ignored in stage 2
    precompute_codes: bool = False    # encode targets with the VQ once and cache them (the recipe encodes each step)
    codes_cache: str | None = None    # cache file for precomputed codes; default OUT/vq_codes.pt
    val_every: int = 0                # optimizer steps between val_loss; 0 = at each checkpoint
    val_max_samples: int = 512        # official --max_eval_samples 512


@dataclass(frozen=True, kw_only=True)
class OptimSection:
    """AdamW (spec §5.4): weight decay on parameters with dim >= 2 only."""

    lr: float = 1e-4                  # peak learning rate
    betas: tuple[float, float] = (0.9, 0.95)
    eps: float = 1e-8
    weight_decay: float = 0.05
    grad_clip: float = 1.0            # max global grad norm; 0 = no clipping


@dataclass(frozen=True, kw_only=True)
class ScheduleSection:
    warmup: float = 0.05              # fraction of the optimizer steps with a linear warmup from 0
    decay: Literal["cosine", "constant"] = "cosine"
    min_lr_ratio: float = 0.1         # cosine floor as a fraction of the peak (official --lr-decay-ratio 0.1)


@dataclass(frozen=True, kw_only=True)
class TrainSection:
    global_batch: int = 64            # samples per micro-batch over all ranks (official --global-batch-size)
    grad_accum: int = 4               # micro-batches per optimizer step
    epochs: int = 1
    max_steps: int | None = None      # stop (and end the schedule) after this many optimizer steps
    seed: int = 0                     # data order, CFG drops, dropout RNG (official --global-seed 0)
    cfg_dropout: float = 0.1          # per sample: the whole prefix -> uncond_embedding (§2.5)
    dropout: float = 0.1              # GPT token, residual and FFN dropout (§2.6)
    t5_dropout: float = 0.1           # FlanT5 dropout in train mode
    log_every: int = 1                # optimizer steps between stdout lines (metrics.jsonl gets every step)


@dataclass(frozen=True, kw_only=True)
class PartsSection:
    """Which parts train, beyond the stage rule (stage 1: T5, projector, tok_embeddings, final norm,
    output; stage 2: everything but CLIP; CLIP and uncond_embedding never, spec §5.2)."""

    text_encoder: bool = True         # FlanT5 + projector train (the scripts); false = the paper's frozen encoder


@dataclass(frozen=True, kw_only=True)
class ParallelSection:
    precision: Literal["bf16", "fp32"] = "bf16"  # bf16 autocast on CUDA; CPU always runs fp32
    compile: bool = True              # torch.compile the GPT forward (CUDA only)
    tf32: bool = True                 # TF32 matmuls/convs on CUDA
    fsdp: bool = False                # shard parameters, grads and optimizer state (memory), instead of DDP
    backend: Literal["auto", "nccl", "gloo"] = "auto"  # auto: NCCL with CUDA, gloo on CPU
    find_unused_parameters: bool = True  # DDP: text-only batches leave the projector unused (as official)
    cpu_threads: int = 0              # torch threads per process on CPU; 0 = PyTorch's default


@dataclass(frozen=True, kw_only=True)
class CheckpointSection:
    every: int = 500                  # optimizer steps (official: 2000 micro-batches = 500 steps)
    keep: int = 2                     # newest N kept (official --save_total_limit 1)
    at_end: bool = True               # also save after the last step (benchmarks turn it off)


@dataclass(frozen=True, kw_only=True)
class SamplesSection:
    every: int = 0                    # optimizer steps between sample images; 0 = off
    prompt: str = "A photo of a cat sitting on a wooden table."
    reference: str | None = None      # optional reference image; the prompt then needs one <image>
    cfg_scale: float = 7.5            # official eval --cfg-scale 7.5
    temperature: float = 0.9          # official --temperature 0.9
    top_k: int = 0                    # 0 = all (official --top-k 16384 = the whole codebook)
    top_p: float = 1.0
    seed: int = 0


@dataclass(frozen=True, kw_only=True)
class RecipeSection:
    official_quirks: bool = False     # summed accumulation + micro-batch-counted schedule (module docstring)


@dataclass(frozen=True, kw_only=True)
class TrainerConfig:
    name: str = "custom"              # the named config this came from (informational)
    stage: Literal[1, 2] = 1
    model: ModelSection = field(default_factory=ModelSection)
    init: InitSection = field(default_factory=InitSection)
    data: DataSection = field(default_factory=DataSection)
    optim: OptimSection = field(default_factory=OptimSection)
    schedule: ScheduleSection = field(default_factory=ScheduleSection)
    train: TrainSection = field(default_factory=TrainSection)
    parts: PartsSection = field(default_factory=PartsSection)
    parallel: ParallelSection = field(default_factory=ParallelSection)
    checkpoint: CheckpointSection = field(default_factory=CheckpointSection)
    samples: SamplesSection = field(default_factory=SamplesSection)
    recipe: RecipeSection = field(default_factory=RecipeSection)

    def __post_init__(self) -> None:
        def need(ok: bool, key: str, msg: str) -> None:
            if not ok:
                raise ConfigError(f"{key}: {msg}")

        t, o, s, d = self.train, self.optim, self.schedule, self.data
        need(t.global_batch >= 1, "train.global_batch", f"must be >= 1, got {t.global_batch}")
        need(t.grad_accum >= 1, "train.grad_accum", f"must be >= 1, got {t.grad_accum}")
        need(t.epochs >= 1, "train.epochs", f"must be >= 1, got {t.epochs}")
        need(t.max_steps is None or t.max_steps >= 1, "train.max_steps", f"must be >= 1 or none, got {t.max_steps}")
        need(t.log_every >= 1, "train.log_every", f"must be >= 1, got {t.log_every}")
        for key in ("cfg_dropout", "dropout", "t5_dropout"):
            p = getattr(t, key)
            need(0.0 <= p < 1.0, f"train.{key}", f"must be in [0, 1), got {p}")
        need(o.lr > 0 and math.isfinite(o.lr), "optim.lr", f"must be positive, got {o.lr}")
        need(all(0.0 <= b < 1.0 for b in o.betas), "optim.betas", f"each must be in [0, 1), got {o.betas}")
        need(o.eps > 0, "optim.eps", f"must be positive, got {o.eps}")
        need(o.weight_decay >= 0, "optim.weight_decay", f"must be >= 0, got {o.weight_decay}")
        need(o.grad_clip >= 0, "optim.grad_clip", f"must be >= 0 (0 = off), got {o.grad_clip}")
        need(0.0 <= s.warmup < 1.0, "schedule.warmup", f"must be in [0, 1), got {s.warmup}")
        need(0.0 <= s.min_lr_ratio <= 1.0, "schedule.min_lr_ratio", f"must be in [0, 1], got {s.min_lr_ratio}")
        need(d.image_size is None or d.image_size > 0, "data.image_size", f"must be positive, got {d.image_size}")
        need(d.num_workers >= 0, "data.num_workers", f"must be >= 0, got {d.num_workers}")
        need(0.0 <= d.image_only_rate <= 1.0, "data.image_only_rate", f"must be in [0, 1], got {d.image_only_rate}")
        need(d.val_every >= 0, "data.val_every", f"must be >= 0, got {d.val_every}")
        need(d.val_max_samples >= 1, "data.val_max_samples", f"must be >= 1, got {d.val_max_samples}")
        need(self.checkpoint.every >= 1, "checkpoint.every", f"must be >= 1, got {self.checkpoint.every}")
        need(self.checkpoint.keep >= 1, "checkpoint.keep", f"must be >= 1, got {self.checkpoint.keep}")
        need(self.parallel.cpu_threads >= 0, "parallel.cpu_threads", f"must be >= 0, got {self.parallel.cpu_threads}")
        need(self.samples.every >= 0, "samples.every", f"must be >= 0, got {self.samples.every}")
        need(self.init.generator is None or self.init.checkpoint is None, "init.generator",
             "give init.generator (GPT only) or init.checkpoint (whole model), not both")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready nested dict (tuples as lists); `config_from_dict(cfg.to_dict()) == cfg`."""
        return _jsonable(dataclasses.asdict(self))

    def samples_per_step(self) -> int:
        return self.train.global_batch * self.train.grad_accum


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


# ------------------------------------------------------------------------------------------------
# Named configs
# ------------------------------------------------------------------------------------------------

def _mentor_stage(stage: int) -> dict[str, Any]:
    """spec §5.1 (scripts/autoregressive/train_stage{1,2}.sh + train_t2i.py defaults)."""
    return {
        "name": f"mentor-stage{stage}",
        "stage": stage,
        "model": {"preset": "xl", "gpt": {"cls_token_num": 512, "block_size": 1024}},  # --cls-token-num 512, 512 px
        "data": {"image_size": 512, "num_workers": 4 if stage == 1 else 8, "image_only_rate": 0.1},
        "optim": {"lr": 5e-4 if stage == 1 else 1e-4, "betas": [0.9, 0.95], "weight_decay": 0.05,
                  "grad_clip": 1.0},
        "schedule": {"warmup": 0.05, "decay": "cosine", "min_lr_ratio": 0.1},
        "train": {"global_batch": 96 if stage == 1 else 64, "grad_accum": 4, "epochs": 1 if stage == 1 else 2,
                  "seed": 0, "cfg_dropout": 0.1, "dropout": 0.1, "t5_dropout": 0.1, "log_every": 25},
        "parts": {"text_encoder": True},
        "parallel": {"precision": "bf16", "compile": True, "tf32": True},
        # --ckpt-every 2000 / --eval_steps 2000 micro-batches = 500 optimizer steps; --save_total_limit 1.
        "checkpoint": {"every": 500, "keep": 1},
        "samples": {"every": 500, "cfg_scale": 7.5, "temperature": 0.9, "top_k": 0},
    }


def _tiny() -> dict[str, Any]:
    """CPU tests and CI: the tiny preset (0.2 M GPT, 32 px), fp32, no compile, a few steps."""
    return {
        "name": "tiny",
        "stage": 1,
        "model": {"preset": "tiny"},
        "data": {"num_workers": 0, "val_max_samples": 16},
        "optim": {"lr": 3e-3, "betas": [0.9, 0.95], "weight_decay": 0.05, "grad_clip": 1.0},
        "schedule": {"warmup": 0.1, "decay": "cosine", "min_lr_ratio": 0.1},
        "train": {"global_batch": 4, "grad_accum": 1, "epochs": 1000, "max_steps": 50, "seed": 0,
                  "cfg_dropout": 0.1, "dropout": 0.1, "t5_dropout": 0.1, "log_every": 10},
        # One thread: tiny ops gain nothing from more, and lose a lot on a shared machine.
        "parallel": {"precision": "fp32", "compile": False, "tf32": False, "cpu_threads": 1},
        "checkpoint": {"every": 25, "keep": 2},
        "samples": {"every": 0, "prompt": "a red square", "top_k": 0},
    }


NAMED_CONFIGS: dict[str, dict[str, Any]] = {
    "mentor-stage1": _mentor_stage(1),
    "mentor-stage2": _mentor_stage(2),
    "tiny": _tiny(),
}


# ------------------------------------------------------------------------------------------------
# Dicts -> typed config, with checked keys and types
# ------------------------------------------------------------------------------------------------

_MISSING = object()


def _type_name(tp: Any) -> str:
    origin = get_origin(tp)
    if origin is Literal:
        return " | ".join(repr(a) for a in get_args(tp))
    if origin in (typing.Union, types.UnionType):
        return " | ".join(_type_name(a) for a in get_args(tp))
    if tp is type(None):
        return "none"
    if origin is tuple:
        return f"tuple[{', '.join(_type_name(a) for a in get_args(tp))}]"
    if origin is dict:
        return "dict"
    return getattr(tp, "__name__", str(tp))


def _describe(value: Any) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 60 else text[:57] + '...'}"


def _parse_text(text: str, tp: Any, key: str) -> Any:
    """A CLI string -> a value of type `tp` (then checked by `_coerce`)."""
    origin = get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = get_args(tp)
        if type(None) in args and text.strip().lower() in ("none", "null", ""):
            return None
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _coerce(_parse_text(text, arg, key), arg, key)
            except ConfigError as e:
                errors.append(str(e))
        raise ConfigError(f"{key}: cannot read {text!r} as {_type_name(tp)}")
    if origin is Literal:
        for a in get_args(tp):
            if str(a) == text:
                return a
        return text
    if tp is bool:
        low = text.strip().lower()
        if low in ("true", "1", "yes", "on"):
            return True
        if low in ("false", "0", "no", "off"):
            return False
        raise ConfigError(f"{key}: expected bool (true/false), got {text!r}")
    if tp is int:
        try:
            return int(text)
        except ValueError:
            raise ConfigError(f"{key}: expected int, got {text!r}") from None
    if tp is float:
        try:
            return float(text)
        except ValueError:
            raise ConfigError(f"{key}: expected float, got {text!r}") from None
    if origin is tuple:
        stripped = text.strip()
        if stripped.startswith("["):
            try:
                items = json.loads(stripped)
            except json.JSONDecodeError:
                raise ConfigError(f"{key}: expected {_type_name(tp)}, got {text!r}") from None
            return items
        parts = [p.strip() for p in stripped.strip("()").split(",") if p.strip()]
        elem = get_args(tp)
        if elem and elem[-1] is not Ellipsis and len(parts) == len(elem):
            return [_parse_text(p, a, f"{key}[{i}]") for i, (p, a) in enumerate(zip(parts, elem))]
        if elem and elem[-1] is Ellipsis:
            return [_parse_text(p, elem[0], f"{key}[{i}]") for i, p in enumerate(parts)]
        raise ConfigError(f"{key}: expected {_type_name(tp)} (comma separated), got {text!r}")
    if tp is str:
        return text
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def _coerce(value: Any, tp: Any, key: str) -> Any:
    """Check `value` against the annotation `tp`; ints are accepted for floats, nothing else converts."""
    origin = get_origin(tp)
    if tp is Any:
        return value
    if origin in (typing.Union, types.UnionType):
        args = get_args(tp)
        if value is None:
            if type(None) in args:
                return None
            raise ConfigError(f"{key}: expected {_type_name(tp)}, got none")
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _coerce(value, arg, key)
            except ConfigError:
                continue
        raise ConfigError(f"{key}: expected {_type_name(tp)}, got {_describe(value)}")
    if origin is Literal:
        allowed = get_args(tp)
        if value in allowed and type(value) in {type(a) for a in allowed}:
            return value
        raise ConfigError(f"{key}: must be one of {', '.join(repr(a) for a in allowed)}; got {value!r}")
    if tp is bool:
        if isinstance(value, bool):
            return value
        raise ConfigError(f"{key}: expected bool, got {_describe(value)}")
    if tp is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise ConfigError(f"{key}: expected int, got {_describe(value)}")
    if tp is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        raise ConfigError(f"{key}: expected float, got {_describe(value)}")
    if tp is str:
        if isinstance(value, str):
            return value
        raise ConfigError(f"{key}: expected str, got {_describe(value)}")
    if origin is tuple:
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"{key}: expected {_type_name(tp)}, got {_describe(value)}")
        elem = get_args(tp)
        if elem and elem[-1] is Ellipsis:
            return tuple(_coerce(v, elem[0], f"{key}[{i}]") for i, v in enumerate(value))
        if len(value) != len(elem):
            raise ConfigError(f"{key}: expected {len(elem)} values ({_type_name(tp)}), got {len(value)}")
        return tuple(_coerce(v, a, f"{key}[{i}]") for i, (v, a) in enumerate(zip(value, elem)))
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{key}: expected a table/dict, got {_describe(value)}")
        return dict(value)
    if dataclasses.is_dataclass(tp):
        return _section_from_dict(tp, value, key)
    raise ConfigError(f"{key}: unsupported field type {tp!r}")  # a bug in this file, not in the input


def _init_fields(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls) if f.init}


def _unknown(key: str, name: str, known: typing.Iterable[str]) -> ConfigError:
    full = f"{key}.{name}" if key else name
    return ConfigError(f"{full}: unknown key; known keys{' of ' + key if key else ''}: {', '.join(sorted(known))}")


def _section_from_dict(cls: type, data: Any, key: str) -> Any:
    if isinstance(data, cls):
        return data
    if not isinstance(data, Mapping):
        raise ConfigError(f"{key or 'config'}: expected a table/dict, got {_describe(data)}")
    fields = _init_fields(cls)
    kwargs = {}
    for name, value in data.items():
        if name not in fields:
            raise _unknown(key, name, fields)
        sub = f"{key}.{name}" if key else name
        kwargs[name] = _coerce(value, fields[name], sub)
    if cls is ModelSection:
        kwargs["gpt"] = _check_overrides(GPTConfig, kwargs.get("gpt", {}), f"{key}.gpt")
        kwargs["encoder"] = _check_overrides(EncoderConfig, kwargs.get("encoder", {}), f"{key}.encoder")
    try:
        return cls(**kwargs)
    except ConfigError:
        raise
    except (TypeError, ValueError) as e:
        raise ConfigError(f"{key or 'config'}: {e}") from e


def _check_overrides(cls: type, overrides: Mapping[str, Any], key: str) -> dict[str, Any]:
    """GPTConfig / EncoderConfig overrides: known init fields with values of the field's type."""
    fields = _init_fields(cls)
    out = {}
    for name, value in overrides.items():
        if name not in fields:
            raise _unknown(key, name, fields)
        out[name] = _jsonable(_coerce(value, fields[name], f"{key}.{name}"))
    return out


def config_from_dict(data: Mapping[str, Any]) -> TrainerConfig:
    """A nested dict (e.g. parsed JSON) -> TrainerConfig; unknown keys and wrong types are errors."""
    return _section_from_dict(TrainerConfig, data, "")


# ------------------------------------------------------------------------------------------------
# Loading: named configs, files, overrides
# ------------------------------------------------------------------------------------------------

def _merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        if isinstance(v, Mapping) and isinstance(out.get(k), dict) and k not in ("gpt", "encoder"):
            out[k] = _merge(out[k], v)
        elif isinstance(v, Mapping) and isinstance(out.get(k), dict):
            out[k] = {**out[k], **v}  # model.gpt / model.encoder: override dicts merge key by key
        else:
            out[k] = v
    return out


def _read_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text()
    except OSError as e:
        raise ConfigError(f"--config {path}: cannot read ({e.strerror})") from None
    if path.suffix.lower() == ".toml":
        import tomllib

        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            raise ConfigError(f"--config {path}: not valid TOML ({e})") from None
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise ConfigError(f"--config {path}: not valid JSON (line {e.lineno}: {e.msg})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"--config {path}: the top level must be an object/table")
    return data


def base_dict(name_or_file: str) -> dict[str, Any]:
    """The raw dict of a named config or a config file (with its optional `"base"` resolved)."""
    if name_or_file in NAMED_CONFIGS:
        return json.loads(json.dumps(NAMED_CONFIGS[name_or_file]))
    path = Path(name_or_file)
    if not path.exists():
        raise ConfigError(f"--config {name_or_file}: neither a named config ({', '.join(NAMED_CONFIGS)}) "
                          "nor an existing file")
    data = _read_file(path)
    base = data.pop("base", None)
    if base is None:
        return data
    if base not in NAMED_CONFIGS:
        raise ConfigError(f"{path}: base: {base!r} is not a named config ({', '.join(NAMED_CONFIGS)})")
    return _merge(base_dict(base), data)


def _field_type_at(path: list[str]) -> Any:
    """The annotation of a dotted key, e.g. ["optim", "lr"] -> float; ["model", "gpt", "dim"] -> int."""
    cls: Any = TrainerConfig
    for i, name in enumerate(path):
        key = ".".join(path[:i])
        if cls in (GPTConfig, EncoderConfig):
            fields = _init_fields(cls)
            if name not in fields:
                raise _unknown(key, name, fields)
            if i != len(path) - 1:
                raise ConfigError(f"{'.'.join(path)}: {'.'.join(path[:i + 1])} is not a section")
            return fields[name]
        fields = _init_fields(cls)
        if name not in fields:
            raise _unknown(key, name, fields)
        tp = fields[name]
        if i == len(path) - 1:
            return tp
        if cls is ModelSection and name in ("gpt", "encoder"):
            cls = GPTConfig if name == "gpt" else EncoderConfig
        elif dataclasses.is_dataclass(tp):
            cls = tp
        else:
            raise ConfigError(f"{'.'.join(path)}: {'.'.join(path[:i + 1])} is not a section")
    raise ConfigError("empty key")


def parse_override(text: str) -> tuple[list[str], Any]:
    """`optim.lr=1e-4` -> (["optim", "lr"], 1e-4), the value parsed to the field's type."""
    if "=" not in text:
        raise ConfigError(f"{text!r}: overrides are key=value, e.g. optim.lr=1e-4")
    key, _, raw = text.partition("=")
    key = key.strip()
    path = [p for p in key.split(".")]
    if not key or any(not p for p in path):
        raise ConfigError(f"{text!r}: empty key")
    tp = _field_type_at(path)
    if dataclasses.is_dataclass(tp):
        raise ConfigError(f"{key}: is a section; set one of its keys, e.g. {key}.<name>=VALUE")
    value = _parse_text(raw, tp, key)
    return path, _jsonable(_coerce(value, tp, key))


def apply_overrides(base: dict[str, Any], overrides: typing.Sequence[str]) -> dict[str, Any]:
    out = json.loads(json.dumps(base))
    for text in overrides:
        path, value = parse_override(text)
        node = out
        for name in path[:-1]:
            child = node.get(name)
            if not isinstance(child, dict):
                child = {}
                node[name] = child
            node = child
        node[path[-1]] = value
    return out


def load_config(config: str = "tiny", overrides: typing.Sequence[str] = ()) -> TrainerConfig:
    """`--config NAME|FILE` plus `key=value` overrides -> a validated TrainerConfig."""
    return config_from_dict(apply_overrides(base_dict(config), overrides))


def config_diff(old: Mapping[str, Any], new: Mapping[str, Any], prefix: str = "") -> list[str]:
    """Dotted keys whose values differ, as 'key: old -> new' lines (for resume warnings)."""
    lines = []
    for k in sorted(set(old) | set(new)):
        a, b = old.get(k, _MISSING), new.get(k, _MISSING)
        key = f"{prefix}{k}"
        if isinstance(a, Mapping) and isinstance(b, Mapping):
            lines += config_diff(a, b, key + ".")
        elif a != b:
            lines.append(f"{key}: {'(unset)' if a is _MISSING else repr(a)} -> {'(unset)' if b is _MISSING else repr(b)}")
    return lines


def preset_image_size(cfg: TrainerConfig) -> int:
    return cfg.data.image_size if cfg.data.image_size is not None else PRESETS[cfg.model.preset].image_size
