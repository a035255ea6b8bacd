"""The step interface: one small unit of per-document cleaning with one narrow hook."""
from __future__ import annotations

from typing import ClassVar

from pipeline.config import Config
from pipeline.document import Document


class Step:
    """One per-document step: reads the Document, sets its fields, records its Removals.

    A step is built once per run from the configuration, keeping only the typed rules it
    needs, then applied to each document in turn.  What it hands to later steps (a parsed
    tree, the text still to clean) goes on ``doc.work``, never into the record.  ``name``
    labels the step in the runner's per-step counts and times.
    """

    name: ClassVar[str] = "step"

    def __init__(self, config: Config) -> None:
        """Take what the step needs from ``config``; most steps need nothing."""

    def apply(self, doc: Document) -> None:
        """Clean ``doc`` in place."""
        raise NotImplementedError
