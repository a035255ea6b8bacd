"""The site: its name on a page (og:site_name, JSON-LD publisher, the ``<title>`` affix, the
domain), and whether a byline or title affix names the site rather than a person or headline."""
from __future__ import annotations

from urllib.parse import urlsplit

from pipeline.metadata.jsonld import JsonLd
from pipeline.metadata.markup import field_text, meta_values
from pipeline.metadata.rules import HtmlMetaRules, TitleRules
from pipeline.metadata.strings import comparison_key, split_at_separators


def site_keys(site_name: str, articles: frozenset[str]) -> set[str]:
    """Comparison keys of a site name: its letters, without a leading article ("The Telegraph"),
    and for a domain its name without "www." and TLD and its longest hyphenated part."""
    keys = {comparison_key(site_name)}
    words = site_name.split()
    if len(words) > 1 and words[0].casefold() in articles:
        keys.add(comparison_key(" ".join(words[1:])))
    text = site_name.strip().casefold()
    if "." in text and " " not in text:
        labels = [label for label in text.split(".") if label and label not in ("www", "m", "amp")]
        if len(labels) >= 2:
            keys.add(comparison_key(".".join(labels[:-1])))
            longest = max(labels[:-1], key=len)
            keys.add(comparison_key(longest))
            keys.add(comparison_key(max(longest.split("-"), key=len)))
    return {k for k in keys if len(k) >= 3}


def is_site(name: str, site_name: str | None, articles: frozenset[str]) -> bool:
    """Whether ``name`` is the site: the same letters ("newser.com", "FreeWestMedia"), the
    site's name and more ("Newser Staff"), or the site's first words ("Eurosport" of
    "Eurosport Deutschland")."""
    if not site_name or not comparison_key(name):
        return False
    keys = site_keys(site_name, articles)
    if comparison_key(name) in keys or any(len(k) >= 4 and comparison_key(name).startswith(k) for k in keys):
        return True
    name_words = [k for k in (comparison_key(w) for w in name.split()) if k]
    site_words = [k for k in (comparison_key(w) for w in site_name.split()) if k]
    shorter = min(len(name_words), len(site_words))
    return shorter > 0 and name_words[:shorter] == site_words[:shorter]


def _extra_words(part: str, site_key: str) -> int | None:
    """How many words of ``part`` follow its first words that spell ``site_key``, or None."""
    words = [k for k in (comparison_key(w) for w in part.split()) if k]
    spelled = ""
    for index, word in enumerate(words):
        spelled += word
        if spelled == site_key:
            return len(words) - index - 1
        if not site_key.startswith(spelled):
            return None
    return None


def matches_site(part: str, site_name: str, articles: frozenset[str]) -> bool:
    """Whether a title affix names the site: its letters, or the site's name and at most two
    more words ("brand eins online" for brandeins.de, "Bundeskanzleramt Österreich")."""
    a = comparison_key(part)
    if not a:
        return False
    for b in site_keys(site_name, articles):
        if a == b:
            return True
        extra = _extra_words(part, b) if len(b) >= 3 else None
        if extra is not None and extra <= 2:
            return True
        # the affix is the site's first words: "Eurosport" for "Eurosport Deutschland"
        if len(a) >= 4 and _extra_words(site_name, a) is not None:
            return True
    return False


def is_site_account(name: str, site_name: str | None, separators: tuple[str, ...]) -> bool:
    """Whether ``name`` is exactly the site's name (or its name's first segment): its account."""
    if not site_name:
        return False
    segments = split_at_separators(site_name, separators)
    first = segments[0] if segments else site_name
    return comparison_key(name) in {comparison_key(site_name), comparison_key(first)}


def site_from_domain(url: str | None) -> str | None:
    """The URL's host without "www.", "m." or "amp.", or None."""
    if not url:
        return None
    host = urlsplit(url).hostname or ""
    host = host.removeprefix("www.").removeprefix("m.").removeprefix("amp.")
    return host or None


def choose_site_name(fields: dict[str, list[str]], jsonld: JsonLd, titles: list[str], headline_keys: set[str],
                     url: str | None, rules: HtmlMetaRules, title_rules: TitleRules) -> str | None:
    """og:site_name, JSON-LD publisher or website, the ``<title>`` affix, then the domain."""
    # the page's own title fields (not the h1, which may be the site's logo)
    title_keys = {comparison_key(t) for t in titles + jsonld.headline[:1]} - {""}
    # a "site name" that is the headline itself is a template error, not the site
    for _, value in meta_values(fields, rules.site_meta):
        if value.startswith(("http://", "https://")):
            value = site_from_domain(value) or value
        if comparison_key(value) not in title_keys:
            return value
    for value in jsonld.publisher + jsonld.site:
        value = field_text(value)
        if value and comparison_key(value) not in title_keys:
            return value
    suffix = _title_affix(titles, headline_keys, title_rules)
    if suffix and comparison_key(suffix) not in title_keys:
        return suffix
    for _, value in meta_values(fields, rules.site_meta_fallback):
        if comparison_key(value) not in title_keys:
            return value
    return site_from_domain(url)


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
