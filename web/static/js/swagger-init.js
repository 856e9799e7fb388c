// The API documentation page (/api/v1/docs): Swagger UI with the configuration in <script id="swagger-config">.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("swagger-config").textContent);
  window.ui = SwaggerUIBundle(config);
})();
