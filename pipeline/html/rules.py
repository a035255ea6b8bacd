"""The ``[html_chrome]`` rules as typed, compiled objects: markup cues, the teaser-line rule, extraction settings."""
from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline import schema
from pipeline.config import Config

SECTION = "html_chrome"


@dataclass(frozen=True)
class TagRule:
    """Remove every element whose tag is one of ``tags``."""

    name: str
    category: str
    tags: frozenset[str]


@dataclass(frozen=True)
class AttributeRule:
    """Remove elements whose class/id/role/aria-label words match ``pattern``."""

    name: str
    category: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class HiddenRule:
    """Remove elements a reader never sees (hidden attribute, aria-hidden, inline style)."""

    name: str
    category: str
    style: re.Pattern[str] | None
    hidden_attribute: bool
    aria_hidden: bool


@dataclass(frozen=True)
class LinkLineRule:
    """Drop a body line whose text is mostly link text and which is short: a teaser."""

    name: str
    category: str
    min_share: float
    min_words: int
    max_words: int
    min_link_chars: int
    sentence_end: re.Pattern[str]
    kinds: frozenset[str]
    within_site: bool


@dataclass(frozen=True)
class HtmlRules:
    """The parsed ``[html_chrome]`` section."""

    tag_rules: tuple[TagRule, ...]
    by_tag: dict[str, tuple[str, str]]
    attribute_rules: tuple[AttributeRule, ...]
    any_attribute: re.Pattern[str]
    hidden: HiddenRule
    max_cue_chars: int
    protected_tags: frozenset[str]
    favor_precision: bool
    max_title_repeat_chars: int
    description_repeat_kinds: frozenset[str]
    title_separators: str
    link_line: LinkLineRule


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def _link_line_rule(table: schema.LinkLine) -> LinkLineRule:
    return LinkLineRule(table.name, table.category, table.min_share, table.min_words, table.max_words,
                        table.min_link_chars, _compile(table.sentence_end), frozenset(table.kinds),
                        table.within_site)


def _by_tag(tag_rules: list[TagRule]) -> dict[str, tuple[str, str]]:
    """Tag name to (category, rule name), the first rule naming a tag winning."""
    table: dict[str, tuple[str, str]] = {}
    for rule in tag_rules:
        for tag in sorted(rule.tags):
            table.setdefault(tag, (rule.category, rule.name))
    return table


def _any_of(patterns: list[re.Pattern[str]]) -> re.Pattern[str]:
    """One pattern matching where any of ``patterns`` matches (never, for none)."""
    if not patterns:
        return re.compile(r"(?!x)x")
    return re.compile("|".join(f"(?:{p.pattern})" for p in patterns), re.IGNORECASE)


def _build_rules(table: schema.HtmlChrome) -> HtmlRules:
    tag_rules = [TagRule(r.name, r.category, frozenset(t.lower() for t in r.tags)) for r in table.tag_rules]
    attribute_rules = [AttributeRule(r.name, r.category, _compile(r.pattern)) for r in table.attribute_rules]
    hidden = table.hidden
    extraction = table.extraction
    return HtmlRules(
        tag_rules=tuple(tag_rules),
        by_tag=_by_tag(tag_rules),
        attribute_rules=tuple(attribute_rules),
        any_attribute=_any_of([r.pattern for r in attribute_rules]),
        hidden=HiddenRule(hidden.name, hidden.category,
                          _compile(hidden.style_pattern) if hidden.style_pattern else None,
                          hidden.hidden_attribute, hidden.aria_hidden),
        max_cue_chars=table.guard.max_cue_chars,
        protected_tags=frozenset(t.lower() for t in table.guard.protected_tags),
        favor_precision=extraction.favor_precision,
        max_title_repeat_chars=extraction.max_title_repeat_chars,
        description_repeat_kinds=frozenset(extraction.description_repeat_kinds),
        title_separators=extraction.title_separators,
        link_line=_link_line_rule(table.link_line),
    )


def html_rules(config: Config) -> HtmlRules:
    """The compiled HTML chrome rules of ``config`` (checked when it was loaded)."""
    return config.built(SECTION, lambda: _build_rules(config.rules.html_chrome))
