"""Readers: text decoding, PTC layout, HTML extraction, collections, folders, language check."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from spinscope.document import Article
from spinscope.errors import EmptyInputError, InputError, UnsupportedLanguageError
from spinscope.readers import (
    MAX_TEXT_BYTES,
    check_english,
    is_english,
    iter_inputs,
    read_file,
    read_html,
    read_inputs,
    read_text,
)

FIXTURES = Path(__file__).parent / "fixtures" / "readers"


def fixture(name: str) -> str:
    return str(FIXTURES / name)


def results(specs: list[str], **options: object) -> list[tuple[str, Article | InputError]]:
    return list(iter_inputs(specs, **options))  # type: ignore[arg-type]


# ---- plain text: encodings -------------------------------------------------------------


def test_utf8_ptc_layout_keeps_title_in_text_and_semeval_id() -> None:
    raw = (FIXTURES / "article111.txt").read_bytes()
    article = read_file(fixture("article111.txt"))
    assert article.id == "111"
    assert article.title == "Valdoria recalls ambassador as river talks collapse"
    assert article.text == raw.decode("utf-8")  # unchanged: PTC offsets count from the file start
    assert article.text.startswith(article.title + "\n\n")
    assert "Sarnia’s latest proposal “an insult" in article.text
    assert article.source == fixture("article111.txt")


def test_utf8_with_bom_and_crlf_is_normalised_before_offsets() -> None:
    article = read_file(fixture("bom_utf8.txt"))
    assert not article.text.startswith("\ufeff")
    assert "\r" not in article.text
    assert article.title == "Sarnia closes border crossing"
    start = article.text.index("“security concerns.”")
    assert article.text[start : start + 20] == "“security concerns.”"


def test_utf16_with_bom() -> None:
    article = read_file(fixture("utf16.txt"))
    assert article.title == "Mediators arrive in Ostra"
    assert "on Thursday — the first outside effort" in article.text


def test_cp1252_is_decoded_correctly() -> None:
    article = read_file(fixture("cp1252.txt"))
    assert "Valdoria’s opposition leader, Andrés Kovac" in article.text
    assert "“reckless theatre”" in article.text
    assert "recalled — a move" in article.text


def test_short_cp1252_bytes() -> None:
    assert read_text("café naïve – déjà vu".encode("cp1252"), "<string>").text == "café naïve – déjà vu"


def test_lone_carriage_returns_become_newlines() -> None:
    article = read_text(b"Title\r\rFirst line.\rSecond line.", "<stdin>")
    assert article.text == "Title\n\nFirst line.\nSecond line."
    assert article.title == "Title"


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00",
        b"%PDF-1.7\n\x00\x01\x02\x03 stream",
        bytes(range(256)) * 4,
        b"\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f\x10\x11\x12\x13\x14",
    ],
    ids=["png", "pdf", "all-bytes", "control-chars"],
)
def test_binary_data_is_refused(data: bytes) -> None:
    with pytest.raises(InputError, match=r"^blob\.txt: binary or undecodable data, not text$") as info:
        read_text(data, "blob.txt")
    assert not isinstance(info.value, EmptyInputError)


def test_binary_file_in_iter_inputs_is_reported_and_the_next_input_still_read(tmp_path: Path) -> None:
    blob = tmp_path / "photo.txt"
    blob.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" * 20)
    (source, error), (_, article) = results([str(blob), fixture("article111.txt")])
    assert source == str(blob)
    assert isinstance(error, InputError)
    assert error.reason == "binary or undecodable data, not text"
    assert isinstance(article, Article)


@pytest.mark.parametrize("data", [b"", "", b"   \n\t\r\n  ", " \n\n ", b"\xef\xbb\xbf", "\ufeff\r\n"])
def test_empty_and_whitespace_only(data: bytes | str) -> None:
    with pytest.raises(EmptyInputError) as info:
        read_text(data, "<stdin>")
    assert str(info.value) == "<stdin>: empty: no text to analyse"


def test_whitespace_only_file_in_a_folder(tmp_path: Path) -> None:
    (tmp_path / "blank.txt").write_text("  \n \n", encoding="utf-8")
    [(_, error)] = results([str(tmp_path)])
    assert isinstance(error, EmptyInputError)


def test_huge_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    huge = tmp_path / "huge.txt"
    huge.write_bytes(b"The talks failed again. " * 250_000)  # 6.0 MB
    with pytest.raises(InputError) as info:
        read_file(huge)
    assert info.value.reason == "too large: 6.0 MB (limit 5.0 MB)"


def test_huge_text_in_memory_is_refused() -> None:
    with pytest.raises(InputError, match=r"too large: 6\.0 MB \(limit 5\.0 MB\)"):
        read_text(b"a" * 6_000_000, "<stdin>")
    with pytest.raises(InputError, match=r"too large: 5\.5 MB \(limit 5\.0 MB\)"):
        read_text("é" * 2_750_000, "<string>")  # 2.75 M characters, 5.5 MB as UTF-8
    assert read_text("a" * MAX_TEXT_BYTES, "<string>").text.startswith("aaa")


@pytest.mark.parametrize(
    ("source", "expected"),
    [("article123.txt", "123"), ("data/Article7.txt", "7"), ("notes/report.txt", "report"), ("<stdin>", "")],
)
def test_article_ids(source: str, expected: str) -> None:
    text = "Valdoria and Sarnia resumed talks on Friday."
    article = read_text(text, source)
    if expected:
        assert article.id == expected
    else:  # no file name: Article's content hash
        assert article.id == Article(text).id and len(article.id) == 12


def test_no_title_without_the_blank_line() -> None:
    article = read_text("Line one\nLine two ends a sentence.\n\nLine four", "<stdin>")
    assert article.title is None
    assert read_text("The Senate met on Tuesday.\nIt passed the budget\n\nMore.", "<stdin>").title is None


def test_a_headline_on_two_lines_is_the_title() -> None:
    """A two-line headline made the report say "Untitled article"."""
    text = "Senate passes budget\nafter all-night session\n\nThe Senate passed the budget at 5 a.m. on Friday."
    article = read_text(text, "<stdin>")
    assert article.title == "Senate passes budget after all-night session"
    assert article.text == text  # the title stays in the text, offsets unchanged
    from spinscope.render import render_html

    page = render_html({"text": text, "title": article.title})
    assert '<h1 class="ss-title">Senate passes budget after all-night session</h1>' in page
    assert read_text("Senate passes budget\nafter all-night session\n\n", "<stdin>").title is None  # no body


# ---- HTML ----------------------------------------------------------------------------------


def test_html_main_text_and_metadata() -> None:
    article = read_file(fixture("page.html"))
    assert article.title == "Border talks collapse as Valdoria recalls envoy"
    assert article.author == "Jana Korvel"
    assert article.date == "2024-03-05"
    assert article.outlet == "The Meridian Post"
    assert article.url == "https://meridianpost.example/world/border-talks-collapse"
    paragraphs = article.text.split("\n\n")
    assert "Negotiators from Valdoria and Sarnia walked out of talks on Tuesday" in paragraphs[1]
    assert paragraphs[-1] == "Analysts said the breakdown made a settlement before the spring floods unlikely."
    for boilerplate in ("Most read", "Football results", "All rights reserved", "Sport"):
        assert boilerplate not in article.text


def test_html_url_argument_wins_over_canonical() -> None:
    html = (FIXTURES / "page.html").read_bytes()
    article = read_html(html, "https://mirror.example/p", url="https://mirror.example/p")
    assert article.url == "https://mirror.example/p"
    assert article.id == Article(article.text).id  # a URL gives no file-name id


def test_malformed_html_does_not_crash() -> None:
    article = read_file(fixture("malformed.html"))
    assert article.text.startswith("The Ostra bridge crossing reopened on Friday")
    assert "sudden reversal" in article.text
    assert "calmer days" in article.text


@pytest.mark.parametrize(
    "html",
    ["<<<>>>", "<html><body><div>" * 3 + "</p></td>", b"\x89PNG\r\n\x1a\n", "<?xml version='1.0'?><rss/>", "  "],
)
def test_garbage_html_is_an_input_error_not_a_crash(html: str | bytes) -> None:
    with pytest.raises(InputError):
        read_html(html, "page.html")


def test_html_without_article_text() -> None:
    with pytest.raises(EmptyInputError) as info:
        read_file(fixture("no_text.html"))
    assert str(info.value) == f"{fixture('no_text.html')}: no article text found in the HTML"


# ---- language ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Valdoria recalled its ambassador on Tuesday.",
        "Valdoria recalls ambassador.",
        "Sarnia says talks are over",
        "Von der Leyen visits Ostra",
        "El Paso and Los Angeles officials met Al Jazeera reporters in Le Mans.",
        "“Nous ne céderons pas,” the minister said in French, before the talks resumed in English.",
        (FIXTURES / "article111.txt").read_text(encoding="utf-8"),
        "2024-03-05 10:00 — 12 / 4",
    ],
)
def test_english_is_accepted(text: str) -> None:
    assert is_english(text)
    check_english(text, "<stdin>")


@pytest.mark.parametrize("name", ["german.txt", "french.txt", "spanish.txt", "russian.txt", "chinese.txt"])
def test_other_languages_are_refused(name: str) -> None:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    with pytest.raises(UnsupportedLanguageError) as info:
        check_english(text, name)
    assert str(info.value) == (f"{name}: the text looks like it is not English (spinscope's models are English-only)")


@pytest.mark.parametrize(
    "text",
    [
        "Die Regierung hat die Gespräche mit dem Nachbarland abgebrochen.",
        "Le gouvernement a rappelé son ambassadeur et les négociations sont suspendues.",
        "El gobierno llamó a su embajador y las conversaciones están suspendidas.",
        # Polish: in no foreign list; the English-ratio rule catches it.
        "Rząd Valdorii odwołał we wtorek swojego ambasadora z Sarnii po fiasku rozmów o spornej granicy "
        "na rzece Ostra. Minister spraw zagranicznych nazwała propozycję Sarnii obrazą dla każdej rodziny "
        "w kraju, a rząd Sarnii oświadczył, że pozostaje otwarty na dialog bez warunków wstępnych.",
    ],
)
def test_single_foreign_sentences_are_refused(text: str) -> None:
    assert not is_english(text)


def test_iter_inputs_english_only() -> None:
    items = dict(results([fixture("german.txt"), fixture("article111.txt")], english_only=True))
    assert isinstance(items[fixture("german.txt")], UnsupportedLanguageError)
    assert isinstance(items[fixture("article111.txt")], Article)
    assert isinstance(dict(results([fixture("german.txt")]))[fixture("german.txt")], Article)


# ---- files, folders, stdin -----------------------------------------------------------------


def test_missing_file() -> None:
    [(source, error)] = results(["no/such/article.txt"])
    assert source == "no/such/article.txt"
    assert isinstance(error, InputError)
    assert str(error) == "no/such/article.txt: no such file or directory"


def test_folder_reads_txt_and_html_sorted_not_csv() -> None:
    items = results([fixture("corpus")])
    names = [Path(source).name for source, _ in items]
    assert names == ["article201.txt", "article202.html", "empty.txt"]
    first, second, empty = (item for _, item in items)
    assert isinstance(first, Article) and first.id == "201" and first.title == "Ostra villagers wait for news"
    assert isinstance(second, Article) and second.id == "202" and "Northern Council" in second.text
    assert isinstance(empty, EmptyInputError)


def test_folder_is_not_recursive_and_empty_folder_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "inner.txt").write_text("Valdoria protests.", encoding="utf-8")
    [(source, error)] = results([str(tmp_path)])
    assert source == str(tmp_path)
    assert isinstance(error, InputError) and "no .txt, .html or .htm files" in error.reason


def test_stdin_text_and_html() -> None:
    [(source, article)] = results(["-"], stdin=io.BytesIO(b"Ostra talks resume\r\n\r\nBoth sides returned."))
    assert source == "<stdin>"
    assert isinstance(article, Article)
    assert article.title == "Ostra talks resume" and article.text == "Ostra talks resume\n\nBoth sides returned."
    assert article.id == Article(article.text).id

    html = (FIXTURES / "page.html").read_bytes()
    [(_, page)] = results(["-"], stdin=io.BytesIO(html))
    assert isinstance(page, Article) and page.outlet == "The Meridian Post"

    [(_, empty)] = results(["-"], stdin=io.BytesIO(b""))
    assert isinstance(empty, EmptyInputError) and str(empty) == "<stdin>: empty: no text to analyse"


def test_unsupported_file_type_and_url_scheme(tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.7\n")
    items = dict(results([str(pdf), "ftp://example.org/a.txt"]))
    assert "unsupported file type .pdf" in str(items[str(pdf)])
    assert str(items["ftp://example.org/a.txt"]) == (
        "ftp://example.org/a.txt: unsupported URL scheme 'ftp' (only http and https)"
    )


def test_markdown_and_unknown_suffix_read_as_text(tmp_path: Path) -> None:
    md = tmp_path / "note.md"
    md.write_text("# Ostra\n\nThe bridge reopened.", encoding="utf-8")
    plain = tmp_path / "README"
    plain.write_text("The bridge reopened.", encoding="utf-8")
    [(_, a), (_, b)] = results([str(md), str(plain)])
    assert isinstance(a, Article) and a.title == "# Ostra" and a.id == "note"
    assert isinstance(b, Article) and b.id == "README"


def test_read_inputs_raises_the_first_error() -> None:
    assert [a.id for a in read_inputs([fixture("article111.txt")])] == ["111"]
    with pytest.raises(InputError, match="no such file"):
        read_inputs([fixture("article111.txt"), "missing.txt"])


# ---- collections ---------------------------------------------------------------------------


def test_jsonl_with_bad_lines_keeps_going() -> None:
    name = fixture("articles.jsonl")
    items = results([name])
    assert [source for source, _ in items] == [f"{name}:line {n}" for n in (1, 2, 3, 5)]
    first, bad_json, no_text, last = (item for _, item in items)
    assert isinstance(first, Article)
    assert (first.id, first.title, first.outlet, first.date) == (
        "v1",
        "Referendum planned",
        "Ostra Daily",
        "2024-03-04",
    )
    assert first.url == "https://ostradaily.example/v1" and first.metadata == {"section": "world"}
    assert isinstance(bad_json, InputError) and str(bad_json).startswith(f"{name}:line 2: invalid JSON")
    assert isinstance(no_text, InputError) and str(no_text) == f"{name}:line 3: missing 'text' field"
    assert isinstance(last, Article) and last.id == "4"


def test_jsonl_non_object_and_non_string_text(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_text('[1, 2]\n{"text": 42}\n{"text": "   "}\n{"text": "Sarnia agreed."}\n', encoding="utf-8")
    items = [item for _, item in results([str(path)])]
    assert "expected an object" in str(items[0])
    assert "'text' must be a string" in str(items[1])
    assert isinstance(items[2], EmptyInputError)
    assert isinstance(items[3], Article) and items[3].title is None


def test_json_array(tmp_path: Path) -> None:
    path = tmp_path / "rows.json"
    path.write_text(json.dumps([{"text": "Valdoria agreed.", "id": "a"}, {"id": "b"}]), encoding="utf-8")
    items = results([str(path)])
    assert [source for source, _ in items] == [f"{path}:item 1", f"{path}:item 2"]
    assert isinstance(items[0][1], Article) and isinstance(items[1][1], InputError)


def test_csv_with_multiline_text_and_an_empty_row() -> None:
    name = fixture("articles.csv")
    items = results([name])
    assert [source for source, _ in items] == [f"{name}:line 2", f"{name}:line 5", f"{name}:line 6"]
    first, empty, last = (item for _, item in items)
    assert isinstance(first, Article)
    assert first.id == "c1" and first.title == "Envoy returns" and first.outlet == "Meridian Post"
    assert first.text.endswith('Officials called the move "a gesture of good faith".')
    assert "\n\n" in first.text
    assert isinstance(empty, EmptyInputError) and str(empty) == f"{name}:line 5: empty: no text to analyse"
    assert isinstance(last, Article) and last.date == "2024-03-11"


def test_csv_without_text_column(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("id,body\n1,Valdoria agreed.\n", encoding="utf-8")
    [(source, error)] = results([str(path)])
    assert source == str(path)
    assert str(error) == f"{path}: no 'text' column (columns: id, body)"


def test_parquet(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "rows.parquet"
    table = pa.table(
        {"id": ["p1", "p2"], "text": ["Sarnia reopened the bridge.", None], "outlet": ["Ostra Daily", None]}
    )
    pq.write_table(table, path)
    items = results([str(path)])
    assert [source for source, _ in items] == [f"{path}:row 1", f"{path}:row 2"]
    assert isinstance(items[0][1], Article) and items[0][1].outlet == "Ostra Daily"
    assert isinstance(items[1][1], InputError) and "missing 'text'" in str(items[1][1])


def test_parquet_without_pyarrow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "rows.parquet"
    path.write_bytes(b"PAR1")
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    [(_, error)] = results([str(path)])
    assert isinstance(error, InputError) and "needs pyarrow" in str(error)


# ---- every error is one line naming the input ---------------------------------------------


def test_error_messages_are_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "a\n', encoding="utf-8")
    specs = [fixture(name) for name in ("no_text.html", "german.txt", "articles.jsonl", "corpus")]
    specs += ["missing.txt", str(bad)]
    errors = [item for _, item in results(specs, english_only=True) if isinstance(item, InputError)]
    assert len(errors) >= 6
    for error in errors:
        message = str(error)
        assert "\n" not in message and message.startswith(error.source + ": ") and error.reason
