// Copy the built bpmn.io distributions from node_modules into web/static/vendor (committed), and write
// web/static/vendor/MANIFEST.json with each package's version and every copied file's SHA-256.
// Run after changing the pins in package.json:  npm ci && npm run vendor   (or scripts/vendor-assets.sh)
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { buildSync } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const vendor = join(root, "web", "static", "vendor");

const PACKAGES = {
  "bpmn-js": [
    "dist/bpmn-navigated-viewer.production.min.js",
    "dist/bpmn-modeler.production.min.js",
    "dist/assets",
    "LICENSE",
  ],
  "bpmn-js-properties-panel": ["LICENSE"],
  "@bpmn-io/properties-panel": ["dist/assets/properties-panel.css", "LICENSE"],
  "bpmn-js-bpmnlint": ["dist/assets/css/bpmn-js-bpmnlint.css", "LICENSE"],
  "bpmnlint": ["LICENSE"],
  "dmn-js": [
    "dist/dmn-navigated-viewer.production.min.js",
    "dist/dmn-modeler.production.min.js",
    "dist/assets",
    "LICENSE",
  ],
  echarts: ["dist/echarts.min.js", "LICENSE"],
  // the version diff page (web/static/js/version-diff.js) loads these as ES modules
  "bpmn-js-differ": ["dist/index.esm.js", "LICENSE"],
  "min-dash": ["dist/index.js", "LICENSE"],
};

// A browser resolves no bare import specifiers (and the CSP forbids an inline import map): point the
// differ's one import at the vendored copy of min-dash.
const REWRITE = {
  "bpmn-js-differ/index.esm.js": [["from 'min-dash'", "from '../min-dash/index.js'"]],
};

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

const manifest = { generated_by: "scripts/vendor-assets.mjs", packages: {} };
for (const [pkg, entries] of Object.entries(PACKAGES)) {
  const source = join(root, "node_modules", pkg);
  if (!existsSync(source)) {
    console.error(`node_modules/${pkg} is missing: run "npm ci" first`);
    process.exit(1);
  }
  const version = JSON.parse(readFileSync(join(source, "package.json"), "utf8")).version;
  const target = join(vendor, pkg);
  rmSync(target, { recursive: true, force: true });
  for (const entry of entries) {
    const to = join(target, entry.replace(/^dist\//, ""));
    mkdirSync(dirname(to), { recursive: true });
    cpSync(join(source, entry), to, { recursive: true });
    for (const [from, into] of REWRITE[relative(vendor, to).split("\\").join("/")] || []) {
      const text = readFileSync(to, "utf8");
      if (!text.includes(from)) {
        console.error(`${to}: expected "${from}" to rewrite`);
        process.exit(1);
      }
      writeFileSync(to, text.split(from).join(into));
    }
  }
  const files = {};
  for (const file of walk(target).sort()) {
    files[relative(vendor, file).split("\\").join("/")] = createHash("sha256").update(readFileSync(file)).digest("hex");
  }
  manifest.packages[pkg] = { version, files };
  console.log(`${pkg} ${version}: ${Object.keys(files).length} files`);
}
// Our modeler bundle: bpmn-js's modeler + bpmn-js-properties-panel + bpmn-js-bpmnlint + our provider and lint
// rules (web/static/js/modeler/*.js), one browser script without eval (CSP-safe).
const bundleDir = join(vendor, "jiebang-modeler");
rmSync(bundleDir, { recursive: true, force: true });
buildSync({
  entryPoints: [join(root, "web", "static", "js", "modeler", "entry.js")],
  outfile: join(bundleDir, "jiebang-modeler.js"),
  bundle: true,
  minify: true,
  format: "iife",
  target: ["chrome100", "firefox100", "safari15"],
  legalComments: "linked",
  logLevel: "warning",
});
const bundled = {};
for (const file of walk(bundleDir).sort()) {
  bundled[relative(vendor, file).split("\\").join("/")] = createHash("sha256").update(readFileSync(file)).digest("hex");
}
// The sources' digests too, so a test notices a source changed without rebuilding the bundle.
const sourceDir = join(root, "web", "static", "js", "modeler");
const sources = {};
for (const file of walk(sourceDir).sort()) {
  sources[relative(root, file).split("\\").join("/")] = createHash("sha256").update(readFileSync(file)).digest("hex");
}
manifest.packages["jiebang-modeler"] = { version: "built from web/static/js/modeler", files: bundled, sources };
console.log(`jiebang-modeler: ${Object.keys(bundled).length} files`);
writeFileSync(join(vendor, "MANIFEST.json"), JSON.stringify(manifest, null, 2) + "\n");
