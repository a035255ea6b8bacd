"""Titles: a headline without site-name or date affixes, and the headline a page's title
sources (h1, JSON-LD, social meta, ``<title>``, h2) agree on."""
from __future__ import annotations

from dataclasses import dataclass

from lxml.html import HtmlElement

from pipeline.config import Config
from pipeline.metadata.dates import find_date_span, parse_date
from pipeline.metadata.jsonld import JsonLd
from pipeline.metadata.markup import element_text, field_text, meta_values
from pipeline.metadata.rules import HtmlMetaRules, TitleRules, load_metadata_rules
from pipeline.metadata.site import matches_site
from pipeline.metadata.strings import clean_space, comparison_key, is_host_name, split_at_separators


def _strip_site_name(text: str, site_name: str, separators: tuple[str, ...]) -> str:
    """Cut a site name that itself holds separators ("My Daily Magazine - Art, Design")."""
    site = site_name.strip()
    for separator in separators:
        # compared case-folded, cut by the original's length: folding may change it ("ß" is "ss")
        affix = len(site) + len(separator)
        if len(text) <= affix:
            continue
        if text[-affix:].casefold() == (separator + site).casefold():
            return text[:-affix].strip()
        if text[:affix].casefold() == (site + separator).casefold():
            return text[affix:].strip()
    return text


# tags a browser runs into the text around them: a boundary at one of them is no space
# ("Planning <span class="hand">C</span>ycle" reads "Planning Cycle")
_INLINE_TAGS = frozenset({"a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "font", "i", "kbd",
                          "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var"})


def headline_text(element: HtmlElement) -> str:
    """A heading's text as a browser lays it out: inline elements run into their neighbours,
    other elements and ``<br>`` part words (``element_text`` puts a space at every boundary)."""
    parts: list[str] = []

    def walk(node: HtmlElement) -> None:
        parts.append(node.text or "")
        for child in node:
            inline = isinstance(child.tag, str) and child.tag in _INLINE_TAGS
            # a comment's text, a script or a style is not shown
            if isinstance(child.tag, str) and child.tag not in ("script", "style"):
                if not inline:
                    parts.append(" ")
                walk(child)
                if not inline:
                    parts.append(" ")
            parts.append(child.tail or "")

    walk(element)
    return field_text("".join(parts))


def _unquote(text: str) -> str:
    """A headline wholly inside quotes loses them ("«Gute Löhne alleine reichen nicht»")."""
    pairs = {"«": "»", "»": "«", "“": "”", "„": "“", '"': '"', "‘": "’", "'": "'", "‹": "›"}
    if len(text) > 2 and text[0] in pairs and text[-1] == pairs[text[0]] \
            and text.count(text[0]) + text.count(text[-1]) == (1 if text[0] == text[-1] else 0) + 2:
        return text[1:-1].strip()
    return text


def _is_date_text(text: str, config: Config | None) -> bool:
    if not any(ch.isdigit() for ch in text) or len(text) > 40:
        return False
    if find_date_span(text, config=config) is None:
        return False  # the cheap span patterns first: most titles with a number hold no date
    parsed = parse_date(text, config=config)
    return parsed is not None and parsed.raw == clean_space(text)


def _strip_date_affix(text: str, separators: tuple[str, ...], config: Config | None) -> str:
    """Drop a date before or after the headline ("23.01.2022 - Headline", "Dec 18 2025 Headline")."""
    for separator in separators:
        first, sep, rest = text.partition(separator)
        if sep and rest.strip() and _is_date_text(first.strip(), config):
            return rest.strip()
        head, sep, last = text.rpartition(separator)
        if sep and head.strip() and _is_date_text(last.strip(), config):
            return head.strip()
    # a date run into the headline's start ("Dec 18 2025 Preparing a transition in Debusine")
    if any(ch.isdigit() for ch in text[:12]):
        span = find_date_span(text, config=config)
        rest = text[span[1]:].strip(_AFFIX_PUNCT) if span and span[0] == 0 else ""
        if len(rest.split()) >= 3:
            return rest
    return text


_AFFIX_PUNCT = " ,;:|-–—·•"


def clean_title(title: str, site_name: str | None = None, *, domain: str | None = None,
                config: Config | None = None) -> str:
    """The headline without site-name prefixes or suffixes ("... - FIT FOR FUN", "Site | Title").

    With ``site_name`` an affix is cut when it matches the site; without, a short trailing
    affix after a strong separator (" | ", " - ") is cut when the headline is clearly longer.
    A trailing section label ("| Opinion") goes, and so does an affix the page's ``domain``
    spells ("| DianaHR" on getdianahr.com).
    """
    rules = load_metadata_rules(config).titles
    articles = load_metadata_rules(config).authors.site_articles
    text = clean_space(title or "")
    if not text:
        return ""
    if site_name:
        text = _strip_site_name(text, clean_space(site_name), rules.separators)
    changed = True
    while changed:
        changed = False
        for separator in rules.separators:
            if separator not in text:
                continue
            # suffix: "Headline | Site"
            head, _, tail = text.rpartition(separator)
            head, tail = head.strip(), tail.strip()
            if head and tail and site_name and matches_site(tail, site_name, articles):
                text, changed = head, True
                break
            # prefix: "Site | Headline"
            first, _, rest = text.partition(separator)
            first, rest = first.strip(), rest.strip()
            if first and rest and site_name and matches_site(first, site_name, articles):
                text, changed = rest, True
                break
            # inside: "Headline - Site - Slogan" keeps what comes before the site
            parts = [p.strip() for p in text.split(separator)]
            inner = [i for i in range(1, len(parts) - 1) if site_name and matches_site(parts[i], site_name, articles)]
            if inner:
                text, changed = separator.join(parts[: inner[0]]).strip(), True
                break
    text = _strip_site_in_brackets(text, site_name, articles)
    if site_name and matches_site(text, site_name, articles):
        return clean_space(title)
    text = _strip_label_or_domain(text, rules, domain)
    if not site_name:
        text = _strip_generic_suffix(text, rules)
    return _unquote(_strip_date_affix(text, rules.separators, config))


def _strip_site_in_brackets(text: str, site_name: str | None, articles: frozenset[str]) -> str:
    """Cut the site's name in brackets after the headline ("The Fold-and-Cut Problem (Erik
    Demaine)" on erikdemaine.org)."""
    head, bracket, tail = text.rpartition(" (")
    if site_name and bracket and tail.endswith(")") and len(head.split()) >= 2 \
            and matches_site(tail[:-1], site_name, articles):
        return head.strip()
    return text


_STRONG_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ", " • ", " » ")


def _strip_label_or_domain(text: str, rules: TitleRules, domain: str | None) -> str:
    """Cut trailing affixes that are a section label, spelled inside the page's domain, a host
    name ("| FASSETTE.NET"), the initials of a domain label ("| Economic Research Service"
    on ers.usda.gov) or a list of keywords ("| Origin, Spread, Ethiopia, Arabia, Facts")."""
    labels = domain.split(".")[:-1] if domain and "." in domain else [domain or ""]
    host = comparison_key(labels[-1])
    initials = {comparison_key(label) for label in labels if len(label) >= 3}
    for _ in range(2):
        for separator in _STRONG_SEPARATORS:
            if separator not in rules.separators or separator not in text:
                continue
            head, _, tail = text.rpartition(separator)
            head, tail = head.strip(), tail.strip()
            key = comparison_key(tail)
            if len(head.split()) >= 2 and (tail.casefold() in rules.section_labels
                                          or (len(key) >= 4 and key in host)
                                          or is_host_name(tail) or _initials(tail) in initials
                                          or tail.count(",") >= 3):
                text = head
                break
        else:
            break
    return text


def _initials(text: str) -> str:
    """The initials of a name of three or more capitalised words ("Economic Research Service"
    -> "ers"), short words aside; "" otherwise."""
    words = [w for w in text.split() if w[:1].isupper()]
    if len(words) < 3 or len(words) < len(text.split()) - 2:
        return ""
    return "".join(w[0] for w in words).casefold()


def _strip_generic_suffix(text: str, rules: TitleRules) -> str:
    for separator in _STRONG_SEPARATORS:
        if separator not in rules.separators or separator not in text:
            continue
        head, _, tail = text.rpartition(separator)
        head, tail = head.strip(), tail.strip()
        if head and tail and len(tail.split()) <= min(4, rules.max_site_words) \
                and len(head.split()) >= 2 * len(tail.split()) and len(head.split()) >= 3:
            return head
    return text


def _support(candidate: str, raw: str, cleaned: str, separators: tuple[str, ...]) -> float:
    """How far another source's title backs ``candidate``: the same title, or its main segment."""
    key = comparison_key(candidate)
    if not key:
        return 0.0
    if key == comparison_key(cleaned) or key == comparison_key(raw):
        return 1.0
    for text in (cleaned, raw):
        segments = split_at_separators(text, separators)
        if len(segments) > 1 and key == comparison_key(max(segments, key=len)):
            return 0.8
    return 0.0


@dataclass(frozen=True)
class _TitleSource:
    group: str
    raw: str
    cleaned: str


def _topic_overlap(a: str, b: str) -> float:
    """The share of words two headlines have in common (Jaccard over comparison keys)."""
    first, second = ({comparison_key(w) for w in text.split()} - {""} for text in (a, b))
    return len(first & second) / len(first | second) if first | second else 0.0


def _choose_title(candidates: list[_TitleSource], site_name: str | None, rules: TitleRules) -> str | None:
    """The page's h1 when it tells the same story as the headline its other sources agree on
    (``h1_topic_overlap``), else that agreed headline.

    The agreed headline is the candidate the most other source groups back; ties go to the
    earlier candidate. Groups (h1, JSON-LD, social meta, ``<title>``, h2) count once each, so
    og:title and twitter:title do not outvote the page's own headline.
    """
    agreed = _agreed_title(candidates, site_name, rules.separators)
    # an h2 that prints the agreed headline says the h1 is something else (the site, a section)
    if agreed and any(c.group == "h2" and comparison_key(c.cleaned) == comparison_key(agreed) for c in candidates):
        return agreed
    # the first h1 that is not the site's logo ("<h1>Houstonia Magazine</h1>" over the headline's)
    h1s = [c.cleaned for c in candidates if c.group == "h1"]
    h1 = next((h for h in h1s if not (site_name and comparison_key(h) == comparison_key(site_name))), "")
    if agreed and h1 and h1 != agreed and _headline_shaped(h1) and not h1.isupper() \
            and _topic_overlap(h1, agreed) >= rules.h1_topic_overlap:
        return h1
    return agreed


def _headline_shaped(text: str) -> bool:
    return len(text.split()) >= 4 or len(text) >= 25


def _agreed_title(candidates: list[_TitleSource], site_name: str | None, separators: tuple[str, ...]) -> str | None:
    """The candidate headline the most other source groups back; ties go to the earlier one."""
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
        score = (sum(backing.values()), _headline_shaped(text), -index)
        if score > best_score:
            best, best_score = text, score
    return best


def _without_kicker(h1: HtmlElement) -> str | None:
    """An h1's text without a leading kicker element ("<span>Nach Corona</span> Headline")."""
    children = [c for c in h1 if isinstance(c.tag, str)]
    if not children or (h1.text or "").strip():
        return None
    first = children[0]
    kicker = element_text(first)
    rest = field_text(" ".join([first.tail or ""] + [" ".join(c.itertext()) + (c.tail or "") for c in children[1:]]))
    if kicker and len(rest.split()) >= 3 and len(kicker.split()) <= 6:
        return rest
    return None


def choose_headline(tree: HtmlElement, fields: dict[str, list[str]], jsonld: JsonLd, h1s: list[str],
                    h2s: list[str], title_tags: list[str], site_name: str | None, rules: HtmlMetaRules,
                    config: Config | None, domain: str | None = None) -> str | None:
    """The headline the page's title sources agree on, each without site-name affixes."""
    def source(group: str, raw: str) -> _TitleSource:
        return _TitleSource(group, raw, clean_title(raw, site_name, domain=domain, config=config))

    # a kicker element inside the h1 is a label, not part of the headline
    kickerless = [k for k in (_without_kicker(h) for h in list(tree.iter("h1"))[:1]) if k]
    candidates = [source("h1", h) for h in kickerless + h1s[len(kickerless):]]
    candidates += [source("jsonld", t) for t in jsonld.headline[:1]]
    candidates += [source("meta", v) for _, v in list(meta_values(fields, rules.title_meta))[:3]]
    candidates += [source("title", t) for t in title_tags]
    candidates += [source("h2", h) for h in h2s]
    return _choose_title(candidates, site_name, load_metadata_rules(config).titles)
