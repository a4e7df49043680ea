"""Spinscope's exceptions, all under one root so callers can catch them in one place.

SpinscopeError
├── InputError            a user's input cannot be read or analysed (clear one-line message)
│   ├── EmptyInputError   nothing to analyse (empty, whitespace only, no extractable text)
│   ├── UnsupportedLanguageError   the text is not English
│   └── FetchError        a URL could not or must not be fetched
│       └── UnsafeURLError        the URL points at a private, loopback or metadata address
├── ModelError            a shipped model file is missing or corrupt
└── AnalysisStopped       an analysis stopped part-way: over its time limit, or cancelled (server)

Every error carries its stable ``code`` and its HTTP ``status`` (the server answers with them):
a class says its own, and an :class:`InputError` may be given one of :data:`InputError.CODES`
where it is raised (``code="text_too_large"``).
"""

from __future__ import annotations

from typing import ClassVar

from spinscope.normalise import visible_controls


class SpinscopeError(Exception):
    """Root of every error spinscope raises on purpose. ``code``: a stable name; ``status``: its HTTP status."""

    code = "internal_error"
    status = 500


class InputError(SpinscopeError):
    """An input that cannot be analysed. ``source`` names it, ``reason`` says why; ``article_id``
    is the id the input gave itself, when it got that far (a row with an ``id`` field); ``code``, one of
    :data:`CODES`, when the class's own does not say what is wrong (too large, binary, unsupported content)."""

    code = "invalid_input"
    status = 400
    #: the codes an InputError may be given where it is raised, and their HTTP status
    CODES: ClassVar[dict[str, int]] = {
        "invalid_input": 400,
        "text_too_large": 413,
        "binary_input": 400,
        "unsupported_content": 400,
    }

    def __init__(self, source: str, reason: str, *, article_id: str | None = None, code: str | None = None) -> None:
        if code is not None:
            self.code, self.status = code, self.CODES[code]
        self.source = source
        self.reason = reason
        self.article_id = article_id
        # what gets printed: no escape sequence from a file name or a page reaches a terminal
        super().__init__(visible_controls(f"{source}: {reason}"))


class EmptyInputError(InputError):
    """The input has no text to analyse."""

    code = "empty_input"


class UnsupportedLanguageError(InputError):
    """The input is not in English, the only language the models were trained on."""

    code = "unsupported_language"


class FetchError(InputError):
    """A URL could not be fetched."""

    code = "fetch_failed"
    status = 502


class UnsafeURLError(FetchError):
    """A URL that must not be fetched (loopback, private, link-local or metadata address)."""

    code = "unsafe_url"
    status = 400


class ModelError(SpinscopeError):
    """A shipped model is missing, corrupt or incompatible."""


class AnalysisStopped(SpinscopeError):
    """An analysis stopped before its end (see :mod:`spinscope.deadline`). ``why``: "timeout" or "cancelled"
    (the client went away: 499, which only the access log sees)."""

    code = "analysis_timeout"
    status = 503

    def __init__(self, why: str, message: str) -> None:
        self.why = why
        if why == "cancelled":
            self.code, self.status = "client_closed_request", 499
        super().__init__(message)
