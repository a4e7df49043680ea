"""``spinscope serve`` and ``spinscope extension``: the web page, the REST API and the browser extension."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from spinscope.cli.shell import MODEL_OPTION, EngineName, app, err, fail, out, use_model


@app.command()
def extension(
    port: Annotated[
        int,
        typer.Option(
            min=1,
            max=65535,
            envvar="SPINSCOPE_PORT",
            help="The port your `spinscope serve` listens on (or $SPINSCOPE_PORT).",
        ),
    ] = 8000,
    open_browser: Annotated[
        bool, typer.Option("--open", help="Also open chrome://extensions in Chrome or Chromium, where one is found.")
    ] = False,
) -> None:
    """Where the browser extension is, and how to load it into Chrome or Chromium."""
    from spinscope.browser_extension import extension_folder, find_browser, load_steps, open_extensions_page

    folder = extension_folder()
    if not (folder / "manifest.json").is_file():
        raise fail(f"the extension is missing from this installation ({folder}): reinstall spinscope")
    out.print(load_steps(folder, port), highlight=False, soft_wrap=True)
    if open_browser:
        browser = find_browser()
        if browser is None:
            raise fail(
                "could not open a browser from here (none found, or no display): open chrome://extensions "
                "in your browser yourself, then follow the steps above"
            )
        open_extensions_page(browser)
        err.print(f"spinscope: opening chrome://extensions with {' '.join(browser)}", highlight=False)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (0.0.0.0: every interface).")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(min=0, max=65535, envvar="SPINSCOPE_PORT", help="Port to listen on (or $SPINSCOPE_PORT).")
    ] = 8000,
    workers: Annotated[
        int, typer.Option(min=0, help="Analysis threads sharing the loaded models; 0: one per CPU core.")
    ] = 0,
    engine: Annotated[
        EngineName, typer.Option(help="Default engine: model, fast or rules (a request may ask for another).")
    ] = EngineName.model,
    db: Annotated[
        str | None,
        typer.Option(help="Permalink database (SQLite); default $SPINSCOPE_DB or ~/.cache/spinscope; :memory:."),
    ] = None,
    rate_limit: Annotated[
        float, typer.Option(min=0, help="API requests a minute per client address (burst 30); 0: no limit.")
    ] = 60.0,
    queue: Annotated[int, typer.Option(min=0, help="Analyses that may wait for a thread before 503.")] = 16,
    time_limit: Annotated[
        float, typer.Option(min=0, help="Seconds one analysis may run before it is stopped (503); 0: no limit.")
    ] = 120.0,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            help="Proxies (comma-separated IPs, or *) whose X-Forwarded-For names the client; default: none, "
            "the connecting address is the client."
        ),
    ] = None,
    allow_origin: Annotated[
        list[str] | None,
        typer.Option(
            envvar="SPINSCOPE_ALLOW_ORIGINS",
            help="A browser-extension origin (chrome-extension://ID) whose scripts may call the API (CORS); "
            "repeat for more. Off by default; the environment variable takes several, space-separated.",
        ),
    ] = None,
    allowed_host: Annotated[
        list[str] | None,
        typer.Option(
            help="A host name the server answers to besides localhost, 127.0.0.1, [::1] and --host "
            "(its LAN name, a proxy's public name); repeat for more; * for any. Others get 400 (DNS rebinding)."
        ),
    ] = None,
    model: Annotated[Path | None, MODEL_OPTION] = None,
) -> None:
    """Run the web page and REST API (http://HOST:PORT/, API docs at /docs)."""
    use_model(model, engine.value)
    try:
        from spinscope.server import Settings, check_origins
        from spinscope.server import serve as run_server
        from spinscope.server.hosts import allowed_hosts
    except ImportError as error:
        raise fail(f"the server needs the server extra: pip install 'spinscope[server]' ({error})") from None
    try:
        origins = check_origins(allow_origin or [])
    except ValueError as error:
        raise fail(str(error)) from None
    settings = Settings(
        engine=engine.value,
        db_path=db,
        threads=workers,
        rate_per_minute=rate_limit,
        queue_size=queue,
        allowed_origins=origins,
        analysis_timeout=time_limit,
        forwarded_allow_ips=forwarded_allow_ips,
        allowed_hosts=allowed_hosts(allowed_host or ()),
    )
    from spinscope.server.store import ResultStore, StoreError

    try:  # the store checks itself now: a one-line error, or a corrupt file moved aside, before "serving on"
        store = ResultStore(settings.db_path)
    except StoreError as error:
        raise fail(f"{error}: use --db PATH (or $SPINSCOPE_DB) to choose another file") from None
    if store.recovered:
        err.print(
            f"spinscope: {store.problem}; moved it to {store.recovered} and started a new one",
            highlight=False,
            soft_wrap=True,
        )
    store.close()
    err.print(f"spinscope: serving on http://{host}:{port}/ (API docs at /docs)", highlight=False)
    # the extension looks for 127.0.0.1:8000 unless its settings say otherwise: say so when this server is elsewhere
    advice = "keep this running while you use the web page or the browser extension; Ctrl-C stops it"
    if port != 8000:
        advice += f"; in the extension's settings, set the server address to http://127.0.0.1:{port}"
    err.print(f"spinscope: {advice}", highlight=False)
    run_server(settings, host=host, port=port)
