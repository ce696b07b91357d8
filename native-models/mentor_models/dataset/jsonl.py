"""MENTOR's training JSONL (spec/mentor-model.md §5.6): reading and validating rows.

One JSON object per line. Fields (MENTOR's `M:dataset/t2i.py` reads these):

    input_text      str             caption; may contain `<image>` markers (kept only for
                                    input_img_list rows, removed everywhere else)
    image_path      str | [str]     target (T2I, reconstruction), mask(s) (segmentation,
                                    recovery, multi-object), reference (subject-driven) or
                                    input images (input_img_list)
    source_image    str | [str]     source / original image; null only on generation_only rows
    objects         str | [str] | null   every row must carry the key (MENTOR's collate breaks on
                                    rows without it); null = no objects
    generation_only, do_mask, do_replace, input_img_list   bool, optional (default false)

Paths are relative to the JSONL's folder (or `base_dir`) unless absolute. Other keys are ignored.
Blank lines are skipped; row numbers are 1-based line numbers of the file.

Every problem is reported as `FILE:ROW: FIELD: problem` (`FILE:ROW: problem` when it concerns the
whole line), e.g. `train.jsonl:3: image_path: file not found: imgs/cat.png`. `read_rows` raises a
`DataError` for the first bad row, or with `skip_bad_rows` keeps the good rows and lists the
skipped ones as (row, field, problem).

Which rows are which (the structural kind; the task per stage is in samples.py):
    generation_only                 "t2i": target image_path (objects null) or source_image
    input_img_list                  "multi_image": image_path = input images, one `<image>` marker
                                    each in input_text; target source_image
    objects null                    "reconstruction": one source_image, target image_path
    objects str                     "single_object": one image_path, one source_image; with
                                    do_mask / do_replace image_path is the object's mask and must
                                    have the source's size
    objects [str]                   "multi_object": image_path = one mask per object (same sizes
                                    as source_image), one source_image
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field as dc_field
from pathlib import Path
from typing import Any, NamedTuple

from PIL import Image, UnidentifiedImageError

from .images import binary_mask, open_image

IMAGE_MARKER = "<image>"
REQUIRED_FIELDS = ("input_text", "image_path", "source_image", "objects")
FLAG_FIELDS = ("generation_only", "do_mask", "do_replace", "input_img_list")
KINDS = ("t2i", "reconstruction", "single_object", "multi_object", "multi_image")


class DataError(ValueError):
    """A problem with the training data; the message names the file, row and field."""

    def __init__(self, message: str, *, file: str | None = None, row: int | None = None,
                 field: str | None = None, problem: str | None = None) -> None:
        super().__init__(message)
        self.file, self.row, self.field, self.problem = file, row, field, problem or message


def row_message(file: str, row: int, field: str | None, problem: str) -> str:
    return f"{file}:{row}: {field}: {problem}" if field else f"{file}:{row}: {problem}"


class SkippedRow(NamedTuple):
    row: int             # 1-based line number
    field: str | None    # None: the whole line (bad JSON, not an object)
    problem: str


class _Problem(Exception):
    def __init__(self, field: str | None, problem: str) -> None:
        super().__init__(problem)
        self.field, self.problem = field, problem


@dataclass(frozen=True, eq=False)
class Row:
    """One validated row. Paths are kept as written (for messages) and resolved on demand."""

    file: str                              # the JSONL's file name, for messages
    line: int                              # 1-based line number: the row's identity (VQ cache key)
    input_text: str
    image_path: tuple[str, ...]            # as written; a plain string becomes a 1-tuple
    source_image: tuple[str, ...]          # as written; () when null
    objects: str | tuple[str, ...] | None
    generation_only: bool
    do_mask: bool
    do_replace: bool
    input_img_list: bool
    base_dir: Path
    raw: dict[str, Any] = dc_field(repr=False)

    @property
    def kind(self) -> str:
        """Structural kind, one of KINDS (see the module docstring)."""
        if self.generation_only:
            return "t2i"
        if self.input_img_list:
            return "multi_image"
        if self.objects is None:
            return "reconstruction"
        return "single_object" if isinstance(self.objects, str) else "multi_object"

    @property
    def masks_in_image_path(self) -> bool:
        """image_path holds masks that must match source_image's size."""
        kind = self.kind
        return kind == "multi_object" or (kind == "single_object" and (self.do_mask or self.do_replace))

    @property
    def caption(self) -> str:
        """input_text with `<image>` markers removed and stripped, as MENTOR prepares it."""
        return self.input_text.replace(IMAGE_MARKER, "").strip()

    def resolve(self, written: str) -> Path:
        p = Path(written)
        return p if p.is_absolute() else self.base_dir / p

    def image_files(self) -> list[Path]:
        return [self.resolve(p) for p in self.image_path]

    def source_files(self) -> list[Path]:
        return [self.resolve(p) for p in self.source_image]

    def t2i_target(self) -> tuple[str, str]:
        """(field, path as written) of a generation_only row's target."""
        if self.objects is None:
            return "image_path", self.image_path[0]
        return "source_image", self.source_image[0]

    def error(self, field: str | None, problem: str) -> DataError:
        return DataError(row_message(self.file, self.line, field, problem), file=self.file,
                         row=self.line, field=field, problem=problem)


@dataclass
class RowsReport:
    path: Path
    rows: list[Row]
    skipped: list[SkippedRow]
    n_lines: int            # non-blank lines read
    sha256: str             # of the file's bytes

    def skipped_lines(self) -> list[str]:
        name = self.path.name
        return [row_message(name, s.row, s.field, s.problem) for s in self.skipped]


# --- field checks ---

def _json_repr(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _paths(obj: dict, name: str, *, nullable: bool = False) -> tuple[str, ...]:
    value = obj[name]
    if value is None:
        if nullable:
            return ()
        raise _Problem(name, "is null; expected a path or a list of paths")
    if isinstance(value, str):
        items = [value]
    elif isinstance(value, list):
        if not value:
            raise _Problem(name, "is an empty list; expected at least one path")
        items = value
    else:
        raise _Problem(name, f"expected a path or a list of paths, got {_json_repr(value)}")
    for i, item in enumerate(items):
        label = f"{name}[{i}]" if isinstance(value, list) else name
        if not isinstance(item, str):
            raise _Problem(label, f"expected a path (a string), got {_json_repr(item)}")
        if not item.strip():
            raise _Problem(label, "is an empty path")
    return tuple(items)


def _objects(obj: dict) -> str | tuple[str, ...] | None:
    value = obj["objects"]
    if value is None:
        return None
    items = [value] if isinstance(value, str) else value
    if not isinstance(value, (str, list)):
        raise _Problem("objects", f"expected an object name, a list of names or null, got {_json_repr(value)}")
    if isinstance(value, list) and not value:
        raise _Problem("objects", "is an empty list; use null for no objects")
    for i, item in enumerate(items):
        label = f"objects[{i}]" if isinstance(value, list) else "objects"
        if not isinstance(item, str):
            raise _Problem(label, f"expected an object name (a string), got {_json_repr(item)}")
        if not item.strip():
            raise _Problem(label, "is an empty object name")
        if IMAGE_MARKER in item:
            raise _Problem(label, f"must not contain {IMAGE_MARKER}")
    return value if isinstance(value, str) else tuple(value)


def _flag(obj: dict, name: str) -> bool:
    value = obj.get(name, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise _Problem(name, f"expected true or false, got {_json_repr(value)}")
    return value


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class _ImageProbe:
    """Opens each distinct file once: its size, or why it cannot be used."""

    def __init__(self, check_images: bool) -> None:
        self.check_images = check_images
        self._seen: dict[Path, tuple[tuple[int, int] | None, str | None, bool | None]] = {}

    def _probe(self, path: Path, want_mask: bool) -> tuple[tuple[int, int] | None, str | None, bool | None]:
        cached = self._seen.get(path)
        if cached is not None and (not want_mask or cached[2] is not None or cached[1] is not None):
            return cached
        if not path.exists():
            result = (None, "file not found", None)
        elif not path.is_file():
            result = (None, "not a file", None)
        elif not self.check_images:
            result = (None, None, None)
        else:
            try:
                image = open_image(path)
                empty = binary_mask(image).getbbox() is None if want_mask else None
                result = (image.size, None, empty)
            except UnidentifiedImageError:
                result = (None, "cannot read image: unknown or corrupt image format", None)
            except (OSError, ValueError, Image.DecompressionBombError) as e:
                result = (None, f"cannot read image: {e}", None)
        self._seen[path] = result
        return result

    def check(self, row_base: Path, field: str, written: str, *, mask: bool = False) -> tuple[int, int] | None:
        p = Path(written)
        path = p if p.is_absolute() else row_base / p
        size, problem, empty = self._probe(path, mask)
        if problem:
            raise _Problem(field, f"{problem}: {written}")
        if mask and empty:
            raise _Problem(field, f"mask is empty (no pixel > 0): {written}")
        return size


def _label(name: str, raw: Any, i: int) -> str:
    return f"{name}[{i}]" if isinstance(raw, list) else name


def _validate(obj: Any, file: str, line: int, base_dir: Path, probe: _ImageProbe) -> Row:
    if not isinstance(obj, dict):
        raise _Problem(None, f"expected a JSON object, got {type(obj).__name__ if not isinstance(obj, list) else 'a list'}")
    for name in REQUIRED_FIELDS:
        if name not in obj:
            hint = " (every row must carry the key; use null when there are no objects)" if name == "objects" else ""
            raise _Problem(name, f"missing{hint}")
    if not isinstance(obj["input_text"], str):
        raise _Problem("input_text", f"expected a string, got {_json_repr(obj['input_text'])}")
    flags = {name: _flag(obj, name) for name in FLAG_FIELDS}
    objects = _objects(obj)
    image_path = _paths(obj, "image_path")
    source_image = _paths(obj, "source_image", nullable=flags["generation_only"] and objects is None)
    row = Row(file=file, line=line, input_text=obj["input_text"], image_path=image_path,
              source_image=source_image, objects=objects, base_dir=base_dir, raw=obj, **flags)
    kind = row.kind
    n_img, n_src = len(image_path), len(source_image)

    # shapes of the fields per kind
    if kind == "t2i":
        field, _ = row.t2i_target()
        if (n_img if field == "image_path" else n_src) != 1:
            n = n_img if field == "image_path" else n_src
            raise _Problem(field, f"a generation_only row takes one target image here, got a list of {n}")
    elif kind == "reconstruction":
        if n_img != 1:
            raise _Problem("image_path", f"a reconstruction row (objects null) takes one target image, got a list of {n_img}")
        if n_src != 1:
            raise _Problem("source_image", f"a reconstruction row takes one source image (its prompt has one {IMAGE_MARKER}), got a list of {n_src}")
    elif kind == "single_object":
        if n_img != 1:
            raise _Problem("image_path", f"one path expected when objects is a single name, got a list of {n_img} "
                                         "(use a list of objects for several masks)")
        if n_src != 1:
            raise _Problem("source_image", f"one source image expected, got a list of {n_src}")
    elif kind == "multi_object":
        assert isinstance(objects, tuple)
        if n_img != len(objects):
            raise _Problem("image_path", f"{_plural(n_img, 'mask')} for {_plural(len(objects), 'object')}; "
                                         "give one mask per object, in the same order")
        if n_src != 1:
            raise _Problem("source_image", f"one source image expected, got a list of {n_src}")
    elif kind == "multi_image":
        markers = row.input_text.count(IMAGE_MARKER)
        if markers != n_img:
            raise _Problem("input_text", f"has {_plural(markers, IMAGE_MARKER + ' marker')} but image_path "
                                         f"lists {_plural(n_img, 'image')}; write one marker per input image")
        if n_src != 1:
            raise _Problem("source_image", f"one target image expected, got a list of {n_src}")

    # files: exist, decode; masks non-empty and the size of their source image
    masks = row.masks_in_image_path
    src_size = None
    for i, written in enumerate(source_image):
        src_size = probe.check(base_dir, _label("source_image", obj["source_image"], i), written)
    for i, written in enumerate(image_path):
        label = _label("image_path", obj["image_path"], i)
        size = probe.check(base_dir, label, written, mask=masks)
        if masks and size is not None and src_size is not None and size != src_size:
            raise _Problem(label, f"mask is {size[0]}×{size[1]} but source_image is {src_size[0]}×{src_size[1]}")
    return row


def read_rows(path: str | Path, *, skip_bad_rows: bool = False, base_dir: str | Path | None = None,
              check_images: bool = True) -> RowsReport:
    """Reads and validates a MENTOR JSONL.

    check_images: open and fully decode every referenced image once (catches corrupt and truncated
    files, empty masks and mask/source size mismatches); False only checks that the files exist.
    Raises DataError for the first bad row, unless skip_bad_rows (then `report.skipped`).
    """
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise DataError(f"{path}: file not found" if not path.exists() else f"{path}: not a file", file=name)
    base = Path(base_dir) if base_dir is not None else path.parent
    probe = _ImageProbe(check_images)
    digest = hashlib.sha256()
    rows: list[Row] = []
    skipped: list[SkippedRow] = []
    n_lines = 0
    with path.open("rb") as f:
        for line_no, raw_line in enumerate(f, start=1):
            digest.update(raw_line)
            try:
                text = raw_line.decode("utf-8-sig" if line_no == 1 else "utf-8").rstrip("\r\n")
            except UnicodeDecodeError as e:
                text, problem = None, _Problem(None, f"not valid UTF-8 text (byte {e.start + 1})")
            if text is not None and not text.strip():
                continue
            n_lines += 1
            try:
                if text is None:
                    raise problem
                try:
                    obj = json.loads(text)
                except json.JSONDecodeError as e:
                    raise _Problem(None, f"not valid JSON ({e.msg} at column {e.colno})") from None
                rows.append(_validate(obj, name, line_no, base, probe))
            except _Problem as p:
                if not skip_bad_rows:
                    raise DataError(row_message(name, line_no, p.field, p.problem), file=name, row=line_no,
                                    field=p.field, problem=p.problem) from None
                skipped.append(SkippedRow(line_no, p.field, p.problem))
    return RowsReport(path=path, rows=rows, skipped=skipped, n_lines=n_lines, sha256=digest.hexdigest())
