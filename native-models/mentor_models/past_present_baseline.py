"""The conventional per-token ONNX decoder: a benchmark baseline, never part of a bundle.

This is the layout that Optimum's `decoder_with_past_model.onnx` and most ONNX exports of language
models use. The graph takes one token per call. Every layer's past keys and values go in, and the
present ones (the past with this token's keys and values appended) come back as new arrays. The
caller samples, grows the caches by swapping past for present, and calls again. So the whole KV
cache crosses the onnxruntime boundary twice every token. This is the "per-token loop" that the
studio's decode graph avoids: there the caches stay in place and a call runs a whole image row
(BUNDLE.md, decode.onnx).

It is exported from `random_models(config, seed)`, the weights `export --random-init` writes, so it
runs the same GPT as the bundle it is benchmarked against. The prefix comes from that bundle's own
vision, text-encoder and prefill graphs. The prompt's padded prefix slots are dropped before the
first step, because both CFG halves share the prompt's mask. That leaves no mask to pass. This is
the cheapest form of the layout: past length is prefix + tokens so far, never the full cache.

  python -m mentor_models.past_present_baseline export --config b --seed 0 [--precision int4] --out FILE.onnx

With `--precision int8|int4` its weight matmuls are quantized exactly as `export --precision` quantizes
the bundle's (export/bundle_writer.py), so it runs the same quantized weights.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable

import numpy as np
import torch
from torch import Tensor, nn

from .gpt import GPT
from .sampler import sample_next_tensors


def past_names(n_layer: int) -> list[str]:
    return [f"past_{kind}_{i}" for i in range(n_layer) for kind in ("key", "value")]


def present_names(n_layer: int) -> list[str]:
    return [f"present_{kind}_{i}" for i in range(n_layer) for kind in ("key", "value")]


class PastPresentStep(nn.Module):
    """token [R] int64 (both CFG halves), position [] int64 (absolute), then per layer past key and
    value [R, KV, P, hd] -> logits [R, V] for the next position, then per layer present key and
    value [R, KV, P + 1, hd]."""

    def __init__(self, gpt: GPT):
        super().__init__()
        self.gpt = gpt

    def forward(self, token: Tensor, position: Tensor, *past: Tensor) -> tuple[Tensor, ...]:
        gpt = self.gpt
        h = gpt.tok_embeddings(token)[:, None]  # [R, 1, D]
        rope = gpt.decode_rope(position)
        presents: list[Tensor] = []
        for i, layer in enumerate(gpt.layers):
            attention = layer.attention
            qg, k_new, v_new = attention.project_one_position(layer.attention_norm(h), rope)
            keys = torch.cat([past[2 * i], k_new], dim=2)  # [R, KV, P + 1, hd]: the present
            values = torch.cat([past[2 * i + 1], v_new], dim=2)
            probs = torch.softmax(torch.matmul(qg, keys.transpose(-1, -2)).float(), dim=-1).type_as(qg)
            out = attention.wo(torch.matmul(probs, values).reshape(-1, 1, attention.n_head * attention.head_dim))
            h = layer._ffn(h + out)
            presents += [keys, values]
        return (gpt._logits(h[:, 0]), *presents)


def export_past_present(gpt: GPT, out: Path, precision: str = "fp32") -> None:
    from .export.bundle_writer import QUANTIZED_BITS, quantize_weights
    from .export.onnx_export import export_module, save_model

    if precision != "fp32" and precision not in QUANTIZED_BITS:
        raise ValueError(f"the past/present baseline is fp32, int8 or int4, not {precision!r}")

    n_layer = len(gpt.layers)
    attention = gpt.layers[0].attention
    rows, past_len = 2, 3
    past = tuple(torch.zeros(rows, attention.kv_heads, past_len, attention.head_dim) for _ in range(2 * n_layer))
    inputs = ["token", "position", *past_names(n_layer)]
    outputs = ["logits", *present_names(n_layer)]
    dynamic = {"token": {0: "rows"}, "logits": {0: "rows"}}
    dynamic |= {name: {0: "rows", 2: "past"} for name in past_names(n_layer)}
    dynamic |= {name: {0: "rows", 2: "present"} for name in present_names(n_layer)}
    example = (torch.zeros(rows, dtype=torch.int64), torch.tensor(gpt.cfg.cls_token_num, dtype=torch.int64), *past)
    model = export_module(PastPresentStep(gpt), example, inputs, outputs, dynamic)
    if precision in QUANTIZED_BITS:
        model = quantize_weights(model, QUANTIZED_BITS[precision])
    out.parent.mkdir(parents=True, exist_ok=True)
    save_model(model, out)


def decode_past_present(session, logits: np.ndarray, caches: dict[str, np.ndarray], prefix_mask: np.ndarray,
                        uniforms: np.ndarray, sampling: tuple[float, float, int, float], prefix_len: int,
                        n_tokens: int,
                        on_step: Callable[[int, dict[str, np.ndarray], list[np.ndarray]], None] | None = None) -> np.ndarray:
    """The per-token loop: `n_tokens` calls of the past/present graph after the bundle's prefill.
    logits [2B, V] and caches (the bundle's per-layer [2B, KV, S, hd]) from prefill.onnx,
    prefix_mask [B, T] left-padded, uniforms [B, N] -> tokens [B, n_tokens]. on_step(done, feeds,
    outputs) after each call (the benchmark times the steps and counts the bytes that crossed)."""
    if not (prefix_mask == prefix_mask[:1]).all():
        raise ValueError("the past/present baseline drops padded prefix slots, so every row needs the same prompt mask")
    valid = np.flatnonzero(prefix_mask[0])
    n_layer = len(caches) // 2
    past = [np.ascontiguousarray(cache[:, :, valid]) for cache in caches.values()]
    names = past_names(n_layer)
    scalars = (torch.tensor(sampling[0], dtype=torch.float32), torch.tensor(sampling[1], dtype=torch.float32),
               torch.tensor(sampling[2], dtype=torch.int64), torch.tensor(sampling[3], dtype=torch.float32))
    rows = logits.shape[0] // 2
    tokens = np.zeros((rows, n_tokens), dtype=np.int64)
    for j in range(n_tokens):
        both = torch.from_numpy(logits)
        token = sample_next_tensors(both[:rows], both[rows:], torch.from_numpy(uniforms[:, j]), *scalars).numpy()
        tokens[:, j] = token
        feeds = {"token": np.concatenate([token, token]), "position": np.array(prefix_len + j, dtype=np.int64),
                 **dict(zip(names, past))}
        outputs = session.run(None, feeds)
        logits, past = outputs[0], outputs[1:]
        if on_step is not None:
            on_step(j + 1, feeds, outputs)
    return tokens


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mentor_models.past_present_baseline", description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["export"])
    parser.add_argument("--config", required=True, help="random_models preset: tiny, b")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random weights (export's --seed)")
    parser.add_argument("--precision", choices=["fp32", "int8", "int4"], default="fp32", help="as the bundle's")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    from .export.models import random_models

    export_past_present(random_models(args.config, seed=args.seed).gpt, args.out, args.precision)
    print(f"export: wrote the past/present baseline {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
