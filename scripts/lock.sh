#!/usr/bin/env bash
# Refresh requirements-lock.txt, the exact versions (with PyPI's sha256 hashes) that scripts/setup.sh installs:
#   ./scripts/lock.sh                          keep the current pins, add what setup.cfg newly requires
#   ./scripts/lock.sh --upgrade                newest versions allowed by the ranges in setup.cfg
#   ./scripts/lock.sh --upgrade-package NAME   newest version of one package
# The lock covers install_requires, the `test` extra and the build tools (setuptools, wheel) for every platform
# on Python 3.11+. It always resolves against pypi.org, ignoring local pip mirrors, so the hashes are PyPI's.
set -euo pipefail
cd "$(dirname "$0")/.."
UV_VERSION=0.13.9
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
if [ "$(.venv/bin/uv --version 2>/dev/null | cut -d' ' -f2)" != "$UV_VERSION" ]; then
  .venv/bin/python -m pip install --quiet "uv==$UV_VERSION"
fi
printf 'setuptools>=68\nwheel\n' | .venv/bin/uv pip compile --quiet --no-config \
  --index-url https://pypi.org/simple --universal --python-version 3.11 --generate-hashes \
  --extra test --custom-compile-command ./scripts/lock.sh \
  setup.cfg - -o requirements-lock.txt "$@"
echo "requirements-lock.txt refreshed; ./scripts/setup.sh installs it" >&2
