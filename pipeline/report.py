"""A run's report page: what went in, what came out, what was removed and why, in one static HTML file.

``summarise_run`` reads a finished run's files once, streaming (``manifest.json``, the
record files it lists, ``rejects.jsonl``), keeping only counters, bounded top-N example
lists and a deterministic sample of documents (those whose id hashes lowest).
``render_report`` turns that summary into one self-contained page: inline CSS and
hand-written SVG, no script, no network. Every piece of page text is escaped.

Records carry no positions for their removals, so a sampled document's removed spans are
placed by finding them, and its paragraphs, in the document's own input (re-read for the
sample only); a span that cannot be found there is listed after the text, never dropped.
"""
from __future__ import annotations

import hashlib
import heapq
import json
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import IO, Iterable, Iterator

from pipeline.batch.writing import read_records
from pipeline.document import RawInput
from pipeline.dedup.site_repeated import site_key
from pipeline.inputs.discovery import discover_inputs
from pipeline.inputs.limits import Limits
from pipeline.inputs.reading import read_input

REPORT_NAME = "report.html"
DEFAULT_SAMPLE = 50
TOP_SITES = 15
TOP_RULES = 25
RULE_EXAMPLES = 3
SAMPLE_LINKS = 8  # links to sample documents beside one count
REJECT_EXAMPLES = 5
TOP_LANGUAGES = 20
MAX_DAYS = 120  # beyond this many distinct days, the publication histogram counts months
EXAMPLE_CHARS = 300
# per sampled document, so that the page is bounded by the sample (about 75 kB a document at worst)
DOC_TEXT_CHARS = 30_000
DOC_REMOVED_CHARS = 20_000
REMOVAL_CHARS = 1_000
DOC_REMOVALS = 100
LENGTH_BINS = (0, 50, 100, 200, 400, 800, 1600, 3200)
NO_VALUE = "(none)"
# distinct on white, one per category in the order the run's categories sort
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
           "#bcbd22", "#7f7f7f", "#393b79", "#ad494a", "#637939", "#8c6d31", "#7b4173", "#3182bd",
           "#e6550d", "#31a354")


def _rank(record_id: str) -> str:
    """The sampling key: the same id is sampled in every run that has it."""
    return hashlib.sha256(record_id.encode("utf-8", "surrogatepass")).hexdigest()


def _clip(text: str, limit: int = EXAMPLE_CHARS) -> str:
    return text if len(text) <= limit else text[:limit] + " …"


def _words(text: str) -> int:
    return len(text.split())


def _length_bin(words: int) -> str:
    lower = max(b for b in LENGTH_BINS if b <= words)
    index = LENGTH_BINS.index(lower)
    return f"{lower}–{LENGTH_BINS[index + 1] - 1}" if index + 1 < len(LENGTH_BINS) else f"{lower}+"


@dataclass
class RuleStats:
    category: str
    count: int = 0
    examples: list[str] = field(default_factory=list)


@dataclass
class RunSummary:
    """Everything the page shows; its size grows with the sample and the top-N bounds, not the corpus."""

    manifest: dict
    records_read: int = 0
    rejects_read: int = 0
    removed_by_category: Counter = field(default_factory=Counter)
    removed_by_site: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    records_by_site: Counter = field(default_factory=Counter)
    rules: dict[str, RuleStats] = field(default_factory=dict)
    languages: Counter = field(default_factory=Counter)
    lengths: Counter = field(default_factory=Counter)
    days: Counter = field(default_factory=Counter)
    sample: list[dict] = field(default_factory=list)
    reject_examples: dict[str, list[dict]] = field(default_factory=dict)

    def add_record(self, record: dict) -> None:
        self.records_read += 1
        site = site_key(url=record.get("url"), site_name=record.get("site_name"),
                        source=record.get("source", "")) or NO_VALUE
        self.records_by_site[site] += 1
        for removal in record.get("removed", ()):
            category, rule = removal["category"], removal["rule"]
            self.removed_by_category[category] += 1
            self.removed_by_site[site][category] += 1
            stats = self.rules.setdefault(rule, RuleStats(category))
            stats.count += 1
            example = _clip(removal["text"])
            if len(stats.examples) < RULE_EXAMPLES and example not in stats.examples:
                stats.examples.append(example)
        self.languages[record.get("language") or NO_VALUE] += 1
        self.lengths[_length_bin(_words(record.get("text", "")))] += 1
        self.days[(record.get("date_published") or "")[:10] or NO_VALUE] += 1


def _lowest(items: Iterable[tuple[str, dict]], n: int) -> list[dict]:
    """The ``n`` items of lowest key, streaming: at most ``n`` held at a time."""
    return [item for _, item in heapq.nsmallest(n, items, key=lambda pair: pair[0])]


def _read_lines(path: Path) -> Iterator[dict]:
    if not path.exists():
        return
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def published_files(output_dir: Path, manifest: dict) -> tuple[list[Path], list[Path]]:
    """The record files and the rejects file of a published run."""
    return [Path(output_dir, name) for name in manifest.get("record_files", ())], [Path(output_dir, "rejects.jsonl")]


def summarise_run(manifest: dict, record_paths: Iterable[Path], reject_paths: Iterable[Path],
                  sample_size: int = DEFAULT_SAMPLE) -> RunSummary:
    """Read the run's record files and rejects once, streaming, into a bounded summary.

    The paths are the published files, or the work files a run is about to publish.
    """
    summary = RunSummary(manifest=manifest)

    def records() -> Iterator[tuple[str, dict]]:
        for path in record_paths:
            for record in read_records(Path(path)):
                summary.add_record(record)
                yield _rank(record["id"]), record

    summary.sample = sorted(_lowest(records(), sample_size), key=lambda r: r.get("source", ""))
    by_reason: dict[str, list[tuple[str, dict]]] = defaultdict(list)
    rejects = (reject for path in reject_paths for reject in _read_lines(Path(path)))
    for reject in rejects:
        summary.rejects_read += 1
        kept = by_reason[reject["reason"]]
        # the REJECT_EXAMPLES of lowest rank per reason, with a bounded list
        kept.append((_rank(reject["source"]), reject))
        if len(kept) > 4 * REJECT_EXAMPLES:
            kept[:] = heapq.nsmallest(REJECT_EXAMPLES, kept, key=lambda pair: pair[0])
    summary.reject_examples = {reason: _lowest(kept, REJECT_EXAMPLES) for reason, kept in sorted(by_reason.items())}
    return summary


# --- placing removed spans where they stood -------------------------------------------------

_SPACE = re.compile(r"\s+")
_PROBE_CHARS = 80


def normalise_for_search(text: str) -> str:
    """NFKC, case-folded, whitespace collapsed: how spans and their source are compared."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip().casefold()


def source_text(content: str, kind: str) -> str:
    """The readable text of an input, normalised for search (HTML: its text nodes outside script and style)."""
    if kind == "html":
        from lxml import html as lxml_html

        try:
            tree = lxml_html.fromstring(content)
        except (ValueError, TypeError, SyntaxError):
            return normalise_for_search(content)
        content = " ".join(tree.xpath("//text()[not(ancestor::script) and not(ancestor::style)]"))
    return normalise_for_search(content)


def _find(haystack: str, text: str, start: int) -> int | None:
    probe = normalise_for_search(text)[:_PROBE_CHARS]
    if not probe:
        return None
    found = haystack.find(probe, start)
    return found if found >= 0 else None


def place_removals(paragraphs: list[str], removed: list[dict], source: str | None) -> tuple[list, list[dict]]:
    """The document as a sequence of ``("text", paragraph)`` and ``("removed", entry)`` in source order.

    Paragraphs are found one after the other in ``source``; each removed span at its
    occurrence (the next one for a span removed twice). A span is placed before the first
    paragraph that starts after it. Returns the sequence and the spans not found in the
    source (all of them when there is no source), which the page lists apart.
    """
    if source is None:
        return [("text", p) for p in paragraphs], list(removed)
    positions: list[float] = []
    cursor, last = 0, -1.0
    for paragraph in paragraphs:
        found = _find(source, paragraph, cursor)
        if found is None:  # not found: it keeps its place after the paragraph before it
            positions.append(last)
            continue
        positions.append(float(found))
        last, cursor = float(found), found + 1
    placed: list[tuple[float, int, tuple]] = [(pos, 1, ("text", p)) for pos, p in zip(positions, paragraphs)]
    taken = {int(pos) for pos in positions if pos >= 0}  # a span that starts like a kept paragraph is elsewhere
    unplaced = []
    next_search: dict[str, int] = {}
    for entry in removed:
        key = normalise_for_search(entry["text"])[:_PROBE_CHARS]
        found = _find(source, entry["text"], next_search.get(key, 0))
        while found is not None and found in taken:
            found = _find(source, entry["text"], found + 1)
        if found is None:
            unplaced.append(entry)
            continue
        next_search[key] = found + 1
        placed.append((float(found), 0, ("removed", entry)))
    # stable sort: paragraphs keep their order, a span goes before a paragraph found at the same place
    order = sorted(range(len(placed)), key=lambda i: (placed[i][0], placed[i][1], i))
    return [placed[i][2] for i in order], unplaced


def read_sources(manifest: dict, sample: list[dict], limits: Limits) -> dict[str, str]:
    """The searchable source text of each sampled record whose input can still be read, by record id.

    A record's id is the digest of its source name and content, so an input that changed
    since the run (or read with other ``limits``) is not taken for the one the record came from.
    """

    wanted = {r["id"]: r["source"] for r in sample}
    files_of: dict[str, list] = defaultdict(list)
    try:
        files = discover_inputs([Path(p) for p in manifest.get("inputs", {}).get("paths", ())])
    except OSError:  # the inputs moved since the run: nothing is placed
        return {}
    for f in files:
        files_of[f.source].append(f)
    texts: dict[str, str] = {}
    names = sorted({source.split("#", 1)[0] for source in wanted.values()})
    for name in names:
        for f in files_of.get(name, ()):
            for item in read_input(f, limits):
                if isinstance(item, RawInput) and item.id in wanted and item.id not in texts:
                    texts[item.id] = source_text(item.content, item.kind)
    return texts


# --- rendering --------------------------------------------------------------------------------

def _css_name(category: str) -> str:
    return "cat-" + re.sub(r"[^a-z0-9_]", "-", category.lower())


def _anchor(record_id: str) -> str:
    return "doc-" + re.sub(r"[^A-Za-z0-9_-]", "-", record_id)


def category_colours(categories: Iterable[str]) -> dict[str, str]:
    """One colour per category, by the order the categories sort (distinct up to the palette's size)."""
    return {c: PALETTE[i % len(PALETTE)] for i, c in enumerate(sorted(set(categories)))}


def _links(ids: list[str]) -> str:
    if not ids:
        return ""
    shown = ids[:SAMPLE_LINKS]
    more = f" +{len(ids) - len(shown)}" if len(ids) > len(shown) else ""
    return '<span class="links">' + " ".join(
        f'<a href="#{_anchor(i)}">{n}</a>' for n, i in enumerate(shown, 1)) + more + "</span>"


def _count_row(label: str, key: str, value, ids: list[str] | None = None, href: str | None = None) -> str:
    shown = f'<a href="{escape(href)}">{escape(str(value))}</a>' if href else escape(str(value))
    return (f'<tr><th>{escape(label)}</th><td class="num" data-count="{escape(key)}">{shown}</td>'
            f"<td>{_links(ids or [])}</td></tr>")


def _bar_chart(rows: list[tuple[str, int]], colours: dict[str, str] | None = None, label_width: int = 170) -> str:
    """Horizontal bars, one per row, drawn as inline SVG."""
    if not rows:
        return '<p class="empty">nothing to show</p>'
    top = max(v for _, v in rows) or 1
    height, width = 18, 360
    parts = [f'<svg class="chart" role="img" width="{label_width + width + 70}" '
             f'height="{height * len(rows) + 4}" xmlns="http://www.w3.org/2000/svg">']
    for i, (name, value) in enumerate(rows):
        y = i * height + 2
        length = max(1, round(width * value / top)) if value else 0
        fill = (colours or {}).get(name, "#4c78a8")
        parts.append(f'<text x="{label_width - 6}" y="{y + 13}" text-anchor="end">{escape(_clip(name, 28))}</text>'
                     f'<rect x="{label_width}" y="{y + 2}" width="{length}" height="{height - 5}" fill="{fill}">'
                     f"<title>{escape(name)}: {value}</title></rect>"
                     f'<text x="{label_width + length + 4}" y="{y + 13}">{value}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _days_rows(days: Counter) -> list[tuple[str, int]]:
    known = {d: n for d, n in days.items() if d != NO_VALUE}
    if len(known) > MAX_DAYS:
        months: Counter = Counter()
        for day, n in known.items():
            months[day[:7]] += n
        known = dict(months)
    rows = sorted(known.items())
    if days.get(NO_VALUE):
        rows.append((NO_VALUE, days[NO_VALUE]))
    return rows


def _sample_ids(summary: RunSummary) -> dict[str, list[str]]:
    """Which sampled documents lie behind each count (keys as in ``data-count``)."""
    behind: dict[str, list[str]] = defaultdict(list)
    for record in summary.sample:
        rid = record["id"]
        behind["records"].append(rid)
        if record.get("duplicate_of"):
            behind["duplicates"].append(rid)
        for key in sorted({"removed:" + r["category"] for r in record.get("removed", ())}
                          | {"rule:" + r["rule"] for r in record.get("removed", ())}):
            behind[key].append(rid)
    return behind


STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#222;background:#fafafa}
header{background:#23395d;color:#fff;padding:12px 24px}header h1{margin:0;font-size:20px}
header p{margin:4px 0 0;opacity:.85}main{padding:8px 24px 40px;max-width:1300px}
section{background:#fff;border:1px solid #ddd;border-radius:6px;padding:10px 16px;margin:14px 0;overflow-x:auto}
h2{font-size:16px;margin:4px 0 10px}table{border-collapse:collapse}th,td{padding:2px 8px;text-align:left;
vertical-align:top}td.num{text-align:right;font-variant-numeric:tabular-nums}tr:nth-child(even){background:#f4f6f8}
.grid{display:flex;flex-wrap:wrap;gap:14px}.grid>section{flex:1 1 380px;margin:0}
.legend span{display:inline-block;margin:2px 10px 2px 0}.swatch{display:inline-block;width:12px;height:12px;
border-radius:2px;margin-right:4px;vertical-align:-1px;background:var(--c)}
.links a{font-size:11px;margin-right:3px}.chart text{font-size:11px;fill:#333}
.doc{display:flex;gap:16px;border-top:1px solid #ddd;padding:10px 0}.doc .meta{flex:0 0 340px;width:340px;
table-layout:fixed;align-self:flex-start;font-size:12px;overflow-wrap:anywhere}
.doc .meta th{white-space:nowrap;color:#555}.doc .body{flex:1;min-width:0}.doc .body p{margin:0 0 8px}
.removed{border-left:4px solid var(--c);background:color-mix(in srgb,var(--c) 12%,white);margin:0 0 8px;
padding:2px 8px;color:#555;text-decoration:line-through;text-decoration-color:#aaa}
.removed .rule{text-decoration:none;display:inline-block;font:11px monospace;color:#fff;background:var(--c);
border-radius:3px;padding:0 4px;margin-right:6px}.note{color:#777;font-size:12px}.warn{color:#b00}
td.heat{text-align:right}
"""


def render_report(summary: RunSummary, sources: dict[str, str] | None = None) -> str:
    """The report page for ``summary``; ``sources`` (searchable source text by record id) places removals."""
    m = summary.manifest
    sources = sources or {}
    categories = set(m.get("removed_by_category", {})) | set(summary.removed_by_category)
    for record in summary.sample:
        categories.update(r["category"] for r in record.get("removed", ()))
    colours = category_colours(categories)
    behind = _sample_ids(summary)
    out = [f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>newsclean report '
           f'{escape(str(m.get("plan", "")))}</title><style>{STYLE}',
           "".join(f".{_css_name(c)}{{--c:{colour}}}" for c, colour in colours.items()),
           "</style></head><body>",
           f'<header><h1>newsclean run report</h1><p>plan {escape(str(m.get("plan", "")))} · '
           f'newsclean {escape(str(m.get("versions", {}).get("newsclean", "")))} · finished '
           f'{escape(str(m.get("timings", {}).get("finished_at", "")))} · {len(summary.sample)} documents sampled '
           f"(lowest SHA-256 of id)</p></header><main>"]
    out.append(_counts_section(summary, behind))
    out.append(_legend(colours))
    out.append('<div class="grid">')
    out.append(_categories_section(summary, colours, behind))
    out.append(_rejects_section(summary))
    out.append("</div>")
    out.append(_sites_section(summary, colours))
    out.append(_rules_section(summary, colours, behind))
    out.append('<div class="grid">')
    languages = _bar_chart(_top(summary.languages, TOP_LANGUAGES))
    out.append(f'<section id="languages"><h2>Languages (records)</h2>{languages}</section>')
    lengths = [(_length_bin(b), summary.lengths.get(_length_bin(b), 0)) for b in LENGTH_BINS]
    out.append(f'<section id="lengths"><h2>Length of the text (words)</h2>{_bar_chart(lengths)}</section>')
    out.append(f'<section id="days"><h2>Publication day</h2>{_bar_chart(_days_rows(summary.days), label_width=90)}'
               "</section>")
    out.append("</div>")
    out.append(_sample_section(summary, colours, sources))
    out.append("</main></body></html>\n")
    return "".join(out)


def _top(counter: Counter, n: int) -> list[tuple[str, int]]:
    rows = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
    if len(rows) > n:
        rows = rows[:n - 1] + [("(others)", sum(v for _, v in rows[n - 1:]))]
    return rows


def _counts_section(summary: RunSummary, behind: dict[str, list[str]]) -> str:
    m = summary.manifest
    rows = [_count_row("documents in", "documents", m.get("inputs", {}).get("documents", 0)),
            _count_row("input files", "files", m.get("inputs", {}).get("files", 0)),
            _count_row("records", "records", m.get("records", 0), behind["records"], "#sample"),
            _count_row("rejects", "rejects", m.get("rejects", 0), href="#rejects"),
            _count_row("duplicates (marked)", "duplicates", m.get("duplicates", 0), behind["duplicates"]),
            _count_row("removals", "removals", sum(m.get("removed_by_category", {}).values()), href="#categories"),
            _count_row("every document accounted for", "accounted", "yes" if m.get("accounted") else "NO")]
    for kind in ("files", "records"):
        for reason, n in sorted(m.get("skipped", {}).get(kind, {}).items()):
            rows.append(_count_row(f"skipped {kind}: {reason}", f"skipped:{kind}:{reason}", n))
    warnings = []
    if summary.records_read != m.get("records", 0):
        warnings.append(f"the record files hold {summary.records_read} records, the manifest says {m.get('records')}")
    if summary.rejects_read != m.get("rejects", 0):
        warnings.append(f"rejects.jsonl holds {summary.rejects_read} rejects, the manifest says {m.get('rejects')}")
    if dict(summary.removed_by_category) != m.get("removed_by_category", {}):
        warnings.append("the records' removals by category differ from the manifest's")
    warn = "".join(f'<p class="warn">{escape(w)}</p>' for w in warnings)
    return f'<section id="counts"><h2>Counts</h2><table>{"".join(rows)}</table>{warn}</section>'


def _legend_items(colours: dict[str, str]) -> str:
    return "".join(f'<span class="{_css_name(c)}" data-category="{escape(c)}"><i class="swatch"></i>{escape(c)}</span>'
                   for c in colours)


def _legend(colours: dict[str, str]) -> str:
    return f'<section id="legend" class="legend"><h2>Categories</h2>{_legend_items(colours) or "no removals"}</section>'


def _categories_section(summary: RunSummary, colours: dict[str, str], behind: dict[str, list[str]]) -> str:
    by_category = summary.manifest.get("removed_by_category", {})
    rows = sorted(by_category.items(), key=lambda kv: (-kv[1], kv[0]))
    table = "".join(
        f'<tr><th><span class="{_css_name(c)}"><i class="swatch"></i></span>{escape(c)}</th>'
        f'<td class="num" data-count="removed:{escape(c)}">{n}</td><td>{_links(behind["removed:" + c])}</td></tr>'
        for c, n in rows)
    return (f'<section id="categories"><h2>Removals by category</h2>{_bar_chart(rows, colours)}'
            f"<table>{table}</table></section>")


def _rejects_section(summary: RunSummary) -> str:
    reasons = summary.manifest.get("rejects_by_reason", {})
    rows = []
    for reason, n in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])):
        rows.append(f'<tr><th><a href="#rejects-{escape(reason)}">{escape(reason)}</a></th>'
                    f'<td class="num" data-count="reject:{escape(reason)}">{n}</td></tr>')
    examples = []
    for reason, items in summary.reject_examples.items():
        lis = "".join(f"<li><code>{escape(r['source'])}</code>: {escape(_clip(r.get('message', '')))}</li>"
                      for r in items)
        examples.append(f'<h3 id="rejects-{escape(reason)}">{escape(reason)}</h3><ul>{lis}</ul>')
    body = f"<table>{''.join(rows)}</table>{''.join(examples)}" if rows else '<p class="empty">no rejects</p>'
    return f'<section id="rejects"><h2>Rejects by reason</h2>{body}</section>'


def _sites_section(summary: RunSummary, colours: dict[str, str]) -> str:
    sites = _top(summary.records_by_site, TOP_SITES + 1)[:TOP_SITES]
    cats = sorted(colours)
    peak = max((summary.removed_by_site[s][c] for s, _ in sites for c in cats), default=0) or 1
    head = "".join(f'<th class="{_css_name(c)}" title="{escape(c)}"><i class="swatch"></i>{escape(c)}</th>'
                   for c in cats)
    rows = []
    for site, records in sites:
        cells = []
        for c in cats:
            n = summary.removed_by_site[site][c]
            alpha = round(0.08 + 0.6 * n / peak, 2) if n else 0
            style = f' style="background:color-mix(in srgb,{colours[c]} {round(alpha * 100)}%,white)"' if n else ""
            cells.append(f'<td class="heat"{style}>{n or ""}</td>')
        rows.append(f'<tr><th>{escape(site)}</th><td class="num">{records}</td>{"".join(cells)}</tr>')
    return (f'<section id="sites"><h2>Removals by category and site (the {len(sites)} sites with most records'
            f' of {len(summary.records_by_site)})</h2><table><tr><th>site</th><th>records</th>{head}</tr>'
            f'{"".join(rows)}</table></section>')


def _rules_section(summary: RunSummary, colours: dict[str, str], behind: dict[str, list[str]]) -> str:
    ranked = sorted(summary.rules.items(), key=lambda kv: (-kv[1].count, kv[0]))[:TOP_RULES]
    rows = []
    for rule, stats in ranked:
        examples = "".join(f"<li>{escape(e)}</li>" for e in stats.examples)
        rows.append(f'<tr><th><code>{escape(rule)}</code></th><td><span class="{_css_name(stats.category)}">'
                    f'<i class="swatch"></i></span>{escape(stats.category)}</td>'
                    f'<td class="num" data-count="rule:{escape(rule)}">{stats.count}</td>'
                    f'<td><ul>{examples}</ul>{_links(behind["rule:" + rule])}</td></tr>')
    return (f'<section id="rules"><h2>Rules that fired most ({len(ranked)} of {len(summary.rules)})</h2>'
            f"<table><tr><th>rule</th><th>category</th><th>removals</th><th>examples</th></tr>"
            f'{"".join(rows)}</table></section>')


def _removed_block(entry: dict) -> str:
    category = entry["category"]
    return (f'<div class="removed {_css_name(category)}" data-category="{escape(category)}" '
            f'data-rule="{escape(entry["rule"])}"><span class="rule" title="{escape(category)}">'
            f'{escape(entry["rule"])}</span>{escape(_clip(entry["text"], REMOVAL_CHARS))}</div>')


def _document(record: dict, source: str | None) -> str:
    text = record.get("text", "")
    shown_text = text[:DOC_TEXT_CHARS]
    paragraphs = [p for p in shown_text.split("\n\n") if p.strip()]
    removed = record.get("removed", [])
    shown_removed, budget = [], DOC_REMOVED_CHARS
    for entry in removed[:DOC_REMOVALS]:
        budget -= min(len(entry["text"]), REMOVAL_CHARS)
        if budget < 0:
            break
        shown_removed.append(entry)
    sequence, unplaced = place_removals(paragraphs, shown_removed, source)
    body = []
    for kind, item in sequence:
        body.append(_removed_block(item) if kind == "removed" else f"<p>{escape(item)}</p>")
    if len(text) > DOC_TEXT_CHARS:
        body.append(f'<p class="note">… {len(text) - DOC_TEXT_CHARS} more characters of text not shown</p>')
    if unplaced:
        why = "its input could not be read again" if source is None else "they were not found in its input"
        body.append(f'<p class="note">removed, not placed ({why}):</p>')
        body.extend(_removed_block(entry) for entry in unplaced)
    if len(removed) > len(shown_removed):
        body.append(f'<p class="note">… {len(removed) - len(shown_removed)} more removals not shown</p>')
    fields = ("id", "source", "url", "title", "description", "authors", "date_published", "date_raw",
              "site_name", "language", "language_score", "duplicate_of", "notes")
    meta = []
    for name in fields:
        value = record.get(name)
        if isinstance(value, list):
            value = "; ".join(str(v) for v in value)
        if value in (None, ""):
            continue
        meta.append(f'<tr><th>{name}</th><td data-field="{name}">{escape(_clip(str(value)))}</td></tr>')
    counts = Counter(r["category"] for r in removed)
    meta.append(f"<tr><th>words</th><td>{_words(text)}</td></tr><tr><th>removals</th><td>"
                + ", ".join(f"{escape(c)} {n}" for c, n in sorted(counts.items())) + "</td></tr>")
    return (f'<article class="doc" id="{_anchor(record["id"])}"><table class="meta">{"".join(meta)}</table>'
            f'<div class="body">{"".join(body)}</div></article>')


def _sample_section(summary: RunSummary, colours: dict[str, str], sources: dict[str, str]) -> str:
    docs = "".join(_document(r, sources.get(r["id"])) for r in summary.sample)
    return (f'<section id="sample"><h2>Sample documents ({len(summary.sample)} of {summary.records_read})</h2>'
            f'<p class="note">Removed spans are struck through where they stood in the input, coloured by '
            f'category and labelled with their rule.</p><p class="legend">{_legend_items(colours)}</p>{docs}</section>')


def read_manifest(output_dir: Path) -> dict:
    return json.loads(Path(output_dir, "manifest.json").read_text(encoding="utf-8"))


def build_report(manifest: dict, record_paths: Iterable[Path], reject_paths: Iterable[Path], limits: Limits,
                 sample_size: int = DEFAULT_SAMPLE) -> str:
    """The report page of a run; ``limits`` are the run's, to read the sample's inputs as it did."""
    summary = summarise_run(manifest, record_paths, reject_paths, sample_size)
    return render_report(summary, read_sources(manifest, summary.sample, limits))


def write_report(handle: IO[str], manifest: dict, record_paths: Iterable[Path], reject_paths: Iterable[Path],
                 limits: Limits, sample_size: int = DEFAULT_SAMPLE) -> None:
    handle.write(build_report(manifest, record_paths, reject_paths, limits, sample_size))
