"""Charset decoding, binary sniffing and control-character cleaning of input bytes."""
from __future__ import annotations

import codecs
from msgspec.structs import replace

import pytest

from conftest import overlay_config
from pipeline.config import ConfigError, load_config
from pipeline.inputs.decoding import DecodingRules, decode_bytes, normalise_text, packaged_rules, sniff_binary

FRENCH = "Le garçon a mangé une crêpe à la crème, déjà vu."


@pytest.mark.parametrize("encoding, bom", [
    ("utf-16-le", codecs.BOM_UTF16_LE),
    ("utf-16-be", codecs.BOM_UTF16_BE),
    ("utf-32-le", codecs.BOM_UTF32_LE),
    ("utf-8", codecs.BOM_UTF8),
])
def test_bom_decides_the_encoding(encoding, bom):
    data = bom + "<p>Grüße aus Köln</p>\r\n<p>второй</p>".encode(encoding)
    decoded = decode_bytes(data, kind="html")
    assert decoded.text == "<p>Grüße aus Köln</p>\n<p>второй</p>"
    assert decoded.encoding == encoding
    assert decoded.lossy is False
    assert decoded.notes == []


def test_bom_outranks_a_contradicting_meta():
    data = codecs.BOM_UTF16_LE + '<meta charset="iso-8859-1"><p>été</p>'.encode("utf-16-le")
    assert decode_bytes(data, kind="html").text == '<meta charset="iso-8859-1"><p>été</p>'


def test_declared_latin1_is_read_as_cp1252_like_browsers():
    data = '<html><head><meta charset="ISO-8859-1"></head><p>“Quoted” café – 5 €</p>'.encode("cp1252")
    decoded = decode_bytes(data, kind="html")
    assert decoded.encoding == "cp1252"
    assert decoded.text.endswith("<p>“Quoted” café – 5 €</p>")
    assert decoded.notes == []


def test_http_equiv_declaration_is_read():
    data = ('<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'
            "<p>Привет, мир</p>").encode("cp1251")
    decoded = decode_bytes(data, kind="html")
    assert decoded.encoding == "cp1251"
    assert decoded.text.endswith("<p>Привет, мир</p>")


def test_transport_charset_outranks_meta():
    data = '<meta charset="utf-8"><p>naïve</p>'.encode("latin-1")
    decoded = decode_bytes(data, kind="html", declared="iso-8859-1")
    assert decoded.text == '<meta charset="utf-8"><p>naïve</p>'
    assert decoded.encoding == "cp1252"


def test_meta_is_ignored_for_text_inputs():
    data = 'a note: <meta charset="koi8-r"> naïve'.encode("utf-8")
    assert decode_bytes(data, kind="text").encoding == "utf-8"


def test_stale_legacy_declaration_loses_to_valid_utf8():
    data = '<meta charset="iso-8859-1"><p>Grüße</p>'.encode("utf-8")
    decoded = decode_bytes(data, kind="html")
    assert decoded.text == '<meta charset="iso-8859-1"><p>Grüße</p>'
    assert decoded.notes == ["declared charset cp1252 ignored: the bytes are valid utf-8"]


def test_unknown_declared_charset_is_noted_and_ignored():
    decoded = decode_bytes('<meta charset="klingon-8"><p>é</p>'.encode("utf-8"), kind="html")
    assert decoded.encoding == "utf-8"
    assert decoded.notes == ["ignored unknown charset 'klingon-8' declared in the document"]


@pytest.mark.parametrize("text, encoding", [
    (FRENCH, "latin-1"),
    (FRENCH, "cp1252"),
    ("“Smart quotes” — an em dash… and 5 €", "cp1252"),
    ("Ein schönes Märchen über große Bäume.", "cp1252"),
])
def test_undeclared_western_text_is_cp1252(text, encoding):
    decoded = decode_bytes(text.encode(encoding), kind="text")
    assert decoded.text == text
    assert decoded.encoding == "cp1252"
    assert decoded.notes == ["charset cp1252 detected (none declared)"]


@pytest.mark.parametrize("text, expected", [
    ("Привет, как дела? Это длинный русский текст о погоде.", "cp1251"),
    ("Zażółć gęślą jaźń, polski tekst o pogodzie.", "cp1250"),
])
def test_undeclared_other_scripts_are_detected(text, expected):
    decoded = decode_bytes(text.encode(expected), kind="text")
    assert (decoded.text, decoded.encoding) == (text, expected)


def test_invalid_utf8_is_decoded_with_the_loss_recorded():
    data = "Grüße aus Köln ".encode("utf-8") + b"\xff und \xfe."
    decoded = decode_bytes(data, kind="text")
    assert decoded.text == "Grüße aus Köln \ufffd und \ufffd."
    assert decoded.encoding == "utf-8"
    assert decoded.lossy is True
    assert decoded.notes == ["decoded utf-8 with 2 replacement characters"]


def test_genuine_replacement_characters_are_not_counted_as_loss():
    decoded = decode_bytes("a \ufffd b é".encode("utf-8"), kind="text")
    assert (decoded.lossy, decoded.notes) == (False, [])


def test_utf16_without_bom_is_recognised():
    decoded = decode_bytes("Plain words in UTF-16, no mark: ü".encode("utf-16-le"), kind="text")
    assert decoded.text == "Plain words in UTF-16, no mark: ü"
    assert decoded.notes == ["charset utf-16-le detected (no byte-order mark)"]


def test_control_characters_never_reach_the_text():
    data = "one\x00 two\x07\r\nthree\x1b\u0085 four\rfive\tsix\x7f".encode("utf-8")
    decoded = decode_bytes(data, kind="text")
    assert decoded.text == "one two\nthree four\nfive\tsix"
    assert decoded.notes == ["removed 5 control characters"]


def test_undefined_cp1252_bytes_become_removed_controls():
    decoded = decode_bytes(b"caf\xe9 \x81 ok", kind="text")
    assert decoded.text == "café  ok"
    assert decoded.notes == ["charset cp1252 detected (none declared)", "removed 1 control characters"]


def test_normalise_text_replaces_lone_surrogates():
    assert normalise_text("a\ud800b\r\n") == ("a\ufffdb\n", ["replaced 1 lone surrogate characters"])


@pytest.mark.parametrize("data, expected", [
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "pdf"),
    (b"\n  %PDF-1.4\n", "pdf"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    (bytes(range(256)) * 4, "binary"),
    (b"<html><body><p>A page with one stray NUL\x00 in it.</p></body></html>", None),
    (codecs.BOM_UTF16_LE + "text".encode("utf-16-le"), None),
    ("text in utf-16 without its mark".encode("utf-16-be"), None),
    (b"", None),
])
def test_sniff_binary(data, expected):
    assert sniff_binary(data) == expected


def test_thresholds_come_from_the_decoding_rules():
    rules = load_config().rules.decoding
    assert rules == packaged_rules()
    assert (rules.sniff_bytes, rules.binary_control_ratio) == (8192, 0.10)
    # a page with one byte in nine NUL is binary by default, text for a more lenient user
    data = b"<p>" + b"ab\x00cdefgh" * 100 + b"</p>"
    assert sniff_binary(data, rules) == "binary"
    lenient = replace(rules, binary_control_ratio=0.2)
    assert sniff_binary(data, lenient) is None
    assert "abcdefgh" in decode_bytes(data, kind="html", rules=lenient).text


def test_undeclared_legacy_text_follows_the_configured_western_test():
    data = "Ein Text über Köln, à côté".encode("cp1252")
    assert decode_bytes(data, kind="text").encoding == "cp1252"
    strict = replace(packaged_rules(), western_min_mixed_share=1.0)  # "à" is a word without ASCII letters
    assert decode_bytes(data, kind="text", rules=strict).encoding != "cp1252"


@pytest.mark.parametrize("key, value, message", [
    ("sniff_bytes", 10, r"\[decoding\] sniff_bytes: expected `int` >= 64, got 10"),
    ("binary_control_ratio", 1.5, r"\[decoding\] binary_control_ratio: expected `float` <= 1.0, got 1.5"),
    ("detect_bytes", "big", r"\[decoding\] detect_bytes: expected `int`, got 'big'"),
    ("sniff_byte", 100, r"\[decoding\] sniff_byte: unknown key \(did you mean 'sniff_bytes'\?\)"),
])
def test_bad_decoding_rule_is_a_config_error(key, value, message, tmp_path):
    with pytest.raises(ConfigError, match=message):
        overlay_config(tmp_path, "decoding", **{key: value})
