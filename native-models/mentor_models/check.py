"""`python -m mentor_models.check BUNDLE`: is this bundle whole and runnable?

Recomputes every file's sha256 and size, checks each graph's inputs and outputs against the
contract (bundle_spec.py / BUNDLE.md), then runs one small generation. Prints each problem with the
file it concerns and exits 1 if there is any.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import onnx
from PIL import Image

from .bundle_spec import GRAPH_FILES, KV, TOKENIZER_FILE, graph_io
from .manifest import BundleError, read_manifest

_ONNX_DTYPES = {onnx.TensorProto.FLOAT: "float32", onnx.TensorProto.FLOAT16: "float16",
                onnx.TensorProto.INT64: "int64", onnx.TensorProto.UINT8: "uint8", onnx.TensorProto.BOOL: "bool",
                onnx.TensorProto.INT32: "int32"}


def graph_io_problems(path: Path, key: str, kv_dtype: str, n_layer: int) -> list[str]:
    """Compares a graph's declared inputs/outputs with the contract; reads no weights."""
    try:
        model = onnx.load(str(path), load_external_data=False)
    except Exception as e:  # noqa: BLE001 - onnx raises several types for a damaged file
        return [f"{path.name}: not a readable ONNX model ({e.__class__.__name__}: {e})"]
    problems = []
    expected_in, expected_out = graph_io(key, n_layer)
    for kind, declared, expected in (("input", model.graph.input, expected_in), ("output", model.graph.output, expected_out)):
        actual = {v.name: v for v in declared}
        for spec in expected:
            value = actual.get(spec.name)
            if value is None:
                problems.append(f"{path.name}: missing {kind} '{spec.name}' (has {sorted(actual)})")
                continue
            tensor = value.type.tensor_type
            dtype = _ONNX_DTYPES.get(tensor.elem_type, f"onnx type {tensor.elem_type}")
            want = kv_dtype if spec.dtype == KV else spec.dtype
            if dtype != want:
                problems.append(f"{path.name}: {kind} '{spec.name}' is {dtype}, expected {want}")
            rank = len(tensor.shape.dim)
            if rank != spec.rank:
                problems.append(f"{path.name}: {kind} '{spec.name}' has rank {rank}, expected {spec.rank}")
        extra = sorted(set(actual) - {s.name for s in expected})
        if extra:
            problems.append(f"{path.name}: unexpected {kind}s {extra}")
    return problems


def sample_reference(size: int) -> Image.Image:
    """A deterministic gradient: enough to exercise the vision graph without any file."""
    y, x = np.mgrid[0:size, 0:size]
    rgb = np.stack([x * 255 // max(size - 1, 1), y * 255 // max(size - 1, 1), (x + y) * 127 // max(size - 1, 1)], -1)
    return Image.fromarray(rgb.astype(np.uint8), "RGB")


def check_bundle(bundle: Path, *, generate: bool = True) -> tuple[list[str], dict[str, Any]]:
    """Returns (problems, facts); problems empty means the bundle is good."""
    from .bundle_runner import BundleRunner, verify_files  # onnxruntime only when needed

    facts: dict[str, Any] = {}
    try:
        manifest = read_manifest(bundle)
    except BundleError as e:
        return [str(e)], facts
    problems = verify_files(bundle, manifest)
    listed = {entry["path"] for entry in manifest.get("files", [])}
    graphs = manifest.get("graphs", {})
    n_layer = int(manifest.get("config", {}).get("gpt", {}).get("n_layer", 0))
    for key, default in GRAPH_FILES.items():
        name = graphs.get(key, default)
        if name not in listed:
            problems.append(f"{name}: graph '{key}' is not listed in the manifest's files")
        if (bundle / name).is_file():
            problems.extend(graph_io_problems(bundle / name, key, manifest.get("kvDtype", "float32"), n_layer))
    if manifest.get("tokenizer", TOKENIZER_FILE) not in listed:
        problems.append(f"{manifest.get('tokenizer', TOKENIZER_FILE)}: tokenizer not listed in the manifest's files")
    if problems or not generate:
        return problems, facts

    started = time.perf_counter()
    try:
        runner = BundleRunner(bundle, verify=False, threads=2)
        config = manifest["config"]
        n_images = 1 if config["tokensPerImage"] + 8 <= config["prefixLength"] else 0
        prompt = "A photo of <image>." if n_images else "A photo of a cat."
        images = [sample_reference(config["preprocess"]["size"])] * n_images
        result = runner.generate(prompt, images, seed=0, count=1)
        grid, size = config["grid"], config["imageSize"]
        if result.tokens.shape != (1, grid * grid) or result.tokens.min() < 0 or result.tokens.max() >= config["codebookSize"]:
            problems.append(f"decode: tokens out of range or mis-shaped {result.tokens.shape}")
        if result.image.shape != (1, size, size, 3) or result.image.dtype != np.uint8:
            problems.append(f"vq_decode: image is {result.image.dtype}{list(result.image.shape)}, expected uint8[1, {size}, {size}, 3]")
        facts["generation_seconds"] = round(time.perf_counter() - started, 2)
    except Exception as e:  # noqa: BLE001 - report, don't crash: this is a checker
        problems.append(f"generation failed: {e.__class__.__name__}: {e}")
    return problems, facts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mentor_models.check", description=__doc__.splitlines()[0])
    parser.add_argument("bundle", type=Path)
    parser.add_argument("--no-generate", action="store_true", help="skip the test generation")
    args = parser.parse_args(argv)
    problems, facts = check_bundle(args.bundle, generate=not args.no_generate)
    if problems:
        print(f"check: {args.bundle}: {len(problems)} problem(s)", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    extra = f", test generation in {facts['generation_seconds']} s" if "generation_seconds" in facts else ""
    print(f"check: {args.bundle}: ok (hashes, graph inputs/outputs{extra})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
