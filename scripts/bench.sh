#!/usr/bin/env bash
# Set up and run the engine benchmarks (bench/run.py); pass --database URL to measure PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
.venv/bin/python -m bench.run "$@"
