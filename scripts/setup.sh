#!/usr/bin/env bash
# Create .venv and install Jiebang with its test tools from requirements-lock.txt. Idempotent; safe to run on
# a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
# Install exactly the locked set (requirements-lock.txt: every dependency, test tool and build tool, with
# hashes; refresh it with scripts/lock.sh), then Jiebang itself without resolving anything further. The stamp
# holds the checksum of the lock and the project metadata, so any change to them reinstalls.
stamp=.venv/.jiebang-installed
want="$(cat requirements-lock.txt setup.cfg pyproject.toml | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  rm -f "$stamp"
  .venv/bin/python -m pip install --quiet --require-hashes --no-deps -r requirements-lock.txt
  .venv/bin/python -m pip install --quiet --no-deps --no-build-isolation -e .
  if ! problems="$(.venv/bin/python -m pip check 2>&1)"; then
    echo "$problems" >&2
    echo "error: requirements-lock.txt does not satisfy setup.cfg; run ./scripts/lock.sh and commit the lock" >&2
    exit 1
  fi
  echo "$want" >"$stamp"
fi

# Browser tests (tests/browser) drive Debian's Chromium through Python playwright; no browser is ever downloaded
# (never run `playwright install`). CJK fonts make Chinese labels readable in screenshots and in the PDF
# documents (WeasyPrint draws with Pango); poppler-utils (pdftoppm, pdftotext) lets the tests read the PDFs.
if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || ! command -v pdftoppm >/dev/null \
  || ! ldconfig -p 2>/dev/null | grep -q libpangoft2; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk poppler-utils libpango-1.0-0 libpangoft2-1.0-0 >/dev/null
  else
    echo "note: /usr/bin/chromium, fonts-noto-cjk, poppler-utils or Pango is missing; browser and document tests will be skipped." >&2
    echo "      install them as root: apt-get install -y chromium fonts-noto-cjk poppler-utils libpango-1.0-0 libpangoft2-1.0-0" >&2
  fi
fi
# The bpmn.io assets are committed in web/static/vendor (see README); npm is needed only to upgrade them
# (scripts/vendor-assets.sh). Warn when the committed copy does not match the pins in package-lock.json.
if command -v node >/dev/null && [ -f web/static/vendor/MANIFEST.json ]; then
  node -e '
    const lock = require("./package-lock.json").packages, man = require("./web/static/vendor/MANIFEST.json").packages;
    for (const [name, p] of Object.entries(man)) {
      if (p.sources) continue;  // built here from our own sources (jiebang-modeler), not an npm package
      const pinned = (lock["node_modules/" + name] || {}).version;
      if (pinned !== p.version) console.error(`note: web/static/vendor/${name} is ${p.version}, package-lock pins ${pinned}: run scripts/vendor-assets.sh`);
    }' || true
fi
