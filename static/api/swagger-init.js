/* The API docs page (/api/v1/docs/): Swagger UI from the site's own files, its settings
   read from the page's data attribute (no inline script: the site's CSP allows none). */
const root = document.getElementById("swagger-ui");
const config = JSON.parse(root.dataset.settings);
config.dom_id = "#swagger-ui";
config.presets = [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset];
SwaggerUIBundle(config);
