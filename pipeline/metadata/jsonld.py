"""JSON-LD on a page: the schema.org nodes of its ``<script type="application/ld+json">`` blocks,
and the headlines, authors, dates and publishers its article (or page) nodes name."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Iterator
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from pipeline.metadata.markup import field_text
from pipeline.metadata.rules import HtmlMetaRules

_JSON_COMMENTS = re.compile(r"^\s*(?://[^\n]*|<!--|-->|/\*.*?\*/)", re.DOTALL | re.MULTILINE)


@dataclass
class JsonLd:
    """What a page's JSON-LD says, each list in node order; ``people`` are authors typed Person."""

    headline: list[str] = field(default_factory=list)
    description: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    publisher: list[str] = field(default_factory=list)
    site: list[str] = field(default_factory=list)


def _load_json(raw: str) -> object | None:
    raw = raw.strip()
    raw = raw.removeprefix("<![CDATA[").removesuffix("]]>").strip()
    for attempt in (raw, _JSON_COMMENTS.sub("", raw)):
        try:
            return json.loads(attempt, strict=False)
        except ValueError:
            continue
    return None


def _walk_jsonld(node: object) -> Iterator[dict]:
    if isinstance(node, list):
        for item in node:
            yield from _walk_jsonld(item)
    elif isinstance(node, dict):
        yield node
        for key in ("@graph", "mainEntity", "mainEntityOfPage", "itemListElement", "hasPart"):
            if key in node:
                yield from _walk_jsonld(node[key])


def _types(node: dict) -> set[str]:
    value = node.get("@type")
    values = value if isinstance(value, list) else [value]
    return {v.rsplit("/", 1)[-1] for v in values if isinstance(v, str)}


def jsonld_nodes(tree: HtmlElement) -> list[dict]:
    """Every object of the page's JSON-LD blocks, nested graphs and main entities included."""
    nodes: list[dict] = []
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        data = _load_json(script.text or "")
        if data is not None:
            nodes.extend(_walk_jsonld(data))
    return nodes


def _names(value: object) -> list[str]:
    """Names from a schema.org author / publisher value: string, object or list of either."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        name = value.get("name")
        if isinstance(name, list):
            return [n for n in name if isinstance(n, str)]
        if isinstance(name, str):
            return [name]
        given, family = value.get("givenName"), value.get("familyName")
        if isinstance(given, str) and isinstance(family, str):
            return [f"{given} {family}"]
        return []
    if isinstance(value, list):
        return [n for item in value for n in _names(item)]
    return []


def _resolve(value: object, by_id: dict[str, dict]) -> object:
    """Replace ``{"@id": ...}`` references by the node they name (Yoast-style @graph)."""
    if isinstance(value, list):
        return [_resolve(v, by_id) for v in value]
    if isinstance(value, dict) and set(value) <= {"@id", "@type"} and value.get("@id") in by_id:
        return by_id[value["@id"]]
    return value


def _url_key(url: object) -> str:
    if isinstance(url, dict):
        url = url.get("@id") or url.get("url")
    if not isinstance(url, str) or not url.strip():
        return ""
    parts = urlsplit(url.strip())
    return (parts.hostname or "").removeprefix("www.") + parts.path.rstrip("/")


def read_jsonld(nodes: list[dict], rules: HtmlMetaRules, page_url: str | None = None) -> JsonLd:
    """The fields of the article nodes (the one whose URL is ``page_url`` first; page nodes
    when there is no article), and the site's and publishers' names."""
    out = JsonLd()
    by_id = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str) and len(n) > 2}
    articles = [n for n in nodes if _types(n) & rules.article_types]
    page = _url_key(page_url)
    if page:
        # the page's own article first: teasers and related items also carry headlines and dates
        articles.sort(key=lambda n: not any(_url_key(n.get(k)) == page for k in ("url", "mainEntityOfPage", "@id")))
    pages = [n for n in nodes if _types(n) & rules.page_types]
    for node in articles or pages:
        for key in ("headline", "name", "alternativeHeadline"):
            if isinstance(node.get(key), str):
                out.headline.append(field_text(node[key]))
                break
        if isinstance(node.get("description"), str):
            out.description.append(field_text(node["description"]))
        for key in ("author", "creator"):
            author = _resolve(node.get(key), by_id)
            # the first article naming authors is the page's; later ones are teasers
            if author and not out.authors:
                entries = author if isinstance(author, list) else [author]
                for entry in entries:
                    names = _names(entry)
                    out.authors.extend(names)
                    if isinstance(entry, dict) and "Person" in _types(entry):
                        out.people.extend(names)
                break
        for key in ("datePublished", "dateCreated", "uploadDate"):
            if isinstance(node.get(key), str):
                out.dates.append(node[key])
                break
        out.publisher.extend(_names(_resolve(node.get("publisher"), by_id)))
    for node in nodes:
        if "WebSite" in _types(node):
            out.site.extend(_names(node))
        elif _types(node) & rules.site_types and "Person" not in _types(node):
            out.publisher.extend(_names(node))
    return out
