// The modeler bundle (built by scripts/vendor-assets.mjs with esbuild into
// web/static/vendor/jiebang-modeler/jiebang-modeler.js): bpmn-js's modeler with the properties panel, our
// properties provider, lint while drawing (bpmn-js-bpmnlint with our rules) and the page-language texts.
import Modeler from "bpmn-js/lib/Modeler";
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from "bpmn-js-properties-panel";
import lintModule from "bpmn-js-bpmnlint";
import JiebangPropertiesProviderModule from "./properties-provider.js";
import { lintConfig, setBundleForms, setServerLint } from "./lint-rules.js";
import { translateModule } from "./i18n.js";

window.JiebangModeler = {
  Modeler,
  modules: [
    translateModule,
    BpmnPropertiesPanelModule,
    BpmnPropertiesProviderModule,
    JiebangPropertiesProviderModule,
    lintModule,
  ],
  lintConfig,
  setBundleForms,
  setServerLint,
};
