// The monitor's instance page: the highlighted diagram, from the state in <script id="instance-state">.
(function () {
  "use strict";
  var state = JSON.parse(document.getElementById("instance-state").textContent);
  JiebangBpmn.instanceDiagram(document.getElementById("diagram"), state);
})();
