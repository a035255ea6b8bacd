"""Article metadata from an HTML page: title, authors, publication date, site name, canonical URL.

Candidates come from JSON-LD, OpenGraph and other ``<meta>`` fields, ``<time>`` elements,
byline elements, the canonical link and the URL; the normalisers of ``pipeline.normalise``
turn them into clean values. Which keys and attributes count is data, in the ``[html]``
table of ``configs/rules/metadata.toml``.
"""
from __future__ import annotations

import json
import re
import unicodedata
import warnings
from dataclasses import dataclass, field
from datetime import date
from typing import Iterator, Pattern
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement

from pipeline import schema
from pipeline.config import Config
from pipeline.normalise import (
    TitleRules, clean_title, comparison_key, default_config, find_date_span, is_person_name, load_metadata_rules,
    looks_like_byline, normalise_authors, parse_date,
)

_SPACE = re.compile(r"\s+")
_JSON_COMMENTS = re.compile(r"^\s*(?://[^\n]*|<!--|-->|/\*.*?\*/)", re.DOTALL | re.MULTILINE)


@dataclass
class HtmlMetadata:
    """Metadata of one page; ``url`` is the canonical URL, ``date_raw`` the date text as found."""

    title: str | None = None
    description: str | None = None
    authors: list[str] = field(default_factory=list)
    date_published: str | None = None
    date_raw: str | None = None
    site_name: str | None = None
    url: str | None = None
    language_hint: str | None = None


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
    author_link_href: Pattern[str]
    outside_article: Pattern[str]
    byline_text_tags: frozenset[str]
    byline_text_max_chars: int
    max_byline_names: int
    form_tags: frozenset[str]
    url_date_overrules_after_days: int
    text_date_window_chars: int


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
        author_link_href=_regex(table.author_link_href),
        outside_article=_regex(table.outside_article),
        byline_text_tags=frozenset(table.byline_text_tags),
        byline_text_max_chars=table.byline_text_max_chars,
        max_byline_names=table.max_byline_names,
        form_tags=frozenset(table.form_tags),
        url_date_overrules_after_days=table.url_date_overrules_after_days,
        text_date_window_chars=table.text_date_window_chars,
    )


def load_html_meta_rules(config: Config | None = None) -> HtmlMetaRules:
    """The compiled ``[metadata.html]`` rules of ``config`` (the packaged defaults when None)."""
    config = config or default_config()
    return config.built("metadata.html", lambda: build_html_meta_rules(config.rules.metadata.html))


# ---------------------------------------------------------------- parsing helpers

def _text(value: object) -> str:
    if not isinstance(value, str):
        return ""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", value)).strip()


def _parse(html: str) -> HtmlElement | None:
    from trafilatura.utils import load_html  # one parser for the project's HTML paths

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tree = load_html(html)
    return tree if tree is not None else None


def _element_text(element: HtmlElement) -> str:
    return _text(" ".join(element.itertext()))


def _attribute_words(element: HtmlElement) -> str:
    parts = [element.get(name, "") for name in ("class", "id", "rel", "itemprop", "name", "data-testid")]
    return " ".join(p for p in parts if p)


def _meta_fields(tree: HtmlElement) -> dict[str, list[str]]:
    """``<meta>`` contents by lower-cased name / property / itemprop / http-equiv, in page order."""
    fields: dict[str, list[str]] = {}
    for meta in tree.iter("meta"):
        content = _text(meta.get("content"))
        if not content:
            continue
        for attr in ("name", "property", "itemprop", "http-equiv"):
            key = (meta.get(attr) or "").strip().lower()
            if key:
                fields.setdefault(key, []).append(content)
    return fields


def _first(fields: dict[str, list[str]], keys: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    for key in keys:
        for value in fields.get(key, []):
            yield key, value


# ---------------------------------------------------------------- JSON-LD

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


def _jsonld_nodes(tree: HtmlElement) -> list[dict]:
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


@dataclass
class _JsonLd:
    headline: list[str] = field(default_factory=list)
    description: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    publisher: list[str] = field(default_factory=list)
    site: list[str] = field(default_factory=list)


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


def _read_jsonld(nodes: list[dict], rules: HtmlMetaRules, page_url: str | None = None) -> _JsonLd:
    out = _JsonLd()
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
                out.headline.append(_text(node[key]))
                break
        if isinstance(node.get("description"), str):
            out.description.append(_text(node["description"]))
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


# ---------------------------------------------------------------- fields

def _site_from_domain(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url).hostname or ""
    host = host.removeprefix("www.").removeprefix("m.").removeprefix("amp.")
    return host or None


def _site_name(fields: dict[str, list[str]], jsonld: _JsonLd, titles: list[str], headline_keys: set[str],
               url: str | None, rules: HtmlMetaRules, title_rules: TitleRules) -> str | None:
    """og:site_name, JSON-LD publisher or website, the ``<title>`` affix, then the domain."""
    # the page's own title fields (not the h1, which may be the site's logo)
    title_keys = {comparison_key(t) for t in titles + jsonld.headline[:1]} - {""}
    # a "site name" that is the headline itself is a template error, not the site
    for _, value in _first(fields, rules.site_meta):
        if value.startswith(("http://", "https://")):
            value = _site_from_domain(value) or value
        if comparison_key(value) not in title_keys:
            return value
    for value in jsonld.publisher + jsonld.site:
        value = _text(value)
        if value and comparison_key(value) not in title_keys:
            return value
    suffix = _title_affix(titles, headline_keys, title_rules)
    if suffix and comparison_key(suffix) not in title_keys:
        return suffix
    for _, value in _first(fields, rules.site_meta_fallback):
        if comparison_key(value) not in title_keys:
            return value
    return _site_from_domain(url)


def _title_affix(titles: list[str], headline_keys: set[str], title_rules: TitleRules) -> str | None:
    """The site name a ``<title>`` adds around the headline ("Headline | Site"), shorter than it."""
    for title in titles:
        for sep in title_rules.separators:
            if sep not in title:
                continue
            head, _, tail = title.rpartition(sep)
            first, _, rest = title.partition(sep)
            for headline, affix in ((head, tail), (rest, first)):
                words = len(affix.split())
                if comparison_key(headline) in headline_keys and affix.strip() \
                        and words <= min(title_rules.max_site_words, len(headline.split())):
                    return affix.strip()
    return None


def _segments(text: str, separators: tuple[str, ...]) -> list[str]:
    """``text`` split at every title separator (" | ", " - ", ": " ...)."""
    parts = [text]
    for separator in separators:
        parts = [piece for part in parts for piece in part.split(separator)]
    return [p.strip() for p in parts if p.strip()]


def _support(candidate: str, raw: str, cleaned: str, separators: tuple[str, ...]) -> float:
    """How far another source's title backs ``candidate``: the same title, or its main segment."""
    key = comparison_key(candidate)
    if not key:
        return 0.0
    if key == comparison_key(cleaned) or key == comparison_key(raw):
        return 1.0
    for text in (cleaned, raw):
        segments = _segments(text, separators)
        if len(segments) > 1 and key == comparison_key(max(segments, key=len)):
            return 0.8
    return 0.0


@dataclass(frozen=True)
class _TitleSource:
    group: str
    raw: str
    cleaned: str


def _choose_title(candidates: list[_TitleSource], site_name: str | None, separators: tuple[str, ...]) -> str | None:
    """The candidate headline the most other source groups back; ties go to the earlier candidate.

    Groups (h1, JSON-LD, social meta, ``<title>``, h2) count once each, so og:title and
    twitter:title do not outvote the page's own headline.
    """
    best: str | None = None
    best_score: tuple = ()
    for index, candidate in enumerate(candidates):
        text = candidate.cleaned
        if not text or len(comparison_key(text)) < 3 or (site_name and comparison_key(text) == comparison_key(site_name)):
            continue
        backing: dict[str, float] = {}
        for source in candidates:
            if source.group != candidate.group:
                support = _support(text, source.raw, source.cleaned, separators)
                backing[source.group] = max(backing.get(source.group, 0.0), support)
        # unbacked, a headline-shaped text beats a short one (an h1 holding the site's logo)
        headline_shaped = len(text.split()) >= 4 or len(text) >= 25
        score = (sum(backing.values()), headline_shaped, -index)
        if score > best_score:
            best, best_score = text, score
    return best


def _without_kicker(h1: HtmlElement) -> str | None:
    """An h1's text without a leading kicker element ("<span>Nach Corona</span> Headline")."""
    children = [c for c in h1 if isinstance(c.tag, str)]
    if not children or (h1.text or "").strip():
        return None
    first = children[0]
    kicker = _element_text(first)
    rest = _text(" ".join([first.tail or ""] + [" ".join(c.itertext()) + (c.tail or "") for c in children[1:]]))
    if kicker and len(rest.split()) >= 3 and len(kicker.split()) <= 6:
        return rest
    return None


def _date_candidates(tree: HtmlElement, fields: dict[str, list[str]], jsonld: _JsonLd,
                     rules: HtmlMetaRules) -> Iterator[str]:
    yield from jsonld.dates
    for _, value in _first(fields, rules.date_meta):
        yield value
    for element in tree.iter("time"):
        parent = element.getparent()
        words = _attribute_words(element) + " " + (_attribute_words(parent) if parent is not None else "")
        if rules.date_exclude.search(words) or _outside_article(element, rules):
            continue
        if element.get("datetime"):
            yield element.get("datetime")
    body = tree.find("body")
    for element in body.iter() if body is not None else ():
        if not isinstance(element.tag, str) or element.tag in ("script", "style", "meta"):
            continue
        words = _attribute_words(element)
        if not words or not rules.date_attribute.search(words) or rules.date_exclude.search(words):
            continue
        if _outside_article(element, rules):
            continue
        value = element.get("datetime") or element.get("content") or _element_text(element)
        if value and len(value) <= 120:
            yield value


def _url_date(url: str | None, rules: HtmlMetaRules) -> str | None:
    if not url:
        return None
    path = urlsplit(url).path
    for pattern in rules.url_date:
        m = pattern.search(path)
        if m:
            try:
                return date(int(m["y"]), int(m["m"]), int(m["d"])).isoformat()
            except ValueError:
                continue
    return None


def _outside_article(element: HtmlElement, rules: HtmlMetaRules) -> bool:
    """Whether the element or an ancestor marks a comment, teaser, sidebar, footer or form."""
    if rules.outside_article.search(_attribute_words(element)):
        return True
    for ancestor in element.iterancestors():
        if not isinstance(ancestor.tag, str) or ancestor.tag in ("html", "body"):
            continue
        if ancestor.tag in ("footer", "aside") or ancestor.tag in rules.form_tags \
                or rules.outside_article.search(_attribute_words(ancestor)):
            return True
    return False


def _is_byline_element(element: HtmlElement, rules: HtmlMetaRules) -> bool:
    if not isinstance(element.tag, str) or element.tag in ("script", "style", "meta", "link", "img", "head", "title") \
            or element.tag in rules.form_tags:
        return False
    if (element.get("rel") or "").lower() == "author" or (element.get("itemprop") or "").lower() == "author":
        return True
    if element.tag == "a" and rules.author_link_href.search(element.get("href") or ""):
        return True
    words = _attribute_words(element)
    return bool(words) and bool(rules.byline_attribute.search(words)) and not rules.byline_exclude.search(words)


def _byline_groups(tree: HtmlElement, rules: HtmlMetaRules) -> list[list[str]]:
    """Texts of byline elements, grouped by byline container, in page order.

    The innermost marked elements are read (a container's name links rather than the
    container with its date and labels); marks inside comments, teasers and sidebars are not.
    """
    body = tree.find("body")
    if body is None:
        return []
    # only elements carrying one of the attributes a byline mark can sit in (document order)
    candidates = body.xpath(".//*[@class or @id or @rel or @itemprop or @name or @data-testid or self::a[@href]]")
    marked = [e for e in candidates if _is_byline_element(e, rules) and not _outside_article(e, rules)
              and _element_text(e)]
    marked_set = set(marked)
    innermost = [e for e in marked if not any(d in marked_set for d in e.iterdescendants())]
    groups: list[list[str]] = []
    containers: list[HtmlElement] = []
    for element in innermost:
        text = _element_text(element)
        if not text or len(text) > rules.byline_max_chars:
            continue
        container = element
        for _ in range(3):
            parent = container.getparent()
            if parent is None or parent.tag == "body":
                break
            container = parent
        for index, known in enumerate(containers):
            if known is container or container in set(known.iterancestors()) or known in set(container.iterancestors()):
                groups[index].append(text)
                break
        else:
            containers.append(container)
            groups.append([text])
    return groups


def _own_lines(element: HtmlElement) -> list[str]:
    """The text lines of an element without block children, split at ``<br>`` only."""
    parts: list[str] = [element.text or ""]
    for child in element:
        if child.tag == "br":
            parts.append("\x00")
        elif isinstance(child.tag, str):
            parts.append(" ".join(child.itertext()))
        parts.append(child.tail or "")
    return [line for line in (_text(part) for part in "".join(parts).split("\x00")) if line]


def _text_bylines(tree: HtmlElement, rules: HtmlMetaRules, config: Config | None) -> Iterator[str]:
    """Plain-text byline lines ("Von Claudia Lindner", "Text: X") in the page body."""
    body = tree.find("body")
    if body is None:
        return
    for element in body.iter(*rules.byline_text_tags):
        if any(isinstance(c.tag, str) and c.tag in ("p", "div", "li", "table", "ul", "ol", "section", "article")
               for c in element):
            continue
        # a child's tail may be a byline of its own ("<span>【纠错】</span> 责任编辑：焦鹏")
        tails = [_text(child.tail) for child in element if isinstance(child.tag, str) and _text(child.tail)]
        for line in _own_lines(element) + tails:
            if len(line) <= rules.byline_text_max_chars and looks_like_byline(line, config=config) \
                    and not _outside_article(element, rules):
                yield line


def _canonical(tree: HtmlElement, fields: dict[str, list[str]], url: str | None) -> str | None:
    for link in tree.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            return urljoin(url or "", link.get("href").strip())
    for _, value in _first(fields, ("og:url",)):
        return urljoin(url or "", value)
    return url


def _language_hint(tree: HtmlElement, fields: dict[str, list[str]], rules: HtmlMetaRules) -> str | None:
    for element in (tree, tree.find("body")):
        for attr in ("lang", "xml:lang", "{http://www.w3.org/XML/1998/namespace}lang"):
            if element is not None and (element.get(attr) or "").strip():
                return element.get(attr).strip().replace("_", "-").lower()
    for _, value in _first(fields, rules.language_meta):
        return value.strip().replace("_", "-").lower()
    return None


def _date_languages(hint: str | None) -> list[str] | None:
    if not hint:
        return None
    code = hint.split(",")[0].strip().lower()
    if not re.fullmatch(r"[a-z]{2}(?:-[a-z]{2})?", code):
        return None
    # dateparser knows the languages; the locale only orders numeric day and month
    return [code]


def _is_site_account(name: str, site_name: str | None, separators: tuple[str, ...]) -> bool:
    """Whether ``name`` is exactly the site's name (or its name's first segment): its account."""
    if not site_name:
        return False
    segments = _segments(site_name, separators)
    first = segments[0] if segments else site_name
    return comparison_key(name) in {comparison_key(site_name), comparison_key(first)}


def _choose_authors(tree: HtmlElement, fields: dict[str, list[str]], jsonld: _JsonLd, site_name: str | None,
                    rules: HtmlMetaRules, config: Config | None) -> list[str]:
    """Authors that person-shaped and backed by the most other sources; ties go to the more
    trusted source (JSON-LD, meta, byline elements, then plain-text bylines)."""
    def names(values: list[str] | str, site: str | None) -> list[str]:
        return normalise_authors(values, site_name=site, config=config)

    # a schema.org Person is a person even when the site bears its name (one-person blogs),
    # unless it is named exactly like the site (the site's own account)
    separators = load_metadata_rules(config).titles.separators
    people = [p for p in names(jsonld.people, None) if not _is_site_account(p, site_name, separators)]
    candidates = [("jsonld", people or names(jsonld.authors, site_name)),
                  ("meta", names([v for _, v in _first(fields, rules.author_meta)], site_name))]
    # one byline's elements read as one byline: "Reuters, Washington" is an agency and a place
    candidates += [(f"byline{i}", names(" , ".join(group), site_name))
                   for i, group in enumerate(_byline_groups(tree, rules))]
    candidates.append(("text", next((n for n in (names(line, site_name) for line in _text_bylines(tree, rules, config))
                                     if n), [])))
    candidates = [(group, found) for group, found in candidates if 0 < len(found) <= rules.max_byline_names]
    keys = [{comparison_key(n) for n in found} for _, found in candidates]
    best: list[str] = []
    best_score: tuple = ()
    for index, (group, found) in enumerate(candidates):
        support = sum(1 for other, (other_group, _) in enumerate(candidates)
                      if other_group != group and keys[index] & keys[other])
        score = (any(is_person_name(n, config=config) for n in found), support, -index)
        if score > best_score:
            best, best_score = found, score
    return best


def _choose_date(html: str, tree: HtmlElement, fields: dict[str, list[str]], jsonld: _JsonLd, url: str | None,
                 reference_date: date | None, languages: list[str] | None, rules: HtmlMetaRules,
                 config: Config | None) -> tuple[str | None, str | None]:
    """The publication date: structured fields first, unless a full date in the URL is much
    earlier (URLs keep the first publication day); htmldate's search last."""
    found: tuple[str, str] | None = None
    for candidate in _date_candidates(tree, fields, jsonld, rules):
        parsed = parse_date(candidate, reference_date=reference_date, languages=languages, config=config)
        if parsed is not None and parsed.iso is not None:
            found = (parsed.iso, parsed.raw)
            break
    from_url = _url_date(url, rules)
    if from_url and reference_date is not None and from_url > reference_date.isoformat():
        from_url = None
    if from_url and (found is None or (date.fromisoformat(found[0][:10]) - date.fromisoformat(from_url)).days
                     >= rules.url_date_overrules_after_days):
        return from_url, from_url
    if found is not None:
        return found
    searched = _htmldate(html, url, reference_date)
    if searched:
        return searched, searched
    return _text_date(tree, reference_date, languages, rules, config) or (None, None)


def _text_date(tree: HtmlElement, reference_date: date | None, languages: list[str] | None,
               rules: HtmlMetaRules, config: Config | None) -> tuple[str, str] | None:
    """The first full date written in the text right after the headline (a dateline), not
    an update's."""
    body = tree.find("body")
    if body is None:
        return None
    date_rules = load_metadata_rules(config).dates
    start = next(iter(body.iter("h1")), None)
    seen = 0
    started = start is None
    for element in body.iter():
        if element is start:
            started = True
            continue
        if not started or not isinstance(element.tag, str) or element.tag in ("script", "style", "noscript"):
            continue
        for text in (element.text, element.tail):
            text = _text(text)
            if not text or _outside_article(element, rules):
                continue
            span = find_date_span(text, config=config)
            if span is not None and not date_rules.updated_label.search(text[: span[0]]):
                # a short line goes whole, so parse_date sees its labels; a long one by its date
                line = text if len(text) <= date_rules.max_chars else text[span[0]:span[1]]
                parsed = parse_date(line, reference_date=reference_date, languages=languages, config=config)
                if parsed is not None and parsed.iso is not None:
                    return parsed.iso, parsed.raw
            seen += len(text)
            if seen > rules.text_date_window_chars:
                return None
    return None


def _htmldate(html: str, url: str | None, reference_date: date | None) -> str | None:
    """htmldate's original-date search over markup and URL (its free-text search invents
    dates from copyright years, so it stays off)."""
    from htmldate import find_date

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            kwargs = {"max_date": reference_date.isoformat()} if reference_date else {}
            return find_date(html, url=url, original_date=True, extensive_search=False, **kwargs)
        except (ValueError, TypeError):
            return None


def _headline(tree: HtmlElement, fields: dict[str, list[str]], jsonld: _JsonLd, h1s: list[str], h2s: list[str],
              title_tags: list[str], site_name: str | None, rules: HtmlMetaRules, config: Config | None) -> str | None:
    """The headline the page's title sources agree on, each without site-name affixes."""
    def source(group: str, raw: str) -> _TitleSource:
        return _TitleSource(group, raw, clean_title(raw, site_name, config=config))

    # a kicker element inside the h1 is a label, not part of the headline
    kickerless = [k for k in (_without_kicker(h) for h in list(tree.iter("h1"))[:1]) if k]
    candidates = [source("h1", h) for h in kickerless + h1s[len(kickerless):]]
    candidates += [source("jsonld", t) for t in jsonld.headline[:1]]
    candidates += [source("meta", v) for _, v in list(_first(fields, rules.title_meta))[:3]]
    candidates += [source("title", t) for t in title_tags]
    candidates += [source("h2", h) for h in h2s]
    return _choose_title(candidates, site_name, load_metadata_rules(config).titles.separators)


def extract_html_metadata(html: str, *, url: str | None = None, reference_date: date | None = None,
                          config: Config | None = None, tree: HtmlElement | None = None) -> HtmlMetadata:
    """Title, description, authors, publication date, site name, canonical URL and language hint.

    ``tree``, when the caller already parsed ``html`` the same way (trafilatura's
    ``load_html``), saves a second parse; it is only read.
    """
    rules = load_html_meta_rules(config)
    if tree is None:
        tree = _parse(html)
    if tree is None:
        return HtmlMetadata(url=url, site_name=_site_from_domain(url))
    fields = _meta_fields(tree)
    canonical = _canonical(tree, fields, url)
    jsonld = _read_jsonld(_jsonld_nodes(tree), rules, canonical)
    language_hint = _language_hint(tree, fields, rules)

    title_tags = [_element_text(t) for t in tree.iter("title")][:1]
    meta_titles = [v for _, v in _first(fields, rules.title_meta)]
    h1s = [_element_text(h) for h in tree.iter("h1")][:3]
    h2s = [_element_text(h) for h in list(tree.iter("h2"))[:2]]
    headline_keys = {comparison_key(t) for t in jsonld.headline[:1] + h1s + h2s + meta_titles} - {""}
    site_name = _site_name(fields, jsonld, title_tags + meta_titles, headline_keys, url or canonical, rules,
                           load_metadata_rules(config).titles)
    title = _headline(tree, fields, jsonld, h1s, h2s, title_tags, site_name, rules, config)
    description = next((v for _, v in _first(fields, rules.description_meta)), None) \
        or next(iter(jsonld.description), None)
    authors = _choose_authors(tree, fields, jsonld, site_name, rules, config)
    date_published, date_raw = _choose_date(html, tree, fields, jsonld, url or canonical,
                                            reference_date, _date_languages(language_hint), rules, config)
    return HtmlMetadata(title=title, description=description, authors=authors,
                        date_published=date_published, date_raw=date_raw, site_name=site_name,
                        url=canonical, language_hint=language_hint)
