"""The benchmark's conventional per-token baseline must generate what the bundle generates, or the
ratio `npm run bench` reports against it would compare different work."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest
from PIL import Image

from mentor_models import bench_python
from mentor_models.bundle_runner import BundleRunner
from mentor_models.export.models import ExportModels
from mentor_models.past_present_baseline import decode_past_present, export_past_present, present_names
from mentor_models.uniforms import uniforms

PROMPT = "The cat in <image>. A cat as a pixel-art hero"


@pytest.fixture(scope="module")
def baseline(tiny_models: ExportModels, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("baseline") / "past-present.onnx"
    export_past_present(tiny_models.gpt, out)
    return out


@pytest.fixture(scope="module")
def reference_png(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ref") / "ref.png"
    rng = np.random.default_rng(3)
    Image.fromarray(rng.integers(0, 256, (48, 40, 3), dtype=np.uint8)).save(path)
    return path


def _prefilled(runner: BundleRunner, image: Image.Image):
    return runner.prefix(PROMPT, [image])


def test_the_past_present_loop_samples_the_bundles_tokens(tiny_bundle: Path, baseline: Path, reference_png: Path) -> None:
    runner = BundleRunner(tiny_bundle, verify=False)
    session = ort.InferenceSession(str(baseline), providers=["CPUExecutionProvider"])
    image = Image.open(reference_png).convert("RGB")
    p, c = runner.defaults(), runner.config
    n = c["grid"] ** 2
    lengths: list[int] = []
    for seed in (1, 2, 3):
        expected = runner.generate(PROMPT, [image], seed).tokens
        logits, prefix_mask, caches = _prefilled(runner, image)
        valid = int(prefix_mask[0].sum())
        lengths.clear()
        tokens = decode_past_present(
            session, logits, caches, prefix_mask, uniforms(seed, 1, n), (p.cfg_scale, p.temperature, p.top_k, p.top_p),
            c["prefixLength"], n, lambda done, feeds, outputs: lengths.append(outputs[1].shape[2]))
        np.testing.assert_array_equal(tokens, expected)
    # The whole cache comes back every token, one slot longer each time, starting from the prompt's slots.
    assert lengths == [valid + j for j in range(1, n + 1)]
    assert [o.name for o in session.get_outputs()][1:] == present_names(c["gpt"]["n_layer"])


def test_the_baseline_refuses_rows_with_different_prompt_masks(tiny_bundle: Path, baseline: Path, reference_png: Path) -> None:
    runner = BundleRunner(tiny_bundle, verify=False)
    logits, prefix_mask, caches = _prefilled(runner, Image.open(reference_png).convert("RGB"))
    two = np.concatenate([prefix_mask, prefix_mask])
    two[1, np.flatnonzero(two[1])[0]] = 0
    session = ort.InferenceSession(str(baseline), providers=["CPUExecutionProvider"])
    with pytest.raises(ValueError, match="same prompt mask"):
        decode_past_present(session, logits, caches, two, np.full((2, 4), 0.5, np.float32), (7.5, 0.9, 0, 1.0), 0, 4)


def test_bench_past_present_reports_every_step_and_the_bytes_that_crossed(tiny_bundle: Path, baseline: Path, reference_png: Path,
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert bench_python.main(["past-present", "--bundle", str(tiny_bundle), "--baseline", str(baseline), "--image", str(reference_png),
                              "--prompt", PROMPT, "--seed", "5"]) == 0
    result = json.loads(capsys.readouterr().out)
    runner = BundleRunner(tiny_bundle, verify=False)
    n = runner.config["grid"] ** 2
    run = result["runs"][0]
    assert run["decodeCalls"] == n and run["decodeTokensMeasured"] == n and not run["stoppedEarly"]
    assert run["decodeMsPerTokenMedian"] > 0 and set(run["timings"]) >= {"vision", "textEncoder", "prefill", "decode", "vqDecode", "total"}
    assert result["sampledTokens"] == runner.generate(PROMPT, [Image.open(reference_png).convert("RGB")], 5).tokens[0].tolist()
    # At least the caches of every step went in and came back: far more than the bundle's own loop moves.
    cache_bytes = sum(a.nbytes for a in _prefilled(runner, Image.open(reference_png).convert("RGB"))[2].values())
    assert result["boundaryBytesPerImage"] > cache_bytes
