#!/usr/bin/env bash
# Set up and run the whole test suite. Uses SQLite unless JIEBANG_TEST_DATABASE_URL names a PostgreSQL database.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check . >/dev/null
.venv/bin/python -m pytest -q -n 2 -p no:cacheprovider "$@"
