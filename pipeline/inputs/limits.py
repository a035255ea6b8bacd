"""The caps on what one input may cost, and reading that stops at them."""
from __future__ import annotations

import gzip
import zlib
from dataclasses import dataclass
from typing import IO

from pipeline.config import Config
from pipeline.inputs.decoding import DecodingRules
from pipeline.schema import JsonlInput
from pipeline.inputs.rejects import CORRUPT_GZIP, DECOMPRESSION_LIMIT, TOO_LARGE, TRUNCATED_GZIP, Rejected

CHUNK = 1 << 20
RAISE_HINT = "raise [limits] {key} in a --config file to accept it"


@dataclass(frozen=True)
class Limits:
    """Caps that keep one hostile input from exhausting the machine ([limits] table).

    ``decoding`` carries the detection thresholds reading applies (rules/decoding.toml;
    None: the packaged ones), ``jsonl`` the field mapping of JSONL objects ([inputs.jsonl];
    None: the packaged one).
    """

    max_input_bytes: int
    max_decompressed_bytes: int
    max_line_chars: int
    decoding: DecodingRules | None = None
    jsonl: JsonlInput | None = None

    @classmethod
    def from_config(cls, config: Config) -> "Limits":
        limits = config.settings.limits
        return cls(max_input_bytes=limits.max_input_bytes, max_decompressed_bytes=limits.max_decompressed_bytes,
                   max_line_chars=limits.max_line_chars, decoding=config.rules.decoding,
                   jsonl=config.settings.inputs.jsonl)



def gunzip_capped(handle: IO[bytes], limits: Limits) -> bytes:
    """Decompress a whole .gz stream, stopping at the caps instead of filling memory."""
    kept: list[bytes] = []
    total = 0
    try:
        with gzip.GzipFile(fileobj=handle) as stream:
            while chunk := stream.read(CHUNK):
                total += len(chunk)
                if total > limits.max_decompressed_bytes:
                    raise Rejected(DECOMPRESSION_LIMIT, f"decompressing gave over {limits.max_decompressed_bytes} "
                                   "bytes (a compression bomb?); " + RAISE_HINT.format(key="max_decompressed_bytes"))
                if total <= limits.max_input_bytes:
                    kept.append(chunk)
    except EOFError:
        raise Rejected(TRUNCATED_GZIP, "the gzip stream ends early (truncated download or copy?); "
                       "re-fetch or re-compress the file") from None
    except (gzip.BadGzipFile, zlib.error) as exc:
        raise Rejected(CORRUPT_GZIP, f"the file is not a valid gzip stream ({exc}); "
                       "check it with `gzip -t`") from None
    if total > limits.max_input_bytes:
        raise Rejected(TOO_LARGE, f"the file decompresses to {total} bytes, over the limit of "
                       f"{limits.max_input_bytes}; " + RAISE_HINT.format(key="max_input_bytes"))
    return b"".join(kept)


def read_capped(stream, cap: int) -> bytes:
    """Up to ``cap + 1`` bytes of ``stream``: one more than allowed tells it is too large."""
    parts = []
    total = 0
    while total <= cap:
        chunk = stream.read(min(CHUNK, cap + 1 - total))
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
    return b"".join(parts)
