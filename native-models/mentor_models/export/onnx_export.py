"""torch -> ONNX for one graph module, the way every bundle graph is exported.

The TorchScript-based exporter (dynamo=False, opset 17) is used: it exports the GPT step, the
sampler and the transformers encoders as plain graphs in about a second for tiny sizes, where the
torch.export-based one takes 15–20 s per graph and emits opset 20 (measured with torch 2.13).
"""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path
from typing import Sequence

import onnx
import torch

from ..bundle_spec import OPSET

# ONNX protobufs cannot exceed 2 GB; above this the weights go to a side file (BUNDLE.md).
EXTERNAL_DATA_THRESHOLD = 1_800_000_000


def export_module(module: torch.nn.Module, args: tuple, input_names: Sequence[str], output_names: Sequence[str],
                  dynamic_axes: dict[str, dict[int, str]]) -> onnx.ModelProto:
    """Traces `module` in eval mode and returns the ONNX model (weights inline)."""
    module.eval()
    # Through a file, not memory: over 2 GB the exporter must write the weights beside the graph.
    with tempfile.TemporaryDirectory(prefix="mentor-export-") as tmp:
        path = Path(tmp) / "graph.onnx"
        with torch.no_grad(), warnings.catch_warnings():
            # The TorchScript exporter is deprecated in favour of dynamo=True; see the module docstring.
            warnings.simplefilter("ignore", category=DeprecationWarning)
            warnings.simplefilter("ignore", category=torch.jit.TracerWarning)
            warnings.simplefilter("ignore", category=UserWarning)  # exporter notes on Slice folding, aten::index
            torch.onnx.export(module, args, str(path), input_names=list(input_names), output_names=list(output_names),
                              dynamic_axes=dynamic_axes, opset_version=OPSET, do_constant_folding=True, dynamo=False)
        # Exporting flips training flags back recursively; the caller's modules stay in eval mode.
        module.eval()
        return onnx.load(str(path), load_external_data=True)


def save_model(model: onnx.ModelProto, path: Path) -> list[str]:
    """Writes the graph; weights go to `<name>.data` when the model is over 2 GB. Returns the
    files written (names relative to the folder)."""
    if model.ByteSize() < EXTERNAL_DATA_THRESHOLD:
        onnx.save_model(model, str(path))
        return [path.name]
    data = path.name + ".data"
    onnx.save_model(model, str(path), save_as_external_data=True, all_tensors_to_one_file=True,
                    location=data, size_threshold=1024)
    return [path.name, data]
