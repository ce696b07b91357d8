"""Trainer checkpoints: `OUT/checkpoints/step-0000050.pt` + `step-0000050.pt.sha256` (spec §5.7).

A checkpoint is one `torch.save` dict that `torch.load(weights_only=True)` reads (tensors, numbers,
strings, lists, tuples and dicts only — no pickled classes):

    model       GPT keys + `multimodal_encoder.*` keys (the official MENTOR layout; what
                `python -m mentor_models.export --checkpoint` reads), fp32
    optimizer   AdamW state_dict (FSDP: the full, unsharded state keyed by parameter name)
    scheduler   the LRSchedule's fields (the lr is a function of the step)
    step        optimizer steps done
    data        {"epoch", "index"}: the next global micro-batch of the stream (data.py)
    rng         one dict per rank: python, numpy, torch (CPU) and cuda generator states
    config      the resolved TrainerConfig.to_dict(); config["model"] = {"preset", "gpt", "encoder"}
    world_size, format, metrics (the last step's metrics line)

Writes are atomic: a temporary file in the same folder is written, fsynced and renamed, then the
`.sha256` sidecar (sha256sum format) the same way. A checkpoint without a matching sidecar is
incomplete or damaged; `--resume auto` skips it and takes the newest valid one.
"""

from __future__ import annotations

import hashlib
import os
import random
import re
from pathlib import Path
from typing import Any

import numpy as np
import torch

FORMAT = "mentor-trainer-checkpoint/1"
_NAME = re.compile(r"^step-(\d{7,})\.pt$")


class ResumeError(RuntimeError):
    """A checkpoint that cannot be resumed from; the message says which file and why."""


def checkpoint_dir(out: Path) -> Path:
    return out / "checkpoints"


def checkpoint_path(out: Path, step: int) -> Path:
    return checkpoint_dir(out) / f"step-{step:07d}.pt"


def sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def save_checkpoint(payload: dict[str, Any], path: Path) -> str:
    """Write `payload` to `path` atomically, then its sidecar; returns the sha256."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as f:
            torch.save(payload, f)
            f.flush()
            os.fsync(f.fileno())
        digest = sha256_of(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    atomic_write_bytes(sidecar(path), f"{digest}  {path.name}\n".encode())
    _fsync_dir(path.parent)
    return digest


def verify(path: Path) -> str | None:
    """None when `path` has a sidecar whose hash matches, else the reason it does not."""
    side = sidecar(path)
    if not path.is_file():
        return "no such file"
    if not side.is_file():
        return f"no {side.name} (the write did not finish)"
    try:
        expected = side.read_text().split()[0].lower()
    except (OSError, IndexError):
        return f"{side.name} is unreadable"
    actual = sha256_of(path)
    if actual != expected:
        return f"sha256 {actual[:12]}… does not match {side.name} ({expected[:12]}…)"
    return None


def list_checkpoints(out: Path) -> list[tuple[int, Path]]:
    """(step, path) of every step-*.pt in OUT/checkpoints, oldest first."""
    folder = checkpoint_dir(out)
    if not folder.is_dir():
        return []
    found = []
    for p in folder.iterdir():
        m = _NAME.match(p.name)
        if m:
            found.append((int(m.group(1)), p))
    return sorted(found)


def latest_valid(out: Path, log=print) -> Path | None:
    """The newest checkpoint whose sidecar matches (damaged/incomplete newer ones are reported, skipped)."""
    for step, path in reversed(list_checkpoints(out)):
        problem = verify(path)
        if problem is None:
            return path
        log(f"resume: skipping {path}: {problem}")
    return None


def prune(out: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` checkpoints (and their sidecars); returns what was removed."""
    removed = []
    for _, path in list_checkpoints(out)[:-keep] if keep > 0 else []:
        for p in (path, sidecar(path)):
            try:
                p.unlink()
                removed.append(p)
            except FileNotFoundError:
                pass
    return removed


def load_checkpoint(path: Path, *, check_hash: bool = True) -> dict[str, Any]:
    """Read one of our checkpoints for resuming (hash checked when a sidecar exists)."""
    if not path.is_file():
        raise ResumeError(f"--resume {path}: no such file")
    if check_hash and sidecar(path).is_file():
        problem = verify(path)
        if problem:
            raise ResumeError(f"--resume {path}: {problem}")
    try:
        # mmap: eight ranks reading a 25 GB stage-2 checkpoint share the page cache instead of RAM.
        obj = torch.load(path, map_location="cpu", weights_only=True, mmap=True)
    except Exception as e:  # noqa: BLE001 - torch raises several types for a bad file
        raise ResumeError(f"--resume {path}: not a readable checkpoint ({type(e).__name__}: {e})") from None
    if not isinstance(obj, dict) or obj.get("format") != FORMAT:
        raise ResumeError(f"--resume {path}: not a mentor_models.train checkpoint (format {FORMAT!r} expected); "
                          "to start from official weights use init.generator= or init.checkpoint=")
    return obj


# ------------------------------------------------------------------------------------------------
# RNG states
# ------------------------------------------------------------------------------------------------

def rng_state() -> dict[str, Any]:
    """Every generator the training step draws from, in weights_only-loadable form."""
    kind, keys, pos, has_gauss, cached = np.random.get_state()
    state: dict[str, Any] = {
        "python": random.getstate(),
        "numpy": {"kind": kind, "keys": torch.from_numpy(np.asarray(keys, dtype=np.int64)), "pos": int(pos),
                  "has_gauss": int(has_gauss), "cached_gaussian": float(cached)},
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    py = state["python"]
    random.setstate((py[0], tuple(py[1]), py[2]))
    n = state["numpy"]
    np.random.set_state((n["kind"], n["keys"].numpy().astype(np.uint32), n["pos"], n["has_gauss"],
                         n["cached_gaussian"]))
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])
