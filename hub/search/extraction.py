"""Text of attached files (PDF, DOCX, ODT), for the search index.

`extract_text(path, content_type)` reads one file within fixed limits and never raises: a file it cannot read is
logged and yields "". `texts_for(files)` is what providers call: it reads each file once, keyed by its SHA-256, and
keeps the text (or the failure) in `ExtractedText`, so that reindexing an object does not read its files again.

Limits, each a setting with a default: at most HUB_SEARCH_EXTRACT_MAX_PAGES pages of a PDF, read for at most
HUB_SEARCH_EXTRACT_SECONDS; at most HUB_SEARCH_EXTRACT_MAX_XML_BYTES of a DOCX's or ODT's text XML and
HUB_SEARCH_EXTRACT_MAX_UNZIPPED_BYTES for the whole package, decompressed (the zip's declared sizes are checked
before anything is inflated, and Python's zipfile stops at the declared size); XML parsed without entities, DTDs or
network; at most HUB_SEARCH_EXTRACT_MAX_CHARS characters kept per file.
"""
from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
import zipfile
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.files.storage import default_storage

log = logging.getLogger("hub.search.extraction")

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
EXTRACTABLE = (PDF, DOCX, ODT)

MAX_PAGES = 100
MAX_SECONDS = 10.0
MAX_XML_BYTES = 5 * 1024 * 1024
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024
MAX_CHARS = 100_000
MAX_FILE_BYTES = 25 * 1024 * 1024


class ExtractionError(Exception):
    """A file that is not what it says, is encrypted, or is past a limit."""


def _limit(name: str, default):
    return type(default)(getattr(settings, name, default))


def extract_text(path: str, content_type: str) -> str:
    """The readable text of the file at `path` ("" for other types and for files that cannot be read, which are
    logged). Never raises."""
    try:
        return _extract(path, content_type)
    except Exception as exc:  # noqa: BLE001 - a broken upload must never break indexing
        log.warning("Could not extract the text of %s (%s): %s", os.path.basename(path), content_type,
                    _reason(exc))
        return ""


def _reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]


def _extract(path: str, content_type: str) -> str:
    """Like extract_text, but raising ExtractionError (or whatever a library raises) on failure."""
    if content_type not in EXTRACTABLE:
        return ""
    if os.path.getsize(path) > _limit("HUB_SEARCH_EXTRACT_MAX_FILE_BYTES", MAX_FILE_BYTES):
        raise ExtractionError("the file is larger than the extraction limit")
    if content_type == PDF:
        return _pdf_text(path)
    if content_type == DOCX:
        return _docx_text(path)
    return _odt_text(path)


class _Collector:
    """Gathers text up to the character limit."""

    def __init__(self) -> None:
        self.limit = _limit("HUB_SEARCH_EXTRACT_MAX_CHARS", MAX_CHARS)
        self.parts: list[str] = []
        self.size = 0

    @property
    def full(self) -> bool:
        return self.size >= self.limit

    def add(self, text: str | None) -> None:
        if not text or self.full:
            return
        text = text[: self.limit - self.size]
        self.parts.append(text)
        self.size += len(text) + 1

    def text(self) -> str:
        return "\n".join(self.parts)


def _pdf_text(path: str) -> str:
    from pypdf import PdfReader

    reader = PdfReader(path)
    if reader.is_encrypted:
        # Some PDFs are "encrypted" with an empty password only to forbid printing; those can be read.
        try:
            if not reader.decrypt(""):
                raise ExtractionError("the PDF is protected by a password")
        except ExtractionError:
            raise
        except Exception as exc:  # noqa: BLE001 - unsupported encryption and the like
            raise ExtractionError(f"the PDF is encrypted ({_reason(exc)})") from exc
    deadline = time.monotonic() + _limit("HUB_SEARCH_EXTRACT_SECONDS", MAX_SECONDS)
    max_pages = _limit("HUB_SEARCH_EXTRACT_MAX_PAGES", MAX_PAGES)
    out = _Collector()
    for number, page in enumerate(reader.pages):
        if number >= max_pages or out.full:
            break
        if time.monotonic() > deadline:
            log.warning("Stopped reading %s after %d pages: time limit", os.path.basename(path), number)
            break
        out.add(page.extract_text())
    return out.text()


def _check_zip(path: str, wanted: str) -> zipfile.ZipFile:
    """The archive, once its member `wanted` is known to inflate to at most the XML limit."""
    archive = zipfile.ZipFile(path)
    try:
        info = archive.getinfo(wanted)
    except KeyError:
        archive.close()
        raise ExtractionError(f"no {wanted} in the file") from None
    # python-docx reads every part of the package into memory, pictures included: bound them all.
    total = sum(member.file_size for member in archive.infolist())
    if (info.file_size > _limit("HUB_SEARCH_EXTRACT_MAX_XML_BYTES", MAX_XML_BYTES)
            or total > _limit("HUB_SEARCH_EXTRACT_MAX_UNZIPPED_BYTES", MAX_UNZIPPED_BYTES)):
        archive.close()
        raise ExtractionError("the document is larger than the extraction limit once unzipped")
    return archive


def _docx_text(path: str) -> str:
    import docx

    _check_zip(path, "word/document.xml").close()
    document = docx.Document(path)
    out = _Collector()
    for paragraph in document.paragraphs:
        out.add(paragraph.text)
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                out.add(cell.text)
            if out.full:
                break
    return out.text()


_ODT_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_ODT_BLOCKS = {f"{{{_ODT_TEXT}}}{name}" for name in ("p", "h")}


def _odt_text(path: str) -> str:
    from lxml import etree

    with _check_zip(path, "content.xml") as archive, archive.open("content.xml") as content:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
        root = etree.parse(content, parser).getroot()
    out = _Collector()
    for element in root.iter(*_ODT_BLOCKS):
        out.add("".join(element.itertext()))
        if out.full:
            break
    return out.text()


@dataclass(frozen=True)
class FileRef:
    """A stored file to read: its SHA-256 (the cache key), its name in default storage and its content type."""

    sha256: str
    name: str
    content_type: str


@contextmanager
def _local_path(name: str):
    """A filesystem path for a stored file (a temporary copy for storages that have no paths)."""
    try:
        path = default_storage.path(name)
    except NotImplementedError:
        path = None
    if path is not None:
        yield path
        return
    with default_storage.open(name, "rb") as source, tempfile.NamedTemporaryFile() as copy:
        shutil.copyfileobj(source, copy)
        copy.flush()
        yield copy.name


_used: set[str] | None = None


@contextmanager
def pruning():
    """Within this block (a full rebuild of the index), note every file asked for; at its end, forget the text of
    files nobody asked for (attachments deleted since)."""
    from hub.search.models import ExtractedText

    global _used
    _used = set()
    try:
        yield
        stale = sorted(set(ExtractedText.objects.values_list("sha256", flat=True)) - _used)
        for start in range(0, len(stale), 500):
            ExtractedText.objects.filter(sha256__in=stale[start:start + 500]).delete()
    finally:
        _used = None


def texts_for(files: Iterable[FileRef]) -> dict[str, str]:
    """The text of each file by SHA-256, reading only files never read before (one query when all were)."""
    from hub.search.models import ExtractedText

    wanted = {f.sha256: f for f in files if f.content_type in EXTRACTABLE and f.sha256}
    if _used is not None:
        _used.update(wanted)
    if not wanted:
        return {}
    known = dict(ExtractedText.objects.filter(sha256__in=list(wanted)).values_list("sha256", "text"))
    fresh = []
    for sha256, ref in wanted.items():
        if sha256 in known:
            continue
        text, error = _read(ref)
        known[sha256] = text
        fresh.append(ExtractedText(sha256=sha256, text=text, ok=not error, error=error[:300]))
    if fresh:
        ExtractedText.objects.bulk_create(fresh, ignore_conflicts=True)
    return known


def _read(ref: FileRef) -> tuple[str, str]:
    """(text, "") or ("", the reason it could not be read); logs failures."""
    from hub.search.normalize import clean_text

    try:
        with _local_path(ref.name) as path:
            return clean_text(_extract(path, ref.content_type)), ""
    except Exception as exc:  # noqa: BLE001 - a broken upload must never break indexing
        reason = _reason(exc)
        log.warning("Could not extract the text of %s (%s, sha256 %s): %s", ref.name, ref.content_type,
                    ref.sha256[:12], reason)
        return "", reason
