"""`MentorDataset`: JSONL rows -> tokenized prompts, CLIP pixels and targets (or cached VQ codes).

Item i (a dict):
    input_ids       int64 [T]          T = gpt_cfg.cls_token_num; right-padded with 0, `</s>` included
    attention_mask  int64 [T]
    pixels          float32 [K, 3, S, S]   K source images (0 for T2I), S = enc_cfg.clip_image_size,
                                       CLIP-normalised after MENTOR's squash (images.reference_pixels)
    n_images        int                K
    target          float32 [3, H, W]  H = W = image_size, in [-1, 1] (ADM center_crop_arr)
      or codes      int64 [N]          when vq_codes is given (N = gpt_cfg.block_size)
    index, row      int                dataset position and the row's 1-based JSONL line
    task            str                samples.TASKS

Determinism: item i draws its randomness from random.Random(f"mentor-dataset/{seed}/{epoch}/{i}"),
so the same (seed, epoch, i) gives the same sample in any process or DataLoader worker. Call
`set_epoch(epoch)` before each epoch's iterator is created (DataLoader workers copy the dataset
when the iterator starts; with persistent_workers the copy would keep the old epoch).

`collate(items)` stacks a batch and pads the image axis; `batch_image_embeds` turns the encoder's
features for `pixels_flat` into the [B, M, D] layout `MultimodalEncoder.encode_text` takes.
"""

from __future__ import annotations

import random
import warnings
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import torch
from PIL import Image
from tokenizers import Tokenizer
from torch.utils.data import Dataset

from ..configs import GPTConfig
from ..encoder_configs import EncoderConfig
from ..prompt import IMAGE_TOKEN, PromptError, encode_prompt
from .images import preprocess_spec, reference_pixels, target_array
from .jsonl import DataError, Row, RowsReport, SkippedRow
from .vq_cache import CodeCache
from .samples import TrainingSample, branch_prompt, branch_task, build_sample, build_target, image_only_prompt

RowsLike = RowsReport | Sequence[Row]


class MentorDataset(Dataset):
    def __init__(self, rows: RowsLike, *, tokenizer: Tokenizer, enc_cfg: EncoderConfig, gpt_cfg: GPTConfig,
                 image_size: int, stage: int, seed: int, vq_codes: dict[int, torch.Tensor] | None = None,
                 reference_backgrounds: Sequence[str | Path | Image.Image] | None = None,
                 image_only_rate: float | None = None, skip_bad_rows: bool = False) -> None:
        """rows: read_rows' report (or its .rows). vq_codes: vq_cache.load_codes' CodeCache (a dict
        keyed by Row.line; checked against these rows, stage, image size and block size). Every row's prompt is tokenized once here: one over the prefix budget is a
        DataError naming the row, or is dropped (listed in `self.skipped`) with skip_bad_rows."""
        if stage not in (1, 2):
            raise ValueError(f"stage must be 1 or 2, got {stage!r}")
        if isinstance(image_size, bool) or not isinstance(image_size, int) or image_size <= 0:
            raise ValueError(f"image_size must be a positive integer, got {image_size!r}")
        if image_size % gpt_cfg.grid_size != 0:
            raise ValueError(f"image_size {image_size} is not a multiple of the code grid {gpt_cfg.grid_size} "
                             f"(block_size {gpt_cfg.block_size})")
        token_id = tokenizer.token_to_id(IMAGE_TOKEN)
        if token_id != enc_cfg.image_token_id:
            raise ValueError(f"the tokenizer's {IMAGE_TOKEN} id is {token_id}, but the encoder config says "
                             f"image_token_id={enc_cfg.image_token_id}")
        self.report = rows if isinstance(rows, RowsReport) else None
        all_rows = list(rows.rows if isinstance(rows, RowsReport) else rows)
        self.source_rows: tuple[Row, ...] = tuple(all_rows)  # what a VQ cache fingerprints
        if tokenizer.padding is not None or tokenizer.truncation is not None:
            # encode_prompt would copy such a tokenizer on every call; copy it once here instead.
            tokenizer = Tokenizer.from_str(tokenizer.to_str())
            tokenizer.no_padding()
            tokenizer.no_truncation()
        self.tokenizer = tokenizer
        self.enc_cfg, self.gpt_cfg = enc_cfg, gpt_cfg
        self.image_size, self.stage, self.seed = image_size, stage, int(seed)
        self.vq_codes = vq_codes
        self.reference_backgrounds = list(reference_backgrounds) if reference_backgrounds else None
        self.image_only_rate = image_only_rate
        self.epoch = 0
        self._spec = preprocess_spec(enc_cfg)

        self.rows: list[Row] = []
        self.skipped: list[SkippedRow] = list(self.report.skipped) if self.report else []
        for row in all_rows:
            prompt = branch_prompt(row, stage)
            try:
                self._encode(prompt)
            except PromptError as e:
                err = row.error("input_text", f"{branch_task(row, stage)} prompt does not fit: {e}")
                if not skip_bad_rows:
                    raise err from None
                self.skipped.append(SkippedRow(row.line, "input_text", err.problem))
                continue
            self.rows.append(row)
        if not self.rows:
            raise DataError("no usable rows" + (f" ({len(self.skipped)} skipped)" if self.skipped else ""))
        if isinstance(vq_codes, CodeCache):  # made from these rows, for this stage and size?
            vq_codes.check(rows=self, stage=stage, image_size=image_size, block_size=gpt_cfg.block_size)
        if vq_codes is not None:
            missing = [r.line for r in self.rows if r.line not in vq_codes]
            if missing:
                raise DataError(f"the VQ code cache has no codes for rows {missing[:5]}"
                                f"{'...' if len(missing) > 5 else ''}; rebuild it")
        rate = (0.1 if stage == 1 else 0.0) if image_only_rate is None else image_only_rate
        if rate > 0:
            try:
                self._encode(image_only_prompt())
            except PromptError as e:
                raise ValueError(f"image-only prompts do not fit the prefix: {e}; "
                                 f"set image_only_rate=0 or use a longer prefix") from None
        if stage == 2 and not self.reference_backgrounds and any(branch_task(r, 2) == "recovery" for r in self.rows):
            warnings.warn("image recovery rows without reference backgrounds: objects are pasted on plain "
                          "random colours, not on photos as in MENTOR (give reference_backgrounds)", stacklevel=2)

    # --- configuration ---

    def set_epoch(self, epoch: int) -> None:
        self.epoch = int(epoch)

    def __len__(self) -> int:
        return len(self.rows)

    def rng_for(self, index: int) -> random.Random:
        # A str seed is hashed with SHA-512 by `random`, independent of PYTHONHASHSEED.
        return random.Random(f"mentor-dataset/{self.seed}/{self.epoch}/{index}")

    # --- pieces ---

    def _encode(self, prompt: str) -> tuple[np.ndarray, np.ndarray]:
        return encode_prompt(self.tokenizer, prompt, prompt.count(IMAGE_TOKEN), self.enc_cfg.tokens_per_image,
                             self.gpt_cfg.cls_token_num, self.enc_cfg.image_token_id)

    def sample(self, index: int) -> TrainingSample:
        return build_sample(self.rows[index], stage=self.stage, rng=self.rng_for(index),
                            reference_backgrounds=self.reference_backgrounds, image_only_rate=self.image_only_rate)

    def target_tensor(self, index: int) -> torch.Tensor:
        """float32 [3, image_size, image_size] in [-1, 1]; the same in every epoch (VQ cache input)."""
        return torch.from_numpy(target_array(build_target(self.rows[index], self.stage), self.image_size))

    def __getitem__(self, index: int) -> dict[str, Any]:
        row = self.rows[index]
        sample = self.sample(index)
        try:
            input_ids, attention_mask = self._encode(sample.prompt)
        except PromptError as e:  # checked in __init__; kept for rows changed since
            raise row.error("input_text", str(e)) from None
        s = self.enc_cfg.clip_image_size
        if sample.sources:
            pixels = np.stack([reference_pixels(img, self.enc_cfg, self._spec) for img in sample.sources])
        else:
            pixels = np.zeros((0, 3, s, s), dtype=np.float32)
        item: dict[str, Any] = {
            "input_ids": torch.from_numpy(input_ids),            # int64 [T]
            "attention_mask": torch.from_numpy(attention_mask),  # int64 [T]
            "pixels": torch.from_numpy(pixels),                  # float32 [K, 3, S, S]
            "n_images": len(sample.sources),
            "index": index,
            "row": row.line,
            "task": sample.task,
        }
        if self.vq_codes is not None:
            codes = self.vq_codes.get(row.line)
            if codes is None:
                raise DataError(f"no cached VQ codes for row {row.line} of {row.file}; rebuild the cache")
            if codes.numel() != self.gpt_cfg.block_size:
                raise DataError(f"cached VQ codes of row {row.line} have {codes.numel()} tokens, expected "
                                f"block_size {self.gpt_cfg.block_size}")
            item["codes"] = codes.reshape(-1).to(torch.int64)    # int64 [N]
        else:
            item["target"] = torch.from_numpy(target_array(sample.target, self.image_size))  # [3, H, W]
        return item


def collate(items: list[dict[str, Any]]) -> dict[str, Any]:
    """A batch:
        input_ids, attention_mask  int64 [B, T]
        pixels        float32 [B, Kmax, 3, S, S]  zero rows where image_mask is False
        image_mask    bool [B, Kmax]
        pixels_flat   float32 [n, 3, S, S]        the real images, sample-major (n = image_counts.sum())
        image_counts  int64 [B]
        target float32 [B, 3, H, W] or codes int64 [B, N]
        index, row    int64 [B];  task  list[str]
    """
    if not items:
        raise ValueError("collate: empty batch")
    b = len(items)
    counts = torch.tensor([int(it["n_images"]) for it in items], dtype=torch.int64)  # [B]
    shape = items[0]["pixels"].shape[1:]  # (3, S, S)
    k_max = int(counts.max())
    pixels = torch.zeros((b, k_max, *shape), dtype=torch.float32)  # [B, Kmax, 3, S, S]
    for i, it in enumerate(items):
        if it["n_images"]:
            pixels[i, : it["n_images"]] = it["pixels"]
    image_mask = torch.arange(k_max).unsqueeze(0) < counts.unsqueeze(1)  # [B, Kmax]
    batch: dict[str, Any] = {
        "input_ids": torch.stack([it["input_ids"] for it in items]),
        "attention_mask": torch.stack([it["attention_mask"] for it in items]),
        "pixels": pixels,
        "image_mask": image_mask,
        "pixels_flat": torch.cat([it["pixels"] for it in items], dim=0),
        "image_counts": counts,
        "index": torch.tensor([it["index"] for it in items], dtype=torch.int64),
        "row": torch.tensor([it["row"] for it in items], dtype=torch.int64),
        "task": [it["task"] for it in items],
    }
    has_codes = ["codes" in it for it in items]
    if all(has_codes):
        batch["codes"] = torch.stack([it["codes"] for it in items])
    elif not any(has_codes):
        batch["target"] = torch.stack([it["target"] for it in items])
    else:
        raise ValueError("collate: a batch mixes cached codes and target images")
    return batch


def batch_image_embeds(flat_embeds: torch.Tensor, image_counts: torch.Tensor) -> torch.Tensor:
    """flat_embeds [n, P, D] (encode_images(batch["pixels_flat"])) -> [B, Kmax·P, D]: sample b's
    images in prompt order, zero rows after them (the splice never reads those)."""
    b = image_counts.shape[0]
    k_max = int(image_counts.max()) if b else 0
    n, p, d = flat_embeds.shape
    if n != int(image_counts.sum()):
        raise ValueError(f"{n} image embeddings for image_counts summing to {int(image_counts.sum())}")
    mask = torch.arange(k_max, device=image_counts.device).unsqueeze(0) < image_counts.unsqueeze(1)  # [B, Kmax]
    out = flat_embeds.new_zeros((b, k_max, p, d))  # [B, Kmax, P, D]
    out[mask.to(flat_embeds.device)] = flat_embeds
    return out.reshape(b, k_max * p, d)
