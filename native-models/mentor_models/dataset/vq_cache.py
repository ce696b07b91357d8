"""Precomputed VQ codes of the training targets (an option; the official recipe encodes on the fly).

Targets do not depend on the epoch or the rng (spec §5.6: image-only and recovery change only the
sources), so one VQ pass per row and stage is enough. The file is a `torch.save` dict:

    format "mentor-vq-codes", version 1
    rows_sha256   fingerprint of the rows (line numbers, JSON content, base folder): a hash of the JSONL
    vq_sha256     fingerprint of the VQ model's state dict (names, dtypes, shapes, bytes)
    stage, image_size, block_size
    lines         [n] the rows' 1-based JSONL line numbers
    codes         int32 [n, N]

`load_codes` returns a `CodeCache`: {row line: int64 [N]} (the `vq_codes` argument of
MentorDataset) that remembers what it was made from. It refuses (StaleCacheError) a file whose
fingerprints, stage or image size differ from the expectations it is given, and MentorDataset
checks the rows, stage, image size and block size again against itself, so a stale cache cannot
train on the wrong targets silently. Only the VQ weights need `load_codes(..., vq_model=...)`.
Editing an image file in place without changing the JSONL is not detected: rebuild the cache.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any, Callable, Sequence

import torch
from torch import nn

from .images import target_array
from .jsonl import DataError, Row, RowsReport
from .samples import build_target

FORMAT = "mentor-vq-codes"
VERSION = 1


class StaleCacheError(DataError):
    """A VQ code cache that does not belong to this data, VQ model, stage or image size."""


class CodeCache(dict):
    """{row line: int64 [N]} plus the fingerprints and settings the codes were made with."""

    def __init__(self, codes: dict[int, torch.Tensor], *, file: Path, rows_sha256: str, vq_sha256: str,
                 stage: int, image_size: int, block_size: int) -> None:
        super().__init__(codes)
        self.file, self.rows_sha256, self.vq_sha256 = file, rows_sha256, vq_sha256
        self.stage, self.image_size, self.block_size = stage, image_size, block_size

    def check(self, *, rows: Any = None, vq_model: nn.Module | None = None, stage: int | None = None,
              image_size: int | None = None, block_size: int | None = None) -> None:
        """StaleCacheError unless the cache matches every expectation given."""
        stale = []
        if rows is not None and self.rows_sha256 != rows_fingerprint(rows):
            stale.append("the JSONL rows changed")
        if vq_model is not None and self.vq_sha256 != vq_fingerprint(vq_model):
            stale.append("the VQ weights differ")
        if stage is not None and self.stage != stage:
            stale.append(f"it was made for stage {self.stage}, not {stage}")
        if image_size is not None and self.image_size != image_size:
            stale.append(f"it was made at {self.image_size} px, not {image_size}")
        if block_size is not None and self.block_size != block_size:
            stale.append(f"it holds {self.block_size} codes per image, not {block_size}")
        if stale:
            raise StaleCacheError(f"{self.file}: stale VQ code cache ({'; '.join(stale)}); delete it to rebuild")


def _row_list(rows: Any) -> Sequence[Row]:
    if hasattr(rows, "source_rows"):  # a MentorDataset: the rows it was given, before prompt skips
        return rows.source_rows
    return rows.rows if isinstance(rows, RowsReport) else rows


def rows_fingerprint(rows: Any) -> str:
    """Of a RowsReport, a list of Rows, or the rows a MentorDataset was built from (so the report
    and the dataset built from its rows give the same answer)."""
    digest = hashlib.sha256()
    for row in _row_list(rows):
        digest.update(json.dumps([row.line, str(row.base_dir), row.raw], sort_keys=True,
                                 ensure_ascii=False).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def vq_fingerprint(vq_model: nn.Module) -> str:
    digest = hashlib.sha256()
    for name, tensor in sorted(vq_model.state_dict().items()):
        t = tensor.detach().cpu().contiguous()
        digest.update(f"{name}|{t.dtype}|{tuple(t.shape)}\n".encode())
        digest.update(t.view(torch.uint8).numpy().tobytes() if t.numel() else b"")
    return digest.hexdigest()


@torch.no_grad()
def precompute_codes(source: Any, vq_model: nn.Module, out_file: str | Path, *, stage: int | None = None,
                     image_size: int | None = None, batch_size: int = 8, device: str | torch.device | None = None,
                     log: Callable[[str], None] | None = None) -> Path:
    """Encodes every target with `vq_model` (eval mode, no grad; its mode is restored) and writes
    the cache atomically.

    source: a MentorDataset (its rows, stage and image size; codes for the rows it kept), or a
    RowsReport / list of Rows together with stage= and image_size= (codes for every row).
    """
    if hasattr(source, "target_tensor"):
        if (stage is not None and stage != source.stage) or (image_size is not None and image_size != source.image_size):
            raise ValueError("precompute_codes: stage/image_size differ from the dataset's; leave them out")
        stage, image_size = source.stage, source.image_size
        rows: Sequence[Row] = source.rows
        expected_n = source.gpt_cfg.block_size

        def target(i: int) -> torch.Tensor:
            return source.target_tensor(i)
    else:
        if stage is None or image_size is None:
            raise TypeError("precompute_codes(rows, ...) needs stage= and image_size= (targets differ per stage); "
                            "or pass the MentorDataset")
        rows, expected_n = list(_row_list(source)), None

        def target(i: int) -> torch.Tensor:
            return torch.from_numpy(target_array(build_target(rows[i], stage), image_size))
    out_file = Path(out_file)
    device = torch.device(device) if device is not None else next(vq_model.parameters()).device
    was_training = vq_model.training
    vq_model.eval()
    lines: list[int] = []
    chunks: list[torch.Tensor] = []
    try:
        for start in range(0, len(rows), batch_size):
            idx = range(start, min(start + batch_size, len(rows)))
            images = torch.stack([target(i) for i in idx]).to(device)  # [b, 3, H, W] in [-1, 1]
            codes = vq_model.encode_to_codes(images)  # [b, N]
            if expected_n is not None and codes.shape[1] != expected_n:
                raise ValueError(f"the VQ model gives {codes.shape[1]} codes per {image_size}px image, "
                                 f"the GPT expects block_size {expected_n}")
            chunks.append(codes.to("cpu", torch.int32))
            lines += [rows[i].line for i in idx]
            if log:
                log(f"vq cache: {len(lines)}/{len(rows)} targets")
    finally:
        vq_model.train(was_training)
    all_codes = torch.cat(chunks) if chunks else torch.zeros((0, expected_n or 0), dtype=torch.int32)
    payload = {
        "format": FORMAT, "version": VERSION,
        "rows_sha256": rows_fingerprint(source),
        "vq_sha256": vq_fingerprint(vq_model),
        "stage": stage, "image_size": image_size, "block_size": int(all_codes.shape[1]),
        "lines": lines,
        "codes": all_codes,  # int32 [n, N]
    }
    out_file.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_file.with_name(out_file.name + ".tmp")
    torch.save(payload, tmp)
    os.replace(tmp, out_file)
    return out_file


def load_codes(file: str | Path, *, rows: Any = None, vq_model: nn.Module | None = None, stage: int | None = None,
               image_size: int | None = None) -> CodeCache:
    """The cache as {row line: int64 [N]}; StaleCacheError when it does not match the rows (a
    RowsReport, list of Rows or MentorDataset), VQ model, stage or image size given."""
    file = Path(file)
    if not file.is_file():
        raise DataError(f"{file}: VQ code cache not found")
    try:
        payload = torch.load(file, map_location="cpu", weights_only=True)
    except Exception as e:  # noqa: BLE001 - any unreadable file is the same answer
        raise DataError(f"{file}: not a readable VQ code cache ({e})") from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise DataError(f"{file}: not a VQ code cache (format {FORMAT!r} expected)")
    if payload.get("version") != VERSION:
        raise StaleCacheError(f"{file}: cache version {payload.get('version')}, this code reads {VERSION}; rebuild it")
    codes = payload["codes"].to(torch.int64)
    cache = CodeCache({int(line): codes[i] for i, line in enumerate(payload["lines"])}, file=file,
                      rows_sha256=payload["rows_sha256"], vq_sha256=payload["vq_sha256"], stage=payload["stage"],
                      image_size=payload["image_size"], block_size=payload["block_size"])
    cache.check(rows=rows, vq_model=vq_model, stage=stage, image_size=image_size)
    return cache
