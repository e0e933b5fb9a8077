// Starts Swagger UI (/docs) or Redoc (/redoc) from the vendored copies: the pages carry no inline
// script and reach no other site (ministry networks are closed).
(function () {
  "use strict";
  var swagger = document.getElementById("swagger-ui");
  if (swagger && window.SwaggerUIBundle) {
    window.SwaggerUIBundle({
      url: swagger.dataset.openapi,
      dom_id: "#swagger-ui",
      layout: "BaseLayout",
      deepLinking: true,
      showExtensions: true,
      showCommonExtensions: true,
      // The default validator badge is an image from validator.swagger.io: never on a closed network.
      validatorUrl: null,
      presets: [window.SwaggerUIBundle.presets.apis, window.SwaggerUIBundle.SwaggerUIStandalonePreset],
    });
  }
  var redoc = document.getElementById("redoc");
  if (redoc && window.Redoc) {
    window.Redoc.init(redoc.dataset.openapi, { disableSearch: false }, redoc);
  }
})();
