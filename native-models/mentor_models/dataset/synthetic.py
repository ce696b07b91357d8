"""A small synthetic MENTOR dataset for tests and CPU benchmarks: shapes on plain backgrounds.

`write_synthetic_dataset(folder)` draws `n_images` images (a coloured box and a coloured ball
on a background), a mask per shape, subject references of another size, backgrounds for recovery,
and writes `train.jsonl` with rows of every kind plus `backgrounds.jsonl` (MENTOR's reference
format). Deterministic for a seed. Captions use words the tiny tokenizer knows, and every prompt
fits the tiny preset's 64-token prefix with 16 tokens per image.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Sequence

from PIL import Image, ImageDraw

ROW_KINDS = ("t2i", "reconstruction", "segmentation", "recovery", "subject", "multi_object", "multi_image")
# Colour and object words the tiny tokenizer splits into few pieces (prompts must fit 64 tokens).
_COLOURS = {"red": (220, 40, 40), "blue": (40, 60, 220), "green": (40, 180, 60), "orange": (240, 140, 30),
            "white": (245, 245, 245), "black": (15, 15, 15)}


def write_synthetic_dataset(folder: str | Path, *, n_images: int = 4, size: int = 32, seed: int = 0,
                            kinds: Sequence[str] = ROW_KINDS, name: str = "train.jsonl") -> Path:
    """Writes images and `name` under `folder`; returns the JSONL's path. kinds: which rows of
    ROW_KINDS to write (per image; multi_object and multi_image once per image pair)."""
    unknown = set(kinds) - set(ROW_KINDS)
    if unknown:
        raise ValueError(f"unknown row kinds {sorted(unknown)}; choose from {ROW_KINDS}")
    folder = Path(folder)
    for sub in ("images", "masks", "refs", "backgrounds"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    names = list(_COLOURS)
    rows: list[dict] = []
    flags = {"generation_only": False, "do_mask": False, "do_replace": False, "input_img_list": False}
    for i in range(n_images):
        bg, sq, disc = rng.sample(names, 3)
        image = Image.new("RGB", (size, size), _COLOURS[bg])
        draw = ImageDraw.Draw(image)
        s = size // 4
        x0, y0 = rng.randint(1, size // 2 - s), rng.randint(1, size - s - 2)
        x1, y1 = rng.randint(size // 2 + 1, size - s - 1), rng.randint(1, size - s - 2)
        draw.rectangle((x0, y0, x0 + s, y0 + s), fill=_COLOURS[sq])
        draw.ellipse((x1, y1, x1 + s, y1 + s), fill=_COLOURS[disc])
        square_mask = Image.new("L", (size, size), 0)
        ImageDraw.Draw(square_mask).rectangle((x0, y0, x0 + s, y0 + s), fill=255)
        disc_mask = Image.new("L", (size, size), 0)
        ImageDraw.Draw(disc_mask).ellipse((x1, y1, x1 + s, y1 + s), fill=255)
        ref = Image.new("RGB", (size * 3 // 4, size * 5 // 4), _COLOURS[bg])
        ImageDraw.Draw(ref).rectangle((2, 4, size * 3 // 4 - 3, size // 2), fill=_COLOURS[sq])
        background = Image.new("RGB", (size * 2, size), _COLOURS[rng.choice(names)])
        ImageDraw.Draw(background).line((0, 0, size * 2, size), fill=_COLOURS[rng.choice(names)], width=3)

        img, sqm, dm, rf = f"images/img{i}.png", f"masks/img{i}_square.png", f"masks/img{i}_disc.png", f"refs/ref{i}.png"
        image.save(folder / img)
        square_mask.save(folder / sqm)
        disc_mask.save(folder / dm)
        ref.save(folder / rf)
        background.save(folder / f"backgrounds/bg{i}.png")

        caption = f"A {sq} box and a {disc} ball."
        base = {"input_text": caption, "image_path": img, "source_image": img, "objects": None, **flags}
        if "t2i" in kinds:
            rows.append({**base, "generation_only": True})
        if "reconstruction" in kinds:
            rows.append(dict(base))
        if "segmentation" in kinds:
            rows.append({**base, "image_path": sqm, "objects": "box", "do_mask": True})
        if "recovery" in kinds:
            rows.append({**base, "image_path": dm, "objects": "ball", "do_replace": True})
        if "subject" in kinds:
            rows.append({**base, "image_path": rf, "objects": "box"})
        if "multi_object" in kinds:
            rows.append({**base, "input_text": "A box and a ball.", "image_path": [sqm, dm], "objects": ["box", "ball"]})
        if "multi_image" in kinds and i > 0:
            rows.append({**base, "input_text": f"The box in <image> and the {sq} box in <image>.",
                         "image_path": [rf, f"refs/ref{i - 1}.png"], "objects": ["box", "box"],
                         "input_img_list": True})
    path = folder / name
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")
    with (folder / "backgrounds.jsonl").open("w", encoding="utf-8") as f:
        for i in range(n_images):
            f.write(json.dumps({"input_image": f"backgrounds/bg{i}.png"}) + "\n")
    return path
