"""manifest.json of a bundle: hashing, writing and reading (format in BUNDLE.md)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from .bundle_spec import FORMAT, FORMAT_VERSION

MANIFEST = "manifest.json"


class BundleError(Exception):
    """A bundle that cannot be used; the message names the file and the problem."""


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def file_entries(bundle: Path, names: list[str]) -> list[dict[str, Any]]:
    """`files` of the manifest: every bundle file but the manifest, sorted, with size and sha256."""
    return [{"path": name, "sha256": sha256_file(bundle / name), "bytes": (bundle / name).stat().st_size}
            for name in sorted(names)]


def write_manifest(bundle: Path, manifest: dict[str, Any]) -> Path:
    """Written last and atomically, so a bundle with a manifest is a finished bundle."""
    target = bundle / MANIFEST
    tmp = bundle / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, target)
    return target


def format_version_problem(version: Any) -> str:
    """Why a manifest's formatVersion cannot be read, and what to do about it."""
    if isinstance(version, int) and not isinstance(version, bool) and 0 < version < FORMAT_VERSION:
        return (f"formatVersion {version} is an older bundle format (this build reads {FORMAT_VERSION}); "
                "re-export the bundle with this version: python -m mentor_models.export … --out NEW_FOLDER")
    if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
        return f"formatVersion {version} is newer than this build reads ({FORMAT_VERSION}); update MENTOR Studio"
    return f"formatVersion {version!r} is not supported (this build reads {FORMAT_VERSION})"


def read_manifest(bundle: Path) -> dict[str, Any]:
    path = bundle / MANIFEST
    if not path.is_file():
        raise BundleError(f"{bundle}: no {MANIFEST} (not a bundle, or an export that did not finish)")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise BundleError(f"{path}: not valid JSON ({e})") from e
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BundleError(f"{path}: format is not {FORMAT!r}")
    version = manifest.get("formatVersion")
    if version != FORMAT_VERSION:
        raise BundleError(f"{path}: {format_version_problem(version)}")
    return manifest
