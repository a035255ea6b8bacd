"""Duplicate marking: exact and near copies point at the first record of their cluster."""
from __future__ import annotations

import base64
import time

import msgspec
from pathlib import Path

import pytest

from conftest import overlay_config
from pipeline.config import ConfigError, load_config
from pipeline.dedup.minhash import DedupRules, find_duplicates, minhash_signature, text_hash

SEEDS = sorted((Path(__file__).parents[1] / "fixtures" / "dedup").glob("*.txt"))
RULES = load_config().rules.dedup


def _seed(n: int) -> str:
    return SEEDS[n].read_text(encoding="utf-8")


def _item(record_id: str, text: str, rules: DedupRules = RULES) -> tuple[str, str, str]:
    return record_id, text_hash(text), minhash_signature(text, rules)


def _change_line(text: str, n: int, new: str) -> str:
    lines = [line for line in text.split("\n") if line.strip()]
    lines[n] = new
    return "\n\n".join(lines)


# hashes and signatures

def test_text_hash_ignores_case_spacing_and_punctuation_only():
    assert text_hash("The talks — held in Doha.") == text_hash("  the TALKS held\n\nin doha ")
    assert text_hash("The talks were held in Doha.") != text_hash("The talks were held in Cairo.")
    assert text_hash(" ... ") == "" and len(text_hash("a")) == 32


def test_signature_is_deterministic_and_sized_by_config():
    signature = minhash_signature(_seed(0), RULES)
    assert signature == minhash_signature(_seed(0), RULES)
    assert len(base64.b64decode(signature)) == 4 * RULES.num_perm
    assert minhash_signature("", RULES) == ""
    # the same in every process (no hash randomisation), pinned
    assert minhash_signature("one two three four five six", RULES)[:24] == "HEawOiHPtDHZ95NFQucyR0gW"
    other_seed = msgspec.structs.replace(RULES, seed=RULES.seed + 1)
    assert minhash_signature(_seed(0), other_seed) != signature


# the "Done when"

def test_five_seeds_are_not_duplicates_of_each_other():
    assert len(SEEDS) == 5
    assert find_duplicates([_item(path.stem, _seed(n)) for n, path in enumerate(SEEDS)], RULES) == {}


def test_exact_and_near_copies_point_at_their_original():
    original = _seed(0)
    items = [_item(path.stem, _seed(n)) for n, path in enumerate(SEEDS)] + [
        _item("exact", original.upper().replace("\n\n", "\n")),
        _item("line_changed", _change_line(original, 5, "An editor rewrote this line of the story entirely.")),
        _item("line_added", original + "\n\nThis story was copied from another outlet.\n"),
        _item("other_changed", _change_line(_seed(3), 4, "A different line in the third outlet's copy.")),
    ]
    assert find_duplicates(items, RULES) == {
        "exact": SEEDS[0].stem,
        "line_changed": SEEDS[0].stem,
        "line_added": SEEDS[0].stem,
        "other_changed": SEEDS[3].stem,
    }


def test_the_shortest_seed_with_its_longest_line_replaced_is_a_near_copy():
    lines = _seed(1).split("\n")
    longest = max(range(len(lines)), key=lambda n: len(lines[n]))
    assert len(lines[longest].split()) == 94
    copy = "\n".join(lines[:longest] + ["A replacement line."] + lines[longest + 1:])
    assert find_duplicates([_item("seed", _seed(1)), _item("copy", copy)], RULES) == {"copy": "seed"}


def test_the_first_record_in_source_order_is_the_original():
    copy = _seed(1) + "\n\nAn added line."
    assert find_duplicates([_item("copy", copy), _item("seed", _seed(1))], RULES) == {"seed": "copy"}


def test_chains_resolve_to_the_first_record():
    near = _change_line(_seed(2), 3, "A line changed in the first copy.")
    items = [_item("a", _seed(2)), _item("b", _seed(4)), _item("a_near", near), _item("a_near_exact", near.lower())]
    assert find_duplicates(items, RULES) == {"a_near": "a", "a_near_exact": "a"}


def test_texts_without_words_are_never_duplicates():
    items = [("empty1", text_hash(""), minhash_signature("", RULES)),
             ("empty2", text_hash(" -- "), minhash_signature(" -- ", RULES))]
    assert find_duplicates(items, RULES) == {}


def test_short_distinct_texts_are_not_duplicates():
    items = [_item(str(n), f"Short note number {word} about the vote.")
             for n, word in enumerate(["one", "two", "three", "four"])]
    assert find_duplicates(items, RULES) == {}


def test_repeated_id_or_foreign_signature_is_refused():
    with pytest.raises(ValueError):
        find_duplicates([_item("a", _seed(0)), _item("a", _seed(1))], RULES)
    small = msgspec.structs.replace(RULES, num_perm=64)
    with pytest.raises(ValueError):
        find_duplicates([_item("a", _seed(0), small)], RULES)


def test_threshold_is_configuration(tmp_path):
    near = _change_line(_seed(0), 5, "An editor rewrote this line of the story entirely.")
    strict = overlay_config(tmp_path, "dedup", threshold=0.97).rules.dedup
    assert find_duplicates([_item("a", _seed(0), strict), _item("b", near, strict)], strict) == {}


# configuration

@pytest.mark.parametrize("change", [
    {"threshold": 0}, {"threshold": 1.0}, {"threshold": 1.5}, {"num_perm": 8}, {"shingle_words": 0}, {"seed": -1},
    {"drop_duplicates": "no"}, {"lsh_false_negative_weight": 1.0}, {"num_perm": 128.0}, {"treshold": 0.8},
])
def test_bad_settings_are_refused(change, tmp_path):
    with pytest.raises(ConfigError, match=rf"\[dedup\] {next(iter(change))}"):
        overlay_config(tmp_path, "dedup", **change)


def test_default_settings():
    assert RULES == DedupRules(threshold=0.6, num_perm=128, shingle_words=5, seed=1,
                                 lsh_false_negative_weight=0.9, drop_duplicates=False, max_words=50_000)


def test_minhash_reads_the_first_max_words_words_only():
    words = [f"w{n}" for n in range(5000)]
    capped = msgspec.structs.replace(RULES, max_words=1000)
    assert minhash_signature(" ".join(words), capped) == minhash_signature(" ".join(words[:1000]), capped)
    assert minhash_signature(" ".join(words), capped) != minhash_signature(" ".join(words), RULES)


def test_minhash_of_a_million_distinct_words_is_bounded():
    text = " ".join(f"w{n}" for n in range(1_000_000))
    started = time.process_time()
    assert minhash_signature(text, RULES) == minhash_signature(" ".join(text.split()[:RULES.max_words]), RULES)
    assert time.process_time() - started < 10  # was 27 s, and 1.5 GB, before the cap


def test_the_disk_index_finds_what_datasketch_lsh_finds():
    # the reference: today's in-memory marking with datasketch's own MinHashLSH
    import random

    import numpy as np
    from datasketch import LeanMinHash, MinHashLSH

    words = [f"w{n}" for n in range(400)]
    rng = random.Random(7)
    texts = []
    for n in range(120):
        if texts and rng.random() < 0.5:  # a near copy of an earlier text: some words changed
            base = rng.choice(texts).split()
            changed = rng.choice([0.01, 0.05, 0.08, 0.1, 0.12])  # around the threshold, both sides
            texts.append(" ".join(w if rng.random() > changed else rng.choice(words) for w in base))
        else:
            texts.append(" ".join(rng.choice(words) for _ in range(200)))
    items = [_item(f"r{n:03d}", text) for n, text in enumerate(texts)]
    lsh = MinHashLSH(threshold=RULES.threshold, num_perm=RULES.num_perm,
                     weights=(1 - RULES.lsh_false_negative_weight, RULES.lsh_false_negative_weight))
    roots, signatures, expected = [], {}, {}
    for position, (record_id, _, signature) in enumerate(items):
        values = np.frombuffer(base64.b64decode(signature), dtype="<u4")
        minhash = LeanMinHash(seed=RULES.seed, hashvalues=values, scheme="affine32")
        matches = [roots[c] for c in lsh.query(minhash)
                   if np.count_nonzero(signatures[c] == values) >= RULES.threshold * RULES.num_perm]
        roots.append(min(matches) if matches else position)
        lsh.insert(position, minhash)
        signatures[position] = values
        if roots[-1] != position:
            expected[record_id] = items[roots[-1]][0]
    assert len(expected) > 20
    assert find_duplicates(items, RULES) == dict(sorted(expected.items()))


def _marked_one_at_a_time(items, rules):
    """The reference: each record marked as it comes, against the band keys of the records before it."""
    import numpy as np

    from pipeline.dedup.minhash import DuplicateIndex

    band_keys = DuplicateIndex(rules)._band_keys
    first_of_id, first_of_hash, by_band, signatures, roots, found = {}, {}, {}, {}, {}, {}
    for position, (record_id, digest, signature) in enumerate(items):
        if record_id in first_of_id:
            first = first_of_id[record_id]
            if roots[first] != first:
                found[(position, record_id)] = items[roots[first]][0]
            continue
        first_of_id[record_id] = position
        root = position
        if digest and digest in first_of_hash:
            root = roots[first_of_hash[digest]]
        else:
            if digest:
                first_of_hash[digest] = position
            if signature:
                values = np.frombuffer(base64.b64decode(signature), dtype="<u4")
                keys = band_keys(values)
                others = {other for key in keys for other in by_band.get(key, ())}
                matches = [roots[o] for o in others
                           if np.count_nonzero(signatures[o] == values) >= rules.threshold * rules.num_perm]
                root = min(matches, default=position)
                signatures[position] = values
                for key in keys:
                    by_band.setdefault(key, []).append(position)
        roots[position] = root
        if root != position:
            found[(position, record_id)] = items[root][0]
    return [(record_id, original) for (_, record_id), original in sorted(found.items())]


def test_the_sorted_index_marks_what_marking_one_record_at_a_time_marks():
    # exact copies, near copies of copies, texts without words, and ids given twice
    # (the same record read from two folders) in one batch, in a shuffled order
    import random

    from pipeline.dedup.minhash import DuplicateIndex

    words = [f"w{n}" for n in range(300)]
    rng = random.Random(11)
    items: list[tuple[str, str, str]] = []
    texts: list[str] = []
    for n in range(240):
        roll = rng.random()
        if items and roll < 0.15:
            items.append(rng.choice(items))  # the same id again
        elif texts and roll < 0.3:
            _, digest, signature = rng.choice([item for item in items if item[1]])
            items.append((f"x{n}", digest, signature))  # an exact copy under its own id
        elif roll < 0.35:
            items.append((f"e{n}", "", ""))  # no words
        else:
            if texts and roll < 0.7:  # a near copy of an earlier text, some close to the threshold
                changed = rng.choice([0.02, 0.08, 0.15])
                text = " ".join(w if rng.random() > changed else rng.choice(words) for w in rng.choice(texts).split())
            else:
                text = " ".join(rng.choice(words) for _ in range(120))
            texts.append(text)
            items.append(_item(f"r{n}", text))
    assert len({i[0] for i in items}) < len(items)
    expected = _marked_one_at_a_time(items, RULES)
    with DuplicateIndex(RULES) as index:
        for record_id, digest, signature in items:
            index.add(record_id, digest, signature, shard=0)
        summary = index.resolve()
        got = [(record_id, original) for _, record_id, original in index.duplicates()]
    assert got == expected
    assert summary["repeated_ids"] == len(items) - len({i[0] for i in items})
    assert len(expected) > 60



def test_a_copy_of_two_clusters_joins_the_one_that_began_first():
    shared = " ".join(f"shared{n}" for n in range(100))
    first_tail, second_tail = [f"p{n}" for n in range(40)], [f"q{n}" for n in range(40)]
    a = shared + " " + " ".join(first_tail)
    b = shared + " " + " ".join(second_tail)
    both = shared + " " + " ".join(first_tail[:20] + second_tail[:20])
    assert find_duplicates([_item("a", a), _item("b", b)], RULES) == {}  # a and b are two clusters
    assert find_duplicates([_item("a", a), _item("b", b), _item("c", both)], RULES) == {"c": "a"}
    assert find_duplicates([_item("b", b), _item("a", a), _item("c", both)], RULES) == {"c": "b"}
