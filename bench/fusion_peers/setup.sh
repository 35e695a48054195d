#!/usr/bin/env bash
# Create one virtual environment per peer associator of the fusion benchmark, from PyPI only:
#   bench/.venvs/pyocto  — PyOcto (pins numpy < 2, so it cannot share the project's venv)
#   bench/.venvs/gamma   — GaMMA, published on PyPI as "GMMA" (imports pandas without declaring it)
# Idempotent: a venv whose stamp matches its requirements is left alone.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venvs="$(dirname "$here")/.venvs"
python="${PYTHON:-python3}"

declare -A requirements=(
  [pyocto]="pyocto==0.2.2 pyproj pandas"
  [gamma]="GMMA==1.2.17 pandas pyproj"
)

for name in pyocto gamma; do
  venv="$venvs/$name"
  wanted="${requirements[$name]}"
  if [[ -x "$venv/bin/python" && -f "$venv/.stamp" && "$(cat "$venv/.stamp")" == "$wanted" ]]; then
    echo "[setup] $name: up to date ($venv)"
    continue
  fi
  echo "[setup] $name: installing $wanted into $venv"
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --upgrade pip
  # shellcheck disable=SC2086
  "$venv/bin/python" -m pip install --quiet $wanted
  echo "$wanted" > "$venv/.stamp"
done
