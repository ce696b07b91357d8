#!/usr/bin/env bash
# Creates/refreshes native-models/.venv: pinned requirements + mentor_models (editable).
# Idempotent: pip runs only when requirements.txt or pyproject.toml changed since the last
# successful install (a sha256 stamp inside the venv), so calling it before every test run is cheap.
#
#   bash native-models/setup.sh            # from any directory
#   bash native-models/setup.sh --quiet    # print nothing when already up to date (run-pytest.sh)
#   PYTHON=python3.12 bash native-models/setup.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv"
stamp="$venv/.mentor-setup-stamp"
log="$venv/setup.log"
python="${PYTHON:-python3}"
quiet=0
[[ "${1:-}" == "--quiet" ]] && quiet=1

die() { echo "native-models/setup.sh: $*" >&2; exit 1; }

command -v "$python" >/dev/null 2>&1 || die "$python not found; install Python 3.10 or newer."
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
  || die "$("$python" -V 2>&1) is too old; Python 3.10 or newer is required."

# Hash with Python rather than sha256sum so it also works on macOS (which ships shasum instead).
want="$("$python" - "$here/requirements.txt" "$here/pyproject.toml" <<'EOF'
import hashlib, sys
h = hashlib.sha256()
for path in sys.argv[1:]:
    with open(path, "rb") as f:
        h.update(f.read())
print(h.hexdigest())
EOF
)"

# A venv whose interpreter no longer runs (base Python upgraded or removed) is rebuilt from scratch.
action="updated"
if [[ -d "$venv" ]] && ! "$venv/bin/python" -c 'import sys' >/dev/null 2>&1; then
  rm -rf "$venv"
  action="rebuilt (its python was broken)"
fi

if [[ ! -d "$venv" ]]; then
  # Debian/Ubuntu split venv/ensurepip into python3-venv; without it `-m venv` fails half-way.
  "$python" -c 'import venv, ensurepip' >/dev/null 2>&1 \
    || die "the Python venv module is missing (Debian/Ubuntu: apt-get install python3-venv)."
  "$python" -m venv "$venv" || { rm -rf "$venv"; die "python -m venv failed."; }
  [[ $action == updated ]] && action="created"
elif [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]] \
  && "$venv/bin/python" -c 'import mentor_models' >/dev/null 2>&1; then
  [[ $quiet == 1 ]] || echo "native-models: .venv already up to date"
  exit 0
fi

# --retries 0: with no reachable online index (offline/local wheels), fail fast instead of retrying.
rm -f "$stamp"
if ! { "$venv/bin/python" -m pip install --retries 0 -r "$here/requirements.txt" \
       && "$venv/bin/python" -m pip install --retries 0 -e "$here"; } >"$log" 2>&1; then
  tail -n 25 "$log" >&2
  die "pip install failed (full log: $log)."
fi
echo "$want" >"$stamp"
echo "native-models: .venv $action; $("$venv/bin/python" -V 2>&1), requirements installed"
