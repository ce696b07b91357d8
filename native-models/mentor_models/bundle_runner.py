"""Runs a bundle with onnxruntime (Python): the same five graphs, in the same order, that the
TypeScript engine runs. Used by `check`, by the parity tests against the PyTorch reference, and as
the Python baseline of the benchmarks.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np
import onnxruntime as ort
from PIL import Image
from tokenizers import Tokenizer

from .bundle_spec import GRAPH_FILES, cache_names
from .manifest import BundleError, read_manifest, sha256_file
from .preprocess import preprocess_batch
from .prompt import encode_prompt
from .uniforms import uniforms as uniforms_for


@dataclass(frozen=True)
class SamplingParams:
    cfg_scale: float
    temperature: float
    top_k: int
    top_p: float


@dataclass
class Generation:
    tokens: np.ndarray   # [count, N] int64
    image: np.ndarray    # [count, H, W, 3] uint8


def verify_files(bundle: Path, manifest: dict[str, Any]) -> list[str]:
    """Every problem with the bundle's files, by name: missing, wrong size, wrong sha256."""
    problems = []
    for entry in manifest.get("files", []):
        path = bundle / entry["path"]
        if not path.is_file():
            problems.append(f"{entry['path']}: missing")
        elif path.stat().st_size != entry["bytes"]:
            problems.append(f"{entry['path']}: {path.stat().st_size} bytes, manifest says {entry['bytes']}")
        elif sha256_file(path) != entry["sha256"]:
            problems.append(f"{entry['path']}: sha256 does not match the manifest (file changed or damaged)")
    return problems


class BundleRunner:
    def __init__(self, bundle: str | Path, *, verify: bool = True, threads: int | None = None):
        self.bundle = Path(bundle)
        self.manifest = read_manifest(self.bundle)
        if verify:
            problems = verify_files(self.bundle, self.manifest)
            if problems:
                raise BundleError(f"{self.bundle}: " + "; ".join(problems))
        self.config = self.manifest["config"]
        options = ort.SessionOptions()
        if threads is not None:
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
        self.sessions: dict[str, ort.InferenceSession] = {}
        for key, default in GRAPH_FILES.items():
            name = self.manifest.get("graphs", {}).get(key, default)
            self.sessions[key] = ort.InferenceSession(str(self.bundle / name), options, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(self.bundle / self.manifest.get("tokenizer", "tokenizer.json")))

    def defaults(self) -> SamplingParams:
        s = self.manifest["sampling"]
        return SamplingParams(float(s["cfgScale"]), float(s["temperature"]), int(s["topK"]), float(s["topP"]))

    # --- stages (each one graph) ---

    def encode_images(self, images: list[Image.Image]) -> np.ndarray:
        pixels = preprocess_batch(images, self.config["preprocess"])
        return self.sessions["vision"].run(None, {"pixels": pixels})[0]

    def encode_prompt(self, prompt: str, n_images: int) -> tuple[np.ndarray, np.ndarray]:
        c = self.config
        return encode_prompt(self.tokenizer, prompt, n_images, c["tokensPerImage"], c["prefixLength"], c["imageTokenId"])

    def prefill(self, states: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
        """prefill.onnx -> (logits [2B, V], prefix_mask [B, T], the per-layer caches by name)."""
        names = cache_names(self.config["gpt"]["n_layer"])
        logits, prefix_mask, *caches = self.sessions["prefill"].run(
            ["logits", "prefix_mask", *names], {"encoder_states": states, "attention_mask": mask})
        return logits, prefix_mask, dict(zip(names, caches))

    def decode(self, logits: np.ndarray, prefix_mask: np.ndarray, caches: dict[str, np.ndarray], start: int,
               uniforms: np.ndarray, params: SamplingParams) -> tuple[np.ndarray, np.ndarray]:
        """One decode.onnx call: tokens start .. start + K - 1 (K = uniforms.shape[1]); their keys
        and values are written into `caches` in place. -> (tokens [B, K], logits for the next)."""
        tokens, logits, new_kv = self.sessions["decode"].run(None, {
            "logits": logits, "prefix_mask": prefix_mask,
            "start_index": np.array(start, dtype=np.int64),
            "uniforms": np.ascontiguousarray(uniforms),
            "cfg_scale": np.array(params.cfg_scale, dtype=np.float32),
            "temperature": np.array(params.temperature, dtype=np.float32),
            "top_k": np.array(params.top_k, dtype=np.int64),
            "top_p": np.array(params.top_p, dtype=np.float32),
            **caches,
        })
        first = self.config["prefixLength"] + start
        for cache, new in zip(caches.values(), new_kv):  # new_kv [2L, 2B, H, K, Dh], in the caches' order
            cache[:, :, first:first + new.shape[2]] = new
        return tokens, logits

    def prefix(self, prompt: str, images: list[Image.Image], count: int = 1
               ) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
        """vision -> text encoder -> prefill for `count` copies of one prompt: what decoding starts
        from. -> (logits [2·count, V], prefix_mask [count, T], the per-layer caches by name)."""
        c = self.config
        ids, mask = self.encode_prompt(prompt, len(images))
        if images:
            spliced = self.encode_images(images).reshape(1, -1, c["encoderWidth"])
        else:
            spliced = np.zeros((1, 1, c["encoderWidth"]), np.float32)  # M >= 1: one unused row
        batch = lambda a: np.repeat(a, count, axis=0)  # noqa: E731 - one sample per variation
        (states,) = self.sessions["textEncoder"].run(None, {
            "input_ids": batch(ids[None]), "attention_mask": batch(mask[None]), "image_embeds": batch(spliced)})
        return self.prefill(states, batch(mask[None]))

    def generate(self, prompt: str, images: list[Image.Image], seed: int, *, count: int = 1,
                 params: SamplingParams | None = None, tokens_per_call: int | None = None,
                 on_call: Callable[[int, np.ndarray], None] | None = None) -> Generation:
        """`count` variations of one prompt; variation b uses uniforms(seed, image index b)."""
        params = params or self.defaults()
        c = self.config
        n_tokens = c["grid"] * c["grid"]
        step = tokens_per_call or c["grid"]
        logits, prefix_mask, caches = self.prefix(prompt, images, count)
        all_uniforms = uniforms_for(seed, count, n_tokens)
        tokens = np.zeros((count, n_tokens), dtype=np.int64)
        for start in range(0, n_tokens, step):
            k = min(step, n_tokens - start)
            out, logits = self.decode(logits, prefix_mask, caches, start, all_uniforms[:, start:start + k], params)
            tokens[:, start:start + k] = out
            if on_call is not None:
                on_call(start + k, tokens)
        (image,) = self.sessions["vqDecode"].run(None, {"tokens": tokens})
        return Generation(tokens=tokens, image=image)

