"""Duplicate marking: exact copies by normalised text hash, near copies by MinHash with LSH.

Records are seen in source order; each duplicate points at the first record of its
cluster. Only hashes and MinHash signatures are held, never texts.
"""
from __future__ import annotations

import base64
import hashlib
import re
import unicodedata
from typing import Iterable

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


class DuplicateIndex:
    """The records seen so far, kept in SQLite (on disk or in memory): duplicates found one record at a time.

    What ``find_duplicates`` holds of each record (its cluster, text hash, signature and
    LSH band keys) lives in the database rather than in Python objects, so a batch of
    ten million records costs disk, not memory: the page cache of ``cache_kib`` is all
    it holds. The LSH bands are datasketch's own (``MinHashLSH``'s b and r for the
    rules), so the candidates, and the duplicates, are the ones its index gives.
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
            CREATE TABLE records (position INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, root INTEGER NOT NULL,
                                  signature BLOB);
            CREATE TABLE hashes (digest TEXT PRIMARY KEY, position INTEGER NOT NULL) WITHOUT ROWID;
            CREATE TABLE bands (key INTEGER NOT NULL, position INTEGER NOT NULL);
            CREATE INDEX bands_key ON bands (key);
        """)
        self.db.execute("BEGIN")
        self.position = 0

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

    def _root_of(self, position: int) -> int:
        return self.db.execute("SELECT root FROM records WHERE position = ?", (position,)).fetchone()[0]

    def seen(self, record_id: str) -> bool:
        """Whether ``record_id`` was added."""
        return self.db.execute("SELECT 1 FROM records WHERE id = ?", (record_id,)).fetchone() is not None

    def original_of(self, record_id: str) -> str | None:
        """The first record of the cluster of an added record, if it is a duplicate."""
        found = self.db.execute("SELECT o.id FROM records r JOIN records o ON o.position = r.root "
                                "WHERE r.id = ? AND r.root != r.position", (record_id,)).fetchone()
        return found[0] if found else None

    def add(self, record_id: str, digest: str, signature: str) -> str | None:
        """Note the next record (in source order); the id of the first record of its cluster if it is a duplicate.

        Raise ValueError for an id seen before.
        """
        db = self.db
        if self.seen(record_id):
            raise ValueError(f"record id {record_id} appears twice")
        position = self.position
        self.position += 1
        root = position
        values = None
        found = db.execute("SELECT position FROM hashes WHERE digest = ?", (digest,)).fetchone() if digest else None
        if found:
            root = self._root_of(found[0])
        elif signature:
            values = _decode(signature, self.rules)
            keys = self._band_keys(values)
            marks = ",".join("?" * len(keys))
            candidates = db.execute(
                f"SELECT DISTINCT r.root, r.signature FROM bands b JOIN records r ON r.position = b.position "
                f"WHERE b.key IN ({marks})", keys).fetchall()
            matches = [candidate_root for candidate_root, blob in candidates
                       if np.count_nonzero(np.frombuffer(blob, dtype=_DTYPE) == values) >= self.needed]
            if matches:
                root = min(matches)
            db.executemany("INSERT INTO bands VALUES (?, ?)", [(key, position) for key in keys])
        db.execute("INSERT INTO records VALUES (?, ?, ?, ?)",
                   (position, record_id, root, values.tobytes() if values is not None else None))
        if digest and not found:
            db.execute("INSERT INTO hashes VALUES (?, ?)", (digest, position))
        if root == position:
            return None
        return db.execute("SELECT id FROM records WHERE position = ?", (root,)).fetchone()[0]


def find_duplicates(items: Iterable[tuple[str, str, str]], rules: DedupRules) -> dict[str, str]:
    """Map every duplicate's id to the id of the first record of its cluster.

    ``items`` are ``(record_id, text_hash, minhash_signature)`` in source order. A record
    is an exact copy of an earlier one with the same hash, or a near copy of an earlier
    one whose signature LSH proposes and whose estimated Jaccard similarity is at least
    ``threshold``. It joins that record's cluster; when it matches several clusters, the
    one whose first record came first. Clusters are never merged afterwards, so a chain
    of copies resolves to its first record without snowballing. Records without words
    (empty hash and signature) are never duplicates nor originals.
    """
    duplicates: dict[str, str] = {}
    with DuplicateIndex(rules) as index:
        for record_id, digest, signature in items:
            original = index.add(record_id, digest, signature)
            if original is not None:
                duplicates[record_id] = original
    return dict(sorted(duplicates.items()))
