#!/usr/bin/env bash
# Runs the Python tests in native-models/.venv, from any directory; args go to pytest, and test
# paths are relative to native-models/ (e.g. `npm run test:py -- tests/test_configs.py -k tiny`).
# setup.sh first: silent and quick when the venv is current, (re)installs when it is missing or
# requirements.txt/pyproject.toml changed.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bash "$here/setup.sh" --quiet
cd "$here"
exec "$here/.venv/bin/python" -m pytest "$@"
