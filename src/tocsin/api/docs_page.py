"""The API's interactive documentation, ``/api/docs``: Swagger UI served by Tocsin itself.

FastAPI's own page loads Swagger UI from a CDN, so it is blank where the server has no internet
(or the browser may not reach it). The JavaScript, stylesheet and icon come from the
``fastapi-offline`` package instead (a maintained copy of Swagger UI 5), under Tocsin's own path
and prefix, and the page is told not to ask the online validator either."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html, swagger_ui_default_parameters
from fastapi.staticfiles import StaticFiles
from starlette.requests import Request
from starlette.responses import HTMLResponse

DOCS_PATH = "/api/docs"
ASSETS_PATH = "/api/docs/assets"
# Swagger UI starts itself with an inline script and sets inline styles; nothing else is allowed,
# so a page that tried to reach another host would be stopped by the browser too.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"
)


def install(app: FastAPI) -> None:
    """Serve the page and its assets. The app must be built with ``docs_url=None``."""
    app.mount(ASSETS_PATH, StaticFiles(packages=[("fastapi_offline", "static")]), name="api-docs-assets")
    openapi_url = app.openapi_url or "/api/openapi.json"

    @app.get(DOCS_PATH, include_in_schema=False)
    def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        page = get_swagger_ui_html(
            openapi_url=f"{root}{openapi_url}",
            title=f"{app.title} API",
            swagger_js_url=f"{root}{ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS_PATH}/favicon.png",
            swagger_ui_parameters={**swagger_ui_default_parameters, "validatorUrl": None},
        )
        page.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        page.headers["X-Content-Type-Options"] = "nosniff"
        return page
