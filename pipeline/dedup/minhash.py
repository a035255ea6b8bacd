"""Duplicate marking: exact copies by normalised text hash, near copies by MinHash with LSH.

Records are seen in source order; each duplicate points at the first record of its
cluster. Only hashes and MinHash signatures are held, never texts.
"""
from __future__ import annotations

import base64
import hashlib
import re
import unicodedata
from itertools import groupby
from operator import itemgetter
from typing import Iterable, Iterator

import numpy as np
from datasketch import MinHash, MinHashLSH

from pipeline import schema

_WORD = re.compile(r"\w+")
_SCHEME = "affine32"  # datasketch's default scheme: 32-bit hash values
_DTYPE = np.dtype("<u4")
_BATCH = 4096  # shingles hashed at a time


# Settings of ``configs/rules/dedup.toml``; see that file for each one.
DedupRules = schema.Dedup


def check_index(rules: DedupRules) -> str | None:
    """Why no LSH index fits ``rules`` (threshold against num_perm), or None."""
    try:
        _index(rules)
    except ValueError as exc:
        return f"no LSH index fits threshold and num_perm: {exc}"
    return None


def _words(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def text_hash(text: str) -> str:
    """32 hex digits of the text's words, case-folded (spacing and punctuation ignored); "" for no words."""
    words = _words(text)
    if not words:
        return ""
    return hashlib.blake2b(" ".join(words).encode("utf-8"), digest_size=16).hexdigest()


def minhash_signature(text: str, rules: DedupRules) -> str:
    """MinHash of the word shingles of the text's first ``max_words`` words, as base64 of
    ``num_perm`` 32-bit values; "" for no words.

    The cap bounds the time and memory one document costs after cleaning; batches
    of shingles bound the hash matrix datasketch builds (num_perm values per shingle).
    """
    words = _words(text)[:rules.max_words]
    if not words:
        return ""
    size = rules.shingle_words
    shingles = list({" ".join(words[i:i + size]) for i in range(max(1, len(words) - size + 1))})
    minhash = MinHash(num_perm=rules.num_perm, seed=rules.seed, scheme=_SCHEME)
    for start in range(0, len(shingles), _BATCH):  # a minimum: order and batching do not matter
        minhash.update_batch([s.encode("utf-8") for s in shingles[start:start + _BATCH]])
    return base64.b64encode(minhash.hashvalues.astype(_DTYPE).tobytes()).decode("ascii")


def _decode(signature: str, rules: DedupRules) -> np.ndarray:
    values = np.frombuffer(base64.b64decode(signature, validate=True), dtype=_DTYPE)
    if len(values) != rules.num_perm:
        raise ValueError(f"signature has {len(values)} values, the rules say num_perm={rules.num_perm}")
    return values


def _index(rules: DedupRules) -> MinHashLSH:
    # every candidate is confirmed by its estimated similarity, so LSH may err towards
    # proposing too many: a missed candidate is a missed duplicate
    missed = rules.lsh_false_negative_weight
    return MinHashLSH(threshold=rules.threshold, num_perm=rules.num_perm, weights=(1.0 - missed, missed))


# how resolve() finds the clusters: repeated ids, then exact copies among the rest, then the
# pairs that share an LSH band among what is neither
_RESOLVE = (
    """CREATE INDEX records_id ON records (id, position)""",
    """CREATE TEMP TABLE repeats (position INTEGER PRIMARY KEY, first INTEGER NOT NULL)""",
    """INSERT INTO repeats SELECT r.position, f.first FROM records r
        JOIN (SELECT id, min(position) AS first FROM records GROUP BY id HAVING count(*) > 1) f
        ON r.id = f.id AND r.position > f.first""",
    """CREATE INDEX records_digest ON records (digest, position) WHERE digest != ''""",
    """CREATE TEMP TABLE copies (position INTEGER PRIMARY KEY, first INTEGER NOT NULL)""",
    """INSERT INTO copies SELECT r.position, f.first FROM records r
        JOIN (SELECT digest, min(position) AS first FROM records
              WHERE digest != '' AND position NOT IN (SELECT position FROM repeats) GROUP BY digest HAVING count(*) > 1) f
        ON r.digest = f.digest AND r.position > f.first
        WHERE r.position NOT IN (SELECT position FROM repeats)""",
    """DELETE FROM bands WHERE position IN (SELECT position FROM repeats UNION ALL SELECT position FROM copies)""",
    """CREATE INDEX bands_key ON bands (key, position)""",
    """CREATE TEMP TABLE pairs (position INTEGER NOT NULL, other INTEGER NOT NULL,
                             PRIMARY KEY (position, other)) WITHOUT ROWID""",
    """INSERT OR IGNORE INTO pairs SELECT b2.position, b1.position
        FROM (SELECT key FROM bands GROUP BY key HAVING count(*) > 1) shared
        JOIN bands b1 ON b1.key = shared.key
        JOIN bands b2 ON b2.key = shared.key AND b1.position < b2.position""",
)


class DuplicateIndex:
    """The records of a batch, kept in SQLite (on disk or in memory): duplicates found by sorting, not by probing.

    Records are appended in source order (``add``); ``resolve`` then finds every cluster at
    once, and ``duplicates`` reads them back in source order. Appending writes rows at the
    end of tables without indexes; each index is built once, by SQLite's sort, after the
    last record. So the time per record stays flat however large the batch: probing and
    growing an index of 25 random band keys per record while adding (the former design)
    cost a random disk page per record once that index outgrew the page cache. What the
    batch holds lives in the database, not in Python objects: ten million records cost
    disk, not memory. The LSH bands are datasketch's own (``MinHashLSH``'s b and r for
    the rules), so the candidates, and the duplicates, are the ones its index gives.

    The clusters are those of marking one record at a time in source order: an exact copy
    (same text hash) joins the cluster of the first record with that hash; a near copy
    joins the earliest-rooted cluster among the earlier records that share an LSH band
    with it and whose estimated similarity reaches the threshold. Clusters are never
    merged afterwards. A record id seen before is the same record again: it is not
    indexed, and is a duplicate of what its first occurrence is a duplicate of.
    """

    def __init__(self, rules: DedupRules, path: str = ":memory:", cache_kib: int = 65536):
        import sqlite3

        lsh = _index(rules)
        self.rules = rules
        self.ranges = list(lsh.hashranges)
        self.needed = rules.threshold * rules.num_perm
        self.db = sqlite3.connect(path, isolation_level=None)
        for pragma in ("journal_mode = OFF", "synchronous = OFF", f"cache_size = -{cache_kib}",
                       "temp_store = FILE", "locking_mode = EXCLUSIVE"):
            self.db.execute(f"PRAGMA {pragma}")
        self.db.executescript("""
            CREATE TABLE records (position INTEGER PRIMARY KEY, id TEXT NOT NULL, shard INTEGER NOT NULL,
                                  digest TEXT NOT NULL, signature BLOB);
            CREATE TABLE bands (key INTEGER NOT NULL, position INTEGER NOT NULL);
            CREATE TABLE roots (position INTEGER PRIMARY KEY, root INTEGER NOT NULL, repeat INTEGER NOT NULL);
        """)
        self.db.execute("BEGIN")
        self.position = 0
        self.resolved = False

    def close(self) -> None:
        self.db.execute("COMMIT")
        self.db.close()

    def __enter__(self) -> "DuplicateIndex":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _band_keys(self, values: np.ndarray) -> list[int]:
        # 64 bits of each band's values: equal bands give equal keys, and a collision
        # only proposes one more candidate, which the similarity check then judges
        return [int.from_bytes(hashlib.blake2b(bytes([band % 256]) + values[start:end].tobytes(),
                                               digest_size=8).digest(), "big", signed=True)
                for band, (start, end) in enumerate(self.ranges)]

    def add(self, record_id: str, digest: str, signature: str, shard: int = 0) -> None:
        """Append the next record, in source order, of shard number ``shard``.

        Raise ValueError for a signature of another size than the rules say.
        """
        if self.resolved:
            raise RuntimeError("a record added after resolve()")
        values = _decode(signature, self.rules) if signature else None
        position = self.position
        self.position += 1
        self.db.execute("INSERT INTO records VALUES (?, ?, ?, ?, ?)",
                        (position, record_id, shard, digest, values.tobytes() if values is not None else None))
        if values is not None:
            self.db.executemany("INSERT INTO bands VALUES (?, ?)", [(key, position) for key in self._band_keys(values)])

    def resolve(self) -> dict[str, int]:
        """Find the clusters of all records added: ``{"records": distinct ids, "duplicates": n, "repeated_ids": n}``."""
        self.resolved = True
        db = self.db
        for statement in _RESOLVE:
            db.execute(statement)
        # one record at a time in source order, as marking while adding would: every
        # earlier record's root is final when a later one asks for it
        events = db.execute("""
            SELECT position, first, 0 FROM repeats UNION ALL SELECT position, first, 1 FROM copies
            UNION ALL SELECT position, other, 2 FROM pairs ORDER BY 1, 2""")
        for position, group in groupby(events, key=itemgetter(0)):
            group = list(group)
            kind = group[0][2]
            if kind == 2:
                values = self._signature(position)
                matches = [self._root(other) for _, other, _ in group
                           if np.count_nonzero(self._signature(other) == values) >= self.needed]
                root = min(matches) if matches else position
            else:
                first = group[0][1]
                root = self._root(first)
                if kind == 0 and root == first:
                    root = position  # the first occurrence is no duplicate, so neither is this one
            if root != position:
                db.execute("INSERT INTO roots VALUES (?, ?, ?)", (position, root, int(kind == 0)))
        repeated = db.execute("SELECT count(*) FROM repeats").fetchone()[0]
        return {"records": self.position - repeated,
                "duplicates": db.execute("SELECT count(*) FROM roots WHERE repeat = 0").fetchone()[0],
                "repeated_ids": repeated}

    def _root(self, position: int) -> int:
        found = self.db.execute("SELECT root FROM roots WHERE position = ?", (position,)).fetchone()
        return found[0] if found else position

    def _signature(self, position: int) -> np.ndarray:
        blob = self.db.execute("SELECT signature FROM records WHERE position = ?", (position,)).fetchone()[0]
        return np.frombuffer(blob, dtype=_DTYPE)

    def first_repeated_id(self) -> str | None:
        """The first record id added a second time, once resolved; None if every id came once."""
        found = self.db.execute("SELECT r.id FROM repeats x JOIN records r ON r.position = x.position "
                                "ORDER BY x.position LIMIT 1").fetchone()
        return found[0] if found else None

    def duplicates(self) -> Iterator[tuple[int, str, str]]:
        """``(shard, record id, id of the first record of its cluster)`` of every duplicate, in source order."""
        if not self.resolved:
            raise RuntimeError("duplicates() before resolve()")
        yield from self.db.execute("SELECT r.shard, r.id, o.id FROM roots x JOIN records r ON r.position = x.position "
                                   "JOIN records o ON o.position = x.root ORDER BY x.position")


def find_duplicates(items: Iterable[tuple[str, str, str]], rules: DedupRules) -> dict[str, str]:
    """Map every duplicate's id to the id of the first record of its cluster.

    ``items`` are ``(record_id, text_hash, minhash_signature)`` in source order. A record
    is an exact copy of an earlier one with the same hash, or a near copy of an earlier
    one whose signature LSH proposes and whose estimated Jaccard similarity is at least
    ``threshold``. It joins that record's cluster; when it matches several clusters, the
    one whose first record came first. Clusters are never merged afterwards, so a chain
    of copies resolves to its first record without snowballing. Records without words
    (empty hash and signature) are never duplicates nor originals. Raise ValueError for an
    id given twice.
    """
    with DuplicateIndex(rules) as index:
        for record_id, digest, signature in items:
            index.add(record_id, digest, signature)
        found = index.resolve()
        if found["repeated_ids"]:
            raise ValueError(f"record id {index.first_repeated_id()} appears twice")
        return dict(sorted((record_id, original) for _, record_id, original in index.duplicates()))
