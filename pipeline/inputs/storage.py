"""Where an input lives: a local path, or an object in storage that fsspec reaches (s3://, gs://, ...).

Credentials and endpoints come from where each storage library looks for them (for S3:
AWS_ACCESS_KEY_ID and the rest, AWS_ENDPOINT_URL, ~/.aws; fsspec's own configuration),
never from newsclean's configuration, so a run's settings carry no secret.
"""
from __future__ import annotations

from typing import IO

LOCAL_SCHEMES = ("", "file")


def scheme_of(location: str) -> str:
    """The URL scheme of ``location`` ("" for a plain path)."""
    head, sep, _ = location.partition("://")
    return head.lower() if sep and head.isalnum() else ""


def is_remote(location: str) -> bool:
    """True when ``location`` is a URL of object storage rather than a local path."""
    return scheme_of(location) not in LOCAL_SCHEMES


def local_path(location: str) -> str:
    """A ``file://`` URL as the plain path it names; any other location unchanged."""
    return location[len("file://"):] if scheme_of(location) == "file" else location


def filesystem(url: str, **options):
    """The fsspec filesystem of ``url`` and the path inside it (instances are cached by fsspec)."""
    from fsspec.core import url_to_fs

    return url_to_fs(url, **options)


def open_object(url: str) -> IO[bytes]:
    """``url`` opened for reading bytes; seekable, so archive readers can read ranges."""
    fs, path = filesystem(url)
    return fs.open(path, "rb")


def object_size(url: str) -> int:
    fs, path = filesystem(url)
    return int(fs.size(path))
