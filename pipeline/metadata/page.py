"""Article metadata of an HTML page: title, description, authors, publication date, site name,
canonical URL and language hint.

Candidates come from JSON-LD, OpenGraph and other ``<meta>`` fields, ``<time>`` elements,
byline elements, the canonical link and the URL; each field's module chooses among them and
normalises the winner. Which keys and attributes count is data, in the ``[metadata.html]``
table of ``configs/rules/metadata.toml``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urljoin

from lxml.html import HtmlElement

from pipeline.config import Config
from pipeline.metadata.bylines import choose_authors
from pipeline.metadata.dates import PageDates, date_languages, decide_date
from pipeline.metadata.jsonld import jsonld_nodes, read_jsonld
from pipeline.metadata.markup import element_text, meta_fields, meta_values, parse_page
from pipeline.metadata.rules import HtmlMetaRules, load_html_meta_rules, load_metadata_rules
from pipeline.metadata.site import choose_site_name, site_from_domain
from pipeline.metadata.strings import comparison_key
from pipeline.metadata.title import choose_headline, headline_text


@dataclass
class HtmlMetadata:
    """Metadata of one page; ``url`` is the canonical URL, ``date_raw`` the date text as found,
    ``dates`` what each date source gave (for measuring; not part of the metadata)."""

    title: str | None = None
    description: str | None = None
    authors: list[str] = field(default_factory=list)
    date_published: str | None = None
    date_raw: str | None = None
    site_name: str | None = None
    url: str | None = None
    language_hint: str | None = None
    dates: PageDates | None = field(default=None, compare=False, repr=False)


def _canonical(tree: HtmlElement, fields: dict[str, list[str]], url: str | None) -> str | None:
    for link in tree.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            return urljoin(url or "", link.get("href").strip())
    for _, value in meta_values(fields, ("og:url",)):
        return urljoin(url or "", value)
    return url


def _language_hint(tree: HtmlElement, fields: dict[str, list[str]], rules: HtmlMetaRules) -> str | None:
    for element in (tree, tree.find("body")):
        for attr in ("lang", "xml:lang", "{http://www.w3.org/XML/1998/namespace}lang"):
            if element is not None and (element.get(attr) or "").strip():
                return element.get(attr).strip().replace("_", "-").lower()
    for _, value in meta_values(fields, rules.language_meta):
        return value.strip().replace("_", "-").lower()
    return None


def extract_html_metadata(html: str, *, url: str | None = None, reference_date: date | None = None,
                          config: Config | None = None, tree: HtmlElement | None = None) -> HtmlMetadata:
    """Title, description, authors, publication date, site name, canonical URL and language hint.

    ``tree``, when the caller already parsed ``html`` the same way (trafilatura's
    ``load_html``), saves a second parse; it is only read.
    """
    rules = load_html_meta_rules(config)
    if tree is None:
        tree = parse_page(html)
    if tree is None:
        return HtmlMetadata(url=url, site_name=site_from_domain(url))
    fields = meta_fields(tree)
    canonical = _canonical(tree, fields, url)
    jsonld = read_jsonld(jsonld_nodes(tree), rules, canonical)
    language_hint = _language_hint(tree, fields, rules)

    title_tags = [element_text(t) for t in tree.iter("title")][:1]
    meta_titles = [v for _, v in meta_values(fields, rules.title_meta)]
    h1s = [headline_text(h) for h in list(tree.iter("h1"))[:3]]
    h2s = [headline_text(h) for h in list(tree.iter("h2"))[:2]]
    headline_keys = {comparison_key(t) for t in jsonld.headline[:1] + h1s + h2s + meta_titles} - {""}
    site_name = choose_site_name(fields, jsonld, title_tags + meta_titles, headline_keys, url or canonical, rules,
                                 load_metadata_rules(config).titles)
    title = choose_headline(tree, fields, jsonld, h1s, h2s, title_tags, site_name, rules, config,
                            domain=site_from_domain(url or canonical))
    description = next((v for _, v in meta_values(fields, rules.description_meta)), None) \
        or next(iter(jsonld.description), None)
    authors = choose_authors(tree, fields, jsonld, site_name, rules, config)
    dates = PageDates(html, tree, fields, jsonld, url or canonical, reference_date,
                      date_languages(language_hint), rules, config)
    found = decide_date(dates, rules.date_sources, rules.url_date_overrules_after_days)
    return HtmlMetadata(title=title, description=description, authors=authors,
                        date_published=found.iso if found else None, date_raw=found.raw if found else None,
                        site_name=site_name, url=canonical, language_hint=language_hint, dates=dates)
