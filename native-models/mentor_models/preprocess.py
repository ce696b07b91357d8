"""Reference-image preprocessing as the manifest's `config.preprocess` describes it (CLIP style).

MENTOR trains with references squashed to a square before CLIP's shortest-edge resize and centre
crop (spec §2.1), so `squashToSquare` is on for MENTOR bundles. An image already at the target size
is not resampled at all, which keeps tests exact across resamplers (PIL here, sharp in the engine).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PIL import Image, ImageOps


def to_rgb(image: Image.Image) -> Image.Image:
    """Apply EXIF orientation, flatten alpha (or a tRNS colour key) onto white and convert any mode
    (L, P, CMYK, I;16) to 8-bit RGB — the same steps as the engine's main/engine/images."""
    image = ImageOps.exif_transpose(image) or image
    if image.mode in ("RGBA", "LA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    if image.mode.startswith("I;16") or image.mode == "I":
        array = np.asarray(image, dtype=np.float64)
        scaled = np.clip(array / 257.0 + 0.5, 0, 255).astype(np.uint8)
        return Image.fromarray(scaled, mode="L").convert("RGB")
    return image.convert("RGB")


def preprocess(image: Image.Image, spec: dict[str, Any]) -> np.ndarray:
    """One image -> float32 [3, size, size], normalised."""
    size = int(spec["size"])
    image = to_rgb(image)
    if image.size != (size, size):
        if spec.get("squashToSquare", False):
            # Squashed, then CLIP's shortest-edge resize and centre crop are one square resize.
            image = image.resize((size, size), Image.Resampling.BICUBIC)
        else:
            w, h = image.size
            scale = size / min(w, h)
            resized = (max(size, round(w * scale)), max(size, round(h * scale)))
            image = image.resize(resized, Image.Resampling.BICUBIC)
            left = (resized[0] - size) // 2
            top = (resized[1] - size) // 2
            image = image.crop((left, top, left + size, top + size))
    pixels = np.asarray(image, dtype=np.float32) * float(spec.get("rescale", 1 / 255))
    mean = np.asarray(spec["mean"], dtype=np.float32)
    std = np.asarray(spec["std"], dtype=np.float32)
    pixels = (pixels - mean) / std
    return np.ascontiguousarray(pixels.transpose(2, 0, 1))


def preprocess_batch(images: list[Image.Image], spec: dict[str, Any]) -> np.ndarray:
    """[n, 3, size, size] float32."""
    size = int(spec["size"])
    if not images:
        return np.zeros((0, 3, size, size), dtype=np.float32)
    return np.stack([preprocess(image, spec) for image in images])
