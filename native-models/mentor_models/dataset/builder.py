"""Turn a folder of images (+ captions, + masks) into MENTOR's training JSONL.

    python -m mentor_models.dataset build --images DIR --out FILE.jsonl [--captions FILE] [--masks DIR]

Images: every file under DIR (recursively) with an image extension, in sorted order; each is
opened once, and unreadable ones are skipped and reported.

Captions (optional): CSV with a header row, or JSONL, one entry per image:
    file      the image's path relative to DIR (or just its file name when that is unique);
              also accepted as `file_name`, `filename`, `image`, `image_path`, `path`
    caption   the caption; also `text`, `input_text`, `prompt`
    object    optional: the name of the image's main object (also `objects`, `subject`)

Masks (optional): a folder mirroring DIR where `a/cat.png` is the mask of `a/cat.jpg` (same path
and stem, any image extension); white (> 0) = the object, same size as the image.

Rows written per image (paths relative to the JSONL's folder; flags false unless named):
    with a caption            T2I:            {input_text: caption, image_path: img, source_image: img,
                                               objects: null, generation_only: true}
    always                    reconstruction: {input_text: caption or "", image_path: img,
                                               source_image: img, objects: null}
    with a mask and an object segmentation:   {input_text: caption, image_path: mask, source_image: img,
                                               objects: object, do_mask: true}
                              recovery:       the same with do_replace: true (stage 2: the object cut
                                               out and pasted on another background, the image as
                                               target; stage 1: the image -> the masked object)
A subject-driven row needs a separate reference photo of the subject, which a folder of single
images does not have; write those rows by hand (objects: name, image_path: the reference).
"""

from __future__ import annotations

import csv
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from PIL import UnidentifiedImageError

from .images import binary_mask, open_image
from .jsonl import DataError, read_rows
from .samples import branch_task

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif", ".tif", ".tiff")
FILE_KEYS = ("file", "file_name", "filename", "image", "image_path", "path")
CAPTION_KEYS = ("caption", "text", "input_text", "prompt")
OBJECT_KEYS = ("object", "objects", "subject")


@dataclass
class Caption:
    text: str
    object: str | None
    where: str           # "captions.csv:4", for messages


@dataclass
class BuildReport:
    out: Path
    n_images: int = 0
    rows: int = 0
    tasks: Counter = field(default_factory=Counter)   # stage-2 task names of the rows written
    problems: list[str] = field(default_factory=list)  # files skipped, and why
    notes: list[str] = field(default_factory=list)


def _pick(keys: dict[str, str], names: tuple[str, ...]) -> str | None:
    for name in names:
        if name in keys:
            return keys[name]
    return None


def read_captions(path: str | Path) -> dict[str, Caption]:
    """{file key as written: Caption} from a CSV (header row) or JSONL captions file."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: captions file not found")
    entries: list[tuple[str, dict]] = []
    if path.suffix.lower() in (".jsonl", ".json", ".ndjson"):
        with path.open(encoding="utf-8-sig") as f:
            for n, line in enumerate(f, start=1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as e:
                    raise DataError(f"{path.name}:{n}: not valid JSON ({e.msg} at column {e.colno})") from None
                if not isinstance(obj, dict):
                    raise DataError(f"{path.name}:{n}: expected a JSON object")
                entries.append((f"{path.name}:{n}", obj))
    else:
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            if not reader.fieldnames:
                raise DataError(f"{path.name}: empty CSV; the first row must name the columns (file, caption, object)")
            for n, rec in enumerate(reader, start=2):
                entries.append((f"{path.name}:{n}", rec))
    out: dict[str, Caption] = {}
    for where, rec in entries:
        keys = {str(k).strip().lower(): k for k in rec if k is not None}
        file_key, caption_key = _pick(keys, FILE_KEYS), _pick(keys, CAPTION_KEYS)
        object_key = _pick(keys, OBJECT_KEYS)
        if file_key is None:
            raise DataError(f"{where}: no file column (one of {', '.join(FILE_KEYS)})")
        if caption_key is None:
            raise DataError(f"{where}: no caption column (one of {', '.join(CAPTION_KEYS)})")
        name, caption = rec[file_key], rec[caption_key]
        obj = rec[object_key] if object_key is not None else None
        if not isinstance(name, str) or not name.strip():
            raise DataError(f"{where}: {file_key}: missing file name")
        if not isinstance(caption, str):
            raise DataError(f"{where}: {caption_key}: expected text, got {json.dumps(caption)}")
        if obj is not None and not isinstance(obj, str):
            raise DataError(f"{where}: {object_key}: expected one object name, got {json.dumps(obj)}")
        if obj is not None and "<image>" in obj:
            raise DataError(f"{where}: {object_key}: must not contain <image>")
        key = Path(name.strip()).as_posix()
        if key in out:
            raise DataError(f"{where}: {file_key}: {key} is listed twice (first at {out[key].where})")
        out[key] = Caption(caption.strip(), (obj.strip() or None) if obj else None, where)
    return out


def _images_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS)


def _rel(path: Path, start: Path) -> str:
    try:
        return Path(os.path.relpath(path.resolve(), start.resolve())).as_posix()
    except ValueError:  # another drive (Windows)
        return path.resolve().as_posix()


def build_jsonl(images: str | Path, out: str | Path, *, captions: str | Path | None = None,
                masks: str | Path | None = None, force: bool = False) -> BuildReport:
    images, out = Path(images), Path(out)
    if not images.is_dir():
        raise DataError(f"{images}: not a folder")
    if masks is not None and not Path(masks).is_dir():
        raise DataError(f"{masks}: not a folder")
    if out.exists() and not force:
        raise DataError(f"{out} exists; choose another name or pass --force")
    caption_map = read_captions(captions) if captions is not None else {}
    by_name: dict[str, list[str]] = {}
    for key in caption_map:
        by_name.setdefault(Path(key).name, []).append(key)
    mask_index: dict[str, list[Path]] = {}
    if masks is not None:
        for m in _images_under(Path(masks)):
            mask_index.setdefault(m.relative_to(masks).with_suffix("").as_posix(), []).append(m)

    report = BuildReport(out=out)
    out_dir = out.parent if str(out.parent) else Path(".")
    used_captions: set[str] = set()
    records: list[dict] = []
    no_caption = mask_without_object = 0
    for img in _images_under(images):
        rel = img.relative_to(images).as_posix()
        try:
            size = open_image(img).size
        except UnidentifiedImageError:
            report.problems.append(f"{rel}: skipped: not a readable image")
            continue
        except (OSError, ValueError) as e:
            report.problems.append(f"{rel}: skipped: cannot read image ({e})")
            continue
        report.n_images += 1
        cap = caption_map.get(rel)
        if cap is None and len(by_name.get(img.name, [])) == 1:
            cap = caption_map[by_name[img.name][0]]
            used_captions.add(by_name[img.name][0])
        elif cap is not None:
            used_captions.add(rel)
        img_w = _rel(img, out_dir)
        base = {"image_path": img_w, "source_image": img_w, "objects": None, "generation_only": False,
                "do_mask": False, "do_replace": False, "input_img_list": False}
        if cap is not None:
            records.append({"input_text": cap.text, **base, "generation_only": True})
        else:
            no_caption += 1
        records.append({"input_text": cap.text if cap else "", **base})

        candidates = mask_index.get(Path(rel).with_suffix("").as_posix(), [])
        if not candidates:
            continue
        if len(candidates) > 1:
            report.problems.append(f"{rel}: no mask rows: several masks match "
                                   f"({', '.join(c.name for c in candidates)})")
            continue
        mask = candidates[0]
        mask_rel = mask.relative_to(masks).as_posix()
        if cap is None or cap.object is None:
            mask_without_object += 1
            continue
        try:
            m = open_image(mask)
        except (OSError, ValueError, UnidentifiedImageError) as e:
            report.problems.append(f"{mask_rel}: skipped: cannot read mask ({e})")
            continue
        if m.size != size:
            report.problems.append(f"{mask_rel}: skipped: mask is {m.size[0]}×{m.size[1]} but {rel} is {size[0]}×{size[1]}")
            continue
        if binary_mask(m).getbbox() is None:
            report.problems.append(f"{mask_rel}: skipped: mask is empty (no pixel > 0)")
            continue
        obj_row = {"input_text": cap.text, **base, "image_path": _rel(mask, out_dir), "objects": cap.object}
        records.append({**obj_row, "do_mask": True})
        records.append({**obj_row, "do_replace": True})

    if no_caption and captions is not None:
        report.notes.append(f"{no_caption} images have no caption: reconstruction rows only")
    elif captions is None:
        report.notes.append("no --captions: reconstruction rows only (with empty captions)")
    if mask_without_object:
        report.notes.append(f"{mask_without_object} masks without an object name in the captions file: "
                            "no segmentation/recovery rows for them")
    unused = sorted(set(caption_map) - used_captions)
    if unused:
        report.notes.append(f"{len(unused)} captions name files not found under {images} (ignored), "
                            f"e.g. {unused[0]}")
    if not records:
        raise DataError(f"{images}: no usable images" + (f" ({len(report.problems)} skipped)" if report.problems else ""))

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        for rec in records:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    try:
        checked = read_rows(tmp)  # what we wrote must read back as valid rows
    except DataError:
        tmp.unlink()
        raise
    os.replace(tmp, out)
    report.rows = len(checked.rows)
    report.tasks = Counter(branch_task(r, 2) for r in checked.rows)
    return report
