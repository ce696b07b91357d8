"""The training loop: stage 1 / stage 2 of MENTOR (spec/mentor-model.md §5), one process per device.

Per optimizer step: A = grad_accum micro-batches, each of global_batch / world_size samples on this
rank. Per micro-batch: VQ codes of the targets (frozen VQ, fp32, no grad; or precomputed), the CFG
drop flags (data.py), forward (bf16 autocast on CUDA) -> summed token cross-entropy, backward of
that sum × world_size / (tokens of the whole optimizer step) — so after DDP's average the gradient
is the mean over every token of the global batch (the documented recipe), whatever the number of
ranks; with `recipe.official_quirks` × A as well (the official code sums micro-batch means).
Then clip to optim.grad_clip, set the lr from the schedule, AdamW step.

Exact resume: the loss curve after `--resume` equals the uninterrupted run's on CPU, because the
checkpoint restores weights, AdamW state, step, data position and every RNG the step draws from,
and nothing else draws from those RNGs (sample images, validation and DataLoader start-up use their
own generators or `fork_rng`).

Test hook: with MENTOR_TRAIN_TEST_KILL_AFTER_STEP=k in the environment the process SIGKILLs
itself right after the checkpoint of step k is written (used by the resume test).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import random
import signal
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np
import torch
from torch import nn

from . import checkpointing as ck
from .config import TrainerConfig, config_diff
from .data import MicroBatchPlan, MicroBatchStream, collate_items, mix_seed, open_dataset
from .distributed import (DistEnv, all_gather_objects, all_reduce_sum, barrier, broadcast_object,
                          init_distributed, shutdown, unwrap, wrap_model)
from .freeze import apply_stage
from .metrics import MetricsLog, Status, memory_fields
from .model import build_model, export_state_dict, import_state_dict
from .schedule import LRSchedule

KILL_ENV = "MENTOR_TRAIN_TEST_KILL_AFTER_STEP"


class TrainingError(RuntimeError):
    """A run that cannot start or continue; the message says why."""


def decay_groups(model: nn.Module, weight_decay: float) -> list[dict[str, Any]]:
    """AdamW groups: decay on trainable parameters with dim >= 2, none on the rest (spec §5.4)."""
    decay, no_decay = [], []
    for _, p in model.named_parameters():
        if p.requires_grad:
            (decay if p.dim() >= 2 else no_decay).append(p)
    return [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]


def _autocast(device: torch.device, precision: str):
    if device.type == "cuda" and precision == "bf16":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()


def _fork_rng(device: torch.device):
    return torch.random.fork_rng(devices=[device] if device.type == "cuda" else [])


def _seed_all(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


class Trainer:
    def __init__(self, cfg: TrainerConfig, out: Path, *, resume: str | None = None,
                 log: Callable[[str], None] = print) -> None:
        self.cfg, self.out, self.resume_arg = cfg, Path(out), resume
        self.env: DistEnv = init_distributed(cfg.parallel.backend)
        self._log = log
        self.status: Status | None = None

    def log(self, msg: str) -> None:
        if self.env.is_main:
            self._log(msg)

    # --------------------------------------------------------------------------------------------

    def run(self) -> int:
        env = self.env
        threads = torch.get_num_threads()
        if self.cfg.parallel.cpu_threads and env.device.type == "cpu":
            torch.set_num_threads(self.cfg.parallel.cpu_threads)
        try:
            if env.is_main:
                self.out.mkdir(parents=True, exist_ok=True)
                self.status = Status(self.out / "status.json", 0)
                self.status.update(phase="starting")
            barrier(env)
            self._setup()
            self._train()
            return 0
        except BaseException as e:
            if self.status is not None:
                try:
                    self.status.update(phase="failed", error=f"{type(e).__name__}: {e}")
                except OSError:
                    pass
            raise
        finally:
            torch.set_num_threads(threads)
            shutdown(env)

    def _setup(self) -> None:
        cfg, env = self.cfg, self.env
        if cfg.data.train is None:
            raise TrainingError("data.train: no training data; pass --data FILE.jsonl (or synthetic:N)")
        device = env.device
        if device.type == "cuda" and cfg.parallel.tf32:
            torch.backends.cuda.matmul.allow_tf32 = True
            torch.backends.cudnn.allow_tf32 = True
        if device.type != "cuda" and cfg.parallel.precision == "bf16":
            self.log("parallel.precision: bf16 autocast needs CUDA; this CPU run computes in fp32")
        self.log(f"train: {cfg.name}, stage {cfg.stage}, {env.world_size} process(es) on {device.type}"
                 f"{' (' + env.backend + ')' if env.backend else ''}")

        # --- model ---
        built = build_model(cfg, log=self.log)
        self.built = built
        model = built.model
        report = apply_stage(model, cfg.stage, cfg.parts.text_encoder)
        self.log(f"stage {cfg.stage}: {report.summary()}")
        resume_path = self._resume_path()
        self.ckpt: dict[str, Any] | None = None
        if resume_path is not None:
            # Rank 0 checks the sha256 sidecar once (auto mode already did); the others just read.
            self.ckpt = ck.load_checkpoint(resume_path, check_hash=env.is_main and self.resume_arg != "auto")
            self._check_resume_config(self.ckpt, resume_path)
            if not cfg.parallel.fsdp:
                model.load_state_dict(import_state_dict(self.ckpt["model"]), strict=True)
        self.resume_path = resume_path
        model.to(device)
        built.vq.to(device)
        model.train()
        if cfg.parallel.compile:
            if device.type == "cuda":
                model.compile_gpt()
            else:
                self.log("parallel.compile: skipped on CPU")
        self.model = wrap_model(model, env, fsdp=cfg.parallel.fsdp,
                                find_unused_parameters=cfg.parallel.find_unused_parameters)
        if cfg.parallel.fsdp and self.ckpt is not None:
            from torch.distributed.checkpoint.state_dict import StateDictOptions, set_model_state_dict

            set_model_state_dict(self.model, import_state_dict(self.ckpt["model"]),
                                 options=StateDictOptions(full_state_dict=True, broadcast_from_rank0=False))

        # --- data ---
        t = cfg.train
        cache = None
        if cfg.data.precompute_codes:
            cache = cfg.data.codes_cache or str(self.out / "vq_codes.pt")
        common = dict(built=built, stage=cfg.stage, skip_bad_rows=cfg.data.skip_bad_rows, reference=cfg.data.reference,
                      codes_device=device, is_main=env.is_main, barrier=lambda: barrier(env), log=self.log)
        image_only = cfg.data.image_only_rate if cfg.stage == 1 else 0.0
        self.dataset = open_dataset(cfg.data.train, seed=t.seed, image_only_rate=image_only, codes_cache=cache,
                                    **common)
        self.val_dataset = None
        if cfg.data.val:
            # No image-only rows in validation: the held-out loss measures the rows as written.
            self.val_dataset = open_dataset(cfg.data.val, seed=t.seed + 1, image_only_rate=0.0, codes_cache=None,
                                            **common)
        try:
            self.plan = MicroBatchPlan(len(self.dataset), t.global_batch, env.world_size, env.rank, t.seed)
        except ValueError as e:
            raise TrainingError(str(e)) from None
        micro_total = t.epochs * self.plan.micro_per_epoch
        total = micro_total // t.grad_accum
        if total < 1:
            raise TrainingError(f"train.grad_accum: {t.grad_accum} micro-batches per step but the data gives only "
                                f"{micro_total} ({len(self.dataset)} samples // global_batch {t.global_batch} × "
                                f"{t.epochs} epochs)")
        if t.max_steps is not None:
            total = min(total, t.max_steps)
        self.total_steps = total
        self.tokens_per_sample = built.gpt_cfg.cls_token_num + built.gpt_cfg.block_size
        self.log(f"data: {len(self.dataset)} samples, {self.plan.micro_per_epoch} global micro-batches of "
                 f"{t.global_batch} per epoch, {t.grad_accum} per step -> {total} optimizer steps "
                 f"({cfg.samples_per_step()} samples each)")

        # --- optimizer, schedule ---
        groups = decay_groups(unwrap(self.model), cfg.optim.weight_decay)
        fused = {"fused": True} if device.type == "cuda" else {}
        self.optimizer = torch.optim.AdamW(groups, lr=cfg.optim.lr, betas=cfg.optim.betas, eps=cfg.optim.eps,
                                           **fused)
        self.schedule = LRSchedule(peak=cfg.optim.lr, total_steps=total, warmup=cfg.schedule.warmup,
                                   decay=cfg.schedule.decay, min_ratio=cfg.schedule.min_lr_ratio,
                                   official_quirks=cfg.recipe.official_quirks, grad_accum=t.grad_accum)
        self.trainable = [p for g in groups for p in g["params"]]

        # --- state: fresh or restored ---
        self.step, epoch, index = 0, 0, 0
        if self.ckpt is not None:
            self._restore_optimizer(self.ckpt)
            self.step = int(self.ckpt["step"])
            epoch, index = int(self.ckpt["data"]["epoch"]), int(self.ckpt["data"]["index"])
            self._restore_rng(self.ckpt)
            self.log(f"resumed from step {self.step} ({self.resume_path})")
            self.last_checkpoint = str(self.resume_path)
        else:
            _seed_all(mix_seed(t.seed, env.rank, 0x7A1))
            self.last_checkpoint = None
        self.ckpt = None
        self.stream = MicroBatchStream(self.dataset, self.plan, epoch=epoch, index=index,
                                       num_workers=cfg.data.num_workers, pin_memory=device.type == "cuda")
        if env.is_main:
            (self.out / "config.json").write_text(json.dumps(cfg.to_dict(), indent=2) + "\n")
            if built.vq_random:
                vq_file = self.out / "vq-random.pt"
                torch.save({"model": {k: v.cpu() for k, v in built.vq.state_dict().items()}}, vq_file)
                self.log(f"init: no init.vq: the VQ is random (seed {cfg.init.seed}); saved to {vq_file} for export")
            self.metrics = MetricsLog(self.out / "metrics.jsonl",
                                      resume_step=self.step if self.resume_path is not None else None)
            assert self.status is not None
            self.status.update(phase="training", step=self.step, total_steps=total,
                               last_checkpoint=self.last_checkpoint)

    # --------------------------------------------------------------------------------------------

    def _resume_path(self) -> Path | None:
        arg = self.resume_arg
        if arg is None:
            return None
        if arg == "auto":
            found = ck.latest_valid(self.out, log=self.log) if self.env.is_main else None
            found = broadcast_object(self.env, str(found) if found else None)
            if found is None:
                self.log(f"resume: no valid checkpoint in {ck.checkpoint_dir(self.out)}; starting at step 0")
                return None
            return Path(found)
        return Path(arg)

    def _check_resume_config(self, ckpt: dict[str, Any], path: Path) -> None:
        old = ckpt.get("config", {})
        new = self.cfg.to_dict()
        if old.get("model") != new["model"]:
            raise ck.ResumeError(f"--resume {path}: model differs from the checkpoint's "
                                 f"({'; '.join(config_diff(old.get('model', {}), new['model'], 'model.'))})")
        if old.get("stage") != new["stage"]:
            raise ck.ResumeError(f"--resume {path}: the checkpoint is stage {old.get('stage')}; to start stage "
                                 f"{new['stage']} from it use init.checkpoint={path}")
        for line in config_diff(old, new):
            if not line.startswith("name:"):
                self.log(f"resume: config changed: {line}")
        if int(ckpt.get("world_size", self.env.world_size)) != self.env.world_size:
            self.log(f"resume: {ckpt['world_size']} processes wrote the checkpoint, {self.env.world_size} resume it: "
                     "the data order is the same, dropout random streams are not")

    def _restore_optimizer(self, ckpt: dict[str, Any]) -> None:
        if self.cfg.parallel.fsdp:
            from torch.distributed.checkpoint.state_dict import StateDictOptions, set_optimizer_state_dict

            set_optimizer_state_dict(self.model, self.optimizer, ckpt["optimizer"],
                                     options=StateDictOptions(full_state_dict=True))
        else:
            self.optimizer.load_state_dict(ckpt["optimizer"])

    def _restore_rng(self, ckpt: dict[str, Any]) -> None:
        states = ckpt.get("rng") or []
        if self.env.rank < len(states) and len(states) == self.env.world_size:
            ck.set_rng_state(states[self.env.rank])
        else:
            _seed_all(mix_seed(self.cfg.train.seed, self.env.rank, int(ckpt["step"]), 0x7A1))

    # --------------------------------------------------------------------------------------------

    def _micro_step(self, mb, scale: float, sync: bool) -> tuple[torch.Tensor, int]:
        device, cfg = self.env.device, self.cfg
        batch = {k: v.to(device, non_blocking=True) for k, v in mb.batch.items()}
        if "codes" in batch:
            codes = batch["codes"]
        else:
            with torch.no_grad(), torch.autocast(device.type, enabled=False):
                codes = self.built.vq.encode_to_codes(batch["target"].float())  # [b, N], fp32 VQ (§5.3)
        null_rows = self.plan.null_rows(mb.epoch, mb.index, cfg.train.cfg_dropout).to(device)
        no_sync = (not sync and isinstance(self.model, nn.parallel.DistributedDataParallel))
        ctx = self.model.no_sync() if no_sync else contextlib.nullcontext()
        with ctx:
            with _autocast(device, cfg.parallel.precision):
                per_sample = self.model(batch["input_ids"], batch["attention_mask"], batch["pixels"],
                                        batch["image_counts"], codes, null_rows)
            loss_sum = per_sample.sum()
            (loss_sum * scale).backward()
        return loss_sum.detach().double().cpu(), codes.numel()

    def _train(self) -> None:
        cfg, env = self.cfg, self.env
        t = cfg.train
        n_tokens = self.built.gpt_cfg.block_size
        tokens_per_step = t.global_batch * t.grad_accum * n_tokens
        scale = env.world_size / tokens_per_step
        if cfg.recipe.official_quirks:
            scale *= t.grad_accum  # the official code sums the micro-batch means (config.py)
        kill_at = int(os.environ.get(KILL_ENV, "0") or 0)
        started = time.perf_counter()
        recent: list[float] = []
        self.model.train()
        while self.step < self.total_steps:
            t0 = time.perf_counter()
            lr = self.schedule.lr(self.step)
            for group in self.optimizer.param_groups:
                group["lr"] = lr
            local = torch.zeros(2, dtype=torch.float64)
            for micro in range(t.grad_accum):
                mb = next(self.stream)
                loss_sum, count = self._micro_step(mb, scale, sync=micro == t.grad_accum - 1)
                local += torch.tensor([float(loss_sum), count], dtype=torch.float64)
            grad_norm = self._clip()
            self.optimizer.step()
            self.optimizer.zero_grad(set_to_none=True)
            total = all_reduce_sum(env, local)
            loss = float(total[0] / total[1])
            if env.device.type == "cuda":
                torch.cuda.synchronize(env.device)
            step_time = time.perf_counter() - t0
            self.step += 1
            if not math.isfinite(loss):
                raise TrainingError(f"step {self.step}: the loss is {loss}; stopping (lower optim.lr?)")
            recent = (recent + [step_time])[-20:]
            samples = cfg.samples_per_step()
            record: dict[str, Any] = {
                "step": self.step, "loss": loss, "lr": lr, "grad_norm": grad_norm,
                "samples_per_s": samples / step_time, "tokens_per_s": samples * self.tokens_per_sample / step_time,
                **memory_fields(env.device), "step_time_s": step_time,
                "wall_s": time.perf_counter() - started, "epoch": self.stream.position[0], "time": time.time(),
            }
            if self.val_dataset is not None and self._due(cfg.data.val_every or cfg.checkpoint.every):
                record["val_loss"] = self._validate()
            if env.is_main:
                self.metrics.write(record)
                if self.step % t.log_every == 0 or self.step == self.total_steps or self.step == 1:
                    val = f" val_loss {record['val_loss']:.4f}" if "val_loss" in record else ""
                    self.log(f"step {self.step}/{self.total_steps} loss {loss:.4f}{val} lr {lr:.3e} "
                             f"grad_norm {grad_norm:.3f} {record['samples_per_s']:.1f} samples/s "
                             f"{record['tokens_per_s']:.0f} tokens/s")
                eta = (self.total_steps - self.step) * (sum(recent) / len(recent))
                assert self.status is not None
                self.status.update(phase="training", step=self.step, eta_s=round(eta, 1))
            if cfg.samples.every and self._due(cfg.samples.every):
                self._sample()
            if self.step % cfg.checkpoint.every == 0 or (self.step == self.total_steps and cfg.checkpoint.at_end):
                self._save()
                if kill_at and self.step == kill_at:
                    os.kill(os.getpid(), signal.SIGKILL)
        self.stream.close()
        if env.is_main:
            self.metrics.close()
            assert self.status is not None
            self.status.update(phase="done", step=self.step, eta_s=0.0, last_checkpoint=self.last_checkpoint)
            self.log(f"done: {self.step} steps in {time.perf_counter() - started:.1f} s; "
                     f"last checkpoint {self.last_checkpoint}")

    def _due(self, every: int) -> bool:
        return self.step % every == 0 or self.step == self.total_steps

    def _clip(self) -> float:
        max_norm = self.cfg.optim.grad_clip if self.cfg.optim.grad_clip > 0 else float("inf")
        norm = torch.nn.utils.clip_grad_norm_(self.trainable, max_norm)
        if hasattr(norm, "full_tensor"):  # FSDP2: a DTensor
            norm = norm.full_tensor()
        return float(norm)

    # --------------------------------------------------------------------------------------------

    def _state_dicts(self) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
        if self.cfg.parallel.fsdp:
            from torch.distributed.checkpoint.state_dict import StateDictOptions, get_state_dict

            model_sd, optim_sd = get_state_dict(self.model, self.optimizer,
                                                options=StateDictOptions(full_state_dict=True, cpu_offload=True))
            return export_state_dict(model_sd), optim_sd
        model_sd = {k: v.detach().to("cpu", copy=True) for k, v in unwrap(self.model).state_dict().items()}
        return export_state_dict(model_sd), self.optimizer.state_dict()

    def _save(self) -> None:
        env = self.env
        if env.is_main:
            assert self.status is not None
            self.status.update(phase="saving", step=self.step)
        model_sd, optim_sd = self._state_dicts()
        rng = all_gather_objects(env, ck.rng_state())
        epoch, index = self.stream.position
        if env.is_main:
            path = ck.checkpoint_path(self.out, self.step)
            payload = {
                "format": ck.FORMAT, "model": model_sd, "optimizer": optim_sd, "scheduler": self.schedule.state_dict(),
                "step": self.step, "data": {"epoch": epoch, "index": index}, "rng": rng,
                "config": self.cfg.to_dict(), "world_size": env.world_size,
            }
            ck.save_checkpoint(payload, path)
            for removed in ck.prune(self.out, self.cfg.checkpoint.keep):
                if removed.suffix == ".pt":
                    self.log(f"checkpoint: removed {removed.name} (checkpoint.keep={self.cfg.checkpoint.keep})")
            self.last_checkpoint = str(path)
            self.log(f"checkpoint: {path}")
            assert self.status is not None
            self.status.update(phase="training", last_checkpoint=str(path))
        barrier(env)

    def _validate(self) -> float:
        """Mean token cross-entropy over data.val (no CFG drop, eval mode), all ranks together."""
        cfg, env = self.cfg, self.env
        assert self.val_dataset is not None
        n = min(len(self.val_dataset), cfg.data.val_max_samples)
        per_rank = -(-n // env.world_size)
        mine = list(range(env.rank, n, env.world_size))
        weights = [1.0] * len(mine) + [0.0] * (per_rank - len(mine))
        mine += [0] * (per_rank - len(mine))  # equal batch counts on every rank (FSDP collectives)
        b = self.plan.per_rank
        model = self.model if cfg.parallel.fsdp else unwrap(self.model)
        sums = torch.zeros(2, dtype=torch.float64)
        was_training = model.training
        model.eval()
        with _fork_rng(env.device), torch.no_grad():
            for start in range(0, per_rank, b):
                idx, w = mine[start:start + b], torch.tensor(weights[start:start + b], dtype=torch.float64)
                batch = {k: v.to(env.device) for k, v in collate_items([self.val_dataset[i] for i in idx]).items()}
                if "codes" in batch:
                    codes = batch["codes"]
                else:
                    codes = self.built.vq.encode_to_codes(batch["target"].float())
                with _autocast(env.device, cfg.parallel.precision):
                    per_sample = model(batch["input_ids"], batch["attention_mask"], batch["pixels"],
                                       batch["image_counts"], codes, None)
                sums += torch.stack([(per_sample.double().cpu() * w).sum(), w.sum() * codes.shape[1]])
        model.train(was_training)
        total = all_reduce_sum(env, sums)
        return float(total[0] / total[1])

    def _sample(self) -> None:
        cfg, env = self.cfg, self.env
        if cfg.parallel.fsdp:
            if self.step == cfg.samples.every:
                self.log("samples: skipped under FSDP (the sharded model cannot decode on one rank)")
            return
        if env.is_main:
            from .samples import generate_sample, save_sample

            s = cfg.samples
            with _fork_rng(env.device):
                _, image = generate_sample(unwrap(self.model), self.built.vq, self.built.tokenizer, prompt=s.prompt,
                                        reference=s.reference, seed=s.seed, cfg_scale=s.cfg_scale,
                                        temperature=s.temperature, top_k=s.top_k, top_p=s.top_p, device=env.device)
            path = save_sample(image, self.out / "samples" / f"step-{self.step:07d}.png")
            self.log(f"samples: {path}")
        barrier(env)


def train(cfg: TrainerConfig, out: Path | str, *, resume: str | None = None,
          log: Callable[[str], None] = print) -> int:
    return Trainer(cfg, Path(out), resume=resume, log=log).run()
