"""Finding input files and reading each into documents, safely, one document at a time.

``discovery`` finds the files, ``reading.read_input`` turns one into ``RawInput``s and
``Reject``s through ``formats`` (a text or HTML file), ``jsonl`` and ``warc``; ``limits``
holds the caps, ``rejects`` the reasons, ``decoding`` the bytes-to-text step.
"""
