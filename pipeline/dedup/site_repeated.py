"""Chrome learned from the corpus: paragraphs repeated across many documents of one site.

A site's footer, donation appeal or newsletter prompt sits under every one of its
articles, so counting in how many documents of a site each paragraph (and each line of a
multi-line paragraph) occurs finds chrome that no rule names. Only fingerprints are
counted, never texts.

Counts are kept as bottom-k sketches of document keys rather than plain integers: a
fingerprint remembers the ``FINGERPRINT_SKETCH`` smallest keys of the documents holding
it. Counting stays exact up to that many documents and estimated beyond, and merging is
idempotent: statistics persisted by an earlier run of the same documents, merged again,
count each document once.
"""
from __future__ import annotations

import bisect
import hashlib
import heapq
import math
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Iterable, Iterator
from urllib.parse import urlsplit

from pipeline import schema
from pipeline.document import Removal

CATEGORY = "site_repeated"
STATS_FORMAT = "newsclean.site_stats.v1"
# Sketch sizes are properties of the persisted data, not tunable rules: counts are exact
# up to these sizes, and the KMV estimate's relative error beyond is about 1/sqrt(size).
FINGERPRINT_SKETCH = 32
SITE_SKETCH = 256
_KEY_BITS = 52  # document keys stay exact as JSON numbers (doubles)
_KEY_SPACE = 1 << _KEY_BITS

_DIGITS = re.compile(r"\d+")
_NON_WORD = re.compile(r"[\W_]+")


# Thresholds of ``configs/rules/site_repeated.toml``; see that file for each one.
SiteRepeatedRules = schema.SiteRepeated


def site_key(*, url: str | None, site_name: str | None, source: str) -> str:
    """The site a document belongs to, or "" when nothing tells.

    The URL's host (lower-case, without "www." and port) wins; else the first folder of
    the input's path ("siteA/page.txt" -> "siteA"); else the site name, case-folded with
    spaces collapsed. The folder goes before the site name: it is how the operator sorted
    the inputs, while a site name is read off the page (a text dump's "Site icon X", an
    outlet quoted in the first lines) and can differ between pages of one site.
    """
    if url:
        text = url.strip()
        if "//" not in text:
            text = "//" + text  # "example.com/a" has no scheme; read it as a host anyway
        try:
            host = urlsplit(text).hostname or ""
        except ValueError:
            host = ""
        host = host.rstrip(".")
        if host.startswith("www."):
            host = host[len("www."):]
        if host:
            return host
    parts = PurePosixPath(source.replace("\\", "/")).parts
    if len(parts) >= 2 and parts[0] not in ("/", "..", "."):
        return parts[0]
    if site_name:
        return " ".join(unicodedata.normalize("NFKC", site_name).casefold().split())
    return ""


def _normalise(text: str) -> str:
    # case, punctuation, spacing and numbers vary where the chrome is the same
    # ("© 2023" / "© 2024", "12 comments" / "3 comments")
    folded = _DIGITS.sub("0", unicodedata.normalize("NFKC", text).casefold())
    words = _NON_WORD.sub(" ", folded).split()
    return " ".join(words) or " ".join(folded.split())


def _fingerprint(text: str) -> str:
    return hashlib.blake2b(_normalise(text).encode("utf-8"), digest_size=8).hexdigest()


def paragraph_fingerprints(paragraphs: list[str]) -> list[str]:
    """One fingerprint per paragraph: 16 hex digits of its normalised text."""
    return [_fingerprint(p) for p in paragraphs]


def _lines(paragraph: str) -> list[str]:
    return [line for line in paragraph.split("\n") if line.strip()]


def document_fingerprints(paragraphs: list[str]) -> list[str]:
    """What ``SiteStats.add_document`` counts: each paragraph and each line of a multi-line one.

    Pass the kept paragraphs and the texts other rules removed: a footer that a rule takes
    off some pages of a site must still count for the pages where it survived. Sorted and
    distinct: a document counts once per fingerprint however often it repeats it.
    """
    units: set[str] = set()
    for paragraph in paragraphs:
        units.add(_fingerprint(paragraph))
        lines = _lines(paragraph)
        if len(lines) > 1:
            units.update(_fingerprint(line) for line in lines)
    return sorted(units)


def _document_key(document_id: str | None, fingerprints: list[str]) -> int:
    material = document_id if document_id is not None else "\n".join(fingerprints)
    digest = hashlib.blake2b(material.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> (64 - _KEY_BITS)


def _bottom(keys: Iterable[int], size: int) -> list[int]:
    return heapq.nsmallest(size, set(keys))


def _insert_key(keys: list[int], key: int, size: int) -> None:
    """Add ``key`` to the sorted bottom-k ``keys`` in place."""
    at = bisect.bisect_left(keys, key)
    if at < size and (at == len(keys) or keys[at] != key):
        keys.insert(at, key)
        del keys[size:]


def _estimate(keys: list[int], size: int) -> int:
    """Distinct documents behind a bottom-k sketch: exact below ``size``, KMV estimate at it."""
    if len(keys) < size:
        return len(keys)
    return max(size, round((size - 1) * _KEY_SPACE / (keys[-1] + 1)))


class _Site:
    """One site's counts. Fingerprints are held as ints, and those of a single document
    apart from the rest: most of a site's paragraphs are its articles' own, seen once."""

    __slots__ = ("documents", "once", "many")

    def __init__(self) -> None:
        self.documents: list[int] = []  # bottom-k keys of the site's documents
        self.once: dict[int, int] = {}  # fingerprint -> key of the one document holding it
        self.many: dict[int, list[int]] = {}  # fingerprint -> bottom-k keys, two or more

    def __len__(self) -> int:
        return len(self.once) + len(self.many)

    def keys(self, fp: int) -> list[int]:
        if fp in self.many:
            return self.many[fp]
        return [self.once[fp]] if fp in self.once else []

    def items(self) -> Iterator[tuple[int, list[int]]]:
        yield from ((fp, [key]) for fp, key in self.once.items())
        yield from self.many.items()

    def add(self, fp: int, keys: list[int]) -> None:
        """Note that the documents ``keys`` hold ``fp``."""
        if len(keys) == 1 and fp not in self.once and fp not in self.many:
            self.once[fp] = keys[0]  # the common case, kept cheap
            return
        current = self.keys(fp)
        merged = _bottom([*current, *keys], FINGERPRINT_SKETCH)
        if merged == current:
            return
        if len(merged) == 1:
            self.once[fp] = merged[0]
        else:
            self.once.pop(fp, None)
            self.many[fp] = merged

    def forget_single(self) -> None:
        self.once.clear()


def _as_int(fingerprint: str) -> int:
    return int(fingerprint, 16)


def _as_hex(fingerprint: int) -> str:
    return f"{fingerprint:016x}"


@dataclass(eq=False)  # compare to_json() output: the sketches have no equality of their own
class SiteStats:
    """Per site: how many documents were seen, and per fingerprint how many documents hold it.

    ``max_fingerprints_per_site`` (0: unbounded) bounds memory: when a site's table grows
    past it, fingerprints seen in a single document are forgotten (a footer is seen again
    at once; an article's own paragraphs never are).
    """

    max_fingerprints_per_site: int = 0
    _sites: dict[str, _Site] = field(default_factory=dict, repr=False)

    @classmethod
    def for_rules(cls, rules: SiteRepeatedRules) -> "SiteStats":
        """Empty statistics bounded as ``rules`` say."""
        return cls(max_fingerprints_per_site=rules.max_fingerprints_per_site)

    def add_document(self, site: str, fingerprints: Iterable[str], document_id: str | None = None) -> None:
        """Count one document of ``site`` (use ``document_fingerprints``); no site, no count.

        ``document_id`` (the record id) makes recounting the same document a no-op across
        runs; without it the document is keyed by its fingerprints, so identical copies
        count once.
        """
        if not site:
            return
        distinct = sorted(set(fingerprints))
        key = _document_key(document_id, distinct)
        entry = self._sites.setdefault(site, _Site())
        _insert_key(entry.documents, key, SITE_SKETCH)
        for fp in distinct:
            entry.add(_as_int(fp), [key])
        self._bound(entry)

    def merge(self, other: "SiteStats") -> None:
        """Fold ``other`` in; documents both have seen count once."""
        for site in sorted(other._sites):
            theirs = other._sites[site]
            entry = self._sites.setdefault(site, _Site())
            entry.documents = _bottom([*entry.documents, *theirs.documents], SITE_SKETCH)
            for fp, keys in theirs.items():
                entry.add(fp, keys)
            self._bound(entry)

    def subset(self, sites: Iterable[str]) -> "SiteStats":
        """A copy holding only ``sites`` (those it has): what merging into them needs of these statistics."""
        copy = SiteStats(max_fingerprints_per_site=self.max_fingerprints_per_site)
        for site in sites:
            entry = self._sites.get(site)
            if entry is not None:
                mine = copy._sites[site] = _Site()
                mine.documents = list(entry.documents)
                mine.once = dict(entry.once)
                mine.many = {fp: list(keys) for fp, keys in entry.many.items()}
        return copy

    def _bound(self, entry: _Site) -> None:
        if self.max_fingerprints_per_site and len(entry) > self.max_fingerprints_per_site:
            entry.forget_single()

    def sites(self) -> list[str]:
        """Every site counted, sorted."""
        return sorted(self._sites)

    def documents(self, site: str) -> int:
        """Distinct documents seen for ``site`` (estimated beyond SITE_SKETCH)."""
        entry = self._sites.get(site)
        return _estimate(entry.documents, SITE_SKETCH) if entry else 0

    def count(self, site: str, fingerprint: str) -> int:
        """Distinct documents of ``site`` holding ``fingerprint`` (estimated beyond FINGERPRINT_SKETCH)."""
        entry = self._sites.get(site)
        return _estimate(entry.keys(_as_int(fingerprint)), FINGERPRINT_SKETCH) if entry else 0

    def repeated(self, site: str, rules: SiteRepeatedRules) -> frozenset[str]:
        """Fingerprints in at least ``min_documents`` and ``min_share`` of the site's documents."""
        entry = self._sites.get(site)
        if not site or entry is None:
            return frozenset()
        needed = max(rules.min_documents, math.ceil(rules.min_share * self.documents(site)))
        return frozenset(_as_hex(fp) for fp, keys in entry.many.items()
                         if _estimate(keys, FINGERPRINT_SKETCH) >= needed)

    def to_json(self) -> dict:
        """Plain, sorted data to persist; ``from_json`` reads it back."""
        return {"format": STATS_FORMAT,
                "sites": {site: {"documents": list(entry.documents),
                                 "fingerprints": {_as_hex(fp): list(keys) for fp, keys in sorted(entry.items())}}
                          for site, entry in sorted(self._sites.items())}}

    @classmethod
    def from_json(cls, data: dict, max_fingerprints_per_site: int = 0) -> "SiteStats":
        """Statistics persisted by ``to_json``; raise ValueError on anything else."""
        if not isinstance(data, dict) or data.get("format") != STATS_FORMAT:
            raise ValueError(f"not {STATS_FORMAT} data")
        stats = cls(max_fingerprints_per_site=max_fingerprints_per_site)
        for site, persisted in data["sites"].items():
            entry = stats._sites[site] = _Site()
            entry.documents = _bottom(persisted["documents"], SITE_SKETCH)
            for fp, keys in persisted["fingerprints"].items():
                entry.add(_as_int(fp), keys)
            stats._bound(entry)
        return stats


def _eligible(text: str, rules: SiteRepeatedRules) -> bool:
    # a long paragraph repeated across a site is more likely quoted background than chrome
    return rules.min_chars <= len(text.strip()) <= rules.max_chars


def remove_site_repeated(paragraphs: list[str], repeated: frozenset[str],
                         rules: SiteRepeatedRules) -> tuple[list[str], list[Removal]]:
    """Drop paragraphs, and lines of multi-line paragraphs, whose fingerprint is in ``repeated``.

    Returns the kept paragraphs and one ``site_repeated`` Removal per piece taken out.
    Nothing is removed when the pieces would exceed ``max_document_share`` of the
    document's characters: a document that is mostly "repeated" is a copy of another
    (duplicate marking deals with it), not a page of chrome.
    """
    if not repeated:
        return list(paragraphs), []
    kept: list[str] = []
    removed: list[str] = []
    for paragraph in paragraphs:
        if _fingerprint(paragraph) in repeated and _eligible(paragraph, rules):
            removed.append(paragraph)
            continue
        lines = _lines(paragraph)
        if len(lines) > 1:
            survivors = []
            for line in lines:
                if _fingerprint(line) in repeated and _eligible(line, rules):
                    removed.append(line)
                else:
                    survivors.append(line)
            if len(survivors) < len(lines):
                if survivors:
                    kept.append("\n".join(survivors))
                continue
        kept.append(paragraph)
    if not removed:
        return list(paragraphs), []
    total = sum(len(p.strip()) for p in paragraphs)
    if sum(len(r.strip()) for r in removed) > rules.max_document_share * total:
        return list(paragraphs), []
    return kept, [Removal(CATEGORY, text, rules.name) for text in removed]
