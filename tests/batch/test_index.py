"""The batch index: site paragraph counts and duplicate clusters over typed shard rows."""
import io
import json

from pipeline.batch.finalise import finalise_shard
from pipeline.batch.index import build_batch_index, count_site_paragraphs, fresh_scratch
from pipeline.batch.writing import dumps
from pipeline.config import load_config
from pipeline.document import Document
from pipeline.dedup.site_repeated import SiteStats


def _index(shards: list[list[dict]], tmp_path, config=None, earlier=None, partitions: int = 1):
    """The slices build_batch_index writes for ``shards`` (named s0, s1...), the batch statistics and the summary."""
    slices: dict[str, dict] = {}
    stats = io.StringIO()
    summary = build_batch_index(lambda: [(f"s{n}", _shard(rows)) for n, rows in enumerate(shards)],
                                earlier or SiteStats(), config or load_config(), fresh_scratch(tmp_path / "scratch"),
                                slices.__setitem__, stats, partitions)
    return slices, SiteStats.from_json(json.loads(stats.getvalue())), summary


def _shard(rows: list[dict]) -> io.StringIO:
    # a shard row is a whole record: the fields a test leaves out take a cleaned document's defaults
    return io.StringIO("".join(dumps({"kind": "record", **Document(row["id"], row["source"]).as_record(), **row}) + "\n"
                               for row in rows))


def test_site_counts_take_lines_of_multi_line_paragraphs_and_each_record_once():
    rules = load_config().rules.site_repeated
    footer = "Follow us\nSubscribe to the newsletter"
    rows = [{"id": f"r{n}", "source": f"site/{n}.txt", "url": None, "site_name": None,
             "paragraphs": [f"A story about the {topic}.", footer if n % 2 else "Subscribe to the newsletter"]}
            for n, topic in enumerate(["harbour", "school", "budget", "bridge"])]
    stats = count_site_paragraphs([_shard(rows), _shard(rows[:1])], rules)  # r0 seen twice, counted once
    assert stats.documents("site") == 4
    counts = {fp: stats.count("site", fp) for fp in stats.repeated("site", rules)}
    assert sorted(counts.values()) == [4]  # the newsletter line, alone or inside the footer paragraph


def test_batch_index_marks_a_copy_on_another_site_as_duplicate(tmp_path):
    config = load_config()
    body = [f"Sentence number {n} of a long article about the harbour and its new ferry timetable." for n in range(8)]
    rows = [{"id": "a1", "source": "one/a.txt", "url": None, "site_name": None, "paragraphs": body},
            {"id": "b1", "source": "two/b.txt", "url": None, "site_name": None, "paragraphs": body},
            {"id": "c1", "source": "two/c.txt", "url": None, "site_name": None, "paragraphs": ["Other news."]}]
    slices, batch, summary = _index([rows[:1], rows[1:]], tmp_path, config)
    assert slices == {"s0": {"repeated": {}, "duplicates": {}}, "s1": {"repeated": {}, "duplicates": {"b1": "a1"}}}
    assert batch.sites() == ["one", "two"]
    assert summary == {"records": 3, "duplicates": 1, "partitions": 1}


def test_batch_index_reuses_what_the_shard_precomputed_and_records_drop_it(tmp_path):
    config = load_config()
    shard = [{"id": "a1", "source": "one/a.txt", "url": None, "site_name": None, "paragraphs": ["Alpha text."],
              "fingerprints": [], "text_hash": "h", "minhash": ""},
             {"id": "b1", "source": "two/b.txt", "url": None, "site_name": None, "paragraphs": ["Other text."],
              "fingerprints": [], "text_hash": "h", "minhash": ""}]
    slices, _, _ = _index([shard], tmp_path, config)
    index = slices["s0"]
    assert index["duplicates"] == {"b1": "a1"}  # equal precomputed hashes, though the texts differ
    records, rejects = io.StringIO(), io.StringIO()
    rows = [{**row, "text": row["paragraphs"][0], "removed": []} for row in shard]
    finalise_shard(_shard(rows), index, config, records, rejects)
    assert [sorted(set(json.loads(line)) & {"fingerprints", "text_hash", "minhash", "paragraphs", "kind"})
            for line in records.getvalue().splitlines()] == [[], []]


def test_batch_index_takes_one_id_twice_without_failing(tmp_path):
    # the same file, same name, in two input folders: equal source and content make equal ids
    row = {"id": "a1", "source": "a.txt", "url": None, "site_name": None,
           "paragraphs": ["Sentence one of a story about the harbour and its new ferry timetable."]}
    slices, _, summary = _index([[row], [row]], tmp_path)
    assert slices == {"s0": {"repeated": {}, "duplicates": {}}, "s1": {"repeated": {}, "duplicates": {}}}
    assert summary["records"] == 1


def test_a_record_met_again_in_a_later_shard_keeps_its_duplicate_mark(tmp_path):
    body = [f"Sentence number {n} of a long article about the harbour and its new ferry timetable." for n in range(8)]
    original = {"id": "a1", "source": "one/a.txt", "url": None, "site_name": None, "paragraphs": body}
    copy = {"id": "b1", "source": "two/b.txt", "url": None, "site_name": None, "paragraphs": body}
    slices, _, _ = _index([[original, copy], [copy]], tmp_path)
    assert slices["s0"]["duplicates"] == {"b1": "a1"}
    assert slices["s1"]["duplicates"] == {"b1": "a1"}


def _site_rows(site: str, n: int) -> dict:
    return {"id": f"{site}-{n}", "source": f"{site}/{n}.txt", "url": None, "site_name": None,
            "paragraphs": [f"Story {n} of {site} about the {['harbour', 'school', 'budget', 'bridge'][n]}.",
                           f"Support {site} journalism with a donation today."]}


def test_slices_hold_the_sites_of_their_shard_and_partitions_change_nothing(tmp_path):
    shards = [[_site_rows("alpha", n) for n in range(4)], [_site_rows("beta", n) for n in range(4)]]
    slices, batch, _ = _index(shards, tmp_path / "one")
    donation = {site: batch.repeated(site, load_config().rules.site_repeated) for site in ("alpha", "beta")}
    assert slices["s0"]["repeated"] == {"alpha": sorted(donation["alpha"])}
    assert slices["s1"]["repeated"] == {"beta": sorted(donation["beta"])}
    assert [len(fps) for fps in donation.values()] == [1, 1]
    many, batch_many, _ = _index(shards, tmp_path / "many", partitions=7)
    assert many == slices
    assert batch_many.to_json() == batch.to_json()


def test_earlier_runs_count_towards_the_sites_of_the_batch(tmp_path):
    rules = load_config().rules.site_repeated
    earlier = count_site_paragraphs([_shard([_site_rows("alpha", n) for n in range(2)])], rules)
    slices, _, _ = _index([[_site_rows("alpha", 3)]], tmp_path, earlier=earlier)
    assert list(slices["s0"]["repeated"]) == ["alpha"]  # two earlier pages and this one make three
