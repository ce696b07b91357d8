"""MENTOR training data: JSONL validation, task branches, the torch dataset, collate, VQ cache."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from mentor_models.configs import VQ_CONFIGS, get_gpt_config
from mentor_models.dataset import (TASKS, DataError, MentorDataset, StaleCacheError, batch_image_embeds,
                                   build_sample, collate, load_codes, precompute_codes, read_reference_backgrounds,
                                   read_rows)
from mentor_models.dataset.images import center_crop_arr, preprocess_spec, target_array
from mentor_models.dataset.samples import branch_task
from mentor_models.dataset.synthetic import write_synthetic_dataset
from mentor_models.encoder_configs import get_encoder_config
from mentor_models.preprocess import preprocess
from mentor_models.tiny_tokenizer import DEFAULT_CORPUS, train_tiny_tokenizer
from mentor_models.vq import VQModel

ENC = get_encoder_config("tiny")
GPT = get_gpt_config("GPT-tiny")


@pytest.fixture(scope="module")
def tokenizer():
    return train_tiny_tokenizer(DEFAULT_CORPUS, 512)


@pytest.fixture(scope="module")
def synth(tmp_path_factory) -> Path:
    return write_synthetic_dataset(tmp_path_factory.mktemp("synth"), n_images=3)


def make_dataset(rows, tokenizer, stage=2, seed=0, **kw) -> MentorDataset:
    backgrounds = (rows.path.parent if hasattr(rows, "path") else rows[0].base_dir) / "backgrounds.jsonl"
    if backgrounds.exists():
        kw.setdefault("reference_backgrounds", read_reference_backgrounds(backgrounds))
    return MentorDataset(rows, tokenizer=tokenizer, enc_cfg=ENC, gpt_cfg=GPT, image_size=32, stage=stage,
                         seed=seed, **kw)


# --- task branches ---

EXPECTED = {  # row kind in synthetic.py -> (stage-1 task, stage-2 task, number of sources)
    "t2i": ("t2i", "t2i", 0),
    "reconstruction": ("reconstruction", "reconstruction", 1),
    "segmentation": ("segmentation", "segmentation", 1),
    "recovery": ("object_reconstruction", "recovery", 1),
    "subject": ("object_reconstruction", "subject", 1),
    "multi_object": ("multi_object", "multi_object", 2),
    "multi_image": ("multi_image", "multi_image", 2),
}


def _synthetic_kind(row) -> str:
    if row.generation_only:
        return "t2i"
    if row.input_img_list:
        return "multi_image"
    if row.objects is None:
        return "reconstruction"
    if isinstance(row.objects, tuple):
        return "multi_object"
    return "segmentation" if row.do_mask else "recovery" if row.do_replace else "subject"


@pytest.mark.parametrize("stage", [1, 2])
def test_every_task_branch(synth: Path, stage: int) -> None:
    report = read_rows(synth)
    backgrounds = read_reference_backgrounds(synth.parent / "backgrounds.jsonl")
    seen = set()
    for row in report.rows:
        task, n_sources = EXPECTED[_synthetic_kind(row)][stage - 1], EXPECTED[_synthetic_kind(row)][2]
        sample = build_sample(row, stage=stage, rng=random.Random(1), reference_backgrounds=backgrounds,
                              image_only_rate=0.0)
        assert sample.task == task == branch_task(row, stage)
        assert len(sample.sources) == n_sources == sample.prompt.count("<image>")
        assert all(s.mode == "RGB" for s in sample.sources) and sample.target.mode == "RGB"
        seen.add(sample.task)
    assert seen == {EXPECTED[k][stage - 1] for k in EXPECTED}


def test_prompts_follow_mentor_templates(synth: Path) -> None:
    rows = {_synthetic_kind(r): r for r in read_rows(synth).rows}
    cap = rows["reconstruction"].caption

    def prompt(kind, stage):
        return build_sample(rows[kind], stage=stage, rng=random.Random(0), image_only_rate=0.0).prompt

    assert prompt("t2i", 2) == cap
    assert prompt("reconstruction", 2) == f"The image is <image>\n{cap}"
    assert prompt("segmentation", 1) == "The box in <image>."
    assert prompt("recovery", 2) == f"The ball in <image>.\n{cap}"
    assert prompt("subject", 2) == f"The box in <image>.\n{cap}"
    assert prompt("subject", 1) == f"<image>\n {cap}"
    assert prompt("multi_object", 2) == "The box in <image>.\nThe ball in <image>.\nA box and a ball."
    assert prompt("multi_object", 1) == "<image>.\n<image>.\nA box and a ball."
    assert prompt("multi_image", 2) == rows["multi_image"].input_text


def test_image_only_reconstruction(synth: Path) -> None:
    rows = read_rows(synth).rows
    for row in rows:  # rate 1: every stage-1 row, T2I included, becomes "<image>\n" with one source
        sample = build_sample(row, stage=1, rng=random.Random(0), image_only_rate=1.0)
        assert (sample.task, sample.prompt, len(sample.sources)) == ("image_only", "<image>\n", 1)
    row = rows[1]
    hits = sum(build_sample(row, stage=1, rng=random.Random(k)).task == "image_only" for k in range(400))
    assert 20 <= hits <= 64  # default rate 0.1
    assert all(build_sample(row, stage=2, rng=random.Random(k)).task != "image_only" for k in range(50))


def test_segmentation_and_crops(synth: Path) -> None:
    rows = {_synthetic_kind(r): r for r in read_rows(synth).rows}
    seg = rows["segmentation"]
    sample = build_sample(seg, stage=2, rng=random.Random(0))
    src = np.asarray(Image.open(seg.source_files()[0]).convert("RGB"))
    mask = np.asarray(Image.open(seg.image_files()[0]).convert("L")) > 0
    target = np.asarray(sample.target)
    assert (target[~mask] == 0).all() and (target[mask] == src[mask]).all()

    multi = build_sample(rows["multi_object"], stage=2, rng=random.Random(0))
    for crop, mask_file in zip(multi.sources, rows["multi_object"].image_files()):
        box = Image.open(mask_file).getbbox()
        assert crop.size[0] == crop.size[1] == max(box[2] - box[0], box[3] - box[1])
    for src_img in build_sample(rows["multi_image"], stage=2, rng=random.Random(0)).sources:
        assert src_img.size[0] == src_img.size[1]  # padded to square (the references are 24x40)
        assert src_img.getpixel((0, 0)) == (0, 0, 0)


def test_recovery_pastes_the_object_on_a_background(synth: Path) -> None:
    rows = read_rows(synth).rows
    row = next(r for r in rows if r.do_replace)
    backgrounds = read_reference_backgrounds(synth.parent / "backgrounds.jsonl")
    a = build_sample(row, stage=2, rng=random.Random(3), reference_backgrounds=backgrounds)
    b = build_sample(row, stage=2, rng=random.Random(3), reference_backgrounds=backgrounds)
    assert a.task == "recovery" and a.sources[0].size == a.target.size
    assert a.sources[0].tobytes() == b.sources[0].tobytes()  # a function of the rng
    assert a.sources[0].tobytes() != a.target.tobytes()
    assert any(build_sample(row, stage=2, rng=random.Random(k), reference_backgrounds=backgrounds)
               .sources[0].tobytes() != a.sources[0].tobytes() for k in (4, 5, 6))
    plain = build_sample(row, stage=2, rng=random.Random(3))  # no backgrounds: a plain colour
    assert plain.sources[0].size == a.target.size
    with pytest.warns(UserWarning, match="plain random colours"):
        make_dataset(read_rows(synth), train_tiny_tokenizer(DEFAULT_CORPUS, 512), stage=2,
                     reference_backgrounds=None)


# --- malformed data ---

def _png(path: Path, size=(64, 64), color=(200, 30, 30), mode="RGB") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, color if mode == "RGB" else 255).save(path)


@pytest.fixture
def files(tmp_path: Path) -> Path:
    _png(tmp_path / "imgs/a.png")
    _png(tmp_path / "imgs/b.png")
    _png(tmp_path / "masks/a.png", mode="L")
    _png(tmp_path / "masks/wide.png", size=(64, 48), mode="L")
    Image.new("L", (64, 64), 0).save(tmp_path / "masks/empty.png")
    (tmp_path / "imgs/corrupt.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really a png")
    good = tmp_path / "imgs/truncated.png"
    Image.effect_noise((64, 64), 50).convert("RGB").save(good)
    good.write_bytes(good.read_bytes()[:200])
    return tmp_path


GOOD = {"input_text": "A red box.", "image_path": "imgs/a.png", "source_image": "imgs/a.png", "objects": None}


def _write(folder: Path, lines: list, name="train.jsonl") -> Path:
    path = folder / name
    path.write_text("".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines))
    return path


BAD_ROWS = [  # (row, field, message)
    ('{"input_text": "x" "image_path": "imgs/a.png"}', None, "not valid JSON (Expecting ',' delimiter at column 20)"),
    ('["a list"]', None, "expected a JSON object, got a list"),
    ({k: v for k, v in GOOD.items() if k != "objects"}, "objects", "missing (every row must carry the key"),
    ({k: v for k, v in GOOD.items() if k != "source_image"}, "source_image", "missing"),
    ({**GOOD, "input_text": 3}, "input_text", "expected a string, got 3"),
    ({**GOOD, "generation_only": "yes"}, "generation_only", 'expected true or false, got "yes"'),
    ({**GOOD, "image_path": 7}, "image_path", "expected a path or a list of paths, got 7"),
    ({**GOOD, "objects": {"a": 1}}, "objects", "expected an object name, a list of names or null"),
    ({**GOOD, "image_path": "imgs/cat.png"}, "image_path", "file not found: imgs/cat.png"),
    ({**GOOD, "source_image": "imgs/corrupt.png"}, "source_image", "cannot read image"),
    ({**GOOD, "image_path": "imgs/truncated.png"}, "image_path", "cannot read image"),
    ({**GOOD, "image_path": "masks/wide.png", "objects": "box", "do_mask": True}, "image_path",
     "mask is 64×48 but source_image is 64×64"),
    ({**GOOD, "image_path": "masks/empty.png", "objects": "box", "do_replace": True}, "image_path",
     "mask is empty"),
    ({**GOOD, "image_path": ["masks/a.png"], "objects": ["box", "ball"]}, "image_path", "1 mask for 2 objects"),
    ({**GOOD, "image_path": ["masks/a.png", "masks/wide.png"], "objects": ["box", "ball"]}, "image_path[1]",
     "mask is 64×48 but source_image is 64×64"),
    ({**GOOD, "input_text": "<image> and", "image_path": ["imgs/a.png", "imgs/b.png"], "input_img_list": True},
     "input_text", "has 1 <image> marker but image_path lists 2 images"),
    ({**GOOD, "source_image": ["imgs/a.png", "imgs/b.png"]}, "source_image", "a reconstruction row takes one source image"),
    ({**GOOD, "objects": "a <image> thing"}, "objects", "must not contain <image>"),
]


@pytest.mark.parametrize("bad, field, message", BAD_ROWS, ids=[f"{i}-{b[1]}" for i, b in enumerate(BAD_ROWS)])
def test_bad_row_names_row_and_field(files: Path, bad, field, message) -> None:
    path = _write(files, [GOOD, GOOD, "", bad, GOOD])  # the bad row is line 4 (line 3 is blank)
    with pytest.raises(DataError) as info:
        read_rows(path)
    err = info.value
    assert (err.row, err.field) == (4, field)
    prefix = f"train.jsonl:4: {field}: " if field else "train.jsonl:4: "
    assert str(err).startswith(prefix + message), str(err)


def test_skip_bad_rows_counts_and_reports(files: Path) -> None:
    lines = [GOOD] + [bad for bad, _, _ in BAD_ROWS] + [GOOD]
    report = read_rows(_write(files, lines), skip_bad_rows=True)
    assert [r.line for r in report.rows] == [1, len(lines)]
    assert [(s.row, s.field) for s in report.skipped] == [(i + 2, f) for i, (_, f, _) in enumerate(BAD_ROWS)]
    assert report.skipped_lines()[8] == "train.jsonl:10: image_path: file not found: imgs/cat.png"
    assert report.n_lines == len(lines)


def test_paths_relative_to_base_dir_or_absolute(files: Path, tmp_path_factory) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    path = _write(elsewhere, [{**GOOD, "source_image": str(files / "imgs/b.png")}])
    with pytest.raises(DataError, match="image_path: file not found"):
        read_rows(path)
    assert read_rows(path, base_dir=files).rows[0].source_files() == [files / "imgs/b.png"]


def test_prompt_over_budget_names_the_row(files: Path, tokenizer) -> None:
    long = {**GOOD, "input_text": " ".join(["A red box on a blue chair."] * 8)}
    path = _write(files, [GOOD, long, GOOD])
    with pytest.raises(DataError, match=r"train\.jsonl:2: input_text: reconstruction prompt does not fit: "
                                        r"prompt too long") as info:
        make_dataset(read_rows(path), tokenizer)
    assert (info.value.row, info.value.field) == (2, "input_text")
    ds = make_dataset(read_rows(path), tokenizer, skip_bad_rows=True)
    assert len(ds) == 2 and [(s.row, s.field) for s in ds.skipped] == [(2, "input_text")]


# --- the torch dataset ---

def test_items_and_determinism(synth: Path, tokenizer) -> None:
    report = read_rows(synth)
    bgs = read_reference_backgrounds(synth.parent / "backgrounds.jsonl")
    a = make_dataset(report, tokenizer, stage=1, seed=7, reference_backgrounds=bgs, image_only_rate=0.5)
    b = make_dataset(report, tokenizer, stage=1, seed=7, reference_backgrounds=bgs, image_only_rate=0.5)
    order = list(range(len(a)))
    first = [a[i] for i in order]
    again = [b[i] for i in reversed(order)][::-1]  # another instance, another access order
    for x, y in zip(first, again):
        assert x["task"] == y["task"]
        for key in ("input_ids", "attention_mask", "pixels", "target"):
            assert torch.equal(x[key], y[key])
    it = first[1]
    assert it["input_ids"].dtype == torch.int64 and it["input_ids"].shape == (GPT.cls_token_num,)
    assert it["pixels"].dtype == torch.float32 and it["pixels"].shape == (it["n_images"], 3, 32, 32)
    assert it["target"].shape == (3, 32, 32) and -1 <= it["target"].min() and it["target"].max() <= 1
    a.set_epoch(1)
    tasks_epoch1 = [a[i]["task"] for i in order]
    assert tasks_epoch1 != [x["task"] for x in first]  # image-only draws change with the epoch
    a.set_epoch(0)
    assert [a[i]["task"] for i in order] == [x["task"] for x in first]


def test_pixels_and_target_values(synth: Path, tokenizer) -> None:
    ds = make_dataset(read_rows(synth), tokenizer, stage=2)
    i = next(k for k, r in enumerate(ds.rows) if r.kind == "reconstruction")
    item = ds[i]
    image = Image.open(ds.rows[i].source_files()[0]).convert("RGB")
    assert np.array_equal(item["pixels"][0].numpy(), preprocess(image, preprocess_spec(ENC)))
    assert np.allclose(item["target"].numpy(), np.asarray(image, np.float32).transpose(2, 0, 1) / 127.5 - 1)
    ids = item["input_ids"][item["attention_mask"].bool()].tolist()
    assert ids.count(ENC.image_token_id) == ENC.tokens_per_image and ids[-1] == 1  # </s>


def test_center_crop_arr() -> None:
    wide = Image.new("RGB", (100, 50), (10, 20, 30))
    assert center_crop_arr(wide, 32).size == (32, 32)
    big = Image.effect_noise((300, 200), 40).convert("RGB")  # box-halved once (200 >= 2*64), then bicubic
    assert center_crop_arr(big, 64).size == (64, 64)
    arr = target_array(wide, 16)
    assert arr.shape == (3, 16, 16) and np.allclose(arr[:, 0, 0], np.array([10, 20, 30]) / 127.5 - 1, atol=1e-6)


def test_collate_shapes(synth: Path, tokenizer) -> None:
    ds = make_dataset(read_rows(synth), tokenizer, stage=2)
    kinds = [r.kind for r in ds.rows]
    pick = [kinds.index("t2i"), kinds.index("reconstruction"), kinds.index("multi_object")]
    batch = collate([ds[i] for i in pick])
    assert batch["input_ids"].shape == batch["attention_mask"].shape == (3, GPT.cls_token_num)
    assert batch["pixels"].shape == (3, 2, 3, 32, 32)
    assert batch["image_mask"].tolist() == [[False, False], [True, False], [True, True]]
    assert batch["image_counts"].tolist() == [0, 1, 2] and batch["pixels_flat"].shape == (3, 3, 32, 32)
    assert torch.equal(batch["pixels"][batch["image_mask"]], batch["pixels_flat"])
    assert batch["target"].shape == (3, 3, 32, 32) and batch["task"] == ["t2i", "reconstruction", "multi_object"]
    flat = torch.arange(3.0).reshape(3, 1, 1).expand(3, ENC.tokens_per_image, 5)  # [n, P, D]
    embeds = batch_image_embeds(flat, batch["image_counts"])
    assert embeds.shape == (3, 2 * ENC.tokens_per_image, 5)
    assert embeds[0].abs().sum() == 0 and embeds[1, 0, 0] == 0 and embeds[2, 0, 0] == 1 and embeds[2, -1, 0] == 2
    loader = torch.utils.data.DataLoader(ds, batch_size=4, collate_fn=collate)
    assert sum(len(b["task"]) for b in loader) == len(ds)


# --- VQ code cache ---

def test_vq_cache_round_trip_and_stale_refusal(synth: Path, tokenizer, tmp_path: Path) -> None:
    torch.manual_seed(0)
    vq = VQModel(VQ_CONFIGS["VQ-tiny"])
    report = read_rows(synth)
    ds = make_dataset(report, tokenizer, stage=2)
    out = precompute_codes(ds, vq, tmp_path / "codes.pt", batch_size=5)
    assert vq.training  # mode restored
    codes = load_codes(out, rows=report, vq_model=vq, stage=2, image_size=32)
    assert set(codes) == {r.line for r in report.rows}
    cached = make_dataset(report, tokenizer, stage=2, vq_codes=codes)
    item = cached[3]
    assert "target" not in item and item["codes"].dtype == torch.int64 and item["codes"].shape == (GPT.block_size,)
    vq.eval()
    assert torch.equal(item["codes"], vq.encode_to_codes(ds.target_tensor(3)[None])[0])
    assert collate([cached[0], cached[1]])["codes"].shape == (2, GPT.block_size)

    with pytest.raises(StaleCacheError, match="it was made for stage 2, not 1"):
        load_codes(out, rows=report, vq_model=vq, stage=1, image_size=32)
    other = VQModel(VQ_CONFIGS["VQ-tiny"])
    with pytest.raises(StaleCacheError, match="the VQ weights differ"):
        load_codes(out, rows=report, vq_model=other, stage=2, image_size=32)
    edited = synth.parent / "edited.jsonl"
    edited.write_text(synth.read_text().replace("A box and a ball.", "A ball and a box.", 1))
    with pytest.raises(StaleCacheError, match="the JSONL rows changed"):
        load_codes(out, rows=read_rows(edited), vq_model=vq, stage=2, image_size=32)
    with pytest.raises(DataError, match="no codes for rows"):
        make_dataset(report, tokenizer, stage=2, vq_codes={k: v for k, v in codes.items() if k != 2})


def test_vq_cache_from_rows_and_dataset_side_checks(synth: Path, tokenizer, tmp_path: Path) -> None:
    torch.manual_seed(0)
    vq = VQModel(VQ_CONFIGS["VQ-tiny"])
    report = read_rows(synth)
    with pytest.raises(TypeError, match="needs stage= and image_size="):
        precompute_codes(report.rows, vq, tmp_path / "x.pt")
    out = precompute_codes(report.rows, vq, tmp_path / "codes1.pt", stage=1, image_size=32)
    codes = load_codes(out)  # no expectations here: the dataset checks rows, stage and size itself
    ds = make_dataset(report.rows, tokenizer, stage=1, vq_codes=codes)
    i = next(k for k, r in enumerate(ds.rows) if r.do_replace)  # its target differs between stages
    vq.eval()
    assert torch.equal(ds[i]["codes"], vq.encode_to_codes(ds.target_tensor(i)[None])[0])
    with pytest.raises(StaleCacheError, match="made for stage 1, not 2"):
        make_dataset(report.rows, tokenizer, stage=2, vq_codes=codes)
    with pytest.raises(StaleCacheError, match="the JSONL rows changed"):
        make_dataset(report.rows[1:], tokenizer, stage=1, vq_codes=codes)


def test_tasks_constant_covers_branches() -> None:
    assert set(TASKS) == {"t2i", "reconstruction", "image_only", "segmentation", "object_reconstruction",
                          "recovery", "subject", "multi_object", "multi_image"}
