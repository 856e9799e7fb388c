"""The committed bpmn.io assets are exactly the versions pinned in package.json / package-lock.json, and the
modeler bundle (web/static/vendor/jiebang-modeler) was built from the current web/static/js/modeler sources."""

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
    manifest.pop("jiebang-modeler")  # built here, checked below
    build_tools = {"esbuild"}  # builds the bundle; nothing of it is copied
    assert (
        set(manifest)
        == {
            "bpmn-js",
            "dmn-js",
            "bpmn-js-properties-panel",
            "@bpmn-io/properties-panel",
            "bpmn-js-bpmnlint",
            "bpmnlint",
            "echarts",
            "bpmn-js-differ",
            "min-dash",
        }
        == set(pins) - build_tools
    )
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


def test_modeler_bundle_is_built_from_the_current_sources() -> None:
    entry = json.loads((VENDOR / "MANIFEST.json").read_text(encoding="utf-8"))["packages"]["jiebang-modeler"]
    sources = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "web/static/js/modeler").glob("*.js"))
    assert sorted(entry["sources"]) == sources
    for rel, digest in entry["sources"].items():
        assert hashlib.sha256((ROOT / rel).read_bytes()).hexdigest() == digest, (
            f"{rel} changed: run node scripts/vendor-assets.mjs (scripts/vendor-assets.sh) and commit the bundle"
        )
    for rel, digest in entry["files"].items():
        assert hashlib.sha256((VENDOR / rel).read_bytes()).hexdigest() == digest, rel
    assert "jiebang-modeler/jiebang-modeler.js" in entry["files"]


def test_the_differ_imports_only_the_vendored_min_dash() -> None:
    text = (VENDOR / "bpmn-js-differ" / "index.esm.js").read_text(encoding="utf-8")
    imports = [line for line in text.splitlines() if line.startswith("import ")]
    assert imports == ["import { forEach, isArray as isArray$3, reduce } from '../min-dash/index.js';"]
