"""Text layout normalised before any detection, so every renderer's dump reads like paragraphs.

Five steps, in order: script, CSS and JSON lines are cut as ``code`` (a line where lxml glued
them to prose is split first, so the prose stays); a line that glues many blocks together is
cut back into its blocks; hard-wrapped lines
are rejoined at the wrap width measured on the dump itself; markdown (html2text) is read
back to its text; runs of letterless one-link fragments (``(`` / ``1`` / ``)``) are joined.
Each step that changes something says so in ``notes``; each piece of text taken out is a
``Removal``.  Text that is already laid out in paragraphs passes through unchanged.
"""
from __future__ import annotations

import json
import re

import regex
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from re import _constants as sre_constants, _parser as sre_parser

from pipeline.config import Config
from pipeline.document import Removal
from pipeline.schema import TextLayout as LayoutRules

CODE = "code"
MARKUP = "markup"
IMAGE = "image_caption"

_CODE_SYMBOLS = frozenset("{}[]();=<>|&\\$:,'\"")
_CODE_SYMBOL_LIST = "".join(sorted(_CODE_SYMBOLS))
# what only code writes: braces, a semicolon closing a statement or glued to the next
# one, an assignment or arrow without spaces, a call on a member
_CODE_TOKEN = re.compile(r"[{}]|;(?:\S|\s*$)|\w=[\w\"'(\[!]|=>|===?|\w\.\w+\(|\bfunction\s*\(")
# comments, CDATA wrappers, and a line that opens a block ("a.nav img {"): prose never does
_COMMENT_LINE = re.compile(r"^(?:.*\{|/\*.*\*/|<!--.*-->|<!\[CDATA\[.*|.*\]\]>|//\s*<!\[CDATA\[.*)$")
# a JSON key and value ("name":"x"): a piece of an object, never prose
_JSON_PAIR = re.compile(r'"\s*:\s*["{\[\d]|":\s*(?:true|false|null)\b')
_WORD = re.compile(r"^[(\"'“‘]?[^\W\d_][^\W_]*(?:[-'’][^\W_]+)*[)\"'”’.,:;!?]*$")
_LIST_START = re.compile(r"^\s*(?:[*+\-•·▪◦■►▸‣–]|\d{1,3}[.)]|#{1,6})\s")
_BLOCK_START = re.compile(r"^\s*(?:[|>]|```)")  # quotes, table rows, code fences
_COLUMN_GAP = re.compile(r"\S {3,}\S")  # a table row laid out in columns

_MD_IMAGE = re.compile(r"!\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(\s*([^)\s]*)(?:\s+\"[^\"]*\")?\s*\)")
_MD_LINK = re.compile(r"\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(\s*([^)\s]*)(?:\s+\"[^\"]*\")?\s*\)")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$")
_MD_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_MD_EMPHASIS = re.compile(r"(?<![\w*])([*_])(?=[^\s*_])(.+?)(?<=[^\s*_])\1(?![\w*])")
_MD_EMPTY_EMPHASIS = re.compile(r"(?<!\S)(?:\*\*|__)(?!\S)")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>|])")
_MD_MARK = re.compile(r"\]\(|^\s{0,3}#{1,6}\s|\*\*\S", re.M)

_LETTER = re.compile(r"[^\W\d_]")
_BULLET = re.compile(r"[*+•·▪◦■►▸‣–-](?:\s|$)")
_OPENING = "([{«‹"
_CLOSING = ")]}»›.,:;!?"


@dataclass(frozen=True)
class Layout:
    """The dump with its layout normalised, what was cut out of it, and what was done."""

    text: str
    removed: tuple[Removal, ...]
    notes: tuple[str, ...]


def layout_rules(config: Config) -> LayoutRules:
    """The layout thresholds of ``config`` (checked when the configuration was loaded)."""
    return config.rules.text_layout


def normalise_layout(text: str, config: Config) -> Layout:
    """``text`` as paragraphs, one per line: code cut, glued blocks cut apart, wraps rejoined, markdown read,
    fragments joined."""
    return normalise_with(text, layout_rules(config))


def normalise_with(text: str, rules: LayoutRules) -> Layout:
    """``normalise_layout`` with the rules already parsed."""
    lines = text.split("\n")
    removed: list[Removal] = []
    notes: list[str] = []

    glued, cut = 0, []
    if carries_page_code(lines, rules):
        lines, glued = split_glued_lines(lines, rules)
        lines, cut = cut_code(lines, rules)
    if glued:
        notes.append(f"layout: split {glued} lines where script or style text was glued to prose")
    if cut:
        removed.extend(cut)
        notes.append(f"layout: removed {sum(r.text.count(chr(10)) + 1 for r in cut)} lines of script, "
                     f"CSS or JSON text as {CODE} ({len(cut)} runs)")

    lines, blocks = split_glued_blocks(lines, rules)
    if blocks:
        notes.append(f"layout: cut {blocks} lines that glued blocks together into their blocks")

    width = estimate_wrap_width(lines, rules)
    if width is not None:
        lines, joined = rejoin_wrapped(lines, width)
        if joined:
            notes.append(f"layout: rejoined {joined} hard-wrapped lines into their paragraphs "
                         f"(wrap width {width} measured on the dump)")

    if is_markdown(lines, rules):
        lines, cut, counts = read_markdown(lines)
        removed.extend(cut)
        done = ", ".join(f"{n} {what}" for what, n in counts.items() if n)
        if done:
            notes.append(f"layout: read markdown: {done}")

    lines, fragments = join_fragments(lines, rules)
    if fragments:
        notes.append(f"layout: joined {fragments} one-link fragment lines to their neighbours")

    if not notes:
        return Layout(text, (), ())
    return Layout("\n".join(lines), tuple(removed), tuple(notes))


# --- script, CSS and JSON text ------------------------------------------------------------

def is_code(line: str, rules: LayoutRules) -> bool:
    """Whether one line is script, style or JSON text rather than words meant to be read."""
    stripped = line.strip()
    if not stripped:
        return False
    if _COMMENT_LINE.match(stripped):
        return True
    if stripped[0] in "{[" and stripped[-1] in "}]" and len(stripped) >= rules.code_min_chars:
        try:
            json.loads(stripped)
            return True
        except ValueError:
            pass
    dense = "".join(stripped.split())
    share = sum(map(dense.count, _CODE_SYMBOL_LIST)) / len(dense)
    return share >= rules.code_min_symbol_share and _CODE_TOKEN.search(stripped) is not None


def carries_page_code(lines: list[str], rules: LayoutRules) -> bool:
    """Whether the dump holds the page's own scripts or styles (a renderer that kept them).

    Code in an article (a tutorial's sample) is text; only a dump that shows the page's
    script or style machinery has its code lines cut.
    """
    marker, needed = page_marker(rules.code_page_marker)
    if rules.code_min_page_markers > 0 and not holds_any(lines, needed):
        return False  # no line holds what every marker holds: no line need be searched
    found = 0
    for line in lines:
        found += len(marker.findall(line))
        if found >= rules.code_min_page_markers:
            return True
    return False


@lru_cache(maxsize=8)
def page_marker(pattern: str) -> tuple[re.Pattern, tuple[str, ...] | None]:
    """The compiled page-code marker and the strings one of which each of its matches holds."""
    return re.compile(pattern), required_substrings(pattern)


@lru_cache(maxsize=64)
def required_substrings(pattern: str, flags: int = 0) -> tuple[str, ...] | None:
    """Strings one of which every match of the regex ``pattern`` holds; None when not known.

    One string per top-level alternative: its longest run of plain characters (a character
    repeated at least n times counts n times). A text holding none of them cannot match, so
    a page's lines need not be searched one by one. None when an alternative has no plain
    character, or case is ignored.
    """
    try:
        parsed = sre_parser.parse(pattern, flags)
    except re.error:
        return None
    if parsed.state.flags & re.IGNORECASE:
        return None
    branch = len(parsed.data) == 1 and parsed.data[0][0] is sre_constants.BRANCH
    alternatives = parsed.data[0][1][1] if branch else [parsed]
    found = []
    for alternative in alternatives:
        best = run = ""
        for op, av in alternative:
            if op is sre_constants.LITERAL:
                run += chr(av)
            elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT) and av[0] >= 1 \
                    and len(av[2]) == 1 and av[2][0][0] is sre_constants.LITERAL:
                run += chr(av[2][0][1]) * av[0]
                best = max(best, run, key=len)
                run = "" if av[1] != av[0] else run  # more copies may follow: the run ends
            else:
                run = ""
            best = max(best, run, key=len)
        if not best:
            return None
        found.append(best)
    return tuple(found)


def holds_any(lines: list[str], needed: tuple[str, ...] | None) -> bool:
    """Whether some line of ``lines`` may hold one of ``needed`` (always, when ``needed`` is None)."""
    if needed is None:
        return True
    text = "\n".join(lines)
    return any(literal in text for literal in needed)


def split_glued_code(line: str, rules: LayoutRules) -> list[str]:
    """A code line cut where script or style text and prose were glued together (lxml).

    Each piece between boundaries is judged alone; consecutive pieces of the same kind are
    joined again, and a prose piece too short to stand alone goes with the code around it.
    The pieces are returned in order; a line with no prose piece comes back whole.
    """
    boundary = re.compile(rules.code_split_boundary)
    pieces = [p.strip() for p in boundary.split(line) if p and p.strip()]
    if len(pieces) < 2:
        return [line]
    kinds = [_is_glued_prose(p, rules) for p in pieces]
    if not any(kinds):
        return [line]
    out: list[str] = []
    previous = None
    for piece, prose in zip(pieces, kinds):
        if out and prose == previous:
            out[-1] += " " + piece
        else:
            out.append(piece)
        previous = prose
    return out


def _is_glued_prose(piece: str, rules: LayoutRules) -> bool:
    """A piece of a glued line that reads as words: long enough, mostly words, no code token."""
    tokens = piece.split()
    if len(tokens) < rules.code_split_min_words or _CODE_TOKEN.search(piece) or _JSON_PAIR.search(piece):
        return False
    if not (_WORD.match(tokens[0]) or tokens[0][0].isdigit()):
        return False  # a comment ("// Hide the widget"), a doc line ("* @returns"), a stray bracket
    words = sum(1 for t in tokens if _WORD.match(t))
    dense = "".join(tokens)
    symbols = sum(c in _CODE_SYMBOLS for c in dense) / len(dense)
    return words >= rules.code_split_min_word_share * len(tokens) and symbols < rules.code_min_symbol_share


def split_glued_lines(lines: list[str], rules: LayoutRules) -> tuple[list[str], int]:
    """``lines`` with each glued code-and-prose line cut into its pieces, and how many were cut."""
    out: list[str] = []
    glued = 0
    for line in lines:
        pieces = split_glued_code(line, rules) if _CODE_TOKEN.search(line) and is_code(line, rules) else [line]
        glued += len(pieces) > 1
        out.extend(pieces)
    return out, glued


def cut_code(lines: list[str], rules: LayoutRules) -> tuple[list[str], list[Removal]]:
    """``lines`` without code lines; each run of them (blank lines within) is one removal."""
    kept: list[str] = []
    removed: list[Removal] = []
    run: list[str] = []
    for line in lines:
        if is_code(line, rules):
            run.append(line.strip())
            continue
        if run and not line.strip():
            continue  # a blank line inside a script run does not end it
        if run:
            removed.append(Removal(CODE, "\n".join(run), "script_text.v1"))
            kept.append("")
            run = []
        kept.append(line)
    if run:
        removed.append(Removal(CODE, "\n".join(run), "script_text.v1"))
    return kept, removed


# --- blocks glued into one line -----------------------------------------------------------

def split_glued_blocks(lines: list[str], rules: LayoutRules) -> tuple[list[str], int]:
    """``lines`` with each line that glues blocks together cut into one line a block, and how many were cut.

    Only a long line with several block breaks (a sentence end glued to the next word, a run
    of spaces) qualifies: the renderer dropped the breaks between its blocks, where a
    paragraph keeps one space after each sentence.
    """
    breaks = regex.compile(rules.block_break)
    boundary = regex.compile(rules.block_break + "|" + rules.block_boundary)
    out: list[str] = []
    cut = 0
    for line in lines:
        found = 0
        if len(line.split()) >= rules.block_min_words:
            found = sum(1 for _ in zip(range(rules.block_min_breaks), breaks.finditer(line.strip())))
        if found < rules.block_min_breaks:
            out.append(line)
            continue
        out.extend(piece.strip() for piece in boundary.split(line) if piece.strip())
        cut += 1
    return out, cut


# --- hard-wrapped lines -------------------------------------------------------------------

def estimate_wrap_width(lines: list[str], rules: LayoutRules) -> int | None:
    """The column a renderer wrapped the dump at, or None when its lines were never wrapped.

    A wrapped dump piles its paragraph lines up just below one width and has almost none
    just above it, and few lines of several words longer than it; of the widths that show
    that, the one with the most lines in the band below it, net of those in the band above.
    """
    # a line of one token (a URL) overflows any width, and list items and table rows are
    # often left unwrapped: none says anything of the width
    lengths = Counter(len(line.rstrip()) for line in lines
                      if len(line.split()) > 1 and not _is_structure(line))
    total = sum(lengths.values())
    if total < rules.wrap_min_lines:
        return None
    band = rules.wrap_band
    # up_to[k]: the lines of at most k characters, for every k a width or its band reaches
    up_to = list(accumulate(lengths.get(k, 0) for k in range(rules.wrap_max_width + band + 1)))

    def within(low: int, high: int) -> int:
        """Lines longer than ``low`` and at most ``high`` characters."""
        return up_to[high] - up_to[low]

    best, best_net = None, 0
    for width in range(rules.wrap_min_width, rules.wrap_max_width + 1):
        if width not in lengths:
            continue  # the width is a length some line reaches
        below, longer = within(width - band, width), total - up_to[width]
        if below < rules.wrap_min_lines or below < rules.wrap_min_share * total \
                or longer > rules.wrap_max_overflow * below:
            continue
        net = below - 2 * within(width, width + band)
        if net > best_net:
            best, best_net = width, net
    return best


def _is_structure(line: str) -> bool:
    """A list item, quote, table row or fence: a line of its own, never a wrapped piece."""
    return bool(_LIST_START.match(line) or _BLOCK_START.match(line) or _COLUMN_GAP.search(line))


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def is_wrapped_continuation(previous: str, line: str, width: int) -> bool:
    """Whether ``line`` continues ``previous``: its first word would not have fitted after it."""
    if not previous.strip() or not line.strip() or _is_structure(line) or _COLUMN_GAP.search(previous):
        return False
    if _indent(line) < _indent(previous) or _indent(line) > _indent(previous) + 6:
        return False
    first = line.split()[0]
    return len(previous.rstrip()) + 1 + len(first) > width


def rejoin_wrapped(lines: list[str], width: int) -> tuple[list[str], int]:
    """``lines`` with each wrapped continuation appended to the line it continues, and how many."""
    out: list[str] = []
    joined = 0
    last = ""  # the last physical line, which decides whether the next one continues it
    for line in lines:
        if out and is_wrapped_continuation(last, line, width):
            head = out[-1].rstrip()
            rest = line.strip()
            # a word broken at its own hyphen ("protein-" / "forward") is one word again
            glue = "" if re.search(r"[^\W\d_]-$", head) and _LETTER.match(rest) else " "
            out[-1] = head + glue + rest
            joined += 1
        else:
            out.append(line)
        last = line
    return out, joined


# --- markdown ------------------------------------------------------------------------------

def is_markdown(lines: list[str], rules: LayoutRules) -> bool:
    """Whether the dump is markdown: enough link, heading or strong-emphasis syntax."""
    if not holds_any(lines, required_substrings(_MD_MARK.pattern, _MD_MARK.flags)):
        return 0 >= rules.markdown_min_marks
    marks = sum(len(_MD_MARK.findall(line)) for line in lines)
    return marks >= rules.markdown_min_marks


def read_markdown(lines: list[str]) -> tuple[list[str], list[Removal], dict[str, int]]:
    """Markdown lines as the text a reader sees: link text kept, URLs and images recorded out."""
    out: list[str] = []
    removed: list[Removal] = []
    counts = Counter()
    pending_blank = False  # the blank line set after a heading stands for the one that follows it
    for line in lines:
        heading = _MD_HEADING.match(line)
        if heading:
            line = heading.group(1)
            counts["headings made lines"] += 1
        line = _strip_images(line, removed, counts)
        line = _strip_link_urls(line, removed, counts)
        line, strong = _MD_STRONG.subn(r"\2", line)
        line, emphasis = _MD_EMPHASIS.subn(r"\2", line)
        counts["emphasis marks read"] += strong + emphasis
        if line.strip():
            line, empty = _MD_EMPTY_EMPHASIS.subn("", line)
            counts["empty emphasis marks dropped"] += empty
            line = line.rstrip() if line.strip() else ""
        line, escapes = _MD_ESCAPE.subn(r"\1", line)
        counts["escapes read"] += escapes
        if heading and out and out[-1].strip():
            out.append("")  # a heading is a block of its own
        if line or not (out and not out[-1] and pending_blank):
            out.append(line)
        pending_blank = False
        if heading:
            out.append("")
            pending_blank = True
    return out, removed, dict(counts)


def _strip_images(line: str, removed: list[Removal], counts: Counter) -> str:
    def cut(match: re.Match) -> str:
        removed.append(Removal(IMAGE, match.group(0), "markdown_image.v1"))
        counts["images removed"] += 1
        return ""

    line = _MD_IMAGE.sub(cut, line)
    return line if line.strip() else ""


def _strip_link_urls(line: str, removed: list[Removal], counts: Counter) -> str:
    def read(match: re.Match) -> str:
        target = match.group(0)[match.end(1) - match.start(0) + 1:]  # "(url "title")"
        if target.strip("() "):
            removed.append(Removal(MARKUP, target, "markdown_link_url.v1"))
        counts["link URLs removed"] += 1
        text = match.group(1)
        # "works?[ Learn more](url)": the space inside the brackets is the one between words
        return (" " if text[:1].isspace() else "") + text.strip() + (" " if text[-1:].isspace() else "")

    # a link around an image leaves "[](url)" once the image is out: the inner pass first
    return _MD_LINK.sub(read, line)


# --- one-link fragments --------------------------------------------------------------------

def _is_fragment(line: str, rules: LayoutRules) -> bool:
    stripped = line.strip()
    if not 0 < len(stripped) <= rules.fragment_max_chars:
        return False
    if _BULLET.match(stripped):
        return False  # an empty list item ("*", an icon link) is list structure, not a fragment
    # no letter ("(", "1", "/") or a lower-case joining word ("of"); never a label like "FAQ"
    return not _LETTER.search(stripped) or stripped.islower()


def _glue(pieces: list[str]) -> str:
    text = ""
    for piece in pieces:
        if text and not text.endswith(tuple(_OPENING)) and not piece.startswith(tuple(_CLOSING)):
            text += " "
        text += piece
    return text


def _fragment_run(lines: list[str], i: int, rules: LayoutRules) -> int:
    """The end of the run of fragment lines starting at ``i``; blank lines between them belong to it."""
    end = j = i
    while j < len(lines) and (_is_fragment(lines[j], rules) or not lines[j].strip()):
        if lines[j].strip():
            end = j + 1
        j += 1
    return end


def join_fragments(lines: list[str], rules: LayoutRules) -> tuple[list[str], int]:
    """Runs of one-link fragments (``(`` / ``1`` / ``)``, ``1`` / ``of`` / ``23``) joined into
    one line, onto the short label just above them; and how many lines were joined."""
    if sum(_is_fragment(line, rules) for line in lines) < rules.fragment_min_run:
        return lines, 0  # no run of fragments long enough to join
    out: list[str] = []
    joined = 0
    i = 0
    while i < len(lines):
        end = _fragment_run(lines, i, rules) if _is_fragment(lines[i], rules) else i
        pieces = [line.strip() for line in lines[i:end] if line.strip()]
        if len(pieces) < rules.fragment_min_run:
            out.append(lines[i])
            i += 1
            continue
        label = out[-1] if out and out[-1].strip() else None
        if label is not None and len(label.split()) <= rules.fragment_attach_max_words:
            out[-1] = _glue([label.rstrip()] + pieces)
            joined += len(pieces)
        else:
            out.append(_glue(pieces))
            joined += len(pieces) - 1
        i = end
    return out, joined
