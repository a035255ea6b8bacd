"""Single text and HTML files (gzipped or not) into one document or one reject."""
from __future__ import annotations

import gzip

import pytest

from reading_helpers import PAGE, only_doc, only_reject, read, write
from pipeline.inputs.formats import input_format
from pipeline.inputs.limits import Limits


@pytest.mark.parametrize("name, expected", [
    ("a.HTML", ("html", False)), ("a.txt.gz", ("text", True)), ("a.warc.gz", ("warc", True)), ("a.arc.gz", ("arc", True)),
    ("a.jsonl.gz", ("jsonl", True)), ("a.gz", (None, True)), ("README", (None, False)),
])
def test_input_format_from_name(name, expected):
    assert input_format(name) == expected


def test_html_and_text_files_with_awkward_names(tmp_path):
    doc = only_doc(write(tmp_path / "Straße 1 é.html", PAGE))
    assert (doc.source, doc.kind, doc.content, doc.notes) == ("Straße 1 é.html", "html", PAGE, [])
    doc = only_doc(write(tmp_path / "notes file.txt", "Line one\r\nLine two\n"))
    assert (doc.kind, doc.content) == ("text", "Line one\nLine two\n")


@pytest.mark.parametrize("content", [b"", b"   \n\t\r\n  "])
def test_empty_and_whitespace_only_files_are_rejected(tmp_path, content):
    assert only_reject(write(tmp_path / "e.html", content)) == ("e.html", "empty")


def test_binary_and_pdf_under_an_html_name_are_rejected(tmp_path):
    assert only_reject(write(tmp_path / "img.html", b"\x89PNG\r\n\x1a\n" + bytes(range(256)))) == ("img.html", "binary")
    assert only_reject(write(tmp_path / "doc.html", b"%PDF-1.5\n%\xb5\xed\xae\xfb\n")) == ("doc.html", "pdf")


def test_unknown_extension_is_sniffed(tmp_path):
    assert only_doc(write(tmp_path / "page.php", PAGE)).kind == "html"
    assert only_doc(write(tmp_path / "README", "Just some words.")).kind == "text"
    assert only_reject(write(tmp_path / "blob.bin", bytes(range(256)) * 3)) == ("blob.bin", "unsupported_format")


def test_utf16_with_bom_html(tmp_path):
    doc = only_doc(write(tmp_path / "u16.html", ("\ufeff" + PAGE).encode("utf-16-le")))
    assert (doc.kind, doc.content, doc.notes) == ("html", PAGE, [])


def test_latin1_declared_and_undeclared(tmp_path):
    declared = '<meta charset="latin1"><p>“Café” – crème</p>'
    assert only_doc(write(tmp_path / "d.html", declared.encode("cp1252"))).content == declared
    undeclared = only_doc(write(tmp_path / "u.txt", "Le garçon mangé déjà.".encode("latin-1")))
    assert undeclared.content == "Le garçon mangé déjà."
    assert undeclared.notes == ["charset cp1252 detected (none declared)"]


def test_invalid_utf8_is_kept_and_the_loss_noted(tmp_path):
    doc = only_doc(write(tmp_path / "bad.txt", "Köln ist schön ".encode("utf-8") + b"\xc3\x28 end"))
    assert doc.content == "Köln ist schön \ufffd( end"
    assert doc.notes == ["decoded utf-8 with 1 replacement characters"]


def test_nul_and_control_characters_never_reach_content(tmp_path):
    doc = only_doc(write(tmp_path / "ctl.html", "<p>Some\x00 real\x01 text\x0b here, long enough to be text.</p>"))
    assert doc.content == "<p>Some real text here, long enough to be text.</p>"
    assert doc.notes == ["removed 3 control characters"]


def test_truncated_html_is_read_as_it_is(tmp_path):
    cut = PAGE[: PAGE.index("sprach")]
    assert only_doc(write(tmp_path / "cut.html", cut)).content == cut


def test_file_over_max_input_bytes_is_rejected_before_reading(tmp_path):
    f = write(tmp_path / "big.html", "<p>" + "x" * 200 + "</p>")
    limits = Limits(max_input_bytes=100, max_decompressed_bytes=1000, max_line_chars=1000)
    items = read(f, limits)
    assert [(i.reason, i.message) for i in items] == [(
        "too_large", "the file has 207 bytes, over the limit of 100; "
        "raise [limits] max_input_bytes in a --config file to accept it")]


def test_very_long_line_rejects_text_but_not_html(tmp_path):
    line = "word " * 1_200
    assert only_reject(write(tmp_path / "long.txt", "ok\n" + line)) == ("long.txt", "line_too_long")
    assert only_doc(write(tmp_path / "minified.html", "<p>" + line + "</p>")).kind == "html"


# --- gzip ---------------------------------------------------------------------------------

def test_gzipped_html_and_bare_gz(tmp_path):
    assert only_doc(write(tmp_path / "p.html.gz", gzip.compress(PAGE.encode()))).content == PAGE
    bare = only_doc(write(tmp_path / "p.gz", gzip.compress(b"plain words only")))
    assert (bare.kind, bare.content) == ("text", "plain words only")


def test_gzip_under_a_plain_name_is_decompressed_with_a_note(tmp_path):
    doc = only_doc(write(tmp_path / "p.html", gzip.compress(PAGE.encode())))
    assert doc.content == PAGE
    assert doc.notes == ["the file was gzip-compressed although its name does not say so"]


def test_truncated_corrupt_and_fake_gzip(tmp_path):
    packed = gzip.compress(PAGE.encode() * 20)
    assert only_reject(write(tmp_path / "t.html.gz", packed[: len(packed) // 2])) == ("t.html.gz", "truncated_gzip")
    broken = bytearray(packed)
    broken[-6] ^= 0xFF  # the stored CRC no longer matches
    assert only_reject(write(tmp_path / "c.html.gz", bytes(broken))) == ("c.html.gz", "corrupt_gzip")
    assert only_reject(write(tmp_path / "f.html.gz", PAGE)) == ("f.html.gz", "corrupt_gzip")


def test_gzip_bomb_stops_at_the_decompression_cap(tmp_path):
    bomb = gzip.compress(b"\0" * 5_000_000)
    assert len(bomb) < 10_000
    assert only_reject(write(tmp_path / "bomb.html.gz", bomb)) == ("bomb.html.gz", "decompression_limit")


def test_gzip_decompressing_past_max_input_bytes_is_too_large(tmp_path):
    f = write(tmp_path / "big.txt.gz", gzip.compress(b"words and more words\n" * 7_000))
    assert only_reject(f) == ("big.txt.gz", "too_large")
