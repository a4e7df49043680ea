"""Spinscope's exceptions, all under one root so callers can catch them in one place.

SpinscopeError
├── InputError            a user's input cannot be read or analysed (clear one-line message)
│   ├── EmptyInputError   nothing to analyse (empty, whitespace only, no extractable text)
│   ├── UnsupportedLanguageError   the text is not English
│   └── FetchError        a URL could not or must not be fetched
│       └── UnsafeURLError        the URL points at a private, loopback or metadata address
├── ModelError            a shipped model file is missing or corrupt
└── AnalysisStopped       an analysis stopped part-way: over its time limit, or cancelled (server)
"""

from __future__ import annotations

from spinscope.normalise import visible_controls


class SpinscopeError(Exception):
    """Root of every error spinscope raises on purpose."""


class InputError(SpinscopeError):
    """An input that cannot be analysed. ``source`` names it, ``reason`` says why; ``article_id``
    is the id the input gave itself, when it got that far (a row with an ``id`` field)."""

    def __init__(self, source: str, reason: str, *, article_id: str | None = None) -> None:
        self.source = source
        self.reason = reason
        self.article_id = article_id
        # what gets printed: no escape sequence from a file name or a page reaches a terminal
        super().__init__(visible_controls(f"{source}: {reason}"))


class EmptyInputError(InputError):
    """The input has no text to analyse."""


class UnsupportedLanguageError(InputError):
    """The input is not in English, the only language the models were trained on."""


class FetchError(InputError):
    """A URL could not be fetched."""


class UnsafeURLError(FetchError):
    """A URL that must not be fetched (loopback, private, link-local or metadata address)."""


class ModelError(SpinscopeError):
    """A shipped model is missing, corrupt or incompatible."""


class AnalysisStopped(SpinscopeError):
    """An analysis stopped before its end (see :mod:`spinscope.deadline`). ``why``: "timeout" or "cancelled"."""

    def __init__(self, why: str, message: str) -> None:
        self.why = why
        super().__init__(message)
