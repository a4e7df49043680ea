"""The one library entry point: read → segment → analyse → summarise.

``analyze`` takes text or an :class:`Article` and returns an :class:`Analysis`;
``analyze_many`` streams many articles and decides what a bad one does
(``on_error``). The CLI, the server and the batch engine are thin shells over
these two functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from spinscope.document import Article
from spinscope.errors import SpinscopeError

OnError = Literal["raise", "skip", "yield"]
Engine = Literal["model", "rules"]


@dataclass
class Failure:
    """What ``analyze_many(on_error="yield")`` yields for an article that could not be analysed."""

    article: Article | None
    source: str
    error: SpinscopeError
