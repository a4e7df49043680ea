"""The ``spinscope`` command: a thin shell over :mod:`spinscope.pipeline` and the renderers.

One module per group of commands; importing them registers their commands on :data:`app`, in the order
``spinscope --help`` lists them.
"""

from __future__ import annotations

from spinscope.cli.shell import app, err, error_line, fail, out, write_output

# the commands, registered in this order
from spinscope.cli import analyze as _analyze  # noqa: F401  isort: skip
from spinscope.cli import evaluate as _evaluate  # noqa: F401  isort: skip
from spinscope.cli import annotate as _annotate  # noqa: F401  isort: skip
from spinscope.cli import corpus as _corpus  # noqa: F401  isort: skip
from spinscope.cli import serve as _serve  # noqa: F401  isort: skip
from spinscope.cli import train as _train  # noqa: F401  isort: skip


def main() -> None:
    app()


__all__ = ["app", "err", "error_line", "fail", "main", "out", "write_output"]
