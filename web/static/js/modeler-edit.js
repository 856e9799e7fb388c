// The modeler page: bpmn-js / dmn-js on the files named in <script id="modeler-config">.
(function () {
  "use strict";
  JiebangBpmn.modeler(JSON.parse(document.getElementById("modeler-config").textContent));
})();
