"""The ONNX bundle exporter (`python -m mentor_models.export`); the format is in BUNDLE.md."""
