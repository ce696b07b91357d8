"""`python -m mentor_models.dataset build|check`: a folder -> valid JSONL, and the checker's report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from mentor_models.dataset import DataError, read_rows
from mentor_models.dataset.__main__ import main
from mentor_models.dataset.builder import build_jsonl, read_captions
from mentor_models.dataset.samples import branch_task

NATIVE = Path(__file__).resolve().parents[1]


def _folder(root: Path) -> tuple[Path, Path, Path]:
    images, masks = root / "photos", root / "masks"
    (images / "sub").mkdir(parents=True)
    masks.mkdir()
    (masks / "sub").mkdir()
    for name, color in (("cat.jpg", (200, 40, 40)), ("dog.png", (40, 40, 200)), ("sub/cup.png", (40, 200, 40)),
                        ("bare.png", (90, 90, 90))):
        img = Image.new("RGB", (40, 32), color)
        ImageDraw.Draw(img).rectangle((8, 8, 20, 20), fill=(250, 250, 250))
        img.save(images / name)
    (images / "broken.png").write_bytes(b"not an image")
    (images / "notes.txt").write_text("ignored")
    for name, size in (("cat.png", (40, 32)), ("sub/cup.png", (40, 32)), ("dog.png", (32, 32))):
        m = Image.new("L", size, 0)
        ImageDraw.Draw(m).rectangle((8, 8, 20, 20), fill=255)
        m.save(masks / name)
    captions = root / "captions.csv"
    captions.write_text("file,caption,object\ncat.jpg,A cat on a red mat.,cat\ndog.png,A dog.,dog\n"
                        "sub/cup.png,A green cup.,cup\nmissing.png,Nothing.,\n")
    return images, masks, captions


def test_build_then_check_round_trip(tmp_path: Path, capsys) -> None:
    images, masks, captions = _folder(tmp_path)
    out = tmp_path / "data" / "train.jsonl"
    assert main(["build", "--images", str(images), "--out", str(out), "--captions", str(captions),
                 "--masks", str(masks)]) == 0
    printed = capsys.readouterr()
    assert "broken.png: skipped: not a readable image" in printed.err
    assert "dog.png: skipped: mask is 32×32 but dog.png is 40×32" in printed.err
    assert "1 images have no caption" in printed.out and "1 captions name files not found" in printed.out

    report = read_rows(out)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert all(set(r) >= {"input_text", "image_path", "source_image", "objects", "generation_only", "do_mask",
                          "do_replace", "input_img_list"} for r in rows)
    assert rows[0]["image_path"] == "../photos/bare.png"  # relative to the JSONL's folder
    assert Counter(branch_task(r, 2) for r in report.rows) == {
        "t2i": 3, "reconstruction": 4, "segmentation": 2, "recovery": 2}
    seg = next(r for r in rows if r["do_mask"])
    assert (seg["objects"], seg["image_path"], seg["source_image"]) == ("cat", "../masks/cat.png", "../photos/cat.jpg")

    assert main(["check", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "11 rows, 11 good, 0 problems" in printed
    assert "tasks, stage 1: reconstruction 4, t2i 3, object_reconstruction 2, segmentation 2" in printed
    assert "images: 6 files" in printed

    with pytest.raises(DataError, match="exists"):
        build_jsonl(images, out)


def test_check_reports_problems_and_exit_codes(tmp_path: Path, capsys) -> None:
    Image.new("RGB", (32, 32)).save(tmp_path / "a.png")
    good = {"input_text": "A box.", "image_path": "a.png", "source_image": "a.png", "objects": None}
    path = tmp_path / "train.jsonl"
    path.write_text("\n".join([json.dumps(good), '{"input_text": ', json.dumps({**good, "image_path": "b.png"})]))
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr()
    assert "problem: train.jsonl:2: not valid JSON (Expecting value at column 16)" in out.out
    assert "problem: train.jsonl:3: image_path: file not found: b.png" in out.out
    assert "3 rows, 1 good, 2 problems" in out.out
    assert main(["check", str(path), "--skip-bad-rows"]) == 0
    path.write_text('{"input_text": \n')
    assert main(["check", str(path), "--skip-bad-rows"]) == 1


def test_check_prompt_budget_with_tokenizer(tmp_path: Path, capsys) -> None:
    from mentor_models.tiny_tokenizer import DEFAULT_CORPUS, train_tiny_tokenizer

    train_tiny_tokenizer(DEFAULT_CORPUS, 512).save(str(tmp_path / "tokenizer.json"))
    Image.new("RGB", (32, 32)).save(tmp_path / "a.png")
    rows = [{"input_text": "A box.", "image_path": "a.png", "source_image": "a.png", "objects": None},
            {"input_text": "A red box on a blue chair. " * 6, "image_path": "a.png", "source_image": "a.png",
             "objects": None}]
    path = tmp_path / "train.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert main(["check", str(path), "--tokenizer", str(tmp_path / "tokenizer.json"), "--prefix-len", "64",
                 "--tokens-per-image", "16"]) == 1
    assert "train.jsonl:2: input_text: stage 1 reconstruction prompt does not fit" in capsys.readouterr().out


def test_read_captions_jsonl_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "caps.jsonl"
    path.write_text('{"file_name": "a.png", "text": "A box.", "subject": "box"}\n\n{"image": "b.png", "caption": "B"}\n')
    caps = read_captions(path)
    assert (caps["a.png"].text, caps["a.png"].object, caps["b.png"].object) == ("A box.", "box", None)
    bad = tmp_path / "bad.csv"
    bad.write_text("file,caption\na.png,x\na.png,y\n")
    with pytest.raises(DataError, match=r"bad\.csv:3: file: a\.png is listed twice \(first at bad\.csv:2\)"):
        read_captions(bad)
    bad.write_text("name,caption\na.png,x\n")
    with pytest.raises(DataError, match="no file column"):
        read_captions(bad)


def test_module_entry_point(tmp_path: Path) -> None:
    images, _, _ = _folder(tmp_path)
    out = tmp_path / "t.jsonl"
    env = {**os.environ, "PYTHONPATH": str(NATIVE)}
    build = subprocess.run([sys.executable, "-m", "mentor_models.dataset", "build", "--images", str(images),
                            "--out", str(out)], capture_output=True, text=True, env=env, timeout=120)
    assert build.returncode == 0, build.stderr
    assert "no --captions: reconstruction rows only" in build.stdout
    check = subprocess.run([sys.executable, "-m", "mentor_models.dataset", "check", str(out)],
                           capture_output=True, text=True, env=env, timeout=120)
    assert check.returncode == 0 and "4 rows, 4 good, 0 problems" in check.stdout, check.stdout + check.stderr
