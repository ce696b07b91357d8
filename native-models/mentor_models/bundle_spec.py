"""The bundle contract of BUNDLE.md as data: graph names and every input/output's name, dtype and
rank. The exporter writes graphs that satisfy it; `check` verifies a bundle against it; the
TypeScript engine mirrors it. Change BUNDLE.md and FORMAT_VERSION together with this file.
"""

from __future__ import annotations

from dataclasses import dataclass

FORMAT = "mentor-bundle"
FORMAT_VERSION = 2
OPSET = 17

# manifest "graphs" key -> default file name
GRAPH_FILES = {
    "vision": "vision.onnx",
    "textEncoder": "text_encoder.onnx",
    "prefill": "prefill.onnx",
    "decode": "decode.onnx",
    "vqDecode": "vq_decode.onnx",
}
TOKENIZER_FILE = "tokenizer.json"


@dataclass(frozen=True)
class TensorSpec:
    name: str
    dtype: str   # numpy dtype name; "kv" means the manifest's kvDtype
    rank: int


KV = "kv"

_FIXED_IO: dict[str, tuple[tuple[TensorSpec, ...], tuple[TensorSpec, ...]]] = {
    "vision": (
        (TensorSpec("pixels", "float32", 4),),
        (TensorSpec("image_embeds", "float32", 3),),
    ),
    "textEncoder": (
        (TensorSpec("input_ids", "int64", 2), TensorSpec("attention_mask", "int64", 2),
         TensorSpec("image_embeds", "float32", 3)),
        (TensorSpec("encoder_states", "float32", 3),),
    ),
    "prefill": (
        (TensorSpec("encoder_states", "float32", 3), TensorSpec("attention_mask", "int64", 2)),
        (TensorSpec("logits", "float32", 2), TensorSpec("prefix_mask", "int64", 2)),
    ),
    "decode": (
        (TensorSpec("logits", "float32", 2), TensorSpec("prefix_mask", "int64", 2),
         TensorSpec("start_index", "int64", 0), TensorSpec("uniforms", "float32", 2),
         TensorSpec("cfg_scale", "float32", 0), TensorSpec("temperature", "float32", 0),
         TensorSpec("top_k", "int64", 0), TensorSpec("top_p", "float32", 0)),
        (TensorSpec("tokens", "int64", 2), TensorSpec("logits_out", "float32", 2), TensorSpec("new_kv", KV, 5)),
    ),
    "vqDecode": (
        (TensorSpec("tokens", "int64", 2),),
        (TensorSpec("image", "uint8", 4),),
    ),
}


def cache_names(n_layer: int) -> list[str]:
    """The per-layer KV cache tensors, in order: key_cache_0, value_cache_0, key_cache_1, …"""
    return [f"{kind}_cache_{i}" for i in range(n_layer) for kind in ("key", "value")]


def graph_io(key: str, n_layer: int) -> tuple[tuple[TensorSpec, ...], tuple[TensorSpec, ...]]:
    """(inputs, outputs) of one graph; prefill outputs and decode inputs include the caches of
    `n_layer` layers, each [2B, H, S, Dh] of the manifest's kvDtype."""
    inputs, outputs = _FIXED_IO[key]
    caches = tuple(TensorSpec(name, KV, 4) for name in cache_names(n_layer))
    if key == "prefill":
        outputs = outputs + caches
    elif key == "decode":
        inputs = inputs + caches
    return inputs, outputs
