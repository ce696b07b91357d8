"""Shared fixtures: bundles exported once per test session (the export itself is under test in
test_export.py; other tests only need a bundle to run)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mentor_models.export.bundle_writer import export_bundle
from mentor_models.export.models import ExportModels, random_models


@pytest.fixture(scope="session")
def tiny_models() -> ExportModels:
    return random_models("tiny", seed=0)


@pytest.fixture(scope="session")
def tiny_bundle(tiny_models: ExportModels, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export_bundle(tiny_models, tmp_path_factory.mktemp("bundle") / "tiny", log=lambda _: None)


@pytest.fixture(scope="session")
def b_models() -> ExportModels:
    return random_models("b", seed=0)


@pytest.fixture(scope="session")
def b_bundle(b_models: ExportModels, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export_bundle(b_models, tmp_path_factory.mktemp("bundle") / "b", log=lambda _: None)
