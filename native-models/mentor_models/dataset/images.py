"""Image helpers of the data pipeline: opening, masks, crops, MENTOR's target and reference resizes.

- Targets (what the VQ encodes, spec §5.3): ADM's `center_crop_arr` (box-downscale by 2 while the
  short side is at least twice the target, bicubic resize of the short side to the target, centre
  crop), then [0, 255] -> [-1, 1].
- References (what CLIP sees, spec §2.1): MENTOR's loader first resizes every reference to
  `squash_size` x `squash_size` (aspect ratio squashed, no crop) and only then runs the CLIP
  processor; `reference_pixels` does that with the encoder config's resampler and then
  `preprocess.preprocess` with the config's CLIP spec. Multi-image inputs are padded to a square
  with black first (MENTOR's `load_image_nocrop`), so the squash does not distort them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageOps

from ..encoder_configs import EncoderConfig
from ..preprocess import preprocess, to_rgb

_RESAMPLE = {
    "nearest": Image.Resampling.NEAREST,
    "bilinear": Image.Resampling.BILINEAR,
    "bicubic": Image.Resampling.BICUBIC,
    "lanczos": Image.Resampling.LANCZOS,
}


def open_image(path: str | Path) -> Image.Image:
    """Decoded (fully loaded, so truncation shows here) and EXIF-oriented; mode unchanged."""
    with Image.open(path) as image:
        image.load()
        oriented = ImageOps.exif_transpose(image) or image
        return oriented.copy() if oriented is image else oriented


def open_rgb(path: str | Path) -> Image.Image:
    return to_rgb(open_image(path))


def binary_mask(image: Image.Image) -> Image.Image:
    """Mode "L" with 255 where the mask is > 0 (MENTOR's `mask_array > 0`) and 0 elsewhere."""
    gray = image if image.mode == "L" else image.convert("L")
    return gray.point(lambda v: 255 if v > 0 else 0)


def open_mask(path: str | Path) -> Image.Image:
    return binary_mask(open_image(path))


def apply_mask(image: Image.Image, mask: Image.Image) -> Image.Image:
    """The image where the mask is set, black elsewhere (MENTOR's `source * (mask > 0)`)."""
    if mask.size != image.size:
        raise ValueError(f"mask is {mask.size[0]}×{mask.size[1]} but the image is {image.size[0]}×{image.size[1]}")
    black = Image.new("RGB", image.size, (0, 0, 0))
    return Image.composite(image.convert("RGB"), black, binary_mask(mask))


def pad_to_square(image: Image.Image, fill: tuple[int, int, int] = (0, 0, 0)) -> Image.Image:
    """Centred on a square canvas of the longer side (black by default); square input unchanged."""
    w, h = image.size
    if w == h:
        return image
    side = max(w, h)
    canvas = Image.new("RGB", (side, side), fill)
    canvas.paste(image.convert("RGB"), ((side - w) // 2, (side - h) // 2))
    return canvas


def crop_to_mask_square(image: Image.Image, mask: Image.Image) -> Image.Image:
    """The mask's bounding box cut from the image, padded to a square with black (multi-object
    references; MENTOR's `crop_with_mask` cuts the box without blanking the background)."""
    if mask.size != image.size:
        raise ValueError(f"mask is {mask.size[0]}×{mask.size[1]} but the image is {image.size[0]}×{image.size[1]}")
    box = binary_mask(mask).getbbox()
    if box is None:
        raise ValueError("mask is empty (no pixel > 0)")
    return pad_to_square(image.convert("RGB").crop(box))


def center_crop_arr(image: Image.Image, image_size: int) -> Image.Image:
    """ADM / LlamaGen `center_crop_arr`: an RGB image_size x image_size crop."""
    image = image.convert("RGB")
    while min(*image.size) >= 2 * image_size:
        image = image.resize(tuple(x // 2 for x in image.size), resample=Image.Resampling.BOX)
    scale = image_size / min(*image.size)
    image = image.resize(tuple(round(x * scale) for x in image.size), resample=Image.Resampling.BICUBIC)
    w, h = image.size
    left, top = (w - image_size) // 2, (h - image_size) // 2
    return image.crop((left, top, left + image_size, top + image_size))


def target_array(image: Image.Image, image_size: int) -> np.ndarray:
    """float32 [3, image_size, image_size] in [-1, 1] (ToTensor + Normalize(0.5, 0.5))."""
    pixels = np.asarray(center_crop_arr(image, image_size), dtype=np.float32)  # [H, W, 3]
    return np.ascontiguousarray((pixels / 127.5 - 1.0).transpose(2, 0, 1))


def preprocess_spec(enc_cfg: EncoderConfig) -> dict[str, Any]:
    """The CLIP preprocessing spec of an encoder config, as the bundle manifest writes it."""
    return {
        "size": enc_cfg.clip_image_size,
        "squashToSquare": enc_cfg.squash_to_square,
        "resize": enc_cfg.resample,
        "crop": "center",
        "rescale": 1 / 255,
        "mean": list(enc_cfg.image_mean),
        "std": list(enc_cfg.image_std),
        "layout": "NCHW",
    }


def reference_pixels(image: Image.Image, enc_cfg: EncoderConfig, spec: dict[str, Any] | None = None) -> np.ndarray:
    """A reference image as MENTOR's training loader gives it to CLIP: float32 [3, S, S].

    With `squash_to_square` (MENTOR's training quirk) the image is first resized to squash_size x
    squash_size with `squash_resample`, then the CLIP processor resizes the square to S (no crop
    left to do). Without it, the processor's shortest-edge resize and centre crop apply (the demo).
    """
    image = to_rgb(image)
    if enc_cfg.squash_to_square and image.size != (enc_cfg.squash_size, enc_cfg.squash_size):
        image = image.resize((enc_cfg.squash_size, enc_cfg.squash_size), _RESAMPLE[enc_cfg.squash_resample])
    return preprocess(image, spec or preprocess_spec(enc_cfg))
