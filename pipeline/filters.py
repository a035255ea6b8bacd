"""Documents a run leaves out on purpose ([filters]): each becomes a reject with its own reason.

Measuring is apart from deciding: the steps find the language, the words and the date;
these checks only compare them with the configured bounds. The URL checks cost nothing,
so they run before cleaning when the input names its URL (WARC, JSONL); a page whose
URL is known only from its canonical link is checked once cleaning has found it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from pipeline.config import Config
from pipeline.document import Document, RawInput, Reject
from pipeline.schema import Filters

FILTERED_URL = "filtered_url"
FILTERED_LANGUAGE = "filtered_language"
FILTERED_LENGTH = "filtered_length"
FILTERED_DATE = "filtered_date"


@dataclass(frozen=True)
class DocumentFilters:
    """The [filters] table with its patterns compiled; ``active`` is False when every filter is off."""

    rules: Filters
    url_include: tuple[re.Pattern, ...]
    url_exclude: tuple[re.Pattern, ...]

    @classmethod
    def from_config(cls, config: Config) -> "DocumentFilters":
        rules = config.settings.filters
        return config.built("filters", lambda: cls(rules, tuple(map(re.compile, rules.url_include)),
                                                   tuple(map(re.compile, rules.url_exclude))))

    @property
    def active(self) -> bool:
        r = self.rules
        return bool(r.languages or r.min_words or r.date_from or r.date_to or r.url_include or r.url_exclude
                    or r.host_include or r.host_exclude)

    @property
    def filters_urls(self) -> bool:
        r = self.rules
        return bool(r.url_include or r.url_exclude or r.host_include or r.host_exclude)

    def before_cleaning(self, raw: RawInput) -> Reject | None:
        """The reject of an input whose own URL is filtered out, before any work is spent on it."""
        if raw.url is None or not self.filters_urls:
            return None
        why = self.url_refused(raw.url)
        return Reject(raw.source, FILTERED_URL, why) if why else None

    def after_cleaning(self, raw: RawInput, doc: Document) -> Reject | None:
        """The reject of a cleaned document that a filter leaves out (the first that does), or None."""
        if not self.active:
            return None
        checks = ((FILTERED_URL, self._url_after(raw, doc)), (FILTERED_LANGUAGE, self.language_refused(doc.language)),
                  (FILTERED_LENGTH, self.length_refused(doc.text)), (FILTERED_DATE, self.date_refused(doc.date_published)))
        for reason, why in checks:
            if why:
                return Reject(doc.source, reason, why)
        return None

    def _url_after(self, raw: RawInput, doc: Document) -> str | None:
        # an input's own URL was checked before cleaning; here only the one cleaning found (or none)
        if raw.url is not None or not self.filters_urls:
            return None
        return self.url_refused(doc.url)

    def url_refused(self, url: str | None) -> str | None:
        """Why ``url`` is filtered out, or None when the URL and host filters keep it."""
        r = self.rules
        if url is None:
            needed = [key for key in ("url_include", "host_include") if getattr(r, key)]
            return f"the document has no URL to match [filters] {' and '.join(needed)}" if needed else None
        try:
            host = (urlsplit(url).hostname or "").lower()
        except ValueError:
            host = ""
        excluded = next((name for name in r.host_exclude if _within(host, name)), None)
        if excluded:
            return f"host {host} is excluded by [filters] host_exclude {excluded!r}"
        if r.host_include and not any(_within(host, name) for name in r.host_include):
            return f"host {host or '(none)'} is not under any host of [filters] host_include"
        pattern = next((p for p in self.url_exclude if p.search(url)), None)
        if pattern:
            return f"the URL {url[:200]} matches [filters] url_exclude {pattern.pattern!r}"
        if self.url_include and not any(p.search(url) for p in self.url_include):
            return f"the URL {url[:200]} matches none of [filters] url_include"
        return None

    def language_refused(self, language: str | None) -> str | None:
        r = self.rules
        if not r.languages:
            return None
        if language is None:
            return None if r.keep_unknown_language else (
                "the body is too short to tell its language, and [filters] keep_unknown_language is false")
        if language not in r.languages:
            return f"language {language!r} is not in [filters] languages {list(r.languages)}"
        return None

    def length_refused(self, text: str) -> str | None:
        words = len(text.split())
        if words < self.rules.min_words:
            return f"the text has {words} words, fewer than [filters] min_words = {self.rules.min_words}"
        return None

    def date_refused(self, date_published: str | None) -> str | None:
        r = self.rules
        if not (r.date_from or r.date_to):
            return None
        if date_published is None:
            return None if r.keep_undated else (
                "the document has no publication date, and [filters] keep_undated is false")
        day = date_published[:10]  # the day as the page gives it, in its own zone
        if r.date_from and day < r.date_from:
            return f"published {day}, before [filters] date_from {r.date_from}"
        if r.date_to and day > r.date_to:
            return f"published {day}, after [filters] date_to {r.date_to}"
        return None


def _within(host: str, name: str) -> bool:
    """Whether ``host`` is the host ``name`` or one of its subdomains (case-insensitive)."""
    name = name.lower()
    return host == name or host.endswith("." + name)
