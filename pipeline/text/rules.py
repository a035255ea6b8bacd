"""The ``[text_chrome]`` rules as compiled objects: line rules, inline cuts, metadata lines, structure thresholds."""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Callable

import regex

from pipeline import schema
from pipeline.config import Config

SECTION = "text_chrome"
META_FIELDS = ("byline", "dateline", "attribution")


@dataclass(frozen=True)
class LineRule:
    """One chrome rule: a pattern, the category it assigns, where it may apply."""

    name: str
    category: str
    pattern: regex.Pattern
    max_words: int | None = None
    zone: str = "any"
    terminal: bool = False

    def matches(self, text: str, words: int) -> regex.Match | None:
        if self.max_words is not None and words > self.max_words:
            return None
        return self.pattern.search(text)


# Thresholds of the structural detector (the [text_chrome.structure] table).
Structure = schema.Structure


# (the most words a line may have, the pattern's search, what a match means): one rule,
# ready for a loop over many lines
Search = tuple[int, Callable[[str], object], object]


@dataclass(frozen=True)
class ChromeRules:
    """The parsed ``text_chrome`` section."""

    rules: tuple[LineRule, ...]
    inline: tuple[LineRule, ...]
    meta: tuple[tuple[str, LineRule], ...]
    site_name: tuple[LineRule, ...]
    structure: Structure
    # ``rules`` (each naming its rule) and ``meta`` (each naming its field) as searches; the
    # rules that hold anywhere alone, for extracted paragraphs (which have no outside zone)
    rule_searches: tuple[Search, ...] = field(init=False, repr=False, compare=False)
    meta_searches: tuple[Search, ...] = field(init=False, repr=False, compare=False)
    anywhere_searches: tuple[Search, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "rule_searches", tuple(_search(rule, rule) for rule in self.rules))
        object.__setattr__(self, "anywhere_searches", tuple(s for s in self.rule_searches if s[2].zone == "any"))
        object.__setattr__(self, "meta_searches", tuple(_search(rule, kind) for kind, rule in self.meta))


def _search(rule: LineRule, names: object) -> Search:
    return (sys.maxsize if rule.max_words is None else rule.max_words), rule.pattern.search, names


def _line_rule(entry: schema.LineRule, category: str | None = None) -> LineRule:
    flags = regex.V0 | (0 if entry.case_sensitive else regex.IGNORECASE)
    return LineRule(name=entry.name, category=category or entry.category,
                    pattern=regex.compile(entry.pattern, flags), max_words=entry.max_words,
                    zone=entry.zone, terminal=entry.terminal)


def _build_rules(table: schema.TextChrome) -> ChromeRules:
    return ChromeRules(rules=tuple(_line_rule(e) for e in table.rule),
                       inline=tuple(_line_rule(e) for e in table.inline),
                       meta=tuple((kind, _line_rule(e, category=kind))
                                  for kind in META_FIELDS for e in getattr(table, kind)),
                       site_name=tuple(_line_rule(e, category="site_name") for e in table.site_name),
                       structure=table.structure)


def load_chrome_rules(config: Config) -> ChromeRules:
    """The compiled ``text_chrome`` rules of ``config`` (checked when it was loaded)."""
    return config.built(SECTION, lambda: _build_rules(config.rules.text_chrome))
