"""Typed metadata rules, compiled once per configuration from ``configs/rules/metadata.toml``.

``MetadataRules`` holds the normalisers' tables (authors, dates, titles, bylines);
``HtmlMetaRules`` the ``[metadata.html]`` table: which keys and attributes of a page count.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Pattern

import regex

from pipeline import schema
from pipeline.config import Config, load_config

_FLAGS = re.IGNORECASE | re.UNICODE


@dataclass(frozen=True)
class AuthorRules:
    """Compiled byline rules: what to strip around names and what is not a person."""

    prefix: Pattern[str]
    ui_wrappers: tuple[Pattern[str], ...]
    role_suffixes: tuple[Pattern[str], ...]
    credit_part: Pattern[str]
    separators: Pattern[str]
    org_words: frozenset[str]
    role_words: frozenset[str]
    post_nominal: Pattern[str]
    drop_exact: frozenset[str]
    particles: frozenset[str]
    site_articles: frozenset[str]
    max_words: int


# compared and hashed by identity: the memoised date functions take it as a key, and hashing
# its compiled patterns cost 9 us a call (built once per configuration, so identity is equality)
@dataclass(frozen=True, eq=False)
class DateRules:
    """Compiled dateline rules: labels to drop, time detection, segmenting and order hints."""

    label: Pattern[str]
    updated_label: Pattern[str]
    segment_separators: Pattern[str]
    time: Pattern[str]
    relative_time_units: Pattern[str]
    spans: tuple[Pattern[str], ...]
    day_first_pattern: Pattern[str]
    day_first_locales: frozenset[str]
    fallback_languages: tuple[str, ...]
    min_year: int
    max_chars: int


@dataclass(frozen=True)
class TitleRules:
    """Separators between headline and site name, and how long a site name may be."""

    separators: tuple[str, ...]
    max_site_words: int
    section_labels: frozenset[str]
    h1_topic_overlap: float


@dataclass(frozen=True)
class BylineRules:
    """Text-mode byline detection."""

    line: Pattern[str]
    label: Pattern[str]
    max_chars: int


@dataclass(frozen=True)
class MetadataRules:
    """All metadata rules, parsed once per configuration."""

    authors: AuthorRules
    dates: DateRules
    titles: TitleRules
    bylines: BylineRules


@dataclass(frozen=True)
class HtmlMetaRules:
    """The parsed ``[metadata.html]`` table."""

    article_types: frozenset[str]
    page_types: frozenset[str]
    site_types: frozenset[str]
    title_meta: tuple[str, ...]
    description_meta: tuple[str, ...]
    date_meta: tuple[str, ...]
    author_meta: tuple[str, ...]
    site_meta: tuple[str, ...]
    site_meta_fallback: tuple[str, ...]
    language_meta: tuple[str, ...]
    byline_attribute: Pattern[str]
    byline_exclude: Pattern[str]
    byline_max_chars: int
    date_attribute: Pattern[str]
    date_exclude: Pattern[str]
    url_date: tuple[Pattern[str], ...]
    date_sources: tuple[str, ...]
    author_link_href: Pattern[str]
    outside_article: Pattern[str]
    byline_text_tags: frozenset[str]
    byline_text_max_chars: int
    max_byline_names: int
    credit_organisations: bool
    form_tags: frozenset[str]
    url_date_overrules_after_days: int
    text_date_window_chars: int
    text_date_above_chars: int
    text_date_prose_offset_chars: int


def _compile(pattern: str, flags: int = _FLAGS) -> Pattern[str]:
    return re.compile(pattern, flags)


def _folded(words: list[str]) -> frozenset[str]:
    return frozenset(w.casefold() for w in words)


def _author_rules(a: schema.Authors) -> AuthorRules:
    return AuthorRules(
        prefix=_compile(a.prefix),
        ui_wrappers=tuple(_compile(p) for p in a.ui_wrappers),
        role_suffixes=tuple(_compile(p) for p in a.role_suffixes),
        credit_part=_compile(a.credit_part),
        # conjunctions are lower case; a capital "E" is a middle initial, not Portuguese "and"
        separators=_compile(a.separators, re.UNICODE),
        org_words=_folded(a.org_words),
        role_words=_folded(a.role_words),
        # case-sensitive: a credential is written in capitals ("MD", "DVM", "Ph.D.")
        post_nominal=_compile(a.post_nominal, re.UNICODE),
        drop_exact=_folded(a.drop_exact),
        particles=_folded(a.particles),
        site_articles=_folded(a.site_articles),
        max_words=a.max_words,
    )


def _date_rules(d: schema.Dates) -> DateRules:
    return DateRules(
        label=_compile(d.label),
        updated_label=_compile(d.updated_label),
        segment_separators=_compile(d.segment_separators),
        time=_compile(d.time),
        relative_time_units=_compile(d.relative_time_units),
        spans=tuple(_compile(p) for p in d.spans),
        day_first_pattern=_compile(d.day_first_pattern),
        day_first_locales=_folded(d.day_first_locales),
        fallback_languages=tuple(d.fallback_languages),
        min_year=d.min_year,
        max_chars=d.max_chars,
    )


def build_metadata_rules(table: schema.Metadata) -> MetadataRules:
    """Compile the ``metadata`` rule file (checked when the configuration was loaded)."""
    t, b = table.titles, table.bylines
    return MetadataRules(authors=_author_rules(table.authors), dates=_date_rules(table.dates),
                         titles=TitleRules(separators=tuple(t.separators), max_site_words=t.max_site_words,
                                           section_labels=_folded(t.section_labels),
                                           h1_topic_overlap=t.h1_topic_overlap),
                         bylines=BylineRules(line=_compile(b.line), label=_compile(b.label),
                                           max_chars=b.max_chars))


def _regex(pattern: str) -> Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def _lower(keys: list[str]) -> tuple[str, ...]:
    return tuple(k.lower() for k in keys)


def build_html_meta_rules(table: schema.HtmlMeta) -> HtmlMetaRules:
    """Compile the ``[metadata.html]`` table (checked when the configuration was loaded)."""
    return HtmlMetaRules(
        article_types=frozenset(table.article_types),
        page_types=frozenset(table.page_types),
        site_types=frozenset(table.site_types),
        title_meta=_lower(table.title_meta),
        description_meta=_lower(table.description_meta),
        date_meta=_lower(table.date_meta),
        author_meta=_lower(table.author_meta),
        site_meta=_lower(table.site_meta),
        site_meta_fallback=_lower(table.site_meta_fallback),
        language_meta=_lower(table.language_meta),
        byline_attribute=_regex(table.byline_attribute),
        byline_exclude=_regex(table.byline_exclude),
        byline_max_chars=table.byline_max_chars,
        date_attribute=_regex(table.date_attribute),
        date_exclude=_regex(table.date_exclude),
        url_date=tuple(_regex(p) for p in table.url_date),
        date_sources=tuple(table.date_sources),
        author_link_href=_regex(table.author_link_href),
        outside_article=regex.compile(table.outside_article, regex.IGNORECASE),  # lookbehinds of any width
        byline_text_tags=frozenset(table.byline_text_tags),
        byline_text_max_chars=table.byline_text_max_chars,
        max_byline_names=table.max_byline_names,
        credit_organisations=table.credit_organisations,
        form_tags=frozenset(table.form_tags),
        url_date_overrules_after_days=table.url_date_overrules_after_days,
        text_date_window_chars=table.text_date_window_chars,
        text_date_above_chars=table.text_date_above_chars,
        text_date_prose_offset_chars=table.text_date_prose_offset_chars,
    )


@lru_cache(maxsize=1)
def default_config() -> Config:
    """The packaged configuration, loaded once per process."""
    return load_config()


def load_metadata_rules(config: Config | None = None) -> MetadataRules:
    """The compiled metadata rules of ``config`` (the packaged defaults when None)."""
    config = config or default_config()
    return config.built("metadata", lambda: build_metadata_rules(config.rules.metadata))


def load_html_meta_rules(config: Config | None = None) -> HtmlMetaRules:
    """The compiled ``[metadata.html]`` rules of ``config`` (the packaged defaults when None)."""
    config = config or default_config()
    return config.built("metadata.html", lambda: build_html_meta_rules(config.rules.metadata.html))
