"""Checking uploaded files: the type is read from the file's bytes, never trusted from its name or the browser.

A file is accepted only when its bytes are one of the allowed formats *and* its name ends with an extension of
that format, so "report.pdf" holding a PNG is refused. This is the site-wide checker: comment attachments and
library resources both go through `check_file` (each app may narrow the accepted kinds and the size limit).
"""
from __future__ import annotations

import hashlib
import io
import os
import zipfile
from collections.abc import Collection
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

MAX_BYTES = 10 * 1024 * 1024

# kind: (content type, allowed extensions, readable name)
KINDS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "pdf": ("application/pdf", (".pdf",), "PDF"),
    "doc": ("application/msword", (".doc",), "Word 97-2003"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",), "Word"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",), "Excel"),
    "odt": ("application/vnd.oasis.opendocument.text", (".odt",), "OpenDocument text"),
    "png": ("image/png", (".png",), "PNG image"),
    "jpeg": ("image/jpeg", (".jpg", ".jpeg"), "JPEG image"),
}
ACCEPT = ",".join(ext for _type, exts, _name in KINDS.values() for ext in exts)
TYPE_NAMES = {content_type: name for content_type, _exts, name in KINDS.values()}

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_WORD_STREAM = "WordDocument".encode("utf-16-le")


def max_bytes() -> int:
    return int(getattr(settings, "HUB_ATTACHMENT_MAX_BYTES", MAX_BYTES))


def accept_attribute(kinds: Collection[str]) -> str:
    """The `accept` attribute of a file input that takes these kinds."""
    return ",".join(ext for kind in kinds for ext in KINDS[kind][1])


def detect_kind(data: bytes) -> str | None:
    """The format of a file from its content, or None when it is none of the allowed ones."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(_OLE2):
        # OLE2 also holds Excel 97 and PowerPoint files; a Word file has a "WordDocument" stream.
        return "doc" if _WORD_STREAM in data else None
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    return None


def _zip_kind(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return "docx"
            if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
                return "xlsx"
            if "mimetype" in names and "content.xml" in names:
                if archive.read("mimetype").strip() == b"application/vnd.oasis.opendocument.text":
                    return "odt"
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        return None
    return None


@dataclass
class CheckedFile:
    """An upload whose type and size have been verified; `data` is its content."""

    name: str
    content_type: str
    size: int
    sha256: str
    data: bytes = field(repr=False)
    token: str = ""  # set once staged

    @property
    def type_name(self) -> str:
        return TYPE_NAMES.get(self.content_type, self.content_type)

    def as_file(self) -> File:
        return File(io.BytesIO(self.data), name=self.name)


def clean_name(name: str) -> str:
    """The file's own name, without any folder a browser may send, trimmed to fit the column."""
    base = os.path.basename((name or "").replace("\\", "/")).strip().replace("\x00", "")
    if not base:
        base = "attachment"
    stem, ext = os.path.splitext(base)
    return stem[: 255 - len(ext)] + ext


def _refused_type(name: str, kinds: Collection[str] | None) -> ValidationError:
    if kinds is None:
        return ValidationError(_("“%(name)s” is not a file type we accept. Attach PDF, Word (DOC, DOCX), ODT, "
                                 "Excel (XLSX), PNG or JPEG files.") % {"name": name})
    names = [f"{KINDS[kind][2]} ({', '.join(ext.lstrip('.').upper() for ext in KINDS[kind][1])})" for kind in kinds]
    return ValidationError(_("“%(name)s” is not a file type we accept here. Choose a %(types)s file.")
                           % {"name": name, "types": get_text_list(names, _("or"))})


def check_file(upload, *, kinds: Collection[str] | None = None, limit: int | None = None) -> CheckedFile:
    """Accept an allowed format (all of KINDS, or only `kinds`) whose name matches its bytes and whose size is
    within the limit (HUB_ATTACHMENT_MAX_BYTES unless `limit` is given)."""
    name = clean_name(getattr(upload, "name", ""))
    size = getattr(upload, "size", None)
    limit = max_bytes() if limit is None else limit
    if size is not None and size > limit:
        raise ValidationError(_("“%(name)s” is %(size)s; files may be at most %(limit)s.")
                              % {"name": name, "size": filesizeformat(size), "limit": filesizeformat(limit)})
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(_("“%(name)s” is larger than %(limit)s.") % {"name": name, "limit": filesizeformat(limit)})
    if not data:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name})
    kind = detect_kind(data)
    if kind is None or (kinds is not None and kind not in kinds):
        raise _refused_type(name, kinds)
    content_type, extensions, type_name = KINDS[kind]
    if not name.lower().endswith(extensions):
        raise ValidationError(_("“%(name)s” contains a %(type)s file but its name says otherwise. Rename it to end "
                                "in %(ext)s, or attach the right file.")
                              % {"name": name, "type": type_name, "ext": extensions[0]})
    return CheckedFile(name=name, content_type=content_type, size=len(data),
                       sha256=hashlib.sha256(data).hexdigest(), data=data)
