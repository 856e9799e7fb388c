#!/usr/bin/env bash
# Every benchmark of issue 15 in one run, side by side:
#   1. the whole Dazu lifecycle step by step, ours vs raw SpiffWorkflow, with the state size per step
#      (bench/lifecycle.py);
#   2. one completion at 10/50/200 tasks, the idle sweep and the work queue at 100 vs 10,000 (bench/run.py);
#   3. timers due → fired, 1 and 1,000 due at once, one vs two sweepers (bench/timers.py);
#   4. the web pages over HTTP at 100 and 10,000 instances, p50/p99 under concurrent clients (bench/web.py);
#   5. endless loops in diagram code: a sweep that meets them, sign-in while one holds its transaction
#      (bench/bounded.py).
# `--database URL` measures every part on that database (PostgreSQL: the timers and each size of the web
# pages get a schema of their own).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh >/dev/null
echo "## 1. Dazu lifecycle"
.venv/bin/python -m bench.lifecycle "$@"
echo
echo "## 2. Engine"
.venv/bin/python -m bench.run "$@"
echo
echo "## 3. Timers"
.venv/bin/python -m bench.timers "$@"
echo
echo "## 4. Web pages"
.venv/bin/python -m bench.web "$@"
echo
echo "## 5. Endless loops"
.venv/bin/python -m bench.bounded "$@"
