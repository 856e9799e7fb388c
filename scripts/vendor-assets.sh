#!/usr/bin/env bash
# Refresh web/static/vendor from the versions pinned in package.json / package-lock.json (needs Node.js + npm).
# Only needed when upgrading bpmn-js or dmn-js; the copied files are committed, so installing and running
# Jiebang never needs npm.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund
node scripts/vendor-assets.mjs
