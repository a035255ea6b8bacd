"""Title, publication day and authors on the dev pages: newsclean beside htmldate alone and
trafilatura's ``bare_extraction``, in one run over the same pages.

    python -m pipeline.measure.metadata_eval [--shared DIR] [--folds 5] [--no-url] [--json]

This is the command that regenerates the README's metadata table. The order in which
newsclean trusts a page's date sources (``[metadata.html] date_sources`` and
``url_date_overrules_after_days``) is fitted, so its day figure is site-grouped
cross-validated: pages are grouped by the domain of their gold URL, a domain's pages fall in
fold ``sha256(domain) mod folds``, the order is chosen on the other folds and scored on the
held-out one, and the figure is the sum over held-out folds. Nothing is fitted for titles
and authors, but their rules are written looking only at the pages of folds 0-2: the rows
"all, folds 0-2" and "all, folds 3-4" give the figures there and on the unseen folds. Matching is the shared scorer's: a gold ``date`` is
compared with the day of the prediction, titles and authors after whitespace and quote
normalisation, case-insensitively; a gold value of null is not scored.
"""
from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import re
import sys
import unicodedata
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from pipeline.measure.evaluation import decode_page, page_key, read_page
from pipeline.measure.gate import shared_dir
from pipeline.metadata.dates import DATE_SOURCES, FoundDate, decide_date
from pipeline.metadata.page import extract_html_metadata
from pipeline.metadata.rules import load_html_meta_rules

# (name, pages folder, gold folder), relative to <shared>
SETS = (("dev/meta", "corpus/dev/meta/html", "corpus/dev/meta/gold"),
        ("dev/wcxb", "corpus/dev/wcxb/html", "corpus/dev/wcxb/gold"))
# the URL-overrule thresholds tried beside each source order (36500: in effect never)
OVERRULE_DAYS = (1, 30, 365, 36500)
FIELDS = ("title", "date", "authors")
# of 5 site folds: those looked at while writing title and author rules, and those kept unseen
TUNING_FOLDS = frozenset({0, 1, 2})
HELD_OUT_FOLDS = frozenset({3, 4})


@dataclass
class Page:
    """One dev page: its set, gold, site, each side's prediction and each date source's date."""

    set: str
    key: str
    site: str
    gold: dict
    predicted: dict[str, dict] = field(default_factory=dict)  # side -> field -> value
    sources: dict[str, FoundDate | None] = field(default_factory=dict)


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    for a, b in (("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'), ("\u201d", '"')):
        text = text.replace(a, b)
    return " ".join(text.split()).lower()


def matches(name: str, predicted: object, gold: object) -> bool:
    """Whether a predicted field matches its gold value, as the shared scorer decides."""
    if name == "date":
        return isinstance(predicted, str) and predicted[:10] == str(gold)[:10]
    if name == "authors":
        names = [a for a in re.split(r"\s*;\s*", predicted) if a] if isinstance(predicted, str) else predicted
        return sorted(_norm(a) for a in names or []) == sorted(_norm(a) for a in gold or [])
    return isinstance(predicted, str) and _norm(predicted) == _norm(gold)


def scored(page: Page, name: str) -> bool:
    """Whether the page's gold has a value for ``name`` (null is not scored)."""
    return page.gold.get(name) is not None


def site_of(url: str | None) -> str:
    """The domain a page is grouped by: its gold URL's host without ``www.``."""
    host = (urlsplit(url or "").hostname or "").lower()
    return host.removeprefix("www.")


def fold_of(site: str, folds: int) -> int:
    return int(hashlib.sha256(site.encode()).hexdigest(), 16) % folds


def _trafilatura(html: str, url: str | None) -> dict:
    from trafilatura import bare_extraction

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        doc = bare_extraction(html, url=url, with_metadata=True)
    if doc is None:
        return {"title": None, "date": None, "authors": []}
    return {"title": doc.title, "date": doc.date, "authors": doc.author or ""}


def read_pages(shared: Path, with_url: bool = True) -> list[Page]:
    """Every page of the dev sets that has gold, each side run on it once."""
    pages = []
    for name, folder, gold_folder in SETS:
        golds = {p.stem: p for p in (shared / gold_folder).glob("*.json")}
        for path in sorted((shared / folder).iterdir()):
            key = page_key(path)
            if key not in golds:
                continue
            gold = json.loads(golds[key].read_text(encoding="utf-8"))
            html = decode_page(read_page(path))
            url = gold.get("url") if with_url else None
            meta = extract_html_metadata(html, url=url)
            page = Page(set=name, key=key, site=site_of(gold.get("url")), gold=gold)
            page.sources = {s: meta.dates.get(s) for s in DATE_SOURCES}
            page.predicted = {
                "newsclean": {"title": meta.title, "authors": meta.authors},
                "htmldate": {"date": meta.dates.searched_day()},  # its own answer, unjudged
                "trafilatura": _trafilatura(html, url),
            }
            pages.append(page)
    return pages


Setting = tuple[tuple[str, ...], int]  # (source order, URL-overrule days)


def settings() -> list[Setting]:
    """Every source order with every URL-overrule threshold, the configured default first."""
    rules = load_html_meta_rules()
    default = (rules.date_sources, rules.url_date_overrules_after_days)
    every = [(order, days) for order in itertools.permutations(DATE_SOURCES) for days in OVERRULE_DAYS]
    return [default] + [s for s in every if s != default]


def date_hits(pages: list[Page], setting: Setting) -> list[bool]:
    """For each page, whether the setting's date is its gold day."""
    order, days = setting
    hits = []
    for page in pages:
        found = decide_date(page.sources, order, days)
        hits.append(matches("date", found.iso if found else None, page.gold.get("date")))
    return hits


def cross_validate(pages: list[Page], folds: int) -> tuple[list[str | None], list[dict]]:
    """Held-out date predictions per page (None where gold has no date), and each fold's choice."""
    dated = [i for i, p in enumerate(pages) if scored(p, "date")]
    candidates = settings()
    hits = {s: date_hits([pages[i] for i in dated], s) for s in candidates}
    fold = [fold_of(pages[i].site, folds) for i in dated]
    held_out: list[str | None] = [None] * len(pages)
    chosen = []
    for k in range(folds):
        train = [j for j, f in enumerate(fold) if f != k]
        # the first best in candidate order: the configured default wins a tie
        best = max(candidates, key=lambda s: sum(hits[s][j] for j in train))
        test = [j for j, f in enumerate(fold) if f == k]
        for j in test:
            found = decide_date(pages[dated[j]].sources, *best)
            held_out[dated[j]] = found.iso if found else None
        chosen.append({"fold": k, "order": list(best[0]), "url_overrules_after_days": best[1],
                       "train": f"{sum(hits[best][j] for j in train)}/{len(train)}",
                       "held_out": f"{sum(hits[best][j] for j in test)}/{len(test)}"})
    everything = max(candidates, key=lambda s: sum(hits[s]))
    chosen.append({"fold": "all", "order": list(everything[0]), "url_overrules_after_days": everything[1]})
    return held_out, chosen


def figures(pages: list[Page], held_out: list[str | None], folds: int = 5) -> dict:
    """hits/total per set, side and field, and over all sets on the tuning and the unseen folds."""
    table: dict = {}
    sides = {"title": ("newsclean", "trafilatura"), "date": ("newsclean", "htmldate", "trafilatura"),
             "authors": ("newsclean", "trafilatura")}
    groups = [(name, lambda p, name=name: p.set == name) for name, _, _ in SETS] + [("all", lambda p: True)]
    # the rules are written looking only at folds 0-2; folds 3-4 stay unseen to judge them
    groups += [(f"all, folds {label}", lambda p, keep=keep: fold_of(p.site, folds) in keep)
               for label, keep in (("0-2", TUNING_FOLDS), ("3-4", HELD_OUT_FOLDS))]
    for set_name, member in groups:
        chosen = [(i, p) for i, p in enumerate(pages) if member(p)]
        for name in FIELDS:
            for side in sides[name]:
                hit = total = 0
                for i, page in chosen:
                    if not scored(page, name):
                        continue
                    value = held_out[i] if (side, name) == ("newsclean", "date") else page.predicted[side][name]
                    total += 1
                    hit += matches(name, value, page.gold[name])
                table.setdefault(set_name, {}).setdefault(name, {})[side] = f"{hit}/{total}"
    return table


def format_table(table: dict) -> str:
    """The figures as a markdown table, one row per set and field."""
    lines = ["| set | field | newsclean | htmldate alone | trafilatura `bare_extraction` |",
             "|---|---|---|---|---|"]
    for set_name, by_field in table.items():
        for name, by_side in by_field.items():
            cells = [_cell(by_side.get(side)) for side in ("newsclean", "htmldate", "trafilatura")]
            label = "day (held-out CV)" if name == "date" else name
            lines.append(f"| {set_name} | {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _cell(shown: str | None) -> str:
    if shown is None:
        return "–"
    hit, total = (int(x) for x in shown.split("/"))
    return f"{hit / total:.3f} ({shown})" if total else shown


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.measure.metadata_eval", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=None, help="the shared folder (default: as the gate finds it)")
    parser.add_argument("--folds", type=int, default=5, help="site-grouped folds (default: 5)")
    parser.add_argument("--no-url", action="store_true", help="do not give the sides the page URL")
    parser.add_argument("--json", action="store_true", help="print the figures and fold choices as JSON")
    args = parser.parse_args(argv)
    shared = args.shared or shared_dir()
    if not all((shared / folder).is_dir() for _, folder, _ in SETS):
        print(f"no dev sets under {shared}", file=sys.stderr)
        return 2
    pages = read_pages(shared, with_url=not args.no_url)
    held_out, chosen = cross_validate(pages, args.folds)
    table = figures(pages, held_out, args.folds)
    if args.json:
        print(json.dumps({"figures": table, "folds": chosen}, indent=1))
    else:
        print(format_table(table))
        for c in chosen:
            print(f"fold {c['fold']}: {' > '.join(c['order'])}, URL overrules after {c['url_overrules_after_days']} d"
                  + (f" (train {c['train']}, held-out {c['held_out']})" if "train" in c else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
