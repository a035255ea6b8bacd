"""The steps of a plain-text input: layout, the article's region, line chrome, metadata lines, the dateline."""
from __future__ import annotations

from pipeline.config import Config
from pipeline.document import Document
from pipeline.metadata.authors import normalise_authors
from pipeline.metadata.dates import parse_date
from pipeline.steps.base import Step
from pipeline.text.chrome import clean_text
from pipeline.text.layout import layout_rules, normalise_with
from pipeline.text.meta import markdown_headings, read_text_meta
from pipeline.text.region import locate_region, region_rules
from pipeline.text.rules import load_chrome_rules
from pipeline.text.site import find_site_name


class TextLayout(Step):
    """Paragraphs out of every renderer's layout (wrapped lines, markdown, page code) first:
    the region model and the line rules judge those."""

    name = "layout"

    def __init__(self, config: Config) -> None:
        self.rules = layout_rules(config)

    def apply(self, doc: Document) -> None:
        doc.work.headings = markdown_headings(doc.work.content)
        layout = normalise_with(doc.work.content, self.rules)
        doc.notes.extend(layout.notes)
        doc.removed.extend(layout.removed)
        doc.work.content = doc.work.page = layout.text


class SiteName(Step):
    """The site's name from the whole text (its chrome, the URL's host), before the region is cut out."""

    name = "site_name"

    def __init__(self, config: Config) -> None:
        self.rules = load_chrome_rules(config)

    def apply(self, doc: Document) -> None:
        found = find_site_name(doc.work.content, self.rules, doc.url)
        if found:
            doc.site_name = found.name
            doc.notes.append(f"site_name: {found.rule}")


class LocateRegion(Step):
    """Find the article's run of lines in a whole-page dump; the lines around it are removals."""

    name = "region"

    def __init__(self, config: Config) -> None:
        self.rules = region_rules(config)

    def apply(self, doc: Document) -> None:
        region = locate_region(doc.work.content, self.rules)
        doc.removed.extend(region.removed)
        doc.work.content = region.text
        doc.work.region_first = next((line.strip() for line in region.text.split("\n") if line.strip()), None)


class TextChrome(Step):
    """Split the region into body paragraphs, chrome removals and metadata lines."""

    name = "text_chrome"

    def __init__(self, config: Config) -> None:
        self.rules = load_chrome_rules(config)

    def apply(self, doc: Document) -> None:
        cleaned = clean_text(doc.work.content, self.rules, doc.work.line_rules)
        doc.removed.extend(cleaned.removed)
        doc.paragraphs = cleaned.paragraphs
        doc.description = cleaned.description  # the headline is the metadata step's
        doc.date_raw = cleaned.date_raw
        doc.work.byline = cleaned.byline


class TextMetadata(Step):
    """Headline, byline and dateline read around the article in the whole dump; the byline and
    dateline the chrome step found in the region stand in when the dump shows none (the
    headline does not: a wrong headline is worse than none); the byline as person names."""

    name = "text_metadata"

    def __init__(self, config: Config) -> None:
        self.config = config  # the author rules are still read from the configuration inside
        self.rules = load_chrome_rules(config)
        self.title = config.rules.text_chrome.title

    def apply(self, doc: Document) -> None:
        work = doc.work
        found = read_text_meta(work.page if work.page is not None else work.content, doc.paragraphs,
                               work.headings, work.region_first, self.rules, self.title, self.config,
                               work.line_rules)
        doc.title = found.title
        doc.date_raw = found.date_raw or doc.date_raw
        byline = found.byline or work.byline
        doc.authors = normalise_authors(byline, site_name=doc.site_name, config=self.config) if byline else []


class Dateline(Step):
    """The dateline as ISO 8601, read in the body's language when known: after language detection."""

    name = "dateline"

    def __init__(self, config: Config) -> None:
        self.config = config  # the date rules are still read from the configuration inside

    def apply(self, doc: Document) -> None:
        if not doc.date_raw:
            return
        languages = [doc.language] if doc.language else None
        parsed = parse_date(doc.date_raw, reference_date=doc.work.reference_date, languages=languages,
                            config=self.config)
        doc.date_published = parsed.iso if parsed else None
