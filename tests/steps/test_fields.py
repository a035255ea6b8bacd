"""The steps every input ends with: control characters scrubbed from every field."""
from __future__ import annotations

from pipeline.document import Document, Removal
from pipeline.steps.fields import scrub_controls


def test_controls_are_scrubbed_from_every_field():
    doc = Document(id="1", source="s", url="http://e.com/\x01a", title="T\x02", description="D\x7f",
                   authors=["A\x85", "\x03"], site_name="S\x1b", date_raw="1\x00 May", paragraphs=["P\x04", "\x05"],
                   removed=[Removal("navigation", "N\x06", "nav.v1")])
    scrub_controls(doc)
    assert (doc.url, doc.title, doc.description, doc.authors, doc.site_name, doc.date_raw, doc.paragraphs) == (
        "http://e.com/a", "T", "D", ["A"], "S", "1 May", ["P"])
    assert doc.removed == [Removal("navigation", "N", "nav.v1")]
    assert doc.notes == ["removed 10 control characters from the cleaned fields"]
