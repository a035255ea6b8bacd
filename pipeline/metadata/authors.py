"""Authors: person names from bylines and author fields, and whether a text line is a byline.

Strips prefixes, roles, employers, e-mails, handles and UI text; drops organisations and the
site itself. The patterns are the ``[metadata.authors]`` and ``[metadata.bylines]`` tables.
"""
from __future__ import annotations

import re

from pipeline.config import Config
from pipeline.metadata.dates import find_date_span, is_weekday, parse_date
from pipeline.metadata.rules import AuthorRules, load_metadata_rules
from pipeline.metadata.site import is_site, site_keys
from pipeline.metadata.strings import clean_space, comparison_key, is_host_name

_FLAGS = re.IGNORECASE | re.UNICODE
_URL = re.compile(r"(?:https?://|www\.)\S+", _FLAGS)
# a match starts where a run of address characters starts (the lookbehind): tried from
# every character of a long run, the pattern was quadratic in the line's length
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+\s*(?:@|\[at\]|\(at\)|\{at\})\s*[\w-]+(?:\s*(?:\.|\[dot\]|\(dot\))\s*[\w-]+)+", _FLAGS)
_HANDLE = re.compile(r"(?<![\w@])@\w{2,}", _FLAGS)
_EMPTY_BRACKETS = re.compile(r"[(\[{]\s*[)\]}]")
_EDGE_PUNCT = " \t\"'“”„«»‘’,;:.|/\\-–—·•*()[]{}©®"


def _strip_edges(text: str) -> str:
    stripped = text.strip(_EDGE_PUNCT)
    # a closing bracket that closes one inside stays: "Anna Schmidt (dpa)" is cut by a role rule
    for opening, closing in ("()", "[]"):
        if text.rstrip().endswith(closing) and stripped.count(opening) > stripped.count(closing):
            return stripped + closing
    # keep the period of a final abbreviation or initial ("Perry Bacon Jr.", "John F.")
    if stripped and text.rstrip().rstrip(_EDGE_PUNCT.replace(".", "")).endswith(stripped + "."):
        last = stripped.split()[-1] if stripped.split() else ""
        if len(last) <= 2 or "." in last:  # "Jr.", "F.", "Ph.D."
            return stripped + "."
    return stripped


def _unwrap(text: str, rules: AuthorRules) -> str:
    """Strip UI wrappers and byline prefixes, repeatedly ("By: Author: X")."""
    for _ in range(3):
        before = text
        for wrapper in rules.ui_wrappers:
            m = wrapper.match(text)
            if m:
                text = _strip_edges(m.group("name"))
        text = _strip_edges(rules.prefix.sub("", text, count=1))
        if text == before:
            break
    return text


def _cut_roles(text: str, rules: AuthorRules) -> str:
    """``text`` without role, employer and date suffixes; "" when what is left is one word of
    an organisation's credit ("Podium Staff", "Center for Drug Evaluation"): a desk, not a person."""
    whole = text
    for _ in range(3):
        before = text
        for suffix in rules.role_suffixes:
            text = _strip_edges(suffix.sub("", text))
        if text == before:
            break
    if text != whole and " " not in text and _is_organisation(whole, rules, None):
        return ""
    return text


def _name_ok(name: str, rules: AuthorRules, site_name: str | None, config: Config | None = None,
             organisations: bool = False) -> bool:
    if not name or name.casefold() in rules.drop_exact:
        return False
    words = name.split()
    # an organisation's name runs longer than a person's ("Center for Drug Evaluation and Research")
    if len(words) > rules.max_words * (2 if organisations else 1) or any(ch in name for ch in "!?:=<>{}#"):
        return False
    if not any(ch.isalpha() for ch in name) or words[0][0].isdigit():
        return False
    if not organisations and len(words) > 1 and any(ch.isdigit() for ch in name):
        return False  # "Atlas Van Lines - 10", "Adam K 82": a person's name holds no digit (a handle may: "c1ph4")
    lower = [w for w in words[1:] if w[:1].islower() and w.casefold() not in rules.particles]
    if words[0][:1].isupper() and lower and not (organisations and all(len(w) <= 3 for w in lower)):
        # "Personal finance", "Similar options include OVH": a phrase, not a name; an
        # organisation's name may hold short ones ("Center for Drug Evaluation and Research")
        return False
    if any(ch.isdigit() for ch in name) and parse_date(name, config=config) is not None:
        return False  # "vor 5 Stunden", "Nov 9, 2023" in a byline element
    return organisations or not _is_organisation(name, rules, site_name)


def _is_organisation(name: str, rules: AuthorRules, site_name: str | None) -> bool:
    """Whether ``name`` holds an organisation word ("Staff", "Reuters", "GmbH") or is the site;
    a site named like a person ("Kyle Howells Blog", a one-person site) does not make its
    owner's name an organisation."""
    tokens = [_strip_edges(w).casefold() for w in re.split(r"[\s/]+", name)]
    if any(tok in rules.org_words for tok in tokens) or is_host_name(name):
        return True
    if not is_site(name, site_name, rules.site_articles):
        return False
    return not _site_owner(name, site_name, rules)


def _site_owner(name: str, site_name: str | None, rules: AuthorRules) -> bool:
    """Whether ``name``, which names the site, is the person the site is named after: the
    site's name is the person's and more ("Myles Katherine Photography"), the domain spells
    it ("Guillaume Gomez" on blog.guillaume-gomez.fr), or the site's name is a person's name
    and this is it, however cased ("annette thurmon" on "Annette Thurmon"). "Telegraph Sport"
    (the site's name and a desk) stays the site."""
    key = comparison_key(name)
    if not site_name or not key:
        return False
    if key == comparison_key(site_name) and _person_shaped(site_name, rules) and len(name.split()) >= 2 \
            and not name.isupper():
        return True  # not "HomeAdvisor" on "Home Advisor", nor a brand in capitals ("USA TODAY")
    spelled = any(k.startswith(key) for k in site_keys(site_name, rules.site_articles))
    return spelled and _person_shaped(name, rules)


def _person_shaped(name: str, rules: AuthorRules) -> bool:
    """Two to ``max_words`` capitalised words (particles aside), not led by an article."""
    words = name.split()
    if not 2 <= len(words) <= rules.max_words or words[0].casefold() in rules.site_articles:
        return False
    capitals = [w for w in words if w.casefold() not in rules.particles]
    return len(capitals) >= 2 and all(w[:1].isupper() and not any(ch.isdigit() for ch in w) for w in capitals)


def _is_role(part: str, rules: AuthorRules) -> bool:
    """Whether a byline part is a job title ("Marketing Director", "CEO of X")."""
    return any(_strip_edges(w).casefold() in rules.role_words for w in part.split())


def _tidy_case(name: str) -> str:
    """Title-case a multi-word name written in capitals ("JOHN SMITH" -> "John Smith"); a
    name printed twice in one element ("Kathrin Führes Kathrin Führes") once."""
    words = name.split()
    half = len(words) // 2
    if len(words) % 2 == 0 and half >= 1 and words[:half] == words[half:]:
        words = words[:half]
        name = " ".join(words)
    if len(words) >= 2 and name.isupper():
        return " ".join(w.capitalize() if len(w) > 2 or not w.endswith(".") else w for w in words)
    return name


def _cut_at_date(text: str, config: Config | None) -> str:
    """The byline without a date in it: the text before the date (and a weekday right before
    it, "Thursday,"), or after it when the date comes first."""
    rules = load_metadata_rules(config).dates
    span = find_date_span(text, config=config)
    if span is None:
        return text
    date_text = text[span[0]:span[1]]
    words = text[: span[0]].split()
    while words and is_weekday(words[-1], date_text, rules):
        words.pop()
    before = " ".join(words).strip(_EDGE_PUNCT)
    after = text[span[1]:].strip(_EDGE_PUNCT)
    # "Posted on 2015-04-05 by marc": the names may follow the date
    return f"{before} ; {after}" if before and after else before or after


def _split_names(text: str, rules: AuthorRules) -> list[tuple[str, str]]:
    """The parts of a byline, each with the separator before it ("" for the first)."""
    parts, position, before = [], 0, ""
    for m in rules.separators.finditer(text):
        parts.append((text[position:m.start()], before))
        before, position = m.group(0).strip(), m.end()
    parts.append((text[position:], before))
    return parts


def _without_addresses(text: str) -> str:
    text = clean_space(text)
    text = _HANDLE.sub(" ", _EMAIL.sub(" ", _URL.sub(" ", text)))
    return clean_space(_EMPTY_BRACKETS.sub(" ", text))


def _credited_from(text: str, rules: AuthorRules, config: Config | None = None) -> list[str]:
    """The team or company one author string credits, whole ("Podium Staff", "Morgan & Morgan")."""
    text = _unwrap(_strip_edges(_cut_at_date(_without_addresses(text), config)), rules)
    if _is_role(text, rules) or not _name_ok(text, rules, None, config, organisations=True):
        return []
    return [text]  # as written: "USA TODAY" is a brand, not a name in capitals


def _names_from(text: str, rules: AuthorRules, site_name: str | None,
                config: Config | None = None) -> list[str]:
    """The person names of one byline string."""
    text = _without_addresses(text)
    text = _cut_roles(_unwrap(_strip_edges(_cut_at_date(text, config)), rules), rules)
    found: list[tuple[str, bool]] = []  # (name, follows a comma)
    dropped_organisation = after_role = False
    for part, before in _split_names(text, rules):
        if rules.credit_part.match(_strip_edges(part)):
            continue
        credential = part.strip(" ,;")
        part = _strip_edges(_cut_roles(_unwrap(_strip_edges(part), rules), rules))
        if found and before == "," and rules.post_nominal.match(credential) and not _is_organisation(part, rules, None):
            # "Shelby Loos, DVM", "Genevieve Carlton, Ph.D.": a credential belongs to the name before it
            found[-1] = (f"{found[-1][0]}, {credential}", found[-1][1])
            continue
        if _is_role(part, rules) or (after_role and before not in (",", ";")):
            # "Liza Burke, Marketing Director": the role after a name; "Head of Marketing and
            # Community Development": a role goes on after a conjunction
            after_role = True
            continue
        after_role = False
        if _name_ok(part, rules, site_name, config):
            found.append((_tidy_case(part), before == ","))
        elif part and _is_organisation(part, rules, site_name):
            dropped_organisation = True
    return _drop_places_and_codes(found, dropped_organisation)


def _drop_places_and_codes(found: list[tuple[str, bool]], beside_organisation: bool) -> list[str]:
    """Drop what only looks like a name because of where it stands in the byline."""
    full_names = any(len(name.split()) > 1 for name, _ in found)
    if beside_organisation and not full_names:
        # "Reuters, Washington": beside an agency, one capitalised word is the dateline's place
        found = [(name, comma) for name, comma in found if not name[:1].isupper()]
    if len(found) > 1 and not all(_agency_code(name) for name, _ in found):
        # "Peter Maahn/SP-X": a short code in capitals beside a name is an agency
        found = [(name, comma) for name, comma in found if not _agency_code(name)]
    if full_names:
        # "Von Katrin Elger, Hamburg": one capitalised word after a comma, beside full names, is a place
        found = [(name, comma) for name, comma in found
                 if not (comma and len(name.split()) == 1 and name[:1].isupper())]
    return [name for name, _ in found]


def _agency_code(name: str) -> bool:
    letters = [ch for ch in name if ch.isalpha()]
    return " " not in name and name.isupper() and len(letters) <= 5


def normalise_authors(raw: str | list[str] | None, *, site_name: str | None = None,
                      config: Config | None = None, organisations: bool = False) -> list[str]:
    """Person names from a byline or author field(s), in order, without duplicates.

    Strips prefixes ("By", "Von", "Par"), roles and employers ("Staff Writer", "for Daily
    Mail", "| Reuters"), e-mails, handles, URLs and UI text; drops organisations and the
    site itself (``site_name``) unless ``organisations`` (a team or company credited as
    the author: "Podium Staff", "InstaTunnel Team").
    """
    rules = load_metadata_rules(config).authors
    items = [raw] if isinstance(raw, str) else list(raw or [])
    out: list[str] = []
    seen: set[str] = set()
    for item in items:
        if not isinstance(item, str):
            continue
        found = _credited_from(item, rules, config) if organisations else _names_from(item, rules, site_name, config)
        for name in found:
            key = comparison_key(name)
            if key and key not in seen:
                seen.add(key)
                out.append(name)
    return out


def is_person_name(text: str, *, config: Config | None = None) -> bool:
    """Whether ``text`` is shaped like a person's name: 2-5 capitalised words, particles aside."""
    rules = load_metadata_rules(config).authors
    words = clean_space(text).split()
    if len(words) == 1 and 2 <= len(words[0]) <= 4 and all("\u4e00" <= ch <= "\u9fff" for ch in words[0]):
        return True  # a Chinese name is written as one run of two to four characters
    if not 2 <= len(words) <= rules.max_words:
        return False
    capitals = 0
    for word in words:
        if word.casefold() in rules.particles:
            continue
        head = word.lstrip("'’(\"")
        if not head or not head[0].isupper() or any(ch.isdigit() for ch in head):
            return False
        capitals += 1
    return capitals >= 2 and _name_ok(" ".join(words), rules, None, config)


def byline_kind(line: str, *, config: Config | None = None) -> str | None:
    """What a text line's names after a byline prefix are: "people" (person-shaped names),
    "first_name" (one first name alone: "Posted by David"), or None (no byline)."""
    rules = load_metadata_rules(config)
    # most lines of a page fail the prefix already as written (entities aside): no cleaning for them
    if "&" not in line and not rules.bylines.line.match(line.lstrip(_EDGE_PUNCT)):
        return None
    text = clean_space(line).lstrip(_EDGE_PUNCT)
    if not text or len(text) > rules.bylines.max_chars or not rules.bylines.line.match(text):
        return None
    names = normalise_authors(text, config=config)
    if names and all(is_person_name(n, config=config) or len(n.split()) == 1 for n in names) \
            and any(is_person_name(n, config=config) for n in names):
        return "people"
    return "first_name" if len(names) == 1 and _first_name(names[0]) else None


def looks_like_byline(line: str, *, config: Config | None = None, one_name: bool = False) -> bool:
    """Whether a text line is a byline: a byline prefix followed by person-shaped names, or
    (``one_name``, where the caller has more evidence) by one first name alone."""
    kind = byline_kind(line, config=config)
    return kind == "people" or (one_name and kind == "first_name")


def _first_name(name: str) -> bool:
    """One capitalised word of letters only ("David", "Krystyna"), not in capitals ("CNN")."""
    return " " not in name and len(name) >= 3 and name.isalpha() and name[0].isupper() and not name.isupper()
