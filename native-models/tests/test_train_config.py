"""Trainer config (issue 6, must-show 1 config part; style guideline 18): closed and typed, named configs
hold the paper/script values (spec §5.1–5.5), overrides parse to the field's type, the schedule and
the stage rule follow the documented recipe with the official quirks opt-in."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from mentor_models.train.config import ConfigError, config_from_dict, load_config, parse_override
from mentor_models.train.freeze import is_trainable
from mentor_models.train.schedule import LRSchedule


@pytest.mark.parametrize("override, message", [
    ("optim.lrr=1e-4", "optim.lrr: unknown key"),
    ("optimizer.lr=1e-4", "optimizer: unknown key"),
    ("model.gpt.n_layers=4", "model.gpt.n_layers: unknown key"),
    ("optim.lr=fast", "optim.lr: expected float, got 'fast'"),
    ("train.global_batch=1.5", "train.global_batch: expected int"),
    ("parallel.fsdp=maybe", "parallel.fsdp: expected bool"),
    ("stage=3", "stage: must be one of 1, 2"),
    ("model.preset=huge", "model.preset: must be one of 'tiny', 'b', 'xl'"),
    ("model.gpt.dim=wide", "model.gpt.dim: expected int"),
    ("optim.betas=0.9", "optim.betas: expected tuple[float, float]"),
    ("optim", "overrides are key=value"),
    ("optim=1", "optim: is a section"),
    ("train.global_batch=0", "train.global_batch: must be >= 1"),
])
def test_bad_overrides_name_the_key(override: str, message: str) -> None:
    with pytest.raises(ConfigError) as e:
        load_config("tiny", [override])
    assert message in str(e.value)


@pytest.mark.parametrize("data, message", [
    ({"optim": {"lr": "1e-4"}}, "optim.lr: expected float, got str '1e-4'"),
    ({"train": {"global_batch": True}}, "train.global_batch: expected int, got bool True"),
    ({"train": {"epochs": 1, "warmup": 0.05}}, "train.warmup: unknown key"),
    ({"checkpoint": 5}, "checkpoint: expected a table/dict"),
    ({"model": {"encoder": {"t5_num_layers": "2"}}}, "model.encoder.t5_num_layers: expected int"),
    ({"nonsense": 1}, "nonsense: unknown key"),
])
def test_bad_dicts_name_the_key(data: dict, message: str) -> None:
    with pytest.raises(ConfigError) as e:
        config_from_dict(data)
    assert message in str(e.value)


def test_named_configs_hold_the_paper_values() -> None:
    s1, s2 = load_config("mentor-stage1"), load_config("mentor-stage2")
    for cfg, stage, lr, batch, epochs in ((s1, 1, 5e-4, 96, 1), (s2, 2, 1e-4, 64, 2)):
        assert cfg.stage == stage and cfg.optim.lr == lr and cfg.train.global_batch == batch
        assert cfg.train.epochs == epochs and cfg.train.grad_accum == 4
        assert cfg.schedule.warmup == 0.05 and cfg.schedule.decay == "cosine" and cfg.schedule.min_lr_ratio == 0.1
        assert cfg.optim.betas == (0.9, 0.95) and cfg.optim.weight_decay == 0.05 and cfg.optim.grad_clip == 1.0
        assert cfg.train.cfg_dropout == 0.1 and cfg.train.dropout == 0.1 and cfg.train.t5_dropout == 0.1
        assert cfg.data.image_size == 512 and cfg.model.gpt["cls_token_num"] == 512 and cfg.model.preset == "xl"
        assert cfg.parallel.precision == "bf16" and cfg.parallel.compile and cfg.parallel.tf32
        assert cfg.parts.text_encoder  # the scripts' --train_text_encoder
        assert not cfg.recipe.official_quirks  # the documented recipe is the default
        assert cfg.checkpoint.every == 500 and cfg.checkpoint.keep == 1  # 2000 micro-batches, save_total_limit 1
    assert s1.samples_per_step() == 384 and s2.samples_per_step() == 256
    assert s1.data.image_only_rate == 0.1


def test_overrides_parse_to_the_field_type_and_round_trip(tmp_path: Path) -> None:
    cfg = load_config("tiny", ["optim.lr=1e-4", "optim.betas=0.8,0.99", "model.gpt.n_layer=2", "init.vq=none",
                               "train.max_steps=none", "stage=2", "parallel.fsdp=true", "samples.prompt=a = b"])
    assert cfg.optim.lr == 1e-4 and cfg.optim.betas == (0.8, 0.99) and cfg.model.gpt == {"n_layer": 2}
    assert cfg.init.vq is None and cfg.train.max_steps is None and cfg.stage == 2 and cfg.parallel.fsdp
    assert cfg.samples.prompt == "a = b"
    assert parse_override("optim.betas=[0.5, 0.6]") == (["optim", "betas"], [0.5, 0.6])
    assert config_from_dict(json.loads(json.dumps(cfg.to_dict()))) == cfg
    # the export reads checkpoint["config"]["model"] = {"preset", "gpt", "encoder"}
    assert cfg.to_dict()["model"] == {"preset": "tiny", "gpt": {"n_layer": 2}, "encoder": {}}


def test_config_files_json_and_toml_with_a_base(tmp_path: Path) -> None:
    js = tmp_path / "run.json"
    js.write_text(json.dumps({"base": "mentor-stage2", "optim": {"lr": 2e-4}, "model": {"gpt": {"n_layer": 12}}}))
    cfg = load_config(str(js))
    assert cfg.optim.lr == 2e-4 and cfg.train.global_batch == 64
    assert cfg.model.gpt == {"cls_token_num": 512, "block_size": 1024, "n_layer": 12}  # merged key by key
    toml = tmp_path / "run.toml"
    toml.write_text('base = "tiny"\n[train]\nglobal_batch = 8\n[recipe]\nofficial_quirks = true\n')
    cfg = load_config(str(toml), ["train.grad_accum=2"])
    assert cfg.train.global_batch == 8 and cfg.recipe.official_quirks and cfg.train.grad_accum == 2
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"train": {"global_batchh": 8}}))
    with pytest.raises(ConfigError, match="train.global_batchh: unknown key"):
        load_config(str(bad))
    with pytest.raises(ConfigError, match="neither a named config"):
        load_config(str(tmp_path / "missing.json"))


def test_cli_rejects_a_bad_key_before_doing_anything(capsys: pytest.CaptureFixture) -> None:
    from mentor_models.train.__main__ import main

    assert main(["--config", "tiny", "--out", "/nonexistent/x", "optim.lrr=1"]) == 2
    assert "optim.lrr: unknown key" in capsys.readouterr().err
    assert main(["--config", "mentor-stage1", "--print-config", "--stage", "2", "optim.lr=3e-4"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["stage"] == 2 and printed["optim"]["lr"] == 3e-4


def test_schedule_documented_recipe_and_official_quirk() -> None:
    peak, steps = 5e-4, 1000
    doc = LRSchedule(peak=peak, total_steps=steps, warmup=0.05, grad_accum=4)
    lrs = [doc.lr(s) for s in range(steps)]
    assert doc.warmup_steps == 50 and lrs[0] == pytest.approx(peak / 50) and lrs[49] == pytest.approx(peak)
    assert max(lrs) == pytest.approx(peak) and lrs[-1] == pytest.approx(0.1 * peak)  # cosine to 10% of peak
    assert all(a >= b for a, b in zip(lrs[50:], lrs[51:]))
    quirk = LRSchedule(peak=peak, total_steps=steps, warmup=0.05, grad_accum=4, official_quirks=True)
    q = [quirk.lr(s) for s in range(steps)]
    peak_at = max(range(steps), key=lambda s: q[s])
    assert q[0] == 0.0 and peak_at == 200  # warmup over 20% of the optimizer steps
    final = 0.1 + 0.45 * (1 + math.cos(math.pi * (steps - 1 - 200) / 4000))
    assert q[-1] == pytest.approx(final * peak) and q[-1] / peak == pytest.approx(0.914, abs=1e-3)


@pytest.mark.parametrize("name, stage1, stage2", [
    ("gpt.layers.0.attention.wqkv.weight", False, True),
    ("gpt.cls_embedding.cap_proj.fc1.weight", False, True),
    ("gpt.tok_embeddings.weight", True, True),
    ("gpt.norm.weight", True, True),
    ("gpt.output.weight", True, True),
    ("multimodal_encoder.language_model.encoder.block.0.layer.0.SelfAttention.q.weight", True, True),
    ("multimodal_encoder.language_projection.0.weight", True, True),
    ("multimodal_encoder.vision_model.vision_tower.vision_model.embeddings.patch_embedding.weight", False, False),
])
def test_what_trains_per_stage(name: str, stage1: bool, stage2: bool) -> None:
    assert is_trainable(name, 1) is stage1 and is_trainable(name, 2) is stage2
    if name.startswith("multimodal_encoder.language"):
        assert not is_trainable(name, 2, text_encoder=False)  # the paper's frozen encoder
