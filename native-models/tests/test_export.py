"""Must-show 1 of the native-models issue: every graph of an exported bundle, run by onnxruntime,
matches the PyTorch module it was traced from (fp32: max abs diff <= 1e-4), for the tiny config
and a GPT-B-sized one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest
import torch

from mentor_models.export.bundle_writer import GRAPH_SPECS, example_inputs
from mentor_models.export.graphs import DecodeStepGraph
from mentor_models.export.models import ExportModels

TOLERANCE = 1e-4


def session(bundle: Path, name: str) -> ort.InferenceSession:
    return ort.InferenceSession(str(bundle / name), providers=["CPUExecutionProvider"])


def realistic_inputs(models: ExportModels, batch: int) -> dict[str, tuple]:
    """Like the trace inputs, but a different batch size (the axes must really be dynamic) and a
    KV cache filled by a real prefill, so decode runs on meaningful state."""
    inputs = example_inputs(models, batch=batch)
    with torch.no_grad():
        prefill = GRAPH_SPECS["prefill"][0](models)
        logits, kv, _ = prefill(*inputs["prefill"])
    d = inputs["decode"]
    inputs["decode"] = (logits, kv, d[2], torch.tensor(3), torch.rand(batch), d[5], d[6], torch.tensor(40), torch.tensor(0.9))
    return inputs


def max_abs_diff(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a.astype(np.float64) - b.astype(np.float64)))) if a.size else 0.0


def compare_single_pass_graphs(models: ExportModels, bundle: Path, strict_pixels: bool = True) -> dict[str, float]:
    inputs = realistic_inputs(models, batch=3)
    diffs = {}
    for key, file, names in (("vision", "vision.onnx", ["pixels"]),
                             ("textEncoder", "text_encoder.onnx", ["input_ids", "attention_mask", "image_embeds"]),
                             ("prefill", "prefill.onnx", ["encoder_states", "attention_mask"]),
                             ("vqDecode", "vq_decode.onnx", ["tokens"])):
        module = GRAPH_SPECS[key][0](models)
        with torch.no_grad():
            expected = module(*inputs[key])
        expected = expected if isinstance(expected, tuple) else (expected,)
        got = session(bundle, file).run(None, {n: t.numpy() for n, t in zip(names, inputs[key])})
        assert len(got) == len(expected)
        for e, g in zip(expected, got):
            assert g.shape == tuple(e.shape), f"{file}: shape {g.shape} != {tuple(e.shape)}"
            if e.dtype == torch.uint8:
                # Pixels round at .5 boundaries; in fp32 a rounding flip is one level, never more.
                pixel_diff = max_abs_diff(e.numpy(), g)
                assert pixel_diff <= 1 or not strict_pixels, file
                diffs[file + " (pixels, 0-255)"] = pixel_diff
            else:
                diffs[file] = max(diffs.get(file, 0.0), max_abs_diff(e.numpy(), g))
    return diffs


def compare_decode_values(models: ExportModels, bundle: Path, steps: int) -> float:
    """fp16: one decode call with the same forced inputs; tokens may differ where two logits are
    within rounding, so only the first step's logits are compared (max abs diff)."""
    inputs = realistic_inputs(models, batch=2)
    logits, kv, prefix_mask, _, _, cfg, temperature, top_k, top_p = inputs["decode"]
    greedy = torch.tensor(0.0)
    with torch.no_grad():
        _, expected, _ = DecodeStepGraph(models.gpt).eval()(logits, kv, prefix_mask, torch.tensor(0), torch.rand(2),
                                                            cfg, greedy, top_k, top_p)
    _, got, _ = session(bundle, "decode.onnx").run(None, {
        "logits": logits.numpy(), "kv": kv.numpy(), "prefix_mask": prefix_mask.numpy(),
        "start_index": np.array(0, dtype=np.int64), "uniforms": np.zeros((2, 1), np.float32),
        "cfg_scale": cfg.numpy(), "temperature": greedy.numpy(), "top_k": top_k.numpy(), "top_p": top_p.numpy()})
    return max_abs_diff(expected.numpy(), got)


def compare_decode(models: ExportModels, bundle: Path, steps: int) -> float:
    """The decode Loop over `steps` tokens vs the step module called `steps` times in PyTorch."""
    batch = 2
    inputs = realistic_inputs(models, batch=batch)
    logits, kv, prefix_mask, _, _, cfg, temperature, top_k, top_p = inputs["decode"]
    uniforms = torch.rand(batch, steps)
    start = 5
    step = DecodeStepGraph(models.gpt).eval()
    expected_tokens = []
    t_logits, t_kv = logits, kv
    with torch.no_grad():
        for k in range(steps):
            token, t_logits, t_kv = step(t_logits, t_kv, prefix_mask, torch.tensor(start + k), uniforms[:, k],
                                         cfg, temperature, top_k, top_p)
            expected_tokens.append(token)
    tokens, logits_out, kv_out = session(bundle, "decode.onnx").run(None, {
        "logits": logits.numpy(), "kv": kv.numpy(), "prefix_mask": prefix_mask.numpy(),
        "start_index": np.array(start, dtype=np.int64), "uniforms": uniforms.numpy(),
        "cfg_scale": cfg.numpy(), "temperature": temperature.numpy(), "top_k": top_k.numpy(), "top_p": top_p.numpy()})
    assert tokens.shape == (batch, steps)
    np.testing.assert_array_equal(tokens, torch.stack(expected_tokens, dim=1).numpy())
    return max(max_abs_diff(t_logits.numpy(), logits_out), max_abs_diff(t_kv.numpy(), kv_out))


@pytest.mark.parametrize("config", ["tiny", "b"])
def test_every_graph_matches_pytorch_in_fp32(config: str, request: pytest.FixtureRequest) -> None:
    models: ExportModels = request.getfixturevalue(f"{config}_models")
    bundle: Path = request.getfixturevalue(f"{config}_bundle")
    diffs = compare_single_pass_graphs(models, bundle)
    diffs["decode.onnx"] = compare_decode(models, bundle, steps=models.gpt_cfg.grid_size)
    print(f"\n{config} fp32 max abs diff: " + ", ".join(f"{k} {v:.1e}" for k, v in diffs.items()))
    for file, diff in diffs.items():
        if "pixels" not in file:
            assert diff <= TOLERANCE, f"{config}/{file}: max abs diff {diff:.2e} > {TOLERANCE}"


# Measured on random weights (BUNDLE.md, Numerics): the fp16 graphs against the fp32 PyTorch modules.
# Random-weight logits are small, so these are bounds for this test, not for trained checkpoints.
FP16_BOUNDS = {"vision.onnx": 2e-3, "text_encoder.onnx": 1e-4, "prefill.onnx": 2e-3, "decode.onnx": 2e-3,
               "vq_decode.onnx (pixels, 0-255)": 2}


def test_fp16_graphs_stay_within_the_stated_bound(tiny_models: ExportModels, tmp_path: Path) -> None:
    from mentor_models.export.bundle_writer import export_bundle

    bundle = export_bundle(tiny_models, tmp_path / "tiny-fp16", precision="fp16", log=lambda _: None)
    diffs = compare_single_pass_graphs(tiny_models, bundle, strict_pixels=False)
    diffs["decode.onnx"] = compare_decode_values(tiny_models, bundle, steps=tiny_models.gpt_cfg.grid_size)
    print("\ntiny fp16 max abs diff: " + ", ".join(f"{k} {v:.1e}" for k, v in diffs.items()))
    for file, bound in FP16_BOUNDS.items():
        assert diffs[file] <= bound, f"fp16 {file}: max abs diff {diffs[file]:.2e} > {bound}"
