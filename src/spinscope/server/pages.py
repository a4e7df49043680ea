"""The pages: the form, a stored result's report (page, fragment, download, JSON), the static assets and
the offline API docs."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from starlette.exceptions import HTTPException as StarletteHTTPException

from spinscope.server.assets import assets, csp_safe_fragment, render_page, report_download_csp
from spinscope.server.errors import one_line
from spinscope.server.schemas import EXAMPLE_ARTICLE
from spinscope.server.state import ServerState


def add_pages(app: FastAPI, state: ServerState) -> None:
    """The pages' routes (none is in the OpenAPI schema)."""

    @app.get("/", include_in_schema=False)
    def index() -> HTMLResponse:
        return render_page("index.html.j2", engine=state.settings.engine, max_chars=state.settings.max_text_chars)

    @app.get("/r/{result_id}.json", include_in_schema=False)
    def result_json(result_id: str) -> Response:
        body = json.dumps(state.stored(result_id), ensure_ascii=False, indent=2) + "\n"
        return Response(body, media_type="application/json", headers={"Cache-Control": "private, max-age=3600"})

    def report_fragment(data: dict[str, Any]) -> Markup:
        from spinscope.render.html import render_html

        # our own renderer's output, escaped by its template; only style attributes are renamed
        return Markup(csp_safe_fragment(render_html(data, standalone=False)))

    @app.get("/r/{result_id}", include_in_schema=False)
    def result_page(result_id: str) -> HTMLResponse:
        data = state.store.get(result_id)
        if data is None:
            return render_page("missing.html.j2", status=404, result_id=result_id)
        title = one_line(str(data.get("title") or "Untitled article"))[:200]
        return render_page("result.html.j2", result_id=result_id, report=report_fragment(data), title=title)

    @app.get("/r/{result_id}/fragment", include_in_schema=False)
    def result_fragment(result_id: str) -> HTMLResponse:
        return render_page("fragment.html.j2", result_id=result_id, report=report_fragment(state.stored(result_id)))

    @app.get("/r/{result_id}/report.html", include_in_schema=False)
    def result_download(result_id: str) -> Response:
        from spinscope.render.html import render_html

        html = render_html(state.stored(result_id), standalone=True)
        headers = {
            "Content-Security-Policy": report_download_csp(),
            "Content-Disposition": f'attachment; filename="spinscope-report-{result_id}.html"',
            "Cache-Control": "private, max-age=3600",
        }
        return HTMLResponse(html, headers=headers)

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> Response:
        asset = assets().get(name)
        if asset is None:
            raise StarletteHTTPException(404)
        return Response(asset.body, media_type=asset.media_type, headers={"Cache-Control": "public, max-age=86400"})

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        asset = assets()["favicon.svg"]
        return Response(asset.body, media_type=asset.media_type, headers={"Cache-Control": "public, max-age=86400"})

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return render_page("docs.html.j2", endpoints=_endpoints(app.openapi()), settings=state.settings)


def _endpoints(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The OpenAPI paths as rows for the offline docs page."""
    examples = {
        "/api/analyze": EXAMPLE_ARTICLE,
        "/api/analyze/batch": {"articles": [EXAMPLE_ARTICLE, {"url": "https://example.org/news/story.html"}]},
    }
    rows = []
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            responses = [
                {"code": code, "description": info.get("description", "")}
                for code, info in sorted(operation.get("responses", {}).items())
            ]
            example = examples.get(path) if method == "post" else None
            rows.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "example": json.dumps(example, indent=2) if example else "",
                    "responses": responses,
                }
            )
    return rows
