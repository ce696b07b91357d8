"""Writes a bundle folder (BUNDLE.md) from ExportModels: five graphs, tokenizer.json, manifest.json."""

from __future__ import annotations

import platform
import shutil
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import onnx
import torch

from .. import __version__
from ..bundle_spec import FORMAT, FORMAT_VERSION, GRAPH_FILES, OPSET, TOKENIZER_FILE, cache_names
from ..manifest import file_entries, write_manifest
from .decode_loop import build_decode_loop, row_names
from .graphs import DecodeLoopBody, PrefillCachesGraph, TextEncoderGraph, VisionGraph, VQDecodeGraph
from .models import ExportModels
from .onnx_export import export_module, save_model


def _to_fp16(model: onnx.ModelProto) -> onnx.ModelProto:
    """Weights and math in fp16, inputs/outputs unchanged. Softmax, normalisations and the sampler's
    cumulative sums stay fp32 where onnxruntime's converter keeps them (its default block list)."""
    from onnxruntime.transformers.float16 import convert_float_to_float16

    return convert_float_to_float16(model, keep_io_types=True, disable_shape_infer=True)


# Weight-only quantized bundles (`--precision int8|int4`, for CPUs): the GPT's matmul weights in
# prefill and decode become blockwise symmetric integers (onnxruntime's MatMulNBits: 32 weights per
# fp32 scale), with the activations quantized to int8 inside each matmul (accuracy level 4, the fast
# path of onnxruntime's CPU kernel). Everything else stays fp32: the token embedding (a Gather), the
# attention over the caches, the norms, the sampler and the other four graphs. A decode step then
# reads about a quarter (int8) or an eighth (int4) of the fp32 weight bytes. Tokens are no longer those
# of the fp32 reference (BUNDLE.md, Numerics, gives the measured difference).
QUANTIZED_BITS = {"int8": 8, "int4": 4}
QUANTIZED_GRAPHS = {"prefill", "decode"}
QUANT_BLOCK = 32


def quantize_weights(model: onnx.ModelProto, bits: int) -> onnx.ModelProto:
    """Every MatMul with a constant weight (in the Loop body too) -> MatMulNBits of `bits` bits."""
    import logging

    from onnxruntime.quantization.matmul_nbits_quantizer import DefaultWeightOnlyQuantConfig, MatMulNBitsQuantizer

    # The quantizer logs a line for every node it leaves alone (thousands); only its warnings matter.
    logging.getLogger("onnxruntime.quantization.matmul_nbits_quantizer").setLevel(logging.WARNING)
    config = DefaultWeightOnlyQuantConfig(block_size=QUANT_BLOCK, is_symmetric=True, accuracy_level=4, bits=bits)
    quantizer = MatMulNBitsQuantizer(model, algo_config=config)
    quantizer.process()
    return quantizer.model.model


def graph_precision(precision: str, key: str) -> str:
    """What `manifest.graphPrecision[key]` says for a bundle exported at `precision`."""
    if precision == "fp16":
        return "fp32" if key in FP32_GRAPHS else "fp16"
    if precision in QUANTIZED_BITS:
        return precision if key in QUANTIZED_GRAPHS else "fp32"
    return "fp32"


# T5 is known to overflow in fp16 (it was trained in bf16); in fp16 bundles the text encoder stays
# fp32: measured 0.13 max abs diff on tiny random weights against 4e-4 for the other graphs, and it
# runs once per image, so its cost is small next to decoding.
FP32_GRAPHS = {"textEncoder"}


def example_inputs(models: ExportModels, batch: int = 2) -> dict[str, tuple]:
    """Inputs to trace each graph with; shapes match BUNDLE.md (for decode: its Loop body's),
    values exercise the masks."""
    gpt, enc = models.gpt_cfg, models.enc_cfg
    t, d, p = gpt.cls_token_num, enc.t5_d_model, enc.tokens_per_image
    ids = torch.full((batch, t), enc.pad_token_id, dtype=torch.int64)
    ids[:, :p] = enc.image_token_id
    ids[:, p:p + 3] = torch.tensor([5, 6, enc.eos_token_id])
    mask = (ids != enc.pad_token_id).to(torch.int64)
    cache_shape = (2 * batch, gpt.kv_heads, gpt.seq_len, gpt.head_dim)
    caches = tuple(torch.zeros(cache_shape) for _ in cache_names(gpt.n_layer))
    return {
        "vision": (torch.randn(batch, 3, enc.clip_image_size, enc.clip_image_size),),
        "textEncoder": (ids, mask, torch.randn(batch, p, d)),
        "prefill": (torch.randn(batch, t, d), mask),
        # The Loop body at iteration 1 of a call: one row slot filled.
        "decode": (torch.randn(2 * batch, gpt.vocab_size), mask, torch.tensor(0), torch.tensor(1), torch.rand(batch, 3),
                   torch.tensor(7.5), torch.tensor(0.9), torch.tensor(0), torch.tensor(1.0), *caches,
                   *(cache[:, :, :1] for cache in caches)),
        "vqDecode": (torch.randint(0, models.vq_cfg.codebook_size, (batch, gpt.block_size)),),
    }


GraphSpec = tuple[Callable[[ExportModels], torch.nn.Module], list[str], list[str], dict[str, dict[int, str]]]


def graph_specs(models: ExportModels) -> dict[str, GraphSpec]:
    """key -> (module factory, input names, output names, dynamic axes), in BUNDLE.md's order;
    for decode, those of the Loop body (export/decode_loop.py wraps it)."""
    caches = cache_names(models.gpt_cfg.n_layer)
    rows = {name: {0: "R"} for name in caches}
    return {
        "vision": (lambda m: VisionGraph(m.encoder), ["pixels"], ["image_embeds"],
                   {"pixels": {0: "n"}, "image_embeds": {0: "n"}}),
        "textEncoder": (lambda m: TextEncoderGraph(m.encoder), ["input_ids", "attention_mask", "image_embeds"],
                        ["encoder_states"], {"input_ids": {0: "B"}, "attention_mask": {0: "B"},
                                             "image_embeds": {0: "B", 1: "M"}, "encoder_states": {0: "B"}}),
        "prefill": (lambda m: PrefillCachesGraph(m.gpt), ["encoder_states", "attention_mask"],
                    ["logits", "prefix_mask", *caches],
                    {"encoder_states": {0: "B"}, "attention_mask": {0: "B"}, "logits": {0: "R"},
                     "prefix_mask": {0: "B"}, **rows}),
        "decode": (lambda m: DecodeLoopBody(m.gpt),
                   ["logits", "prefix_mask", "start_index", "iteration", "uniforms", "cfg_scale", "temperature",
                    "top_k", "top_p", *caches, *row_names(caches)],
                   ["token", "logits_next", *(f"{name}_next" for name in row_names(caches))],
                   {"logits": {0: "R"}, "prefix_mask": {0: "B"}, "uniforms": {0: "B", 1: "K"}, **rows,
                    **{name: {0: "R", 2: "j"} for name in row_names(caches)},
                    **{f"{name}_next": {0: "R", 2: "j1"} for name in row_names(caches)},
                    "token": {0: "B"}, "logits_next": {0: "R"}}),
        "vqDecode": (lambda m: VQDecodeGraph(m.vq, m.grid), ["tokens"], ["image"], {"tokens": {0: "B"}, "image": {0: "B"}}),
    }


def manifest_config(models: ExportModels) -> dict:
    gpt, enc = models.gpt_cfg, models.enc_cfg
    return {
        "imageSize": models.preset.image_size,
        "grid": gpt.grid_size,
        "codebookSize": gpt.vocab_size,
        "prefixLength": gpt.cls_token_num,
        "encoderWidth": enc.t5_d_model,
        "tokensPerImage": enc.tokens_per_image,
        "imageTokenId": enc.image_token_id,
        "padTokenId": enc.pad_token_id,
        "eosTokenId": enc.eos_token_id,
        "ropeVariant": models.rope_variant,
        "kvCacheLength": gpt.seq_len,
        "gpt": {k: v for k, v in vars(gpt).items()},
        "encoder": enc.to_dict(),
        "vq": {k: (list(v) if isinstance(v, tuple) else v) for k, v in vars(models.vq_cfg).items()},
        "preprocess": {
            "size": enc.clip_image_size,
            "squashToSquare": enc.squash_to_square,
            "resize": enc.resample,
            "crop": "center",
            "rescale": 1 / 255,
            "mean": list(enc.image_mean),
            "std": list(enc.image_std),
            "layout": "NCHW",
        },
    }


def export_bundle(models: ExportModels, out: Path, *, precision: str = "fp32", name: str | None = None,
                  log: Callable[[str], None] = print) -> Path:
    """Exports into `out` (created; must be empty or absent). The manifest is written last."""
    if precision not in ("fp32", "fp16", *QUANTIZED_BITS):
        raise ValueError(f"--precision must be fp32, fp16, int8 or int4, got {precision!r}")
    out.mkdir(parents=True, exist_ok=True)
    if any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty; choose a new folder (a bundle is never written over another)")
    inputs = example_inputs(models)
    gpt = models.gpt_cfg
    written: list[str] = []
    for key, (factory, in_names, out_names, axes) in graph_specs(models).items():
        started = time.perf_counter()
        model = export_module(factory(models), inputs[key], in_names, out_names, axes)
        if key == "decode":
            model = build_decode_loop(model, gpt.n_layer)
        if graph_precision(precision, key) == "fp16":
            model = _to_fp16(model)
        elif precision in QUANTIZED_BITS and key in QUANTIZED_GRAPHS:
            model = quantize_weights(model, QUANTIZED_BITS[precision])
        written += save_model(model, out / GRAPH_FILES[key])
        log(f"export: {GRAPH_FILES[key]} in {time.perf_counter() - started:.1f} s")
    models.tokenizer.save(str(out / TOKENIZER_FILE))
    written.append(TOKENIZER_FILE)
    manifest = {
        "format": FORMAT,
        "formatVersion": FORMAT_VERSION,
        "name": name or f"{models.preset.gpt.lower()}-{models.sources[0]['role']}",
        "createdAt": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "exporter": {"name": "mentor_models.export", "version": __version__, "torch": torch.__version__,
                     "onnx": onnx.__version__, "opset": OPSET, "python": platform.python_version()},
        "precision": precision,
        "graphPrecision": {key: graph_precision(precision, key) for key in GRAPH_FILES},
        "kvDtype": "float32",
        "config": manifest_config(models),
        "sampling": dict(models.preset.sampling),
        "graphs": dict(GRAPH_FILES),
        "tokenizer": TOKENIZER_FILE,
        "files": file_entries(out, written),
        "sources": models.sources,
    }
    if models.notes:
        manifest["notes"] = models.notes
    write_manifest(out, manifest)
    return out


def remove_partial(out: Path) -> None:
    """After a failed export: the folder would look like a bundle without its manifest; remove it."""
    if out.is_dir() and not (out / "manifest.json").exists():
        shutil.rmtree(out, ignore_errors=True)
