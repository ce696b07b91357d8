"""Training data for the loop: the dataset (MENTOR JSONL via mentor_models.dataset, or `synthetic:N`),
layout-independent sharding, collation and the per-sample CFG drop.

Sharding. The data stream is a sequence of GLOBAL micro-batches of `train.global_batch` (G) samples:
epoch e shuffles the n samples with a generator seeded by (seed, e) and cuts the permutation into
M = n // G micro-batches (the last n mod G samples of an epoch are dropped, as DistributedSampler
with drop_last). Rank r of W takes the r-th contiguous 1/W of each global micro-batch. So W ranks ×
G/W samples and 1 rank × G samples see the very same global batches, and optimizer step s consumes
global micro-batches s·A .. s·A + A − 1 of the stream (A = grad_accum), carried across epochs. The
data position saved in a checkpoint is (epoch, index of the next micro-batch in that epoch).

CFG drop. Whether sample k of global micro-batch (e, j) takes the null prefix is drawn from a
generator seeded by (seed, e, j) for all G samples at once; each rank uses its slice, so the drop
does not depend on the number of ranks either.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np
import torch
from PIL import Image
from torch import Tensor
from torch.utils.data import DataLoader, Dataset

from ..encoder_configs import EncoderConfig
from ..preprocess import preprocess
from ..prompt import encode_prompt

SYNTHETIC_PREFIX = "synthetic:"


def mix_seed(*parts: int) -> int:
    """A 63-bit seed from integers (SplitMix64 steps), stable across processes and platforms."""
    z = 0x9E3779B97F4A7C15
    for p in parts:
        z = (z ^ (int(p) & 0xFFFFFFFFFFFFFFFF)) & 0xFFFFFFFFFFFFFFFF
        z = (z + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
        z ^= z >> 31
    return z & 0x7FFFFFFFFFFFFFFF


def preprocess_spec(enc_cfg: EncoderConfig) -> dict[str, Any]:
    """The CLIP preprocessing of preprocess.py for this encoder (same values as a bundle manifest)."""
    return {"size": enc_cfg.clip_image_size, "squashToSquare": enc_cfg.squash_to_square, "rescale": 1 / 255,
            "mean": list(enc_cfg.image_mean), "std": list(enc_cfg.image_std)}


def target_tensor(image: Image.Image, size: int) -> Tensor:
    """RGB image already size × size -> float32 [3, size, size] in [-1, 1] (ToTensor + Normalize(0.5, 0.5))."""
    if image.size != (size, size):
        image = image.resize((size, size), Image.Resampling.BICUBIC)
    a = np.asarray(image.convert("RGB"), dtype=np.float32) / 127.5 - 1.0
    return torch.from_numpy(np.ascontiguousarray(a.transpose(2, 0, 1)))


def data_error_types() -> tuple[type[BaseException], ...]:
    """The dataset package's error type (row number + field in the message), when it is installed."""
    try:
        from ..dataset.jsonl import DataError
    except ImportError:
        return ()
    return (DataError,)


# ------------------------------------------------------------------------------------------------
# Plan of global micro-batches
# ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MicroBatchPlan:
    n_items: int
    global_batch: int     # G
    world_size: int
    rank: int
    seed: int

    def __post_init__(self) -> None:
        if self.global_batch % self.world_size:
            raise ValueError(f"train.global_batch: {self.global_batch} is not divisible by the "
                             f"{self.world_size} processes")
        if self.n_items < self.global_batch:
            raise ValueError(f"train.global_batch: {self.global_batch} is more than the "
                             f"{self.n_items} samples of the training data")

    @property
    def per_rank(self) -> int:
        return self.global_batch // self.world_size

    @property
    def micro_per_epoch(self) -> int:
        return self.n_items // self.global_batch

    def order(self, epoch: int) -> Tensor:
        gen = torch.Generator().manual_seed(mix_seed(self.seed, epoch, 0x5A3D))
        return torch.randperm(self.n_items, generator=gen)

    def local(self, order: Tensor, j: int) -> list[int]:
        start = j * self.global_batch + self.rank * self.per_rank
        return order[start:start + self.per_rank].tolist()

    def null_rows(self, epoch: int, j: int, p: float) -> Tensor:
        """This rank's CFG-drop flags [per_rank] bool for global micro-batch (epoch, j)."""
        if p <= 0:
            return torch.zeros(self.per_rank, dtype=torch.bool)
        gen = torch.Generator().manual_seed(mix_seed(self.seed, epoch, j, 0xCF6))
        drop = torch.rand(self.global_batch, generator=gen) < p
        return drop[self.rank * self.per_rank:(self.rank + 1) * self.per_rank]


class _EpochBatches(torch.utils.data.Sampler[list[int]]):
    def __init__(self, plan: MicroBatchPlan, epoch: int, start: int) -> None:
        self.plan, self.epoch, self.start = plan, epoch, start
        self.order = plan.order(epoch)

    def __iter__(self) -> Iterator[list[int]]:
        for j in range(self.start, self.plan.micro_per_epoch):
            yield self.plan.local(self.order, j)

    def __len__(self) -> int:
        return max(0, self.plan.micro_per_epoch - self.start)


@dataclass
class MicroBatch:
    epoch: int
    index: int            # j: position of this global micro-batch in its epoch
    batch: dict[str, Tensor]


class MicroBatchStream:
    """Endless stream of this rank's micro-batches from data position (epoch, index)."""

    def __init__(self, dataset: Dataset, plan: MicroBatchPlan, *, epoch: int, index: int, num_workers: int,
                 pin_memory: bool = False) -> None:
        self.dataset, self.plan = dataset, plan
        self.epoch, self.index = epoch, index
        self.num_workers, self.pin_memory = num_workers, pin_memory
        self._it: Iterator[dict[str, Tensor]] | None = None

    @property
    def position(self) -> tuple[int, int]:
        """(epoch, index) of the next micro-batch."""
        return self.epoch, self.index

    def _open(self) -> None:
        if hasattr(self.dataset, "set_epoch"):
            self.dataset.set_epoch(self.epoch)  # type: ignore[attr-defined]
        # A private generator: creating the iterator must not draw from the global torch RNG,
        # whose state a checkpoint restores (workers are seeded from it otherwise).
        gen = torch.Generator().manual_seed(mix_seed(self.plan.seed, self.epoch, 0xD47A))
        loader = DataLoader(self.dataset, batch_sampler=_EpochBatches(self.plan, self.epoch, self.index),
                            collate_fn=collate_items, num_workers=self.num_workers, generator=gen,
                            pin_memory=self.pin_memory, persistent_workers=False,
                            prefetch_factor=4 if self.num_workers else None)
        self._it = iter(loader)

    def __next__(self) -> MicroBatch:
        while True:
            if self.index >= self.plan.micro_per_epoch:
                self.epoch, self.index, self._it = self.epoch + 1, 0, None
            if self._it is None:
                self._open()
            try:
                batch = next(self._it)  # type: ignore[arg-type]
            except StopIteration:
                self.index = self.plan.micro_per_epoch
                continue
            out = MicroBatch(self.epoch, self.index, batch)
            self.index += 1
            return out

    def __iter__(self) -> "MicroBatchStream":
        return self

    def close(self) -> None:
        self._it = None


def collate_items(items: list[dict[str, Any]]) -> dict[str, Tensor]:
    """Items of the dataset interface -> a batch: input_ids/attention_mask [B, T] int64, pixels
    [B, K, 3, S, S] zero-padded over the image axis, image_counts [B], target [B, 3, H, W] or codes [B, N]."""
    b = len(items)
    out: dict[str, Tensor] = {
        "input_ids": torch.stack([torch.as_tensor(it["input_ids"], dtype=torch.int64) for it in items]),
        "attention_mask": torch.stack([torch.as_tensor(it["attention_mask"], dtype=torch.int64) for it in items]),
    }
    pix = [torch.as_tensor(it["pixels"], dtype=torch.float32) for it in items]
    counts = [int(it["n_images"]) for it in items]
    for i, (p, c) in enumerate(zip(pix, counts)):
        if p.ndim != 4 or p.shape[0] < c:
            raise ValueError(f"dataset item {i}: pixels {tuple(p.shape)} do not hold n_images={c} images")
    k = max(counts, default=0)
    shape = next((p.shape[1:] for p in pix if p.shape[0] > 0), None)
    if shape is None:
        out["pixels"] = torch.zeros(b, 0, 3, 1, 1)
    else:
        pixels = torch.zeros(b, k, *shape)
        for i, (p, c) in enumerate(zip(pix, counts)):
            if c:
                pixels[i, :c] = p[:c]
        out["pixels"] = pixels
    out["image_counts"] = torch.tensor(counts, dtype=torch.int64)
    if all("codes" in it and it["codes"] is not None for it in items):
        out["codes"] = torch.stack([torch.as_tensor(it["codes"], dtype=torch.int64) for it in items])
    else:
        out["target"] = torch.stack([torch.as_tensor(it["target"], dtype=torch.float32) for it in items])
    return out


# ------------------------------------------------------------------------------------------------
# Datasets
# ------------------------------------------------------------------------------------------------

_COLORS = {"red": (220, 40, 40), "green": (40, 180, 60), "blue": (40, 70, 220), "yellow": (230, 210, 40),
           "black": (20, 20, 20), "white": (240, 240, 240), "orange": (240, 140, 30), "purple": (140, 50, 170)}
_SHAPES = ("square", "circle", "bar", "cross")


def synthetic_image(i: int, seed: int, size: int) -> tuple[Image.Image, str]:
    """A deterministic picture of one coloured shape on a coloured background, and its caption."""
    rng = np.random.default_rng(mix_seed(seed, i, 0x1AA6))
    names = list(_COLORS)
    fg, bg = rng.choice(len(names), size=2, replace=False)
    shape = _SHAPES[int(rng.integers(len(_SHAPES)))]
    y, x = np.mgrid[0:size, 0:size] / max(size - 1, 1)
    cy, cx, r = rng.uniform(0.3, 0.7), rng.uniform(0.3, 0.7), rng.uniform(0.15, 0.3)
    if shape == "square":
        inside = (abs(y - cy) < r) & (abs(x - cx) < r)
    elif shape == "circle":
        inside = (y - cy) ** 2 + (x - cx) ** 2 < r * r
    elif shape == "bar":
        inside = abs(y - cy) < r / 3
    else:
        inside = (abs(y - cy) < r / 3) | (abs(x - cx) < r / 3)
    img = np.where(inside[..., None], np.array(_COLORS[names[fg]]), np.array(_COLORS[names[bg]]))
    caption = f"a {names[fg]} {shape} on a {names[bg]} background"
    return Image.fromarray(img.astype(np.uint8), "RGB"), caption


class SyntheticDataset(Dataset):
    """`data.train=synthetic:N`: N generated samples in the dataset-interface item format, for smoke
    tests and benchmarks without files. Even items are text-to-image; odd items reconstruct their
    image from a reference (`The image is <image>\\n caption`), so both prompt kinds are exercised."""

    def __init__(self, n: int, *, tokenizer, enc_cfg: EncoderConfig, prefix_len: int, image_size: int,
                 seed: int = 0) -> None:
        self.n, self.tokenizer, self.enc_cfg = n, tokenizer, enc_cfg
        self.prefix_len, self.image_size, self.seed = prefix_len, image_size, seed
        self.spec = preprocess_spec(enc_cfg)

    def __len__(self) -> int:
        return self.n

    def set_epoch(self, epoch: int) -> None:  # nothing random per epoch
        pass

    def __getitem__(self, i: int) -> dict[str, Any]:
        image, caption = synthetic_image(i, self.seed, self.image_size)
        sources = [image] if i % 2 else []
        prompt = f"The image is <image>\n{caption}" if sources else caption
        ids, mask = encode_prompt(self.tokenizer, prompt, len(sources), self.enc_cfg.tokens_per_image,
                                  self.prefix_len, self.enc_cfg.image_token_id)
        pixels = (np.stack([preprocess(s, self.spec) for s in sources]) if sources
                  else np.zeros((0, 3, self.spec["size"], self.spec["size"]), np.float32))
        return {"input_ids": torch.from_numpy(ids), "attention_mask": torch.from_numpy(mask),
                "pixels": torch.from_numpy(pixels), "n_images": len(sources),
                "target": target_tensor(image, self.image_size)}


def open_dataset(path: str, *, built, stage: int, seed: int, skip_bad_rows: bool = False,
                 reference: str | None = None, image_only_rate: float | None = None, codes_cache: str | None = None,
                 codes_device: torch.device | None = None, is_main: bool = True,
                 barrier: Callable[[], None] = lambda: None, log: Callable[[str], None] = print) -> Dataset:
    """`synthetic:N`, or a MENTOR JSONL read by mentor_models.dataset (rows checked; `skip_bad_rows`
    reports and drops bad ones). With `codes_cache` the targets' VQ codes are computed once by rank 0
    (or reused when the cache matches these rows, this VQ, stage and size) instead of every step."""
    if path.startswith(SYNTHETIC_PREFIX):
        try:
            n = int(path[len(SYNTHETIC_PREFIX):])
        except ValueError:
            raise ValueError(f"data: {path!r}: write synthetic:N with an integer N") from None
        if codes_cache:
            log("data.precompute_codes: synthetic data is encoded on the fly")
        return SyntheticDataset(n, tokenizer=built.tokenizer, enc_cfg=built.enc_cfg,
                                prefix_len=built.gpt_cfg.cls_token_num, image_size=built.image_size, seed=seed)
    from ..dataset.jsonl import read_rows
    from ..dataset.samples import read_reference_backgrounds
    from ..dataset.torch_dataset import MentorDataset

    report = read_rows(path, skip_bad_rows=skip_bad_rows)
    backgrounds = read_reference_backgrounds(reference) if reference else None

    def make(codes: dict | None) -> Dataset:
        return MentorDataset(report, tokenizer=built.tokenizer, enc_cfg=built.enc_cfg, gpt_cfg=built.gpt_cfg,
                             image_size=built.image_size, stage=stage, seed=seed, vq_codes=codes,
                             reference_backgrounds=backgrounds, image_only_rate=image_only_rate,
                             skip_bad_rows=skip_bad_rows)

    dataset = make(None)
    skipped = getattr(dataset, "skipped", [])
    for row, field, problem in skipped:
        log(f"data: skipped {Path(path).name}:{row}: {field + ': ' if field else ''}{problem}")
    if skipped:
        log(f"data: skipped {len(skipped)} bad rows of {path}; {len(dataset)} remain")
    if not codes_cache:
        return dataset
    from ..dataset.vq_cache import load_codes, precompute_codes

    cache = Path(codes_cache)

    def load() -> dict:
        return load_codes(cache, rows=dataset, vq_model=built.vq, stage=stage, image_size=built.image_size)

    if is_main:
        try:
            load()
            log(f"data.precompute_codes: reusing {cache}")
        except Exception as e:  # noqa: BLE001 - a missing, stale or unreadable cache is rebuilt
            log(f"data.precompute_codes: encoding {len(dataset)} targets into {cache}"
                f"{' (' + str(e) + ')' if cache.exists() else ''}")
            precompute_codes(dataset, built.vq, cache, device=codes_device)
    barrier()
    return make(load())
