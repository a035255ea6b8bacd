"""The steps of an HTML page: safe markup, one parse, metadata fields, the body, the title repeat."""
from __future__ import annotations

from pipeline.config import Config
from pipeline.document import Document
from pipeline.html.extract import extract_html
from pipeline.html.parse import parse_html, safe_html
from pipeline.html.rules import html_rules
from pipeline.metadata.page import extract_html_metadata
from pipeline.steps.base import Step
from pipeline.text.rules import load_chrome_rules


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
