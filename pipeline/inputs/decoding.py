"""Turning an input's bytes into clean text: charset, binary sniffing, control characters.

Order of evidence, as browsers use it: a byte-order mark, then a charset declared by the
transport (HTTP header) or the document (``<meta charset>``, XML declaration), then strict
UTF-8, then detection: beautifulsoup4's EncodingDetector reads the mark and the
document's declaration, charset-normalizer detects.  Whatever had to be guessed, replaced
or removed is returned as a note, never done silently.
"""
from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from bs4.dammit import EncodingDetector
from charset_normalizer import from_bytes

from pipeline import schema
from pipeline.config import load_config

# The WHATWG Encoding Standard maps these labels to a superset decoder; browsers decode
# pages declared latin-1 as windows-1252, and so must we or curly quotes become controls.
# A declared UTF-16 without a BOM cannot be right (the declaration itself was read as
# ASCII), so it means UTF-8.
# Keys are Python codec names as ``codecs.lookup(label).name`` gives them.
_WHATWG_SUPERSETS: dict[str, str] = {
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "euc_kr": "cp949",
    "shift_jis": "cp932",
    "big5": "big5hkscs",
    "utf-16": "utf-8",
    "utf-16-le": "utf-8",
    "utf-16-be": "utf-8",
    "utf-32": "utf-8",
    "utf-32-le": "utf-8",
    "utf-32-be": "utf-8",
}

# Bytes a text file never holds in quantity: C0 controls other than these.
_TEXT_CONTROLS = frozenset(b"\t\n\r\f\x1b")
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "binary"),
    (b"GIF87a", "binary"),
    (b"GIF89a", "binary"),
    (b"\xff\xd8\xff", "binary"),
    (b"PK\x03\x04", "binary"),
    (b"\x7fELF", "binary"),
    (b"\xd0\xcf\x11\xe0", "binary"),
)
GZIP_MAGIC = b"\x1f\x8b"

# In the windows-1252 test (see decoding.toml) letters, marks, spaces (a no-break space
# joins words) and these never count as symbols inside a word.
_WORD_GLUE = frozenset("'’‘-‐‑–—·")
_NON_ASCII_DECODED = re.compile(r"[^\x00-\x7f\ufffd]")

# C0 and C1 controls, DEL, and lone surrogates (only JSON escapes can produce those).
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")


# Thresholds of ``configs/rules/decoding.toml``; see that file for each one.
DecodingRules = schema.Decoding


@lru_cache(maxsize=1)
def packaged_rules() -> DecodingRules:
    """The packaged thresholds, for callers without a configuration (evaluation, scripts)."""
    return load_config().rules.decoding


@dataclass(frozen=True)
class Decoded:
    """Decoded text with the encoding used and what decoding had to do to get it."""

    text: str
    encoding: str
    lossy: bool
    notes: list[str] = field(default_factory=list)


def sniff_binary(data: bytes, rules: DecodingRules | None = None) -> str | None:
    """Return "pdf" or "binary" when ``data`` is not text in any encoding, else None."""
    rules = rules or packaged_rules()
    if _from_bom(data)[0]:
        return None
    head = data[:rules.sniff_bytes]
    stripped = head.lstrip(b" \t\r\n")
    for magic, reason in _MAGIC:
        if stripped.startswith(magic):
            return reason
    if not head or _utf16_without_bom(head):
        return None
    controls = sum(1 for b in head if b < 0x20 and b not in _TEXT_CONTROLS)
    return "binary" if controls / len(head) > rules.binary_control_ratio else None


def decode_bytes(data: bytes, *, kind: str, declared: str | None = None,
                 rules: DecodingRules | None = None) -> Decoded:
    """Decode ``data`` of ``kind`` "html" or "text" to clean text.

    ``declared`` is a charset named outside the document (an HTTP Content-Type header);
    it outranks one declared inside, as in browsers.  ``rules`` default to the packaged ones.
    """
    rules = rules or packaged_rules()
    notes: list[str] = []
    encoding, body = _from_bom(data)
    if encoding is None:
        encoding = _declared_encoding(data, kind, declared, notes, rules)
    if encoding is None:
        encoding = _undeclared_encoding(data, notes, rules)
    text, replaced = _decode_counting(body, encoding)
    if replaced:
        notes.append(f"decoded {encoding} with {replaced} replacement characters")
    text, cleaning_notes = normalise_text(text)
    return Decoded(text=text, encoding=encoding, lossy=replaced > 0, notes=notes + cleaning_notes)


def normalise_text(text: str) -> tuple[str, list[str]]:
    """Unify line ends and drop control characters and lone surrogates, noting any."""
    notes: list[str] = []
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.isascii() and _has_surrogates(text):
        text, surrogates = _SURROGATES.subn("\ufffd", text)
        notes.append(f"replaced {surrogates} lone surrogate characters")
    text, controls = strip_controls(text)
    if controls:
        notes.append(f"removed {controls} control characters")
    return text, notes


# Numeric character references an HTML parser turns into C0 controls, DEL or the
# XML-incompatible U+FFFE/U+FFFF (which make lxml refuse the text); references to
# 0x80-0x9F stay, parsers map them to the windows-1252 characters.
_CONTROL_REFERENCE = re.compile(r"&#(?:[xX]0*([0-9a-fA-F]{1,6})|0*([0-9]{1,8}))(?![0-9a-zA-Z]);?")
_REFERENCED_CONTROLS = frozenset([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, 0xFFFE, 0xFFFF])


def strip_control_references(html: str) -> tuple[str, int]:
    """``html`` without character references to control characters, and how many went."""
    if "&#" not in html:
        return html, 0
    removed = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal removed
        hexadecimal, decimal = match.groups()
        code = int(hexadecimal, 16) if hexadecimal else int(decimal)
        if code in _REFERENCED_CONTROLS:
            removed += 1
            return ""
        return match.group()

    return _CONTROL_REFERENCE.sub(replace, html), removed


def strip_controls(text: str) -> tuple[str, int]:
    """``text`` without C0/C1 control characters (tab and newline stay), and how many went."""
    return _CONTROLS.subn("", text)


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")  # far faster than scanning with a regex
    except UnicodeEncodeError:
        return True
    return False


def _from_bom(data: bytes) -> tuple[str | None, bytes]:
    """The encoding a byte-order mark names (as a Python codec name), and the bytes after it."""
    body, encoding = EncodingDetector.strip_byte_order_mark(data)
    return (codecs.lookup(encoding).name if encoding else None), body


def _declared_in_document(data: bytes, rules: DecodingRules) -> str | None:
    """The charset an XML declaration or a ``<meta>`` names within the first prescan_bytes."""
    return EncodingDetector.find_declared_encoding(data[:rules.prescan_bytes], is_html=True,
                                                   search_entire_document=True)


def _usable_declaration(label: str | None, where: str, notes: list[str]) -> str | None:
    """The decoder for a declared label (WHATWG superset), or None if it is unknown."""
    if not label:
        return None
    try:
        name = codecs.lookup(label).name
    except LookupError:
        notes.append(f"ignored unknown charset {label!r} declared in the {where}")
        return None
    return _WHATWG_SUPERSETS.get(name, name)


def _declared_encoding(data: bytes, kind: str, declared: str | None, notes: list[str],
                       rules: DecodingRules) -> str | None:
    """The declared charset if the bytes fit it; valid UTF-8 wins over a legacy declaration."""
    encoding = _usable_declaration(declared, "transport", notes)
    if encoding is None and kind == "html":
        encoding = _usable_declaration(_declared_in_document(data, rules), "document", notes)
    if encoding is None or encoding == "utf-8":
        return encoding if encoding and _decodes(data, "utf-8") else None
    if not data.isascii() and _decodes(data, "utf-8"):
        # Pages saved as UTF-8 keep a stale legacy meta; legacy text that happens to be
        # valid UTF-8 is vanishingly rare.
        notes.append(f"declared charset {encoding} ignored: the bytes are valid utf-8")
        return "utf-8"
    if _decodes(data, encoding):
        return encoding
    notes.append(f"declared charset {encoding} does not fit the bytes; detected instead")
    return None


def _decodes(data: bytes, encoding: str) -> bool:
    if encoding == "cp1252":
        return True  # the WHATWG reading maps every byte
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _undeclared_encoding(data: bytes, notes: list[str], rules: DecodingRules) -> str:
    """Strict UTF-8 if it decodes, damaged UTF-8 if mostly UTF-8, else a detected charset."""
    sample = data[:rules.detect_bytes]
    if _utf16_without_bom(sample[:rules.sniff_bytes]):
        encoding = "utf-16-le" if sample[1:2] == b"\0" else "utf-16-be"
        notes.append(f"charset {encoding} detected (no byte-order mark)")
        return encoding
    if _decodes(data, "utf-8"):
        return "utf-8"
    loose = sample.decode("utf-8", errors="replace")
    good = len(_NON_ASCII_DECODED.findall(loose))
    bad = loose.count("\ufffd") - sample.count(b"\xef\xbf\xbd")
    if good and good >= bad:
        return "utf-8"  # as many valid multi-byte sequences as broken ones: damaged UTF-8
    if _reads_as_western(_decode_cp1252(sample), rules):
        encoding = "cp1252"
    else:
        best = from_bytes(sample).best()
        encoding = _usable_declaration(best.encoding, "detection", notes) if best else None
        encoding = encoding or "cp1252"
    notes.append(f"charset {encoding} detected (none declared)")
    return encoding


def _utf16_without_bom(head: bytes) -> bool:
    """Mostly-ASCII UTF-16 shows NUL in every other byte, at one parity only."""
    pairs = len(head) // 2
    if pairs < 8:
        return False
    even = sum(1 for i in range(0, 2 * pairs, 2) if head[i] == 0)
    odd = sum(1 for i in range(1, 2 * pairs, 2) if head[i] == 0)
    return max(even, odd) > 0.6 * pairs and min(even, odd) < 0.05 * pairs


def _reads_as_western(text: str, rules: DecodingRules) -> bool:
    accented = 0
    mixed = 0
    for word in re.findall(r"[^\W\d_]+", text):
        if any(ord(ch) > 0x7F for ch in word):
            accented += 1
            mixed += any(ch.isascii() for ch in word)
    inword_symbols = 0
    non_ascii = 0
    for i, ch in enumerate(text):
        if ord(ch) <= 0x7F:
            continue
        non_ascii += 1
        if unicodedata.category(ch)[0] in "LMZ" or ch in _WORD_GLUE:
            continue
        if 0 < i < len(text) - 1 and text[i - 1].isalpha() and text[i + 1].isalpha():
            inword_symbols += 1
    if not non_ascii:
        return True
    return (
        inword_symbols <= rules.western_max_inword_symbol_share * non_ascii
        and mixed >= rules.western_min_mixed_share * accented
    )


# The five bytes windows-1252 leaves unassigned come out of "surrogateescape" as U+DC81...
_CP1252_UNASSIGNED = re.compile("[\udc81\udc8d\udc8f\udc90\udc9d]")


def _decode_cp1252(data: bytes) -> str:
    """windows-1252 as WHATWG defines it: its five unassigned bytes map to C1 controls."""
    text = data.decode("cp1252", errors="surrogateescape")
    return _CP1252_UNASSIGNED.sub(lambda m: chr(ord(m.group()) - 0xDC00), text)


def _decode_counting(data: bytes, encoding: str) -> tuple[str, int]:
    """Decode, replacing what cannot be decoded; return the text and how many replacements."""
    if encoding == "cp1252":
        return _decode_cp1252(data), 0
    try:
        return data.decode(encoding), 0
    except UnicodeDecodeError:
        pass
    text = data.decode(encoding, errors="replace")
    genuine = data.count(b"\xef\xbf\xbd") if encoding == "utf-8" else 0
    return text, max(text.count("\ufffd") - genuine, 0)
