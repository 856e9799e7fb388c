#!/usr/bin/env bash
# Set up, create an embedded SQLite database with demo data, and run the system (web + timer scheduler).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export JIEBANG_INSTANCE_PATH="${JIEBANG_INSTANCE_PATH:-$PWD/instance}"
# A demo runs on the simulated clock (it starts at the real time): an admin moves it at /admin/clock to show
# windows closing. Set JIEBANG_SIMULATED_CLOCK=0 to run the demo on the real time.
export JIEBANG_SIMULATED_CLOCK="${JIEBANG_SIMULATED_CLOCK:-1}"
.venv/bin/jiebang init-db
.venv/bin/jiebang demo load
.venv/bin/jiebang scheduler &
scheduler_pid=$!
trap 'kill $scheduler_pid 2>/dev/null || true' EXIT
.venv/bin/jiebang serve "$@"
