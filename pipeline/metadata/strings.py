"""String helpers every metadata field shares: whitespace cleaning, comparison keys, separators."""
from __future__ import annotations

import html
import re
import unicodedata

_NOT_ALNUM = re.compile(r"[\W_]+")
_NOT_ALNUM_OR_BREAK = re.compile(r"(?:[^\w\n]|_)+")
# a host name ("etimes.in", "FASSETTE.NET"): its top-level label in one case ("Mr.Smith" is none)
_HOST_NAME = re.compile(r"^[\w-]+(?:\.[\w-]+)*\.(?:[a-z]{2,}|[A-Z]{2,6})$", re.UNICODE)


def clean_space(text: str) -> str:
    """``text`` with HTML entities decoded, NFKC-normalised, its whitespace runs made one space."""
    text = unicodedata.normalize("NFKC", html.unescape(text))
    return " ".join(text.replace("\u200b", " ").split())


def comparison_key(text: str) -> str:
    """Comparison key: case-folded letters and digits only, accents dropped."""
    # \W keeps what str.isalnum keeps, but combining accents (Mn) are non-word too
    return _NOT_ALNUM.sub("", unicodedata.normalize("NFKD", text.casefold()))


def comparison_keys(lines: list[str]) -> list[str]:
    """``comparison_key`` of each of ``lines`` (none holding a line break), all in one pass.

    Case folding and NFKD act character by character, and a line break stops the reordering
    of combining marks, so the page folds and decomposes as a whole and splits at its breaks.
    """
    if not lines:
        return []
    return _NOT_ALNUM_OR_BREAK.sub("", unicodedata.normalize("NFKD", "\n".join(lines).casefold())).split("\n")


def split_at_separators(text: str, separators: tuple[str, ...]) -> list[str]:
    """``text`` split at every title separator (" | ", " - ", ": " ...)."""
    parts = [text]
    for separator in separators:
        parts = [piece for part in parts for piece in part.split(separator)]
    return [p.strip() for p in parts if p.strip()]


def is_host_name(text: str) -> bool:
    """Whether ``text`` is a host name ("newser.com", "FASSETTE.NET"): a site, never a headline or a person."""
    return bool(_HOST_NAME.match(text))
