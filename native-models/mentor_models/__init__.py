"""MENTOR in PyTorch for MENTOR Studio: configs now; model, loaders, ONNX export and trainer to come."""

__version__ = "0.1.0"  # keep in step with pyproject.toml [project].version
