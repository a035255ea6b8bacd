"""The run report: counts equal to the manifest's, hostile text escaped, removed spans in place, bounded size."""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import html as lxml_html

from pipeline import cli
from pipeline.inputs.limits import Limits
from pipeline.report import (TOP_RULES, TOP_SITES, build_report, normalise_for_search, place_removals,
                             published_files, render_report, summarise_run)

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "report" / "html"
SEEDS = ROOT / "seeds"
# the Al Jazeera page is already a fixture of the HTML tests: used from there, not copied
ALJAZEERA = ROOT / "tests" / "fixtures" / "html" / \
    "7916ecca969ffdd8f6fc32d171fbe0dd63db40fe4c1d2ade02b1dec5929a162f.html"
LIMITS = Limits(max_input_bytes=1 << 24, max_decompressed_bytes=1 << 24, max_line_chars=1 << 20)


def _record(rid: str, text: str, removed=(), **fields) -> dict:
    record = {"id": rid, "source": f"{rid}.txt", "url": None, "title": None, "description": None, "authors": [],
              "date_published": None, "date_raw": None, "site_name": None, "language": "en",
              "language_score": 1.0, "text": text, "removed": [dict(zip(("category", "text", "rule"), r))
                                                                for r in removed],
              "duplicate_of": None, "notes": []}
    record.update(fields)
    return record


def _fake_run(folder: Path, records: list[dict], rejects: list[dict] = (), duplicates: int = 0) -> dict:
    """A finished run's files, as CleanRun writes them, for the records and rejects given."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "records-a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    (folder / "rejects.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rejects), encoding="utf-8")
    by_category: dict[str, int] = {}
    for r in records:
        for removal in r["removed"]:
            by_category[removal["category"]] = by_category.get(removal["category"], 0) + 1
    by_reason: dict[str, int] = {}
    for r in rejects:
        by_reason[r["reason"]] = by_reason.get(r["reason"], 0) + 1
    manifest = {"plan": "p1", "inputs": {"files": len(records) + len(rejects),
                                         "documents": len(records) + len(rejects), "paths": []},
                "records": len(records), "rejects": len(rejects), "accounted": True, "duplicates": duplicates,
                "rejects_by_reason": dict(sorted(by_reason.items())), "skipped": {"files": {}, "records": {}},
                "removed_by_category": dict(sorted(by_category.items())), "record_files": ["records-a.jsonl"],
                "versions": {"newsclean": "0.1.0"}, "timings": {"finished_at": "2026-12-01T00:00:00Z"}}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return manifest


def _summary(folder: Path, manifest: dict, sample: int):
    return summarise_run(manifest, *published_files(folder, manifest), sample)


def _page(folder: Path, manifest: dict, sample: int = 50, sources=None):
    summary = _summary(folder, manifest, sample)
    text = render_report(summary, sources)
    return text, lxml_html.fromstring(text)


def _count(page, key: str) -> str:
    (cell,) = page.xpath(f'//td[@data-count="{key}"]')
    return cell.text_content().strip()


def _tiny_run(tmp_path: Path) -> dict:
    records = [
        _record("r1", "First paragraph.\n\nSecond paragraph.",
                [("image_caption", "A photo (AP Photo/X)", "photo_credit_paren.v1"),
                 ("related_links", "READ: more", "read_prefix.v1")],
                url="https://www.example.org/a", date_published="2026-11-30T10:00:00+01:00"),
        _record("r2", "Only paragraph here.", [("image_caption", "Another (AP Photo/Y)", "photo_credit_paren.v1")],
                url="https://news.example.net/b", duplicate_of="r1"),
        _record("r3", "Third record text.", language="de"),
    ]
    rejects = [{"source": "x.html", "reason": "no_article_text", "message": "no article text was found"},
               {"source": "y.bin", "reason": "not_text", "message": "binary"},
               {"source": "z.html", "reason": "no_article_text", "message": "no article text was found"}]
    return _fake_run(tmp_path, records, rejects, duplicates=1)


def test_counts_shown_are_the_manifests(tmp_path):
    manifest = _tiny_run(tmp_path)
    _, page = _page(tmp_path, manifest)
    assert [_count(page, k) for k in ("documents", "records", "rejects", "duplicates", "removals")] == \
        ["6", "3", "3", "1", "3"]
    assert _count(page, "reject:no_article_text") == "2"
    assert _count(page, "reject:not_text") == "1"
    assert _count(page, "removed:image_caption") == "2"
    assert _count(page, "removed:related_links") == "1"
    assert _count(page, "rule:photo_credit_paren.v1") == "2"
    assert not page.xpath('//*[@class="warn"]')  # the record files agree with the manifest


def test_counts_link_to_the_sampled_documents_behind_them(tmp_path):
    _, page = _page(tmp_path, _tiny_run(tmp_path))
    duplicates_row = page.xpath('//td[@data-count="duplicates"]/..')[0]
    assert [a.get("href") for a in duplicates_row.xpath(".//a")] == ["#doc-r2"]
    category_row = page.xpath('//td[@data-count="removed:related_links"]/..')[0]
    assert [a.get("href") for a in category_row.xpath(".//a")] == ["#doc-r1"]
    assert page.xpath('//article[@id="doc-r2"]')


def test_a_manifest_the_records_contradict_is_flagged(tmp_path):
    manifest = _tiny_run(tmp_path)
    manifest["records"] = 4
    _, page = _page(tmp_path, manifest)
    assert [w.text_content() for w in page.xpath('//*[@class="warn"]')] == \
        ["the record files hold 3 records, the manifest says 4"]


def test_page_text_is_escaped(tmp_path):
    hostile = '<script>alert("x")</script>'
    records = [_record("r1", f"Body {hostile} text.", [("navigation", f"<img src=x onerror=alert(1)>{hostile}",
                                                        "nav.v1")],
                       title='"><script>alert(2)</script>', url="https://a.example/<b>")]
    text, page = _page(tmp_path, _fake_run(tmp_path, records))
    assert "<script" not in text.lower()
    assert not page.xpath("//script") and not page.xpath("//img") and not page.xpath("//b")
    assert f"Body {hostile} text." in page.xpath('//article[@id="doc-r1"]//p')[0].text_content()
    assert page.xpath('//td[@data-field="title"]')[0].text_content() == '"><script>alert(2)</script>'


def test_a_removed_span_stands_where_it_was_marked_with_its_rule(tmp_path):
    records = [_record("r1", "The council met on Tuesday.\n\nThe vote passed.",
                       [("related_links", "READ: Budget news", "read_prefix.v1"),
                        ("image_caption", "The hall (AP Photo/Z)", "photo_credit_paren.v1")])]
    manifest = _fake_run(tmp_path, records)
    source = normalise_for_search(
        "The hall (AP Photo/Z) The council met on Tuesday. READ: Budget news The vote passed.")
    _, page = _page(tmp_path, manifest, sources={"r1": source})
    body = page.xpath('//article[@id="doc-r1"]//div[@class="body"]/*')
    assert [(el.tag, el.get("data-rule")) for el in body] == [
        ("div", "photo_credit_paren.v1"), ("p", None), ("div", "read_prefix.v1"), ("p", None)]
    caption = body[0]
    assert caption.get("class") == "removed cat-image_caption"
    assert caption.xpath('./span[@class="rule"]')[0].text_content() == "photo_credit_paren.v1"
    assert caption.text_content() == "photo_credit_paren.v1The hall (AP Photo/Z)"


def test_spans_not_found_in_the_source_are_listed_after_the_text():
    sequence, unplaced = place_removals(["Kept one.", "Kept two."],
                                        [{"category": "footer", "text": "Footer line", "rule": "f.v1"},
                                         {"category": "footer", "text": "Nowhere", "rule": "f.v1"}],
                                        normalise_for_search("Kept one. Kept two. Footer line"))
    assert [kind for kind, _ in sequence] == ["text", "text", "removed"]
    assert [u["text"] for u in unplaced] == ["Nowhere"]
    sequence, unplaced = place_removals(["Kept one."], [{"category": "footer", "text": "X", "rule": "f.v1"}], None)
    assert sequence == [("text", "Kept one.")] and [u["text"] for u in unplaced] == ["X"]


def test_a_span_removed_twice_is_placed_at_each_occurrence():
    caption = {"category": "image_caption", "text": "Caption C", "rule": "caption_repeated.v1"}
    source = normalise_for_search("Caption C Alpha para. Caption C Beta para.")
    sequence, unplaced = place_removals(["Alpha para.", "Beta para."], [caption, caption], source)
    assert [kind for kind, _ in sequence] == ["removed", "text", "removed", "text"] and unplaced == []


def test_a_span_that_starts_like_a_kept_paragraph_is_placed_at_its_own_occurrence():
    caption = {"category": "image_caption", "text": "Troops remain there [File: Reuters]", "rule": "figure.v1"}
    source = normalise_for_search("Lead para. Troops remain there, officials say. Troops remain there [File: Reuters]")
    sequence, _ = place_removals(["Lead para.", "Troops remain there, officials say."], [caption], source)
    assert [kind for kind, _ in sequence] == ["text", "text", "removed"]


def test_the_sample_is_the_lowest_hashes_of_id_whatever_the_file_order(tmp_path):
    records = [_record(f"id{n}", f"Text {n}.") for n in range(30)]
    expected = sorted(sorted((r["id"] for r in records), key=lambda i: hashlib.sha256(i.encode()).hexdigest())[:5])
    first = _summary(tmp_path / "a", _fake_run(tmp_path / "a", records), 5)
    second = _summary(tmp_path / "b", _fake_run(tmp_path / "b", records[::-1]), 5)
    assert sorted(r["id"] for r in first.sample) == expected
    assert [r["id"] for r in first.sample] == [r["id"] for r in second.sample]


def test_size_is_bounded_by_the_sample_not_the_corpus(tmp_path):
    # many sites and rules, and documents far larger than a page should show
    records = [_record(f"id{n}", ("word " * 20_000 + "\n\n") * 3,
                       [("navigation", "chrome " * 2_000, f"rule{n % 97}.v1")] * 50,
                       url=f"https://site{n}.example/") for n in range(400)]
    text, page = _page(tmp_path, _fake_run(tmp_path, records), sample=5)
    assert len(page.xpath('//section[@id="sites"]//tr')) == TOP_SITES + 1  # the header row
    assert len(page.xpath('//section[@id="rules"]//tr')) == TOP_RULES + 1
    assert len(page.xpath("//article")) == 5
    assert len(text.encode("utf-8")) < 5 * 80_000 + 60_000
    note = page.xpath('//article[1]//p[@class="note"]')
    assert [n.text_content() for n in note][0] == "… 270006 more characters of text not shown"


def test_newsclean_report_rebuilds_the_page(tmp_path, capsys):
    manifest = _tiny_run(tmp_path)
    assert cli.main(["report", str(tmp_path), "--sample", "1"]) == 0
    assert capsys.readouterr().out == f"newsclean: report -> {tmp_path / 'report.html'}\n"
    page = lxml_html.parse(str(tmp_path / "report.html")).getroot()
    assert _count(page, "records") == str(manifest["records"])
    assert len(page.xpath("//article")) == 1
    assert not list((tmp_path / "_work" / "publish").iterdir())  # the staging file was renamed into place


def test_newsclean_report_without_a_finished_run_exits_2(tmp_path, capsys):
    assert cli.main(["report", str(tmp_path)]) == 2
    assert capsys.readouterr().err == f"newsclean: no manifest.json in {tmp_path}: not a finished run\n"


# --- a real multi-site run, in the output and in a browser ------------------------------------

@pytest.fixture(scope="module")
def real_run(tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("report-run") / "out"
    assert cli.main(["run", str(FIXTURES), str(ALJAZEERA), str(SEEDS), "--output", str(output), "--no-progress"]) == 0
    return output


def _expected_counts(manifest: dict) -> dict[str, str]:
    counts = {"documents": manifest["inputs"]["documents"], "records": manifest["records"],
              "rejects": manifest["rejects"], "duplicates": manifest["duplicates"],
              "removals": sum(manifest["removed_by_category"].values())}
    counts.update({f"removed:{c}": n for c, n in manifest["removed_by_category"].items()})
    counts.update({f"reject:{r}": n for r, n in manifest["rejects_by_reason"].items()})
    return {k: str(v) for k, v in counts.items()}


def test_every_run_writes_its_report_beside_the_manifest(real_run):
    manifest = json.loads((real_run / "manifest.json").read_text(encoding="utf-8"))
    page = lxml_html.parse(str(real_run / "report.html")).getroot()
    assert manifest["records"] == 13
    assert {k: _count(page, k) for k in _expected_counts(manifest)} == _expected_counts(manifest)
    # the same page as `newsclean report` rebuilds (the finish time is the manifest's)
    assert (real_run / "report.html").read_text(encoding="utf-8") == \
        build_report(manifest, *published_files(real_run, manifest), LIMITS)


def _browser() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    return None


def _chromium(browser: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                           "--disable-component-update", "--disable-sync", "--no-first-run",
                           f"--user-data-dir={profile}", *args], capture_output=True, text=True, timeout=180,
                          check=True)


@pytest.mark.skipif(_browser() is None, reason="no browser: none of chromium, chromium-browser, google-chrome "
                    "is on PATH (.ci/run installs chromium with apt-get where it can)")
def test_the_report_in_a_browser(real_run, tmp_path):
    browser = _browser()
    url = (real_run / "report.html").as_uri()
    dom = _chromium(browser, tmp_path / "profile", "--dump-dom", url).stdout
    page = lxml_html.fromstring(dom)
    manifest = json.loads((real_run / "manifest.json").read_text(encoding="utf-8"))

    # the counts shown equal the manifest's
    assert {k: _count(page, k) for k in _expected_counts(manifest)} == _expected_counts(manifest)

    # every category present has its legend entry and a colour of its own
    style = "".join(page.xpath("//style/text()"))
    colours = dict(re.findall(r"\.cat-([a-z0-9_-]+)\{--c:(#[0-9a-f]{6})\}", style))
    categories = sorted(manifest["removed_by_category"])
    assert sorted(page.xpath('//section[@id="legend"]//span/@data-category')) == categories
    assert sorted(colours) == categories and len(set(colours.values())) == len(categories)

    # a known removal from a known page: Al Jazeera's <figure> caption, between the navigation and the article
    (article,) = [a for a in page.xpath("//article") if "aljazeera" in a.xpath('string(.//td[@data-field="url"])')]
    blocks = article.xpath('.//div[@class="body"]/*')
    (caption,) = [b for b in blocks if b.get("data-rule") == "figure.v2"]
    assert caption.get("class") == "removed cat-image_caption"
    assert caption.xpath('string(./span[@class="rule"])') == "figure.v2"
    assert "Roughly 13,000 US troops remain in Afghanistan" in caption.text_content()
    after = blocks[blocks.index(caption) + 1]
    assert after.tag == "p" and after.text_content().startswith("Two United States service members")

    # the first screen, for the closing note
    shot = tmp_path / "report-first-screen.png"
    _chromium(browser, tmp_path / "profile", "--window-size=1280,1000", f"--screenshot={shot}", url)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    print(f"screenshot: {shot}")
