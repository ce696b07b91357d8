"""Issue 6, must-show 3: a run SIGKILLed right after its step-k checkpoint and resumed with `--resume auto`
gives exactly the uninterrupted run's curve from k on (CPU), with dropouts and CFG drops on,
gradient accumulation and epochs crossing inside an optimizer step; the weights and AdamW state at
the end are bit-identical. A damaged newest checkpoint (sha256 sidecar mismatch) is skipped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from mentor_models.dataset.synthetic import write_synthetic_dataset
from mentor_models.train.checkpointing import ResumeError, load_checkpoint
from mentor_models.train.config import load_config
from mentor_models.train.loop import KILL_ENV, train
from mentor_models.train.metrics import read_metrics

NATIVE_MODELS = Path(__file__).resolve().parents[1]
STEPS, KILL = 12, 6


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("resume")
    data = write_synthetic_dataset(root / "data", n_images=2, size=32, kinds=("t2i", "reconstruction", "segmentation"))
    # 6 rows, global batch 4: one micro-batch per epoch, so every step (2 micro-batches) crosses an epoch.
    overrides = [f"data.train={data}", f"train.max_steps={STEPS}", "train.grad_accum=2", "checkpoint.every=3",
                 "checkpoint.keep=4", "train.log_every=1"]
    cfg = load_config("tiny", overrides)
    assert cfg.train.dropout == 0.1 and cfg.train.cfg_dropout == 0.1 and cfg.data.image_only_rate == 0.1
    assert train(cfg, root / "full", log=lambda _: None) == 0

    killed = root / "killed"
    env = {**os.environ, KILL_ENV: str(KILL), "OMP_NUM_THREADS": "1"}
    result = subprocess.run([sys.executable, "-m", "mentor_models.train", "--config", "tiny", "--out", str(killed),
                             *overrides], cwd=NATIVE_MODELS, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == -9, (result.returncode, result.stderr[-2000:])
    return {"root": root, "cfg": cfg, "killed": killed, "full": read_metrics(root / "full" / "metrics.jsonl")}


def resume(setup: dict, name: str) -> tuple[Path, list[str]]:
    out = setup["root"] / name
    shutil.copytree(setup["killed"], out)
    lines: list[str] = []
    assert train(setup["cfg"], out, resume="auto", log=lines.append) == 0
    return out, lines


def test_killed_run_left_a_checkpoint_and_a_truthful_status(setup: dict) -> None:
    import json

    killed = setup["killed"]
    status = json.loads((killed / "status.json").read_text())
    assert status["step"] == KILL and status["phase"] == "training"
    assert status["last_checkpoint"].endswith(f"step-{KILL:07d}.pt")
    assert [r["step"] for r in read_metrics(killed / "metrics.jsonl")] == list(range(1, KILL + 1))


def test_resume_equals_the_uninterrupted_run_exactly(setup: dict) -> None:
    out, lines = resume(setup, "resumed")
    assert f"resumed from step {KILL} ({out / 'checkpoints' / f'step-{KILL:07d}.pt'})" in lines
    full, resumed = setup["full"], read_metrics(out / "metrics.jsonl")
    assert [r["step"] for r in resumed] == list(range(1, STEPS + 1))
    for key in ("loss", "grad_norm", "lr", "epoch"):
        assert [r[key] for r in resumed] == [r[key] for r in full], key
    print(f"\nresumed at step {KILL}: steps {KILL + 1}..{STEPS} losses equal bit for bit "
          "(" + ", ".join(f"{r['loss']:.6f}" for r in resumed[KILL:]) + ")")
    a = load_checkpoint(setup["root"] / "full" / "checkpoints" / f"step-{STEPS:07d}.pt")
    b = load_checkpoint(out / "checkpoints" / f"step-{STEPS:07d}.pt")
    assert a["data"] == b["data"] and a["step"] == b["step"] == STEPS
    assert all(torch.equal(a["model"][k], b["model"][k]) for k in a["model"])
    for pid, state in a["optimizer"]["state"].items():
        other = b["optimizer"]["state"][pid]
        assert all(torch.equal(state[k], other[k]) for k in ("exp_avg", "exp_avg_sq", "step")), pid


def test_resume_auto_skips_a_damaged_checkpoint(setup: dict) -> None:
    out = setup["root"] / "damaged"
    shutil.copytree(setup["killed"], out)
    newest = out / "checkpoints" / f"step-{KILL:07d}.pt"
    data = bytearray(newest.read_bytes())
    data[len(data) // 2] ^= 0xFF
    newest.write_bytes(bytes(data))
    with pytest.raises(ResumeError, match="sha256"):
        load_checkpoint(newest)
    lines: list[str] = []
    assert train(setup["cfg"], out, resume="auto", log=lines.append) == 0
    assert any(line.startswith(f"resume: skipping {newest}: sha256") for line in lines)
    assert f"resumed from step 3 ({out / 'checkpoints' / 'step-0000003.pt'})" in lines
    assert [r["loss"] for r in read_metrics(out / "metrics.jsonl")] == [r["loss"] for r in setup["full"]]
