"""The site's name in a text dump, read from shapes its chrome prints on many sites.

The ``[[text_chrome.site_name]]`` rules are tried in order over the whole text (before the
article's region is cut out), the first that gives a name wins. A rule's ``(?P<site>...)``
group is the name itself ("Site icon X", "By Ann Lee, X Staff"); a ``(?P<host>...)`` group is
a host (an e-mail address's domain), and the name is the capitalised words of the text that
spell it ("Free West Media" for freewestmedia.com). A rule with ``zone = "outside"`` reads
only the lines above the first prose line. With the document's URL, a name spelling its host
comes first and the host itself (as the HTML path gives it) last. Nothing else: a site name
is never guessed.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass

import regex

from pipeline.metadata.site import site_from_domain
from pipeline.metadata.strings import comparison_key
from pipeline.text.lines import Line, count_words, is_prose, normalise_line
from pipeline.text.rules import ChromeRules, LineRule

RULE_URL_SPELLED = "site_url_spelled.v1"
RULE_URL_HOST = "site_url_host.v1"
# a run of capitalised words, with the short joiners a name may hold ("Bank of England")
_NAME_RUN = regex.compile(r"\p{Lu}[\p{L}\p{N}.'’&+-]*(?:\s+(?:(?:of|the|and|for|&)\s+)?[\p{Lu}\p{N}][\p{L}\p{N}.'’&+-]*)*")
_MIN_HOST_KEY = 4  # letters a host's name needs before a text's words may spell it


@dataclass(frozen=True)
class SiteName:
    """A site name and the rule that read it."""

    name: str
    rule: str


def _host_keys(host: str) -> list[str]:
    """The letters of a host's names, the label before the TLD first ("freewestmedia", then
    "bbc" of news.bbc.co.uk's labels long enough)."""
    labels = host.casefold().split(".")[:-1]
    keys = [comparison_key(label) for label in reversed(labels)]
    return [k for k in keys if len(k) >= _MIN_HOST_KEY]


def spelled_name(lines: list[str], host: str) -> str | None:
    """The capitalised words of ``lines`` that spell one of ``host``'s names; the spelling with
    the most words wins ("Free West Media" over "FreeWestMedia"), then the first."""
    for key in _host_keys(host):
        name = _spelled(lines, key)
        if name:
            return name
    return None


def _spelled(lines: list[str], key: str) -> str | None:
    best: list[str] | None = None
    for line in lines:
        if key not in comparison_key(line):
            continue
        for run in _NAME_RUN.finditer(line):
            words = run.group(0).split()
            for a in range(len(words)):
                spelled = ""
                for b in range(a, len(words)):
                    spelled += comparison_key(words[b])
                    if spelled == key:
                        if best is None or b + 1 - a > len(best):
                            best = words[a:b + 1]
                        break
                    if not key.startswith(spelled):
                        break
    return " ".join(best).strip(".,") if best else None


def _head_end(lines: list[str], tokens: list[int], rules: ChromeRules) -> int:
    """Index of the first prose line (the article's start, roughly); len(lines) without one."""
    s = rules.structure
    for i, (text, n) in enumerate(zip(lines, tokens)):
        words = n if text.isascii() else count_words(text, s.letters_per_word)
        if is_prose(Line(text=text, raw=text, glued=False, words=words), s):
            return i
    return len(lines)


def _read(rule: LineRule, lines: list[str], tokens: list[int]) -> str | None:
    """The site's name by ``rule``: the first of ``lines`` (with their ``tokens`` counts) it reads one from."""
    limit = sys.maxsize if rule.max_words is None else rule.max_words
    search = rule.pattern.search
    for line, n in zip(lines, tokens):
        match = search(line) if n <= limit else None
        if not match:
            continue
        groups = match.groupdict()
        if groups.get("site"):
            return groups["site"].strip(" .,")
        if groups.get("host"):
            name = spelled_name(lines, groups["host"])
            if name:
                return name
    return None


def find_site_name(text: str, rules: ChromeRules, url: str | None = None) -> SiteName | None:
    """The site's name in ``text`` (the whole dump), or None when nothing in it names the site."""
    lines = [clean for clean in (normalise_line(raw) for raw in text.split("\n")) if clean]
    # the whitespace-separated tokens of a normalised line: its single spaces, and one
    tokens = [line.count(" ") + 1 for line in lines]
    host = site_from_domain(url)
    if host:
        name = spelled_name(lines, host)
        if name:
            return SiteName(name, RULE_URL_SPELLED)
    end = _head_end(lines, tokens, rules)
    for rule in rules.site_name:
        outside = rule.zone == "outside"
        name = _read(rule, lines[:end] if outside else lines, tokens[:end] if outside else tokens)
        if name:
            return SiteName(name, rule.name)
    return SiteName(host, RULE_URL_HOST) if host else None
