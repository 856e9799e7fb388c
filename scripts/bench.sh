#!/usr/bin/env bash
# Set up and run the benchmarks: the engine (bench/run.py; pass --database URL to measure PostgreSQL), then
# the web pages over HTTP at 100 and 10,000 instances (bench/web.py, SQLite).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
.venv/bin/python -m bench.run "$@"
echo
.venv/bin/python -m bench.web
