"""``spinscope serve``: a web page and a REST API over the same analysis the CLI gives.

    from spinscope.server import Settings, create_app
    app = create_app(Settings(engine="rules", db_path=":memory:"))   # any ASGI server runs it

Needs the ``server`` extra (FastAPI, uvicorn). See :mod:`spinscope.server.app` for the routes
and error codes, :mod:`spinscope.server.limits` for the limits, :mod:`spinscope.server.store`
for the permalink store.
"""

from __future__ import annotations

from spinscope.server.app import create_app, serve
from spinscope.server.middleware import check_origins
from spinscope.server.settings import Settings
from spinscope.server.store import ResultStore, default_db_path

__all__ = ["ResultStore", "Settings", "check_origins", "create_app", "default_db_path", "serve"]
