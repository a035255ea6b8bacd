"""The steps of an HTML page: safe markup, one parse, metadata fields, the body, the title repeat."""
from __future__ import annotations

import re

from pipeline.chrome import load_chrome_rules
from pipeline.config import Config
from pipeline.decoding import strip_control_references
from pipeline.document import Document
from pipeline.html_extract import extract_html, html_rules, parse_html
from pipeline.html_meta import extract_html_metadata
from pipeline.steps.base import Step

# An HTML page never needs a DOCTYPE internal subset; it only carries entity
# declarations (billion laughs, external entities).  It is cut before parsing, so no
# parser ever sees a declaration, and the undeclared references stay literal text.
_INTERNAL_SUBSET = re.compile(r"\A(\s*(?:<\?xml[^>]{0,200}>\s*)?(?:<!--.{0,2000}?-->\s*)*<!DOCTYPE\b[^\[>]{0,500})\[",
                              re.I | re.S)
_SUBSET_END = re.compile(r"\]\s*>")


def safe_html(html: str) -> tuple[str, list[str]]:
    """``html`` without what no parser should see: entity declarations, references to controls."""
    notes = []
    html, subsets = without_internal_subset(html)
    if subsets:
        notes.append("removed the DOCTYPE's internal subset (entity declarations are never expanded)")
    html, references = strip_control_references(html)
    if references:
        notes.append(f"removed {references} character references to control characters")
    return html, notes


def without_internal_subset(html: str) -> tuple[str, int]:
    """``html`` with the DOCTYPE's ``[...]`` internal subset cut out, and 1 if there was one."""
    match = _INTERNAL_SUBSET.match(html)
    if match is None:
        return html, 0
    end = _SUBSET_END.search(html, match.end())
    if end is None:  # a subset never closed: the whole page is declarations
        return match.group(1).rstrip() + ">", 1
    return match.group(1).rstrip() + ">" + html[end.end():], 1


class SafeHtml(Step):
    """Cut entity declarations and references to control characters before any parser runs."""

    name = "safe_html"

    def apply(self, doc: Document) -> None:
        doc.work.content, notes = safe_html(doc.work.content)
        doc.notes.extend(notes)


class ParseHtml(Step):
    """Parse the page once; metadata reads the tree, extraction then prunes it."""

    name = "parse_html"

    def apply(self, doc: Document) -> None:
        doc.work.tree = parse_html(doc.work.content)


class HtmlMetadata(Step):
    """Title, description, authors, dates, site name and canonical URL from the page's markup."""

    name = "html_metadata"

    def __init__(self, config: Config) -> None:
        self.config = config  # the metadata rules are still read from the configuration inside

    def apply(self, doc: Document) -> None:
        work = doc.work
        meta = extract_html_metadata(work.content, url=doc.url, reference_date=work.reference_date,
                                     config=self.config, tree=work.tree)
        work.page_url = meta.url or doc.url  # the canonical link, for telling links within the site
        doc.url = doc.url or meta.url
        doc.title, doc.description = meta.title, meta.description
        doc.authors = list(meta.authors)
        doc.date_published, doc.date_raw = meta.date_published, meta.date_raw
        doc.site_name = meta.site_name


class ExtractBody(Step):
    """The article paragraphs: markup cues prune chrome, trafilatura finds the body, text rules follow."""

    name = "extract"

    def __init__(self, config: Config) -> None:
        self.rules, self.chrome = html_rules(config), load_chrome_rules(config)

    def apply(self, doc: Document) -> None:
        extracted = extract_html(doc.work.content, self.rules, self.chrome, url=doc.work.page_url,
                                 tree=doc.work.tree)
        doc.removed.extend(extracted.removed)
        doc.paragraphs = extracted.paragraphs


class TitleRepeat(Step):
    """The title is a field, not text: drop (and record) a leading paragraph that only repeats it.

    Extraction already drops repeats of the titles the page states (in its block pass, with
    the description and link-line rules); this catches the chosen headline once site-name
    affixes are gone from it.
    """

    name = "title_repeat"

    def apply(self, doc: Document) -> None:
        paragraphs = doc.paragraphs
        if paragraphs and doc.title and " ".join(paragraphs[0].split()) == " ".join(doc.title.split()):
            doc.remove("title", paragraphs[0], "title_field_repeat.v1")
            doc.paragraphs = paragraphs[1:]
