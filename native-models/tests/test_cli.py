"""Must-show 5: `python -m mentor_models.export --random-init --config tiny --out DIR` finishes in
under a minute and `python -m mentor_models.check DIR` passes; damage is reported by file name."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import onnx
import pytest

NATIVE_MODELS = Path(__file__).resolve().parents[1]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=NATIVE_MODELS, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def cli_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "tiny"
    started = time.perf_counter()
    result = run("mentor_models.export", "--random-init", "--config", "tiny", "--out", str(out))
    seconds = time.perf_counter() - started
    assert result.returncode == 0, result.stderr
    print(f"\nexport --config tiny: {seconds:.1f} s")
    assert seconds < 60, f"tiny export took {seconds:.1f} s"
    return out


def damaged_copy(bundle: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "bundle"
    shutil.copytree(bundle, copy)
    return copy


def test_check_passes_on_a_fresh_export(cli_bundle: Path) -> None:
    result = run("mentor_models.check", str(cli_bundle))
    assert result.returncode == 0, result.stderr
    assert "ok" in result.stdout
    manifest = json.loads((cli_bundle / "manifest.json").read_text())
    assert {f["path"] for f in manifest["files"]} == {
        "vision.onnx", "text_encoder.onnx", "prefill.onnx", "decode.onnx", "vq_decode.onnx", "tokenizer.json"}


def test_one_changed_byte_in_a_graph_fails_naming_the_file(cli_bundle: Path, tmp_path: Path) -> None:
    bundle = damaged_copy(cli_bundle, tmp_path)
    graph = bundle / "prefill.onnx"
    data = bytearray(graph.read_bytes())
    data[len(data) // 2] ^= 0x01
    graph.write_bytes(bytes(data))
    result = run("mentor_models.check", str(bundle))
    assert result.returncode == 1
    assert "prefill.onnx: sha256 does not match" in result.stderr


def test_a_missing_graph_is_named(cli_bundle: Path, tmp_path: Path) -> None:
    bundle = damaged_copy(cli_bundle, tmp_path)
    (bundle / "decode.onnx").unlink()
    result = run("mentor_models.check", str(bundle))
    assert result.returncode == 1
    assert "decode.onnx: missing" in result.stderr


def test_a_graph_whose_inputs_break_the_contract_is_named(cli_bundle: Path, tmp_path: Path) -> None:
    from mentor_models.manifest import file_entries, read_manifest, write_manifest

    bundle = damaged_copy(cli_bundle, tmp_path)
    model = onnx.load(str(bundle / "vision.onnx"))
    model.graph.input[0].name = "images"  # the renamed input no longer feeds anything; the contract check runs first
    onnx.save(model, str(bundle / "vision.onnx"))
    manifest = read_manifest(bundle)
    manifest["files"] = file_entries(bundle, [f["path"] for f in manifest["files"]])  # hashes made consistent
    write_manifest(bundle, manifest)
    result = run("mentor_models.check", str(bundle))
    assert result.returncode == 1
    assert "vision.onnx: missing input 'pixels'" in result.stderr


@pytest.mark.parametrize(("version", "says"), [
    (99, "formatVersion 99 is newer than this build reads (2)"),
    # Format 1 carried the KV cache as one tensor through an ONNX Loop (BUNDLE.md, Versions).
    (1, "formatVersion 1 is an older bundle format (this build reads 2); re-export the bundle with this version"),
    ("2", "formatVersion '2' is not supported"),
])
def test_another_format_version_is_refused_with_what_to_do(cli_bundle: Path, tmp_path: Path, version: object, says: str) -> None:
    bundle = damaged_copy(cli_bundle, tmp_path)
    manifest = json.loads((bundle / "manifest.json").read_text())
    manifest["formatVersion"] = version
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    result = run("mentor_models.check", str(bundle))
    assert result.returncode == 1
    assert says in result.stderr


def test_export_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("user data")
    result = run("mentor_models.export", "--random-init", "--config", "tiny", "--out", str(tmp_path))
    assert result.returncode == 1
    assert "is not empty" in result.stderr
    assert (tmp_path / "keep.txt").read_text() == "user data"


def test_export_from_a_wrong_checkpoint_names_the_problem(tmp_path: Path) -> None:
    import torch

    from mentor_models.configs import VQ_CONFIGS
    from mentor_models.official_layout import official_vq_checkpoint

    vq_file = tmp_path / "vq_ds16_t2i.pt"
    torch.save(official_vq_checkpoint(VQ_CONFIGS["VQ-tiny"]), vq_file)
    result = run("mentor_models.export", "--mentor", str(vq_file), "--vq", str(vq_file), "--tokenizer", str(tmp_path),
                 "--config", "tiny", "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "VQ" in result.stderr
    assert not (tmp_path / "out").exists()


def test_export_from_official_layout_checkpoints_passes_check(tmp_path: Path) -> None:
    """stage2.pt / vq_ds16_t2i.pt / FlanT5 tokenizer laid out as the official files, at tiny sizes."""
    import torch

    from mentor_models.checkpoints import encoder_shapes
    from mentor_models.configs import VQ_CONFIGS, get_gpt_config
    from mentor_models.encoder_configs import get_encoder_config
    from mentor_models.export.presets import PRESETS
    from mentor_models.official_layout import official_mentor_checkpoint, official_vq_checkpoint
    from mentor_models.tiny_tokenizer import DEFAULT_CORPUS, train_tiny_tokenizer

    preset = PRESETS["tiny"]
    generator = torch.Generator().manual_seed(3)
    gpt_cfg = get_gpt_config(preset.gpt, **preset.gpt_overrides)
    enc_cfg = get_encoder_config(preset.encoder)
    torch.save(official_mentor_checkpoint(gpt_cfg, encoder_shapes(enc_cfg), generator=generator), tmp_path / "stage2.pt")
    torch.save(official_vq_checkpoint(VQ_CONFIGS[preset.vq], generator=generator), tmp_path / "vq_ds16_t2i.pt")
    train_tiny_tokenizer(DEFAULT_CORPUS, 512).save(str(tmp_path / "tokenizer.json"))
    out = tmp_path / "bundle"
    result = run("mentor_models.export", "--mentor", str(tmp_path / "stage2.pt"), "--vq", str(tmp_path / "vq_ds16_t2i.pt"),
                 "--tokenizer", str(tmp_path), "--config", "tiny", "--out", str(out))
    assert result.returncode == 0, result.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert [s["role"] for s in manifest["sources"]] == ["mentor", "vq"]
    assert all(len(s["sha256"]) == 64 for s in manifest["sources"])
    check = run("mentor_models.check", str(out))
    assert check.returncode == 0, check.stderr


def test_export_from_a_trainer_checkpoint_reproduces_its_weights(tiny_models, tmp_path: Path) -> None:
    """A checkpoint of our trainer (state dict + config) exports to a bundle whose tokens equal the
    PyTorch reference on the same weights."""
    import numpy as np
    import torch

    from mentor_models.bundle_runner import BundleRunner, SamplingParams
    from mentor_models.reference import Sampling, reference_generate

    state = dict(tiny_models.gpt.state_dict())
    state.update({f"multimodal_encoder.{k}": v for k, v in tiny_models.encoder.state_dict().items()})
    torch.save({"model": state, "config": {"model": {"preset": "tiny"}}, "step": 50}, tmp_path / "step-50.pt")
    torch.save({"model": tiny_models.vq.state_dict()}, tmp_path / "vq.pt")
    out = tmp_path / "bundle"
    result = run("mentor_models.export", "--checkpoint", str(tmp_path / "step-50.pt"), "--vq", str(tmp_path / "vq.pt"),
                 "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert run("mentor_models.check", str(out)).returncode == 0
    runner = BundleRunner(out)
    sampling = Sampling(5.0, 1.0, 0, 1.0)
    ours = runner.generate("A cat in a hat", [], seed=9, params=SamplingParams(5.0, 1.0, 0, 1.0))
    ref = reference_generate(tiny_models, "A cat in a hat", [], seed=9, sampling=sampling)
    np.testing.assert_array_equal(ours.tokens, ref.tokens)


def test_large_graphs_keep_their_weights_in_external_data(tiny_models, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Above 2 GB a graph's weights go to `<graph>.data`; simulated by lowering the threshold."""
    from mentor_models.export import onnx_export
    from mentor_models.export.bundle_writer import export_bundle

    monkeypatch.setattr(onnx_export, "EXTERNAL_DATA_THRESHOLD", 10_000)
    out = export_bundle(tiny_models, tmp_path / "bundle", log=lambda _: None)
    listed = {f["path"] for f in json.loads((out / "manifest.json").read_text())["files"]}
    assert {"prefill.onnx.data", "decode.onnx.data", "vq_decode.onnx.data"} <= listed
    result = run("mentor_models.check", str(out))
    assert result.returncode == 0, result.stderr
