"""JSON Lines inputs: each line a document or a reject, the stream read with caps."""
from __future__ import annotations

import gzip
import json
from datetime import date

import pytest

from reading_helpers import LIMITS, PAGE, only_doc, only_reject, read, write
from pipeline.document import RawInput, Reject
from pipeline.inputs.limits import Limits

JSONL_LINES = [
    json.dumps({"url": "http://example.com/1", "html": PAGE, "date": "2024-05-06T08:00:00Z", "site": "Example"}),
    '{"url": "http://example.com/2", "text": "Plain text\\u0000 body"',
    "",
    json.dumps({"url": "http://example.com/3", "text": "Ein Text über Köln.", "reference_date": "2024-05-07"}),
    json.dumps(["not", "an", "object"]),
    json.dumps({"url": "http://example.com/5"}),
    json.dumps({"url": 5, "text": "x"}),
    json.dumps({"text": "   "}),
    json.dumps({"text": "Undated\u0007 text", "date": "last Tuesday"}),
]


def expected_jsonl(name: str) -> list[tuple]:
    return [
        (f"{name}#1", "html", "http://example.com/1", date(2024, 5, 6), PAGE),
        (f"{name}#2", "malformed_json"),
        (f"{name}#4", "text", "http://example.com/3", date(2024, 5, 7), "Ein Text über Köln."),
        (f"{name}#5", "malformed_json"),
        (f"{name}#6", "missing_content"),
        (f"{name}#7", "invalid_field"),
        (f"{name}#8", "empty"),
        (f"{name}#9", "text", None, None, "Undated text"),
    ]


def summarise(items) -> list[tuple]:
    return [(i.source, i.reason) if isinstance(i, Reject)
            else (i.source, i.kind, i.url, i.reference_date, i.content) for i in items]


@pytest.mark.parametrize("name, pack", [("docs.jsonl", lambda b: b), ("docs.jsonl.gz", gzip.compress)])
def test_jsonl_rejects_bad_lines_one_by_one_and_keeps_the_rest(tmp_path, name, pack):
    items = read(write(tmp_path / name, pack("\n".join(JSONL_LINES).encode("utf-8"))))
    assert summarise(items) == expected_jsonl(name)
    assert items[-1].notes == ["ignored unreadable reference date 'last Tuesday'", "removed 1 control characters"]


def test_jsonl_messages_say_what_is_wrong(tmp_path):
    items = read(write(tmp_path / "d.jsonl", "\n".join(JSONL_LINES)))
    messages = {i.source: i.message for i in items if isinstance(i, Reject)}
    assert messages["d.jsonl#2"] == "line 2 is not valid JSON (Expecting ',' delimiter at column 64)"
    assert messages["d.jsonl#5"] == "line 5 holds a JSON list, not an object"
    assert messages["d.jsonl#6"] == ("line 6 has neither an 'html' nor a 'text' string field (name yours with "
                                     "--html-field or --text-field, or in [inputs.jsonl])")
    assert messages["d.jsonl#7"] == "line 7: field 'url' must be a string, not a JSON int"


def test_gzipped_jsonl_under_a_plain_name_is_read(tmp_path):
    items = read(write(tmp_path / "z.jsonl", gzip.compress(json.dumps({"text": "zipped"}).encode())))
    assert summarise(items) == [("z.jsonl#1", "text", None, None, "zipped")]


def test_jsonl_overlong_line_is_skipped_without_loading_it(tmp_path):
    lines = [json.dumps({"text": "first"}), json.dumps({"text": "y" * 500}), json.dumps({"text": "third"})]
    limits = Limits(max_input_bytes=100, max_decompressed_bytes=10_000, max_line_chars=1000)
    items = read(write(tmp_path / "l.jsonl", "\n".join(lines)), limits)
    assert summarise(items) == [("l.jsonl#1", "text", None, None, "first"), ("l.jsonl#2", "too_large"),
                                ("l.jsonl#3", "text", None, None, "third")]


def test_truncated_jsonl_gz_keeps_the_lines_before_the_break(tmp_path):
    lines = [json.dumps({"text": f"record {n} " + "pad " * 30}) for n in range(1, 200)]
    packed = gzip.compress("\n".join(lines).encode(), compresslevel=1)
    items = read(write(tmp_path / "t.jsonl.gz", packed[: len(packed) * 2 // 3]))
    assert all(isinstance(i, RawInput) for i in items[:-1]) and len(items) > 10
    assert (items[-1].source, items[-1].reason) == (f"t.jsonl.gz#{len(items)}", "truncated_gzip")


def test_jsonl_gz_bomb_without_newlines_stops_at_the_cap(tmp_path):
    bomb = gzip.compress(json.dumps({"text": "ok"}).encode() + b"\n" + b"x" * 3_000_000)
    items = read(write(tmp_path / "bomb.jsonl.gz", bomb))
    assert summarise(items) == [("bomb.jsonl.gz#1", "text", None, None, "ok"),
                                ("bomb.jsonl.gz#2", "decompression_limit")]


def test_jsonl_with_only_blank_lines_is_empty(tmp_path):
    assert only_reject(write(tmp_path / "b.jsonl", "\n\n  \n")) == ("b.jsonl", "empty")


def test_deeply_nested_json_line_is_malformed(tmp_path):
    assert only_reject(write(tmp_path / "n.jsonl", "[" * 20_000 + "]" * 20_000)) == ("n.jsonl#1", "malformed_json")


# --- field mapping ([inputs.jsonl]) and what passes through -----------------------------------

def _mapped(**fields) -> Limits:
    from dataclasses import replace

    from pipeline.config import load_config

    return replace(LIMITS, jsonl=load_config(None, {"inputs": {"jsonl": fields}}).settings.inputs.jsonl)


def test_a_content_field_is_read_once_mapped_and_the_rest_passes_through(tmp_path):
    line = {"doc_id": 17, "content": "Der Rat stimmte zu.", "link": "https://example.org/a", "crawled": "2024-06-01",
            "tags": ["rat", "köln"], "score": 0.25, "extra": {"nested": [1, None]}}
    f = write(tmp_path / "c.jsonl", json.dumps(line, ensure_ascii=False))
    assert only_reject(f) == ("c.jsonl#1", "missing_content")  # the packaged mapping has no 'content'
    doc = only_doc(f, _mapped(text_field=["content"], url_field=["link"], id_field=["doc_id"],
                              date_field=["crawled"]))
    assert (doc.kind, doc.content, doc.url, doc.reference_date) == (
        "text", "Der Rat stimmte zu.", "https://example.org/a", date(2024, 6, 1))
    assert doc.origin.source_id == "17"
    assert list(doc.origin.meta.items()) == [("tags", ["rat", "köln"]), ("score", 0.25),
                                             ("extra", {"nested": [1, None]})]


def test_every_field_no_mapping_names_is_kept_in_meta_by_default(tmp_path):
    f = write(tmp_path / "m.jsonl", json.dumps({"url": "http://e.com/1", "text": "Body.", "date": "2024-01-02",
                                                "id": "a-1", "lang": "de"}))
    doc = only_doc(f)
    assert (doc.origin.source_id, doc.origin.meta) == (None, {"id": "a-1", "lang": "de"})


def test_the_first_present_field_of_a_mapping_list_wins(tmp_path):
    f = write(tmp_path / "l.jsonl", "\n".join([json.dumps({"body": "B one.", "content": "C one."}),
                                               json.dumps({"content": "C two.", "body": None})]))
    limits = _mapped(text_field=["body", "content"])
    assert [(d.content, d.origin.meta) for d in read(f, limits)] == [("B one.", {}), ("C two.", {})]


def test_a_user_id_that_is_not_a_string_or_integer_is_a_reject(tmp_path):
    f = write(tmp_path / "i.jsonl", json.dumps({"text": "Body.", "id": [1]}))
    items = read(f, _mapped(id_field=["id"]))
    assert [(i.source, i.reason, i.message) for i in items] == [
        ("i.jsonl#1", "invalid_field", "line 1: id field 'id' must be a string or an integer, not a JSON list")]


def test_the_mapping_is_checked_when_the_configuration_loads():
    from pipeline.config import ConfigError, load_config

    with pytest.raises(ConfigError) as error:
        load_config(None, {"inputs": {"jsonl": {"txt_field": ["content"]}}})
    assert str(error.value) == "command line: [inputs.jsonl] txt_field: unknown key (did you mean 'text_field'?)"
