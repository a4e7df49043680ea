"""Typed errors: every error carries its stable code and HTTP status, set where it is raised, so that no
layer has to read an error's message to know what went wrong."""

from __future__ import annotations

import pytest

from spinscope.errors import (
    AnalysisStopped,
    EmptyInputError,
    FetchError,
    InputError,
    SpinscopeError,
    UnsafeURLError,
    UnsupportedLanguageError,
)
from spinscope.readers.text import decode_bytes, read_text


@pytest.mark.parametrize(
    ("error", "code", "status"),
    [
        (SpinscopeError("a fault"), "internal_error", 500),
        (InputError("x", "no such file"), "invalid_input", 400),
        (InputError("x", "anything", code="text_too_large"), "text_too_large", 413),
        (InputError("x", "anything", code="binary_input"), "binary_input", 400),
        (InputError("x", "anything", code="unsupported_content"), "unsupported_content", 400),
        (EmptyInputError("x", "empty"), "empty_input", 400),
        (UnsupportedLanguageError("x", "not English"), "unsupported_language", 400),
        (FetchError("https://example.org/", "could not connect"), "fetch_failed", 502),
        (UnsafeURLError("http://127.0.0.1/", "loopback"), "unsafe_url", 400),
        (AnalysisStopped("timeout", "over the time limit"), "analysis_timeout", 503),
        (AnalysisStopped("cancelled", "the client went away"), "client_closed_request", 499),
    ],
)
def test_errors_carry_code_and_status(error: SpinscopeError, code: str, status: int) -> None:
    assert (error.code, error.status) == (code, status)


def test_an_unknown_code_is_refused() -> None:
    with pytest.raises(KeyError):
        InputError("x", "why", code="no_such_code")


def test_the_readers_type_what_they_refuse() -> None:
    with pytest.raises(InputError) as binary:
        decode_bytes(b"\x00\x01\x02\x03" * 50, "blob.bin")
    assert binary.value.code == "binary_input"
    with pytest.raises(InputError) as large:
        read_text(b"word " * 3_000_000, "huge.txt")
    assert (large.value.code, large.value.status) == ("text_too_large", 413)
    assert type(large.value) is InputError  # the batch's errors.jsonl names the class: unchanged


def test_the_server_maps_errors_by_their_type_not_their_words() -> None:
    pytest.importorskip("fastapi")
    from spinscope.server.errors import classify

    # words that once decided the status now decide nothing
    assert classify(InputError("text", "too large: but typed as nothing special"))[:2] == (400, "invalid_input")
    assert classify(InputError("text", "no words at all", code="text_too_large"))[:2] == (413, "text_too_large")
