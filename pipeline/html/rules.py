"""The ``[html_chrome]`` rules as typed, compiled objects: markup cues, the teaser-line rule, extraction settings."""
from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline import schema
from pipeline.config import Config

SECTION = "html_chrome"


@dataclass(frozen=True)
class TagRule:
    """Remove every element whose tag is one of ``tags``, unless it holds one of ``spare_containing``."""

    name: str
    category: str
    tags: frozenset[str]
    spare_containing: frozenset[str]


@dataclass(frozen=True)
class AttributeRule:
    """Remove elements whose class/id/role/aria-label words match ``pattern``.

    ``edges`` is the pattern anchored at either end of a word string: a cue word counts
    only where it starts or ends a class name ("main-menu", "menu-item"), not in its middle
    ("lte-banner-w1564"). With ``spares_prose`` a long text of few links is spared.
    """

    name: str
    category: str
    pattern: re.Pattern[str]
    edges: re.Pattern[str]
    spares_prose: bool


@dataclass(frozen=True)
class HiddenRule:
    """Remove elements a reader never sees (hidden attribute, aria-hidden, inline style)."""

    name: str
    category: str
    style: re.Pattern[str] | None
    hidden_attribute: bool
    aria_hidden: bool
    revealed_by_page: bool


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
    by_tag: dict[str, tuple[str, str, frozenset[str]]]
    attribute_rules: tuple[AttributeRule, ...]
    any_attribute: re.Pattern[str]
    hidden: HiddenRule
    max_cue_chars: int
    protected_tags: frozenset[str]
    prose_words: int
    prose_max_link_density: float
    wrapper_page_share: float
    favor_precision: bool
    fallback_below_chars: int
    readability_longer_by: float
    readability_page_holds: float
    recall_escalation: bool
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


def _by_tag(tag_rules: list[TagRule]) -> dict[str, tuple[str, str, frozenset[str]]]:
    """Tag name to (category, rule name, tags that spare it), the first rule naming a tag winning."""
    table: dict[str, tuple[str, str, frozenset[str]]] = {}
    for rule in tag_rules:
        for tag in sorted(rule.tags):
            table.setdefault(tag, (rule.category, rule.name, rule.spare_containing))
    return table


def _edges(pattern: str) -> re.Pattern[str]:
    return _compile(f"^(?:{pattern})|(?:{pattern})$")


def _any_of(patterns: list[re.Pattern[str]]) -> re.Pattern[str]:
    """One pattern matching where any of ``patterns`` matches (never, for none)."""
    if not patterns:
        return re.compile(r"(?!x)x")
    return re.compile("|".join(f"(?:{p.pattern})" for p in patterns), re.IGNORECASE)


def _build_rules(table: schema.HtmlChrome) -> HtmlRules:
    tag_rules = [TagRule(r.name, r.category, frozenset(t.lower() for t in r.tags),
                         frozenset(t.lower() for t in r.spare_containing)) for r in table.tag_rules]
    attribute_rules = [AttributeRule(r.name, r.category, _compile(r.pattern), _edges(r.pattern),
                                     r.spares_prose)
                       for r in table.attribute_rules]
    hidden = table.hidden
    extraction = table.extraction
    return HtmlRules(
        tag_rules=tuple(tag_rules),
        by_tag=_by_tag(tag_rules),
        attribute_rules=tuple(attribute_rules),
        any_attribute=_any_of([r.pattern for r in attribute_rules]),
        hidden=HiddenRule(hidden.name, hidden.category,
                          _compile(hidden.style_pattern) if hidden.style_pattern else None,
                          hidden.hidden_attribute, hidden.aria_hidden, hidden.revealed_by_page),
        max_cue_chars=table.guard.max_cue_chars,
        protected_tags=frozenset(t.lower() for t in table.guard.protected_tags),
        prose_words=table.guard.prose_words,
        prose_max_link_density=table.guard.prose_max_link_density,
        wrapper_page_share=table.guard.wrapper_page_share,
        favor_precision=extraction.favor_precision,
        fallback_below_chars=extraction.fallback_below_chars,
        readability_longer_by=extraction.readability_longer_by,
        readability_page_holds=extraction.readability_page_holds,
        recall_escalation=extraction.recall_escalation,
        max_title_repeat_chars=extraction.max_title_repeat_chars,
        description_repeat_kinds=frozenset(extraction.description_repeat_kinds),
        title_separators=extraction.title_separators,
        link_line=_link_line_rule(table.link_line),
    )


def html_rules(config: Config) -> HtmlRules:
    """The compiled HTML chrome rules of ``config`` (checked when it was loaded)."""
    return config.built(SECTION, lambda: _build_rules(config.rules.html_chrome))
