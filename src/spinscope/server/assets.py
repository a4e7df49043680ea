"""The page's Content-Security-Policy and security headers, the static assets and the page templates."""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from spinscope import __version__

_HERE = Path(__file__).resolve().parent

# The page's policy: nothing but this origin. Inline scripts and inline style
# attributes are refused too; the report fragment's colours are applied by
# app.js through the CSSOM (see csp_safe_fragment).
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


# ---- the report, made safe for a strict Content-Security-Policy -----------------------------------------
_STYLE_ATTRIBUTE = re.compile(r' style="([^"<>]*)"')


def csp_safe_fragment(fragment: str) -> str:
    """The report fragment with ``style="..."`` attributes renamed ``data-ss-style``.

    Under ``style-src 'self'`` a browser ignores inline style attributes (and logs
    an error for each); app.js copies them through the CSSOM instead, which the
    policy allows. Only the markup before the first ``<script`` (the JSON data
    block, which comes last) is touched: there, article text is HTML-escaped, so
    a literal ``style="`` can only be one of the template's own attributes.
    """
    markup, script, rest = fragment.partition("<script")
    return _STYLE_ATTRIBUTE.sub(r' data-ss-style="\1"', markup) + script + rest


@cache
def report_download_csp() -> str:
    """The policy of the self-contained report (its inline CSS, its one script by hash), for the download."""
    from spinscope.render.html import report_js

    digest = base64.b64encode(hashlib.sha256(report_js().encode("utf-8")).digest()).decode("ascii")
    return (
        f"default-src 'none'; script-src 'sha256-{digest}'; style-src 'unsafe-inline'; img-src data:; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


# ---- static assets and templates -----------------------------------------------------------------------
@dataclass(frozen=True)
class Asset:
    body: bytes
    media_type: str
    version: str


@cache
def assets() -> dict[str, Asset]:
    from spinscope.render.html import report_css, report_js

    sources: dict[str, tuple[bytes, str]] = {
        "report.css": (report_css().encode("utf-8"), "text/css; charset=utf-8"),
        "report.js": (report_js().encode("utf-8"), "text/javascript; charset=utf-8"),
    }
    types = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml"}
    for path in sorted((_HERE / "static").iterdir()):
        if path.suffix in types:
            sources[path.name] = (path.read_bytes(), types[path.suffix])
    return {
        name: Asset(body, media_type, hashlib.sha256(body).hexdigest()[:10])
        for name, (body, media_type) in sources.items()
    }


def asset_url(name: str) -> str:
    return f"/static/{name}?v={assets()[name].version}"


@cache
def templates() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(str(_HERE / "templates")),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals.update(asset_url=asset_url, version=__version__)
    environment.filters["inline_code"] = inline_code
    return environment


def inline_code(text: str) -> Markup:
    """Markdown-style `code` spans as ``<code>``; everything escaped."""
    parts = str(text).split("`")
    return Markup("").join(Markup("<code>{}</code>").format(p) if i % 2 else escape(p) for i, p in enumerate(parts))


def render_page(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(templates().get_template(name).render(**context), status_code=status)
