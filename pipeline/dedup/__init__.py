"""Deduplication: near-duplicate documents (minhash) and paragraphs a site repeats (site_repeated)."""
