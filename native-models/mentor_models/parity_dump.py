"""`python -m mentor_models.parity_dump < cases.json`: reference outputs for the TypeScript engine's
parity tests, as JSON on stdout.

Input: {"bundle": DIR, "config": "tiny", "seed": 0, "cases": [{"prompt": str, "images": [png paths],
"seeds": [decimal strings], "sampling": {"cfgScale", "temperature", "topK", "topP"}}]}. The PyTorch
models are rebuilt with `random_models(config, seed)`, the same weights the bundle was exported with.

Output per case and seed: the PyTorch reference generator's tokens, its pixels (torch VQ decode), and
the pixels of the same tokens through the bundle's vq_decode.onnx in Python onnxruntime (the graph
the engine runs; torch and onnxruntime may round a pixel at .5 differently).
"""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort
from PIL import Image

from .export.models import random_models
from .reference import Sampling, reference_generate


def main() -> int:
    spec = json.load(sys.stdin)
    models = random_models(spec.get("config", "tiny"), seed=int(spec.get("seed", 0)))
    vq = ort.InferenceSession(str(Path(spec["bundle"]) / "vq_decode.onnx"), providers=["CPUExecutionProvider"])
    results = []
    for case in spec["cases"]:
        images = [Image.open(path) for path in case["images"]]
        s = case["sampling"]
        sampling = Sampling(float(s["cfgScale"]), float(s["temperature"]), int(s["topK"]), float(s["topP"]))
        for seed in case["seeds"]:
            ref = reference_generate(models, case["prompt"], images, int(seed), sampling=sampling)
            (onnx_pixels,) = vq.run(None, {"tokens": ref.tokens})
            results.append({
                "prompt": case["prompt"],
                "seed": seed,
                "tokens": ref.tokens[0].tolist(),
                "torchPixels": base64.b64encode(np.ascontiguousarray(ref.image[0]).tobytes()).decode(),
                "onnxPixels": base64.b64encode(np.ascontiguousarray(onnx_pixels[0]).tobytes()).decode(),
            })
    json.dump({"results": results}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
