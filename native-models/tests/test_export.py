"""Must-show 1 of the native-models issue: every graph of an exported bundle, run by onnxruntime,
matches the PyTorch module it was traced from (fp32: max abs diff <= 1e-4), for the tiny config
and a GPT-B-sized one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch

from mentor_models.bundle_spec import cache_names
from mentor_models.export.bundle_writer import example_inputs, graph_specs
from mentor_models.export.graphs import DecodeStepGraph, PrefillGraph
from mentor_models.export.models import ExportModels

TOLERANCE = 1e-4


def session(bundle: Path, name: str) -> ort.InferenceSession:
    return ort.InferenceSession(str(bundle / name), providers=["CPUExecutionProvider"])


def realistic_inputs(models: ExportModels, batch: int) -> dict[str, tuple]:
    """Like the trace inputs, but a different batch size (the axes must really be dynamic)."""
    return example_inputs(models, batch=batch)


def max_abs_diff(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a.astype(np.float64) - b.astype(np.float64)))) if a.size else 0.0


def compare_single_pass_graphs(models: ExportModels, bundle: Path, strict_pixels: bool = True) -> dict[str, float]:
    inputs = realistic_inputs(models, batch=3)
    diffs = {}
    for key, file, names in (("vision", "vision.onnx", ["pixels"]),
                             ("textEncoder", "text_encoder.onnx", ["input_ids", "attention_mask", "image_embeds"]),
                             ("prefill", "prefill.onnx", ["encoder_states", "attention_mask"]),
                             ("vqDecode", "vq_decode.onnx", ["tokens"])):
        module = graph_specs(models)[key][0](models)
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


class DecodeCase:
    """A prefilled batch of 2 with different prompt lengths: the PyTorch one-tensor cache and the
    bundle's per-layer caches (numpy, the very values prefill.onnx's PyTorch module returns)."""

    def __init__(self, models: ExportModels, start: int):
        self.models, self.start = models, start
        states, mask = realistic_inputs(models, batch=2)["prefill"]
        mask = mask.clone()
        mask[1, 3:] = 0  # a short second prompt: its prefix slots differ
        with torch.no_grad():
            self.logits, self.kv, self.prefix_mask = PrefillGraph(models.gpt)(states, mask)
        self.names = cache_names(models.gpt_cfg.n_layer)

    def caches(self) -> dict[str, np.ndarray]:
        return {name: self.kv[i // 2, i % 2].numpy().copy() for i, name in enumerate(self.names)}

    def run_onnx(self, session: ort.InferenceSession, uniforms: torch.Tensor, scalars: tuple[torch.Tensor, ...],
                 caches: dict[str, np.ndarray], logits: np.ndarray, start: int) -> tuple[np.ndarray, np.ndarray]:
        """One decode.onnx call; its new_kv written into `caches` at slots T + start … as the engine does."""
        cfg, temperature, top_k, top_p = scalars
        tokens, logits_out, new_kv = session.run(None, {
            "logits": logits, "prefix_mask": self.prefix_mask.numpy(), "start_index": np.array(start, dtype=np.int64),
            "uniforms": uniforms.numpy(), "cfg_scale": cfg.numpy(), "temperature": temperature.numpy(),
            "top_k": top_k.numpy(), "top_p": top_p.numpy(), **caches})
        k = uniforms.shape[1]
        assert tokens.shape == (2, k) and new_kv.shape == (len(self.names), 4, self.models.gpt_cfg.kv_heads, k,
                                                            self.models.gpt_cfg.head_dim)
        first = self.models.gpt_cfg.cls_token_num + start
        for name, new in zip(self.names, new_kv):
            caches[name][:, :, first:first + k] = new
        return tokens, logits_out


def compare_decode_values(models: ExportModels, bundle: Path) -> float:
    """fp16: one decode call of one greedy token from the same state; a sampled token may differ
    where two logits are within rounding, so only the next logits are compared (max abs diff)."""
    case = DecodeCase(models, start=0)
    scalars = (torch.tensor(7.5), torch.tensor(0.0), torch.tensor(0), torch.tensor(1.0))
    with torch.no_grad():
        _, expected, _ = DecodeStepGraph(models.gpt)(case.logits, case.kv.clone(), case.prefix_mask, torch.tensor(0),
                                                     torch.rand(2), *scalars)
    _, got = case.run_onnx(session(bundle, "decode.onnx"), torch.zeros(2, 1), scalars, case.caches(), case.logits.numpy(), 0)
    return max_abs_diff(expected.numpy(), got)


def compare_decode(models: ExportModels, bundle: Path, steps: int, calls: int = 2) -> float:
    """`calls` decode.onnx calls of `steps` tokens, the caches updated from new_kv between calls,
    against the PyTorch reference step called once per token: the same tokens, and the next
    logits and every cache slot within tolerance."""
    case = DecodeCase(models, start=5)
    scalars = (torch.tensor(7.5), torch.tensor(0.9), torch.tensor(40), torch.tensor(0.9))
    uniforms = torch.rand(2, steps * calls)
    step = DecodeStepGraph(models.gpt)
    t_logits, t_kv = case.logits, case.kv.clone()
    expected_tokens = []
    with torch.no_grad():
        for k in range(steps * calls):
            token, t_logits, t_kv = step(t_logits, t_kv, case.prefix_mask, torch.tensor(case.start + k), uniforms[:, k], *scalars)
            expected_tokens.append(token)
    decode = session(bundle, "decode.onnx")
    caches, logits, got = case.caches(), case.logits.numpy(), []
    for c in range(calls):
        tokens, logits = case.run_onnx(decode, uniforms[:, c * steps:(c + 1) * steps], scalars, caches, logits,
                                       case.start + c * steps)
        got.append(tokens)
    np.testing.assert_array_equal(np.concatenate(got, axis=1), torch.stack(expected_tokens, dim=1).numpy())
    kv_diff = max(max_abs_diff(t_kv[i // 2, i % 2].numpy(), caches[name]) for i, name in enumerate(case.names))
    return max(max_abs_diff(t_logits.numpy(), logits), kv_diff)


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
    diffs["decode.onnx"] = compare_decode_values(tiny_models, bundle)
    print("\ntiny fp16 max abs diff: " + ", ".join(f"{k} {v:.1e}" for k, v in diffs.items()))
    for file, bound in FP16_BOUNDS.items():
        assert diffs[file] <= bound, f"fp16 {file}: max abs diff {diffs[file]:.2e} > {bound}"


def test_decode_graph_reads_the_caches_in_place(tiny_models: ExportModels, tiny_bundle: Path) -> None:
    """The Loop carries the logits and the call's rows only: the caches are outer-scope values that
    no node writes, so onnxruntime copies none of them per token (format 1 copied its one-tensor
    cache every token, twice)."""
    from mentor_models.export.decode_loop import subgraphs

    graph = onnx.load(str(tiny_bundle / "decode.onnx")).graph
    (loop,) = [node for node in graph.node if node.op_type == "Loop"]
    caches = set(cache_names(tiny_models.gpt_cfg.n_layer))
    assert caches <= {value.name for value in graph.input}
    assert not caches & set(loop.input)

    def ops(g: onnx.GraphProto) -> list[str]:
        return [op for node in g.node for op in [node.op_type, *(o for sub in subgraphs(node) for o in ops(sub))]]

    body_ops = ops(loop.attribute[0].g)
    assert not [op for op in body_ops if "Scatter" in op]
    assert body_ops.count("MatMul") >= 7 * tiny_models.gpt_cfg.n_layer  # the GPT step is in there
