// The monitor's viewer page: open a local .bpmn file (nothing is uploaded).
(function () {
  "use strict";
  JiebangBpmn.fileViewer(
    document.getElementById("diagram"),
    document.getElementById("import-file"),
    document.getElementById("import-status")
  );
})();
