"""Reading and encoding Python source files exactly as they are stored.

A rewrite must keep what the user's editor and tools rely on: the encoding cookie's codec, a UTF-8 BOM,
CRLF line endings, a missing final newline and the file mode. Text is decoded without newline
translation, so line endings survive untouched through libcst (which keeps them) and back to disk.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import os
import re
import stat
import tokenize
from dataclasses import dataclass
from pathlib import Path

from archfix.models import ErrorKind, SourceMeta

_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*[-\w.]+", re.MULTILINE)
"""PEP 263's encoding declaration (as tokenize matches it)."""


class SourceError(Exception):
    """A file that cannot be used as Python source; the message is one line for the user."""

    def __init__(self, kind: ErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass(frozen=True)
class SourceFile:
    """A decoded source file and how to store it back."""

    path: Path
    text: str
    meta: SourceMeta


def digest(data: bytes) -> str:
    """The content hash used to notice a file changed on disk between read and write."""
    return hashlib.sha256(data).hexdigest()


def decode_source(data: bytes) -> tuple[str, str, bool]:
    """Decode Python source bytes as the interpreter would: (text, encoding, has_bom).

    Raises SourceError for NUL bytes (a binary file named .py), a bad coding cookie, or bytes that
    are not valid in the declared encoding.
    """
    if b"\x00" in data:
        raise SourceError(ErrorKind.DECODE, "contains NUL bytes (not a text file)")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        head = data.removeprefix(codecs.BOM_UTF8).splitlines()[:2]
        if not _COOKIE.search(b"\n".join(head)):
            # No cookie: detect_encoding only says the first lines are not UTF-8. Decoding as
            # UTF-8 below names the offending byte and its offset, which is what the user needs.
            encoding = "utf-8"
        else:
            raise SourceError(ErrorKind.DECODE, f"bad encoding declaration: {exc.msg}") from None
    bom = data.startswith(codecs.BOM_UTF8)
    if encoding == "utf-8-sig":
        encoding = "utf-8"
    body = data[len(codecs.BOM_UTF8) :] if bom else data
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as exc:
        raise SourceError(
            ErrorKind.DECODE,
            f"cannot decode as {encoding}: invalid byte 0x{body[exc.start]:02x} at offset {exc.start}",
        ) from None
    except LookupError:
        raise SourceError(ErrorKind.DECODE, f"unknown encoding {encoding!r}") from None
    return text, encoding, bom


def read_source(path: Path, max_size: int | None = None) -> SourceFile:
    """Read and decode one file; SourceError says why it cannot be used."""
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            raise SourceError(ErrorKind.READ, "not a regular file")
        if max_size is not None and st.st_size > max_size:
            raise SourceError(
                ErrorKind.TOO_LARGE,
                f"{st.st_size} bytes is over the max-file-size limit of {max_size} bytes; skipped",
            )
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(ErrorKind.READ, f"cannot read: {exc.strerror or exc}") from None
    text, encoding, bom = decode_source(data)
    meta = SourceMeta(
        encoding=encoding, bom=bom, mode=stat.S_IMODE(st.st_mode), digest=digest(data)
    )
    return SourceFile(path=path, text=text, meta=meta)


def encode_source(text: str, meta: SourceMeta) -> bytes:
    """The bytes to store for ``text`` so the file keeps its encoding and BOM."""
    data = text.encode(meta.encoding)
    return codecs.BOM_UTF8 + data if meta.bom else data
