// Starts Swagger UI on /docs from a file of ours, so the page needs no inline script and the
// service's Content-Security-Policy (script-src 'self') holds on the documentation too.
"use strict";
(function () {
  const root = document.getElementById("swagger-ui");
  const schema = new URL(root.dataset.openapi, document.baseURI).href;
  window.ui = SwaggerUIBundle({
    url: schema,
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null, // no badge fetched from validator.swagger.io
    showExtensions: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
    layout: "BaseLayout",
  });
})();
