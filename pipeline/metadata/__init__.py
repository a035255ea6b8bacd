"""Article metadata: title, authors, publication date and site name, from HTML pages and text lines.

``page.extract_html_metadata`` reads a page; ``authors``, ``dates`` and ``title`` hold the
normalisers the text path uses too. The rules are data, in ``configs/rules/metadata.toml``,
compiled by ``rules``.
"""
