"""MENTOR's task branches (spec/mentor-model.md §5.6): one JSONL row -> prompt, sources, target.

Task per row and stage (a row's structural kind is in jsonl.py; "caption" = input_text without
`<image>` markers, stripped, as MENTOR prepares it):

| task                  | rows                                   | sources (references)            | target                    | prompt |
|-----------------------|----------------------------------------|---------------------------------|---------------------------|--------|
| t2i                   | generation_only                        | none                            | image_path (objects null) or source_image | caption |
| reconstruction        | objects null                           | source_image                    | image_path                | "The image is <image>\\n{caption}" |
| image_only (stage 1)  | any row, with probability image_only_rate (0.1) | the branch's first source (T2I rows: source_image) | the branch's target | "<image>\\n" |
| segmentation          | objects str + do_mask                  | source_image                    | source × mask (image_path) | "The {obj} in <image>." |
| object_reconstruction (stage 1) | objects str, no do_mask      | source_image                    | source × mask (image_path) | "<image>\\n {caption}" |
| recovery (stage 2)    | objects str + do_replace               | object cut with the mask, p=0.5 rotated/stretched/perspective-warped, pasted on a background | source_image | "The {obj} in <image>.\\n{caption}" |
| subject (stage 2)     | objects str, no flags                  | image_path (the reference)      | source_image              | "The {obj} in <image>.\\n{caption}" |
| multi_object          | objects [str], image_path = masks      | the mask's bounding box of the source, padded to a black square, per object | source_image | stage 2: "The {o} in <image>.\\n" per object + caption; stage 1: "<image>.\\n" per object + caption; do_mask: the "The {o} in <image>." lines only |
| multi_image           | input_img_list                         | image_path list, each padded to a black square | source_image | input_text as written (its markers) |

Templates come from prompt.TASK_TEMPLATES where one fits (t2i, reconstruction, image_only,
segmentation, recovery/subject, stage-2 multi_object). prompt.py has none for three of MENTOR's
stage-1/do_mask texts; they are written here: OBJECT_RECONSTRUCTION_TEXT, STAGE1_OBJECT_LINE and
MASK_OBJECT_LINE.

Image recovery needs backgrounds: MENTOR draws a random image of its reference JSONL
(`--reference_data_path`, key `input_image`), centre-cropped and resized to the source's size.
`reference_backgrounds` is that list (paths or PIL images; `read_reference_backgrounds` reads the
JSONL); without it the background is a plain colour drawn from the rng, which is NOT what MENTOR
trains with (MentorDataset warns).

The object for recovery is cut to its mask's bounding box (plus a small margin) before it is
scaled (MENTOR scales the whole masked frame); its scale is drawn so that it fills 50-100 % of the largest size that fits the
background, and it is placed at a random position where it fits entirely. Targets are left at the
file's resolution; the dataset centre-crops them (MENTOR squashes object-branch targets to a square
first, which distorts non-square sources). All randomness comes from `rng`, so a sample is a pure
function of (row, stage, rng state).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
from PIL import Image

from ..prompt import PromptError, render_template
from .images import apply_mask, binary_mask, crop_to_mask_square, open_mask, open_rgb, pad_to_square
from .jsonl import IMAGE_MARKER, DataError, Row

TASKS = ("t2i", "reconstruction", "image_only", "segmentation", "object_reconstruction", "recovery",
         "subject", "multi_object", "multi_image")
IMAGE_ONLY_RATE = 0.1          # stage 1: `--with_image_only --image_only_rate 0.1` (spec §5.1)
RECOVERY_AUGMENT_P = 0.5       # stage 2 recovery: rotate / stretch / perspective with this probability

# MENTOR texts that prompt.TASK_TEMPLATES does not have (M:dataset/t2i.py `_process_text_info`).
OBJECT_RECONSTRUCTION_TEXT = IMAGE_MARKER + "\n {caption}"   # stage 1, objects str, no do_mask
STAGE1_OBJECT_LINE = IMAGE_MARKER + "."                       # stage 1 multi-object, per object
MASK_OBJECT_LINE = "The {object} in " + IMAGE_MARKER + "."    # multi-object with do_mask, per object


@dataclass
class TrainingSample:
    prompt: str                   # with one `<image>` marker per source image
    sources: list[Image.Image]    # RGB reference images, before CLIP preprocessing
    target: Image.Image           # RGB, before center_crop_arr
    task: str                     # one of TASKS


def branch_task(row: Row, stage: int) -> str:
    """The row's task in `stage` before the image-only draw."""
    _check_stage(stage)
    kind = row.kind
    if kind in ("t2i", "reconstruction", "multi_object", "multi_image"):
        return kind
    if row.do_mask:
        return "segmentation"
    if stage == 1:
        return "object_reconstruction"
    return "recovery" if row.do_replace else "subject"


def branch_prompt(row: Row, stage: int) -> str:
    """The prompt of the row's branch in `stage` (deterministic; image-only is drawn in build_sample)."""
    task = branch_task(row, stage)
    caption = row.caption
    try:
        if task == "t2i":
            return render_template("text_to_image", caption=caption).strip()
        if task == "reconstruction":
            return render_template("reconstruction", caption=caption)
        if task == "segmentation":
            return render_template("segmentation", object=row.objects)
        if task == "object_reconstruction":
            return OBJECT_RECONSTRUCTION_TEXT.format(caption=caption)
        if task in ("recovery", "subject"):
            return render_template("subject_driven", subject=row.objects, caption=caption)
        if task == "multi_object":
            objects = list(row.objects)
            if row.do_mask:
                return "\n".join(MASK_OBJECT_LINE.format(object=o) for o in objects)
            if stage == 1:
                return "\n".join(STAGE1_OBJECT_LINE for _ in objects) + "\n" + caption
            return render_template("multi_object", objects=objects, caption=caption)
        return row.input_text  # multi_image: the user's own markers
    except PromptError as e:  # only reachable for rows that bypassed read_rows' validation
        raise row.error("objects", str(e)) from None


def image_only_prompt() -> str:
    return render_template("image_reconstruction")


def build_target(row: Row, stage: int) -> Image.Image:
    """The branch's target image (RGB, file resolution). Independent of the rng and of image-only."""
    task = branch_task(row, stage)
    if task == "t2i":
        field, written = row.t2i_target()
        return _load(row, field, written)
    if task == "reconstruction":
        return _load(row, "image_path", row.image_path[0])
    source = _load(row, "source_image", row.source_image[0])
    if task in ("segmentation", "object_reconstruction"):
        return apply_mask(source, _mask_for(row, source))
    return source  # recovery, subject, multi_object, multi_image


def build_sample(row: Row, *, stage: int, rng: random.Random,
                 reference_backgrounds: Sequence[str | Path | Image.Image] | None = None,
                 image_only_rate: float | None = None) -> TrainingSample:
    """One training sample for `row` in `stage` (1 or 2), drawing randomness only from `rng`.

    image_only_rate: probability of MENTOR's stage-1 image-only reconstruction; None = 0.1 in
    stage 1 and 0 in stage 2 (the official scripts). In stage 1 one number is always drawn first.
    """
    _check_stage(stage)
    rate = (IMAGE_ONLY_RATE if stage == 1 else 0.0) if image_only_rate is None else float(image_only_rate)
    image_only = False
    if stage == 1 or rate > 0:  # stage 1 always draws, so the rng stream does not depend on the rate
        image_only = rng.random() < rate
    task = branch_task(row, stage)
    target = build_target(row, stage)
    prompt = branch_prompt(row, stage)

    if task == "t2i":
        sources: list[Image.Image] = []
        if image_only and row.source_image:
            # MENTOR's image-only turns generation_only off and loads source_image.
            sources = [_load(row, "source_image", row.source_image[0])]
    elif task == "reconstruction":
        sources = [_load(row, "source_image", row.source_image[0])]
    elif task in ("segmentation", "object_reconstruction"):
        sources = [_load(row, "source_image", row.source_image[0])]
    elif task == "subject":
        sources = [_load(row, "image_path", row.image_path[0])]
    elif task == "recovery":
        sources = [_recovery_source(row, target, rng, reference_backgrounds)]
    elif task == "multi_object":
        sources = []
        for i, written in enumerate(row.image_path):
            field = _path_label(row, "image_path", i)
            mask = _load_mask(row, field, written)
            try:
                sources.append(crop_to_mask_square(target, mask))
            except ValueError as e:
                raise row.error(field, str(e)) from None
    else:  # multi_image
        sources = [pad_to_square(_load(row, _path_label(row, "image_path", i), p))
                   for i, p in enumerate(row.image_path)]

    if image_only and sources:
        # "<image>\n" has one marker: MENTOR's processor truncates the features of any further
        # image to the placeholders there are, i.e. keeps the first; keep it explicitly.
        return TrainingSample(image_only_prompt(), sources[:1], target, "image_only")
    return TrainingSample(prompt, sources, target, task)


def read_reference_backgrounds(path: str | Path) -> list[Path]:
    """Background images for recovery from MENTOR's reference JSONL (one `{"input_image": PATH}`
    per line, paths relative to the file's folder); every file must exist."""
    path = Path(path)
    out: list[Path] = []
    with path.open(encoding="utf-8-sig") as f:
        for line_no, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                raise DataError(f"{path.name}:{line_no}: not valid JSON ({e.msg} at column {e.colno})") from None
            value = obj.get("input_image") if isinstance(obj, dict) else None
            if not isinstance(value, str) or not value:
                raise DataError(f"{path.name}:{line_no}: input_image: missing or not a path")
            p = Path(value) if Path(value).is_absolute() else path.parent / value
            if not p.is_file():
                raise DataError(f"{path.name}:{line_no}: input_image: file not found: {value}")
            out.append(p)
    if not out:
        raise DataError(f"{path}: no background images")
    return out


# --- helpers ---

def _check_stage(stage: int) -> None:
    if stage not in (1, 2):
        raise ValueError(f"stage must be 1 or 2, got {stage!r}")


def _path_label(row: Row, name: str, i: int) -> str:
    return f"{name}[{i}]" if isinstance(row.raw.get(name), list) else name


def _load(row: Row, field: str, written: str) -> Image.Image:
    try:
        return open_rgb(row.resolve(written))
    except FileNotFoundError:
        raise row.error(field, f"file not found: {written}") from None
    except (OSError, ValueError) as e:
        raise row.error(field, f"cannot read image: {written}: {e}") from None


def _load_mask(row: Row, field: str, written: str) -> Image.Image:
    try:
        return open_mask(row.resolve(written))
    except FileNotFoundError:
        raise row.error(field, f"file not found: {written}") from None
    except (OSError, ValueError) as e:
        raise row.error(field, f"cannot read image: {written}: {e}") from None


def _mask_for(row: Row, source: Image.Image) -> Image.Image:
    mask = _load_mask(row, "image_path", row.image_path[0])
    if mask.size != source.size:
        if row.masks_in_image_path:
            raise row.error("image_path", f"mask is {mask.size[0]}×{mask.size[1]} but source_image is "
                                          f"{source.size[0]}×{source.size[1]}")
        # Stage 1 reads a subject row's reference as the mask; MENTOR squashes both to one size.
        mask = mask.resize(source.size, Image.Resampling.NEAREST)
    return mask


def _background(size: tuple[int, int], rng: random.Random,
                backgrounds: Sequence[str | Path | Image.Image] | None) -> Image.Image:
    if not backgrounds:
        return Image.new("RGB", size, tuple(rng.randrange(256) for _ in range(3)))
    choice = backgrounds[rng.randrange(len(backgrounds))]
    image = choice.convert("RGB") if isinstance(choice, Image.Image) else open_rgb(choice)
    w, h = image.size  # centre square, resized to the source's size (MENTOR's central_crop_and_resize)
    side = min(w, h)
    left, top = (w - side) // 2, (h - side) // 2
    return image.crop((left, top, left + side, top + side)).resize(size, Image.Resampling.LANCZOS)


def _perspective_coeffs(dst: list[tuple[float, float]], src: list[tuple[float, float]]) -> list[float]:
    """PIL PERSPECTIVE data mapping output points `dst` to input points `src`."""
    a, b = [], []
    for (x, y), (u, v) in zip(dst, src):
        a.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        a.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        b += [u, v]
    return np.linalg.solve(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)).tolist()


def _augment(obj: Image.Image, mask: Image.Image, rng: random.Random) -> tuple[Image.Image, Image.Image]:
    """Rotation (±15°), horizontal stretch (×0.8–1.25) and a mild perspective warp (corners moved
    by up to 10 % of the size), applied to the object and its mask alike."""
    angle = rng.uniform(-15.0, 15.0)
    obj = obj.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True)
    mask = mask.rotate(angle, resample=Image.Resampling.NEAREST, expand=True)
    stretch = rng.uniform(0.8, 1.25)
    w, h = obj.size
    size = (max(1, round(w * stretch)), h)
    obj, mask = obj.resize(size, Image.Resampling.BICUBIC), mask.resize(size, Image.Resampling.NEAREST)
    w, h = size
    corners = [(0.0, 0.0), (w, 0.0), (w, h), (0.0, h)]
    moved = [(x + rng.uniform(-0.1, 0.1) * w, y + rng.uniform(-0.1, 0.1) * h) for x, y in corners]
    try:
        coeffs = _perspective_coeffs(corners, moved)
    except np.linalg.LinAlgError:
        return obj, mask
    obj = obj.transform(size, Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BICUBIC)
    mask = mask.transform(size, Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.NEAREST)
    return obj, mask


def _grow(box: tuple[int, int, int, int], size: tuple[int, int]) -> tuple[int, int, int, int]:
    """The box with a margin (10 % of its longer side, at least 2 px) inside an image of `size`:
    resampling then blends the object's edge with its real surroundings, which the mask cuts
    away, rather than with black."""
    margin = max(2, round(0.1 * max(box[2] - box[0], box[3] - box[1])))
    return (max(0, box[0] - margin), max(0, box[1] - margin),
            min(size[0], box[2] + margin), min(size[1], box[3] + margin))


def _recovery_source(row: Row, source: Image.Image, rng: random.Random,
                     backgrounds: Sequence[str | Path | Image.Image] | None) -> Image.Image:
    mask = binary_mask(_mask_for(row, source))
    box = mask.getbbox()
    if box is None:
        raise row.error("image_path", f"mask is empty (no pixel > 0): {row.image_path[0]}")
    box = _grow(box, source.size)
    obj, obj_mask = source.crop(box), mask.crop(box)
    background = _background(source.size, rng, backgrounds)
    if rng.random() < RECOVERY_AUGMENT_P:
        warped, warped_mask = _augment(obj, obj_mask, rng)
        warped_mask = binary_mask(warped_mask)
        inner = warped_mask.getbbox()
        if inner is not None:  # None only if the warp lost every mask pixel; keep the unwarped object
            inner = _grow(inner, warped.size)
            obj, obj_mask = warped.crop(inner), warped_mask.crop(inner)
    bw, bh = background.size
    ow, oh = obj.size
    fit = min(bw / ow, bh / oh)
    scale = rng.uniform(0.5 * fit, fit)
    size = (min(bw, max(1, round(ow * scale))), min(bh, max(1, round(oh * scale))))
    obj, obj_mask = obj.resize(size, Image.Resampling.BICUBIC), obj_mask.resize(size, Image.Resampling.NEAREST)
    x, y = rng.randint(0, bw - size[0]), rng.randint(0, bh - size[1])
    background.paste(obj, (x, y), obj_mask)
    return background
