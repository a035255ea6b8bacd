"""The ``[region]`` rules as compiled objects: scorer, feature patterns, hand-rule and region thresholds, categories."""
from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline import schema
from pipeline.config import Config


@dataclass(frozen=True)
class CategoryRule:
    rule: str
    category: str
    pattern: re.Pattern
    max_words: int
    after_region_only: bool


@dataclass(frozen=True)
class RegionRules:
    """The parsed ``[region]`` rule file."""

    scorer: str
    model_file: str
    min_words_for_sample: int
    tie_margin: float
    languages: tuple[str, ...]
    list_marker: re.Pattern
    link_like: re.Pattern
    separator: re.Pattern
    terminal: re.Pattern
    glued: re.Pattern
    truncated: re.Pattern
    date_like: re.Pattern
    near: int
    wide: int
    good_min_words: int
    good_min_stop_density: float
    bad_max_stop_density: float
    good_probability: float
    neutral_probability: float
    bad_probability: float
    list_item_probability: float
    rules_threshold: float
    weight_cap_words: int
    weight_floor_words: int
    threshold: float
    header_lines: int
    header_max_words: int
    inner_drop_below: float
    inner_drop_max_words: int
    categories: tuple[CategoryRule, ...]


def _build_rules(table: schema.Region) -> RegionRules:
    features, rules, region = table.features, table.rules, table.region
    return RegionRules(
        scorer=table.scoring.scorer,
        model_file=table.scoring.model_file,
        min_words_for_sample=table.language.min_words_for_sample,
        tie_margin=table.language.tie_margin,
        languages=tuple(table.language.languages),
        list_marker=re.compile(features.list_marker),
        link_like=re.compile(features.link_like),
        separator=re.compile(features.separator),
        terminal=re.compile(features.terminal),
        glued=re.compile(features.glued),
        truncated=re.compile(features.truncated),
        date_like=re.compile(features.date_like),
        near=features.near,
        wide=features.wide,
        good_min_words=rules.good_min_words,
        good_min_stop_density=rules.good_min_stop_density,
        bad_max_stop_density=rules.bad_max_stop_density,
        good_probability=rules.good_probability,
        neutral_probability=rules.neutral_probability,
        bad_probability=rules.bad_probability,
        list_item_probability=rules.list_item_probability,
        rules_threshold=rules.region_threshold,
        weight_cap_words=region.weight_cap_words,
        weight_floor_words=region.weight_floor_words,
        threshold=region.threshold,
        header_lines=region.header_lines,
        header_max_words=region.header_max_words,
        inner_drop_below=region.inner_drop_below,
        inner_drop_max_words=region.inner_drop_max_words,
        categories=tuple(CategoryRule(rule=c.rule, category=c.category, pattern=re.compile(c.pattern),
                                      max_words=c.max_words, after_region_only=c.after_region_only)
                         for c in table.category),
    )


def region_rules(config: Config) -> RegionRules:
    """The compiled region rules of ``config`` (checked when it was loaded)."""
    return config.built("region", lambda: _build_rules(config.rules.region))
