"""The export toolchain works on this machine: torch -> ONNX file -> onnxruntime matches torch.

Both exporters are checked. torch >= 2.9 defaults to the torch.export-based one (dynamo=True),
which needs onnxscript; the TorchScript one (dynamo=False) still works but is deprecated.
"""

import numpy as np
import pytest
import torch


def test_imports():
    import onnx
    import onnxruntime
    import onnxscript

    assert "CPUExecutionProvider" in onnxruntime.get_available_providers()
    assert onnx.__version__ and onnxscript.__version__


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # the TorchScript exporter warns it is legacy
@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.parametrize("dynamo", [False, True], ids=["torchscript", "dynamo"])
def test_linear_export_matches_torch(tmp_path, dynamo):
    import onnxruntime as ort

    torch.manual_seed(0)
    model = torch.nn.Linear(16, 8).eval()
    path = tmp_path / "linear.onnx"
    example = torch.randn(2, 16)
    if dynamo:
        batch = torch.export.Dim("batch")
        torch.onnx.export(model, (example,), path, dynamo=True, input_names=["x"],
                          output_names=["y"], dynamic_shapes=({0: batch},), verbose=False)
    else:
        torch.onnx.export(model, (example,), path, dynamo=False, input_names=["x"],
                          output_names=["y"], dynamic_axes={"x": {0: "batch"}})

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    x = torch.randn(5, 16)  # a batch size other than the traced one: the axis really is dynamic
    (got,) = session.run(["y"], {"x": x.numpy()})
    with torch.no_grad():
        want = model(x).numpy()
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-5)
