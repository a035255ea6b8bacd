"""trafilatura's body as lines: paragraphs, headings, list items and table rows, each with its kind."""
from __future__ import annotations

from dataclasses import dataclass

from pipeline.text.lines import normalise_line

# trafilatura's output elements that start a new paragraph when nested in another block
_BLOCK_TAGS = frozenset({"p", "head", "item", "list", "quote", "row", "table", "code"})


@dataclass(frozen=True)
class Block:
    """One line of trafilatura's body: its kind (p, head, item, row...) and text."""

    kind: str
    text: str


def _block_lines(block) -> list[str]:
    """The text lines of one trafilatura output block.

    A new line starts at <lb/> and at a nested block (a paragraph inside a quote).
    """
    lines: list[list[str]] = [[]]

    def walk(element) -> None:
        if element.text:
            lines[-1].append(element.text)
        for child in element:
            if child.tag == "lb":
                lines.append([])
            elif child.tag in _BLOCK_TAGS:
                lines.append([])
                walk(child)
                lines.append([])
            else:
                if child.tag == "cell":
                    lines[-1].append(" ")
                walk(child)
            if child.tail:
                lines[-1].append(child.tail)

    walk(block)
    return [line for line in (normalise_line("".join(parts)) for parts in lines) if line]


def body_blocks(body) -> list[Block]:
    """The lines of trafilatura's body in order: paragraphs, headings, list items, table rows."""
    blocks: list[Block] = []
    # a page that parses to one bare element comes back as that element, not a <body>
    for block in (body if body.tag == "body" else [body]):
        if block.tag in ("list", "table"):
            children = block.findall("item") if block.tag == "list" else block.iter("row")
            units = list(children) or [block]
        else:
            units = [block]
        for unit in units:
            blocks.extend(Block(unit.tag, text) for text in _block_lines(unit))
        if block.tail and block.tail.strip():
            blocks.append(Block("p", normalise_line(block.tail)))
    return blocks
