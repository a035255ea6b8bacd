"""The configuration schema: one typed Struct per table of ``configs/newsclean.toml`` and
``configs/rules/*.toml``.

msgspec checks types, ranges and unknown keys as it builds these; ``pipeline.config``
adds what a type cannot say (regexes compile and do not backtrack catastrophically,
categories are in the taxonomy). Defaults live in the TOML files: a field has a default
here only when it is an optional knob of one rule entry, never a setting.
"""
from __future__ import annotations

from typing import Annotated, Literal

from msgspec import Meta, Struct

# A regex string, compiled at load time with the engine that runs it: ``re`` or ``regex``
# (the latter for \p{...} classes). ``extra`` is read by config.check_patterns.
Regex = Annotated[str, Meta(min_length=1, extra={"engine": "re"})]
UniRegex = Annotated[str, Meta(min_length=1, extra={"engine": "regex"})]
MaybeRegex = Annotated[str, Meta(extra={"engine": "re"})]  # "" switches the rule off
Share = Annotated[float, Meta(ge=0.0, le=1.0)]
OpenShare = Annotated[float, Meta(gt=0.0, lt=1.0)]
Positive = Annotated[int, Meta(ge=1)]
Count = Annotated[int, Meta(ge=0)]
PositiveNumber = Annotated[float, Meta(gt=0.0)]
NonNegative = Annotated[float, Meta(ge=0.0)]
Name = Annotated[str, Meta(min_length=1)]
RuleName = Annotated[str, Meta(pattern=r"^[a-z0-9_]+\.v\d+$")]


class Table(Struct, forbid_unknown_fields=True, frozen=True):
    """Base of every table: a key the schema does not name is an error, not ignored."""


# ------------------------------------------------------------------ newsclean.toml

RecordFormat = Literal["jsonl", "jsonl.gz", "parquet"]


class Run(Table):
    shard_size: Positive
    index_partition_bytes: Positive
    range_bytes: Positive
    record_format: RecordFormat


class Limits(Table):
    max_input_bytes: Positive
    max_decompressed_bytes: Positive
    max_line_chars: Positive
    document_time_budget: PositiveNumber


class Language(Table):
    seed: Count
    min_chars: Positive
    max_chars: Positive

    def __post_init__(self):
        if self.min_chars > self.max_chars:
            raise ValueError("min_chars must not exceed max_chars")


class Taxonomy(Table):
    categories: Annotated[list[Name], Meta(min_length=1)]


FieldNames = Annotated[list[Name], Meta(min_length=1)]
# "" (off) or a day in YYYY-MM-DD form; checked by Filters.__post_init__
Day = Annotated[str, Meta(pattern=r"^(\d{4}-\d{2}-\d{2})?$")]
HostName = Annotated[str, Meta(pattern=r"^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$")]


class JsonlInput(Table):
    """Which fields of a JSONL object are what; each list is tried in order, the first present wins."""

    html_field: FieldNames
    text_field: FieldNames
    url_field: FieldNames
    id_field: list[Name]  # [] : no id of the user's
    date_field: FieldNames


class Inputs(Table):
    jsonl: JsonlInput


class Filters(Table):
    """Documents a run leaves out, each as a reject with its own reason; every one off by default."""

    languages: list[Name]
    keep_unknown_language: bool
    min_words: Count
    date_from: Day
    date_to: Day
    keep_undated: bool
    url_include: list[Regex]
    url_exclude: list[Regex]
    host_include: list[HostName]
    host_exclude: list[HostName]

    def __post_init__(self):
        from datetime import date

        for key in ("date_from", "date_to"):
            value = getattr(self, key)
            try:
                value and date.fromisoformat(value)
            except ValueError:
                raise ValueError(f"{key}: {value!r} is not a day in YYYY-MM-DD form") from None
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("date_from must not be after date_to")


# ------------------------------------------------------------------ rules/decoding.toml

class Decoding(Table):
    sniff_bytes: Annotated[int, Meta(ge=64)]
    binary_control_ratio: Share
    prescan_bytes: Annotated[int, Meta(ge=64)]
    detect_bytes: Annotated[int, Meta(ge=64)]
    western_min_mixed_share: Share
    western_max_inword_symbol_share: Share


# ------------------------------------------------------------------ rules/dedup.toml

class Dedup(Table):
    threshold: OpenShare
    num_perm: Annotated[int, Meta(ge=16, le=1024)]
    shingle_words: Positive
    seed: Count
    lsh_false_negative_weight: OpenShare
    drop_duplicates: bool
    max_words: Positive  # words of a text its MinHash reads: bounds the work after cleaning


# ------------------------------------------------------------------ rules/site_repeated.toml

class SiteRepeated(Table):
    name: RuleName
    # one document never makes a repeat; beyond 32 (the fingerprint sketch) counts are estimates
    min_documents: Annotated[int, Meta(ge=2, le=32)]
    min_share: Share
    min_chars: Positive
    max_chars: Positive
    max_document_share: OpenShare  # never the whole body
    max_fingerprints_per_site: Count  # 0: unbounded

    def __post_init__(self):
        if self.min_chars > self.max_chars:
            raise ValueError("min_chars must not exceed max_chars")


# ------------------------------------------------------------------ rules/html_chrome.toml

class Extraction(Table):
    favor_precision: bool
    fallback_below_chars: Count
    readability_longer_by: NonNegative
    readability_page_holds: NonNegative
    recall_escalation: bool
    max_title_repeat_chars: Positive
    description_repeat_kinds: list[Name]
    title_separators: str


class Guard(Table):
    max_cue_chars: Positive
    protected_tags: list[Name]
    prose_words: Positive  # an attribute rule that spares prose spares a container of this many words...
    prose_max_link_density: Share  # ...whose text is at most this share link text
    wrapper_page_share: Share = 1.0  # an element of a tag rule holding this share of the page's text is a wrapper


class TagRule(Table):
    name: RuleName
    category: Name
    tags: Annotated[list[Name], Meta(min_length=1)]
    spare_containing: list[Name] = []  # an element holding one of these tags is content


class AttributeRule(Table):
    name: RuleName
    category: Name
    pattern: Regex
    spares_prose: bool = False  # a region of the layout (menu, banner), which may wrap the post


class LinkLine(Table):
    name: RuleName
    category: Name
    min_share: Annotated[float, Meta(gt=0.0, le=1.0)]
    min_link_chars: Count
    min_words: Count
    max_words: Count
    sentence_end: Regex
    kinds: list[Name]
    within_site: bool


class Hidden(Table):
    name: RuleName
    category: Name
    style_pattern: MaybeRegex
    hidden_attribute: bool
    aria_hidden: bool
    revealed_by_page: bool  # spare a hidden element a script or a control of the page shows


class HtmlChrome(Table):
    extraction: Extraction
    guard: Guard
    tag_rules: list[TagRule]
    attribute_rules: list[AttributeRule]
    link_line: LinkLine
    hidden: Hidden

    def __post_init__(self):
        names = [r.name for r in (*self.tag_rules, *self.attribute_rules, self.hidden)]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"rule names used twice: {', '.join(twice)}")


# ------------------------------------------------------------------ rules/metadata.toml

class Authors(Table):
    prefix: Regex
    ui_wrappers: list[Regex]
    role_suffixes: list[Regex]
    credit_part: Regex
    separators: Regex
    org_words: list[Name]
    role_words: list[Name]
    post_nominal: Regex
    drop_exact: list[Name]
    site_articles: list[Name]
    particles: list[Name]
    max_words: Positive

    def __post_init__(self):
        for i, pattern in enumerate(self.ui_wrappers):
            if "(?P<name>" not in pattern:
                raise ValueError(f"ui_wrappers[{i}]: {pattern!r} needs a (?P<name>...) group")


class Dates(Table):
    label: Regex
    updated_label: Regex
    segment_separators: Regex
    time: Regex
    relative_time_units: Regex
    spans: list[Regex]
    day_first_pattern: Regex
    day_first_locales: list[Name]
    fallback_languages: list[Name]
    min_year: Positive
    max_chars: Positive


class Titles(Table):
    separators: list[Name]
    max_site_words: Positive
    section_labels: list[Name]
    h1_topic_overlap: Share


class Bylines(Table):
    line: Regex
    label: Regex
    max_chars: Positive


# where a page's date is read from (pipeline.metadata.dates.DATE_SOURCES)
DateSource = Literal["jsonld", "meta", "time", "url", "htmldate", "text"]


class HtmlMeta(Table):
    article_types: list[Name]
    page_types: list[Name]
    site_types: list[Name]
    title_meta: list[Name]
    description_meta: list[Name]
    date_meta: list[Name]
    author_meta: list[Name]
    site_meta: list[Name]
    site_meta_fallback: list[Name]
    language_meta: list[Name]
    byline_attribute: Regex
    byline_exclude: Regex
    byline_max_chars: Positive
    date_attribute: Regex
    date_exclude: Regex
    url_date: list[Regex]
    date_sources: Annotated[list[DateSource], Meta(min_length=1)]
    url_date_overrules_after_days: Positive
    text_date_window_chars: Positive
    text_date_above_chars: Positive
    text_date_prose_offset_chars: Positive
    author_link_href: Regex
    outside_article: UniRegex
    byline_text_tags: list[Name]
    max_byline_names: Positive
    credit_organisations: bool
    form_tags: list[Name]
    byline_text_max_chars: Positive

    def __post_init__(self):
        for i, pattern in enumerate(self.url_date):
            if not all(f"(?P<{g}>" in pattern for g in "ymd"):
                raise ValueError(f"url_date[{i}]: {pattern!r} needs groups (?P<y>...), (?P<m>...) and (?P<d>...)")
        twice = sorted({s for s in self.date_sources if self.date_sources.count(s) > 1})
        if twice:
            raise ValueError(f"date_sources: {twice[0]!r} is named twice")


class Metadata(Table):
    authors: Authors
    dates: Dates
    titles: Titles
    bylines: Bylines
    html: HtmlMeta


# ------------------------------------------------------------------ rules/region.toml

class Scoring(Table):
    scorer: Literal["model", "rules"]
    model_file: Name


class RegionLanguage(Table):
    min_words_for_sample: Count
    tie_margin: NonNegative
    languages: list[Name]  # jusText stop lists; checked against justext by region.py's loader


class Features(Table):
    list_marker: Regex
    link_like: Regex
    separator: Regex
    terminal: Regex
    truncated: Regex
    date_like: Regex
    glued: Regex
    near: Count
    wide: Count


class RegionScoring(Table):
    good_min_words: Count
    good_min_stop_density: NonNegative
    bad_max_stop_density: NonNegative
    good_probability: OpenShare
    neutral_probability: OpenShare
    bad_probability: OpenShare
    list_item_probability: OpenShare
    region_threshold: OpenShare


class RegionWeights(Table):
    weight_cap_words: Count
    weight_floor_words: Count
    threshold: OpenShare
    header_lines: Count
    header_max_words: Count
    inner_drop_below: OpenShare
    inner_drop_max_words: Count


class CategoryRule(Table):
    rule: RuleName
    category: Name
    pattern: Regex
    max_words: Count
    after_region_only: bool = False


class Region(Table):
    scoring: Scoring
    language: RegionLanguage
    features: Features
    rules: RegionScoring
    region: RegionWeights
    category: list[CategoryRule]


# ------------------------------------------------------------------ rules/text_chrome.toml

class Structure(Table):
    anchor_min_words: Count
    anchor_min_words_unpunctuated: Count
    letters_per_word: Count
    headline_max_words: Count
    repeat_min_words: Count
    short_line_max_words: Count
    tail_byline_window: Count
    tail_block_reach: Count
    tail_page_end_rules: list[str]
    split_gap_min_lines: Count
    split_min_share: Share
    split_gap_min_chrome: Count
    head_meta_window: Count
    head_meta_max_anchors: Count
    block_heading_max_words: Count
    closing_sentence_min_words: Count
    caption_max_words: Count
    caption_min_words: Count
    caption_max_sentences: Count
    meta_close_gap: Count
    meta_sentence_min_words: Count
    name_min_words: Count
    name_max_words: Count


class LineRule(Table):
    """One text rule; ``category`` only for chrome rules (metadata rules are named by their list)."""

    name: RuleName
    pattern: UniRegex
    category: Name | None = None
    max_words: Positive | None = None
    zone: Literal["any", "outside"] = "any"
    terminal: bool = False
    case_sensitive: bool = False


class TextTitle(Table):
    """How a text dump's headline is picked among the lines above its body (pipeline/text/meta.py)."""

    window: Positive
    body_lines: Count
    min_words: Positive
    max_words: Positive
    min_chars: Count
    sentence_min_words: Positive
    short_words: Positive
    headline_words: Positive
    long_words: Positive
    repeat_min_chars: Positive
    meta_after: Positive
    meta_below: Count
    dateline_max_words: Positive
    name_offsets: list[int]
    headings: Positive
    body_paragraphs: Positive
    heading: NonNegative
    repeated: NonNegative
    above_meta: NonNegative
    region_first: NonNegative
    colon: NonNegative
    body_overlap: NonNegative
    glued: NonNegative
    short: NonNegative
    few_words: NonNegative
    long: NonNegative
    capitalised: NonNegative
    distance: NonNegative
    min_score: NonNegative

    def __post_init__(self):
        if not self.min_words <= self.short_words <= self.headline_words <= self.long_words <= self.max_words:
            raise ValueError("need min_words <= short_words <= headline_words <= long_words <= max_words")


class TextChrome(Table):
    structure: Structure
    title: TextTitle
    byline: list[LineRule]
    dateline: list[LineRule]
    attribution: list[LineRule]
    rule: list[LineRule]
    inline: list[LineRule]
    site_name: list[LineRule]

    def __post_init__(self):
        for key in ("rule", "inline"):
            for entry in getattr(self, key):
                if entry.category is None:
                    raise ValueError(f"{key}[{entry.name}] category: a chrome rule needs one")
        for entry in self.site_name:
            if "(?P<site>" not in entry.pattern and "(?P<host>" not in entry.pattern:
                raise ValueError(f"site_name[{entry.name}] pattern: needs a (?P<site>...) or (?P<host>...) group")
        names = [e.name for key in ("byline", "dateline", "attribution", "rule", "inline", "site_name")
                 for e in getattr(self, key)]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"rule names used twice: {', '.join(twice)}")


# ------------------------------------------------------------------ rules/text_layout.toml

class TextLayout(Table):
    """Thresholds of the layout steps that run before any text detection (pipeline/text/layout.py)."""

    wrap_min_width: Positive
    wrap_max_width: Positive
    wrap_band: Positive
    wrap_min_lines: Positive
    wrap_min_share: Share
    wrap_max_overflow: NonNegative
    markdown_min_marks: Positive
    code_min_symbol_share: Share
    code_min_chars: Positive
    code_page_marker: Regex
    code_min_page_markers: Positive
    code_split_boundary: Regex
    code_split_min_words: Positive
    code_split_min_word_share: Share
    block_min_words: Positive
    block_min_breaks: Positive
    block_break: UniRegex
    block_boundary: UniRegex
    fragment_max_chars: Positive
    fragment_min_run: Positive
    fragment_attach_max_words: Count

    def __post_init__(self):
        if self.wrap_min_width > self.wrap_max_width:
            raise ValueError("wrap_min_width must not exceed wrap_max_width")


class Rules(Struct, forbid_unknown_fields=True, frozen=True):
    """The rule files, one field per ``configs/rules/<name>.toml``."""

    decoding: Decoding
    dedup: Dedup
    html_chrome: HtmlChrome
    metadata: Metadata
    region: Region
    site_repeated: SiteRepeated
    text_chrome: TextChrome
    text_layout: TextLayout


class Settings(Struct, forbid_unknown_fields=True, frozen=True):
    """The whole configuration: ``newsclean.toml``'s tables and the rule files."""

    run: Run
    limits: Limits
    language: Language
    taxonomy: Taxonomy
    inputs: Inputs
    filters: Filters
    rules: Rules


# A rule list's entries are identified by this key when a user file overlays them.
RULE_KEYS = ("name", "rule")
