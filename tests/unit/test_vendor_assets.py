"""The committed bpmn.io assets are exactly the versions pinned in package.json / package-lock.json."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "web" / "static" / "vendor"


def test_vendor_files_match_manifest_and_pins() -> None:
    manifest = json.loads((VENDOR / "MANIFEST.json").read_text(encoding="utf-8"))["packages"]
    pins = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["devDependencies"]
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))["packages"]
    assert set(manifest) == {"bpmn-js", "dmn-js", "bpmn-js-differ", "min-dash"} == set(pins)
    for name, entry in manifest.items():
        assert entry["version"] == pins[name] == lock[f"node_modules/{name}"]["version"]
        for rel, digest in entry["files"].items():
            assert hashlib.sha256((VENDOR / rel).read_bytes()).hexdigest() == digest, rel
    for bundle in (
        "bpmn-js/bpmn-navigated-viewer.production.min.js",
        "bpmn-js/bpmn-modeler.production.min.js",
        "dmn-js/dmn-modeler.production.min.js",
    ):
        assert bundle in {**manifest["bpmn-js"]["files"], **manifest["dmn-js"]["files"]}


def test_the_differ_imports_only_the_vendored_min_dash() -> None:
    text = (VENDOR / "bpmn-js-differ" / "index.esm.js").read_text(encoding="utf-8")
    imports = [line for line in text.splitlines() if line.startswith("import ")]
    assert imports == ["import { forEach, isArray as isArray$3, reduce } from '../min-dash/index.js';"]
