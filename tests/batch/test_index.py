"""The batch index: site paragraph counts and duplicate clusters over typed shard rows."""
import io
import json

from pipeline.batch.finalise import finalise_shard
from pipeline.batch.index import build_batch_index, count_site_paragraphs
from pipeline.batch.writing import dumps
from pipeline.config import load_config
from pipeline.document import Document
from pipeline.dedup.site_repeated import SiteStats


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


def test_batch_index_marks_a_copy_on_another_site_as_duplicate():
    config = load_config()
    body = [f"Sentence number {n} of a long article about the harbour and its new ferry timetable." for n in range(8)]
    rows = [{"id": "a1", "source": "one/a.txt", "url": None, "site_name": None, "paragraphs": body},
            {"id": "b1", "source": "two/b.txt", "url": None, "site_name": None, "paragraphs": body},
            {"id": "c1", "source": "two/c.txt", "url": None, "site_name": None, "paragraphs": ["Other news."]}]
    index, batch = build_batch_index(lambda: [_shard(rows)], SiteStats(), config)
    assert index == {"repeated": {}, "duplicates": {"b1": "a1"}}
    assert batch.sites() == ["one", "two"]


def test_batch_index_reuses_what_the_shard_precomputed_and_records_drop_it():
    config = load_config()
    shard = [{"id": "a1", "source": "one/a.txt", "url": None, "site_name": None, "paragraphs": ["Alpha text."],
              "fingerprints": [], "text_hash": "h", "minhash": ""},
             {"id": "b1", "source": "two/b.txt", "url": None, "site_name": None, "paragraphs": ["Other text."],
              "fingerprints": [], "text_hash": "h", "minhash": ""}]
    index, _ = build_batch_index(lambda: [_shard(shard)], SiteStats(), config)
    assert index["duplicates"] == {"b1": "a1"}  # equal precomputed hashes, though the texts differ
    records, rejects = io.StringIO(), io.StringIO()
    rows = [{**row, "text": row["paragraphs"][0], "removed": []} for row in shard]
    finalise_shard(_shard(rows), index, config, records, rejects)
    assert [sorted(set(json.loads(line)) & {"fingerprints", "text_hash", "minhash", "paragraphs", "kind"})
            for line in records.getvalue().splitlines()] == [[], []]


def test_batch_index_takes_one_id_twice_without_failing():
    # the same file, same name, in two input folders: equal source and content make equal ids
    row = {"id": "a1", "source": "a.txt", "url": None, "site_name": None,
           "paragraphs": ["Sentence one of a story about the harbour and its new ferry timetable."]}
    index, _ = build_batch_index(lambda: [_shard([row]), _shard([row])], SiteStats(), load_config())
    assert index["duplicates"] == {}
