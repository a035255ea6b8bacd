"""The whole Luigi DAG on the seeds, against a copy of their hand-made gold."""
import json
import shutil
from pathlib import Path

import luigi
import pytest

from pipeline.tasks import CleanRun

FIXTURES = Path(__file__).parent / "fixtures" / "chrome"
SEEDS = sorted(FIXTURES.glob("00[0-4]_*.txt"))


def _norm(text: str) -> str:
    return " ".join(text.split())


def run(inputs, output: Path, **params) -> bool:
    # Luigi reuses task instances with equal parameters; a run must see the inputs as they are now
    luigi.task_register.Register.clear_instance_cache()
    task = CleanRun(inputs=[str(p) for p in inputs], output_dir=str(output), **params)
    return luigi.build([task], local_scheduler=True, workers=1, log_level="WARNING")


def records(output: Path) -> dict:
    rows = {}
    for path in sorted(output.glob("records-*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            rows[rec["source"]] = rec
    return rows


@pytest.fixture(scope="module")
def seeds_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("in") / "seeds"
    folder.mkdir()
    for seed in SEEDS:
        shutil.copyfile(seed, folder / seed.name)
    return folder


@pytest.fixture(scope="module")
def seeds_run(seeds_dir, tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("out")
    assert run([seeds_dir], output)
    return output


@pytest.mark.parametrize("seed", [p.name for p in SEEDS])
def test_seed_text_and_metadata_match_gold(seeds_run, seed):
    gold = json.loads((FIXTURES / seed.replace(".txt", ".json")).read_text(encoding="utf-8"))
    rec = records(seeds_run)[seed]
    assert rec["text"].split("\n\n") == [_norm(p) for p in gold["body"]]
    for chrome in gold["removed"]:
        assert _norm(chrome["text"]) not in _norm(rec["text"])
    assert rec["title"] == gold["title"]
    assert rec["description"] == gold["description"]
    assert rec["authors"] == gold["authors"]
    assert rec["date_published"] == gold["date_published"]
    assert rec["language"] == gold["language"]
    if gold["site_name"] is not None:
        assert rec["site_name"] == gold["site_name"]
    assert rec["duplicate_of"] is None  # one story told by five outlets is not a duplicate


def test_every_removal_is_recorded_with_its_gold_category(seeds_run):
    for seed in SEEDS:
        gold = json.loads((FIXTURES / seed.name.replace(".txt", ".json")).read_text(encoding="utf-8"))
        removed = {(_norm(r["text"]), r["category"]) for r in records(seeds_run)[seed.name]["removed"]}
        for chrome in gold["removed"]:
            if not chrome.get("inline"):
                assert (_norm(chrome["text"]), chrome["category"]) in removed, chrome


def test_manifest_accounts_for_every_input(seeds_run):
    manifest = json.loads((seeds_run / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["inputs"]["documents"] == 5
    assert (manifest["records"], manifest["rejects"], manifest["accounted"]) == (5, 0, True)
    assert manifest["removed_by_category"]["image_caption"] >= 7
    assert (seeds_run / "_SUCCESS").exists()
    assert (seeds_run / "rejects.jsonl").read_text(encoding="utf-8") == ""


def test_same_input_same_bytes(seeds_dir, seeds_run, tmp_path):
    assert run([seeds_dir], tmp_path)
    first = {p.name: p.read_bytes() for p in seeds_run.glob("records-*.jsonl")}
    again = {p.name: p.read_bytes() for p in tmp_path.glob("records-*.jsonl")}
    assert first == again


def test_reference_date_resolves_relative_dates(seeds_dir, tmp_path):
    assert run([seeds_dir], tmp_path, reference_date="2025-04-05")
    rec = records(tmp_path)["003_db50d61b273bbd29.txt"]
    assert (rec["date_raw"], rec["date_published"]) == ("1 month ago", "2025-03-05")


def test_new_input_redoes_only_its_own_shard(seeds_dir, tmp_path):
    folder = tmp_path / "in"
    shutil.copytree(seeds_dir, folder)
    output = tmp_path / "out"
    assert run([folder], output, shard_size=2)
    clean = {p.name: p.stat().st_mtime_ns for p in (output / "_work" / "clean").glob("*.jsonl")}
    shutil.copyfile(folder / SEEDS[0].name, folder / "zz_new.txt")
    assert run([folder], output, shard_size=2)
    after = {p.name: p.stat().st_mtime_ns for p in (output / "_work" / "clean").glob("*.jsonl")}
    unchanged = [name for name, mtime in clean.items() if after.get(name) == mtime]
    # the new file either joins one shard (that shard alone is redone) or opens its own
    assert len(set(after) - set(clean)) == 1
    assert len(unchanged) >= len(clean) - 1
    rows = records(output)
    assert len(rows) == 6 and rows["zz_new.txt"]["duplicate_of"] == rows[SEEDS[0].name]["id"]
    manifest = json.loads((output / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["records"], manifest["duplicates"]) == (6, 1)


FOOTER = ("The Valley Ledger is owned by its readers and has reported on the river towns since 1921, "
          "with offices in three counties.")


def _with_footer(seed: Path) -> str:
    """The seed with FOOTER set after its second long line: inside the page, where no tail rule acts."""
    out, long_lines = [], 0
    for line in seed.read_text(encoding="utf-8").split("\n"):
        out.append(line)
        if len(line) > 150:
            long_lines += 1
            if long_lines == 2:
                out += ["", FOOTER, ""]
    return "\n".join(out)


def test_footer_repeated_across_a_sites_pages_is_learnt_without_a_rule(tmp_path):
    site_a, site_b = tmp_path / "in" / "siteA", tmp_path / "in" / "siteB"
    site_a.mkdir(parents=True)
    site_b.mkdir()
    for n, seed in enumerate(SEEDS[:3]):
        (site_a / f"p{n}.txt").write_text(_with_footer(seed), encoding="utf-8")
    (site_b / "p0.txt").write_text(_with_footer(SEEDS[3]), encoding="utf-8")
    assert run([tmp_path / "in"], tmp_path / "out")
    rows = records(tmp_path / "out")
    for n in range(3):
        rec = rows[f"siteA/p{n}.txt"]
        assert FOOTER not in rec["text"]
        assert {"category": "site_repeated", "text": FOOTER, "rule": "site_repeated.v1"} in rec["removed"]
    # one page of a site teaches nothing: its footer stays
    assert FOOTER in rows["siteB/p0.txt"]["text"]


def _dedup_batch(folder: Path) -> None:
    """Seeds plus an exact copy, a copy with a line changed and a copy with a line added."""
    folder.mkdir(parents=True)
    for seed in SEEDS:
        shutil.copyfile(seed, folder / seed.name)
    original = SEEDS[2].read_text(encoding="utf-8")
    (folder / "x1_exact.txt").write_text(original, encoding="utf-8")
    lines = original.split("\n")
    changed = next(i for i, line in enumerate(lines) if line.startswith("In January"))
    lines[changed] = "In February, the group's spokesman said the offer to talk still stood."
    (folder / "x2_line_changed.txt").write_text("\n".join(lines), encoding="utf-8")
    (folder / "x3_line_added.txt").write_text(
        original.replace("\n\nMost Popular", "\n\nThe talks are expected to resume next week in Doha.\n\nMost Popular"),
        encoding="utf-8")


def test_exact_and_near_copies_point_at_their_original(tmp_path):
    _dedup_batch(tmp_path / "in")
    assert run([tmp_path / "in"], tmp_path / "out")
    rows = records(tmp_path / "out")
    original = rows[SEEDS[2].name]["id"]
    assert {name: rows[name]["duplicate_of"] for name in ("x1_exact.txt", "x2_line_changed.txt",
                                                          "x3_line_added.txt")} == dict.fromkeys(
        ("x1_exact.txt", "x2_line_changed.txt", "x3_line_added.txt"), original)
    assert all(rows[seed.name]["duplicate_of"] is None for seed in SEEDS)


def test_drop_duplicates_turns_copies_into_rejects(tmp_path):
    _dedup_batch(tmp_path / "in")
    config = tmp_path / "drop.toml"
    config.write_text("[dedup]\ndrop_duplicates = true\n", encoding="utf-8")
    assert run([tmp_path / "in"], tmp_path / "out", config_path=str(config))
    assert sorted(records(tmp_path / "out")) == sorted(seed.name for seed in SEEDS)
    rejects = [json.loads(line) for line in (tmp_path / "out" / "rejects.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted((r["source"], r["reason"]) for r in rejects) == [
        ("x1_exact.txt", "duplicate"), ("x2_line_changed.txt", "duplicate"), ("x3_line_added.txt", "duplicate")]
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["inputs"]["documents"], manifest["records"], manifest["rejects"], manifest["accounted"]) == \
        (8, 5, 3, True)
