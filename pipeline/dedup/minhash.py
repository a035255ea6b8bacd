"""Duplicate marking: exact copies by normalised text hash, near copies by MinHash with LSH.

Records are seen in source order; each duplicate points at the first record of its
cluster. Only hashes and MinHash signatures are held, never texts.
"""
from __future__ import annotations

import base64
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

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
    index = _index(rules)
    ids: list[str] = []
    roots: list[int] = []  # per position: position of its cluster's first record
    signatures: dict[int, np.ndarray] = {}  # positions in the LSH index
    first_by_hash: dict[str, int] = {}
    seen: set[str] = set()
    duplicates: dict[str, str] = {}
    for position, (record_id, digest, signature) in enumerate(items):
        if record_id in seen:
            raise ValueError(f"record id {record_id} appears twice")
        seen.add(record_id)
        ids.append(record_id)
        root = position
        if digest and digest in first_by_hash:
            root = roots[first_by_hash[digest]]
        elif signature:
            values = _decode(signature, rules)
            minhash = LeanMinHash(seed=rules.seed, hashvalues=values, scheme=_SCHEME)
            matches = [roots[candidate] for candidate in index.query(minhash)
                       if np.count_nonzero(signatures[candidate] == values) >= rules.threshold * rules.num_perm]
            if matches:
                root = min(matches)
            index.insert(position, minhash)
            signatures[position] = values
        if digest and digest not in first_by_hash:
            first_by_hash[digest] = position
        roots.append(root)
        if root != position:
            duplicates[record_id] = ids[root]
    return dict(sorted(duplicates.items()))
