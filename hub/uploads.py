"""Checking uploaded files: the type is read from the file's bytes, never trusted from its name or the browser.

A file is accepted only when its bytes are one of the allowed formats *and* its name ends with an extension of
that format, so "report.pdf" holding a PNG is refused. Zip-based documents are judged from their directory without
being unpacked, and refused when it describes a decompression bomb. This is the site-wide checker: comment
attachments and library resources both go through `check_file` / `check_content` (each app may narrow the accepted
kinds and the size limit); staging files between two requests stays with each app.
"""
from __future__ import annotations

import hashlib
import io
import os
import re
import struct
import zipfile
from collections.abc import Collection
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_text_list
from django.utils.translation import gettext as _, gettext_lazy as _lazy

MAX_BYTES = 10 * 1024 * 1024

# kind: (content type, allowed extensions, readable name)
KINDS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "pdf": ("application/pdf", (".pdf",), "PDF"),
    "doc": ("application/msword", (".doc",), "Word 97-2003"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",), "Word"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",), "Excel"),
    "odt": ("application/vnd.oasis.opendocument.text", (".odt",), _lazy("OpenDocument text")),
    "png": ("image/png", (".png",), _lazy("PNG image")),
    "jpeg": ("image/jpeg", (".jpg", ".jpeg"), _lazy("JPEG image")),
}
ACCEPT = ",".join(ext for _type, exts, _name in KINDS.values() for ext in exts)
TYPE_NAMES = {content_type: name for content_type, _exts, name in KINDS.values()}

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_WORD_STREAM = "WordDocument".encode("utf-16-le")


def max_bytes() -> int:
    return int(getattr(settings, "HUB_ATTACHMENT_MAX_BYTES", MAX_BYTES))


class RefusedArchive(Exception):
    """A zip-based document whose layout no office program writes: a decompression bomb or a malformed archive.

    `reason` completes a sentence about the file ("“x.docx” cannot be accepted: <reason>")."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def detect_kind(data: bytes) -> str | None:
    """The format of a file from its content, or None when it is none of the allowed ones.

    Raises RefusedArchive for a zip whose structure is hostile (see `_zip_kind`)."""
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


# Zip-based documents (DOCX, XLSX, ODT) are recognised from the archive's directory: nothing is unpacked except
# ODT's "mimetype" member, which the format requires to be stored uncompressed, first and short, so at most
# _MIMETYPE_MAX bytes of it are read. The directory's claims must also be ones a real document makes, so that a
# "zip bomb" is refused here rather than by whatever unpacks the file later (a reader's office program, a virus
# scanner, an export). Real documents of at most 10 MB stay far inside these limits.
ZIP_MAX_MEMBERS = 10_000
ZIP_MAX_MEMBER_BYTES = 100 * 1024 * 1024
ZIP_MAX_TOTAL_BYTES = 200 * 1024 * 1024
ZIP_MAX_RATIO = 100
ZIP_MAX_DIRECTORY_BYTES = 2 * 1024 * 1024  # a real document's runs to about 100 bytes a member
_ZIP_RATIO_FROM = 1024 * 1024  # below this many unpacked bytes, how tightly something is packed does not matter
_MIMETYPE_MAX = 100
_ODF_TEXT = b"application/vnd.oasis.opendocument.text"
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")  # signature, version, flags, method, time, date, crc, sizes, lengths
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, KeyError, EOFError, RuntimeError,
               NotImplementedError, UnicodeDecodeError, struct.error)


def _zip_kind(data: bytes) -> str | None:
    # Before ZipFile builds an object for each directory entry, bound how many there are and how much room they
    # take. Every entry starts with this signature, so counting it bounds their number.
    if data.count(b"PK\x01\x02") > ZIP_MAX_MEMBERS:
        raise RefusedArchive(_too_many_members())
    if (_directory_size(data) or 0) > ZIP_MAX_DIRECTORY_BYTES:
        raise RefusedArchive(_("its table of contents alone takes %(size)s; documents need far less.")
                             % {"size": filesizeformat(_directory_size(data))})
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            _check_zip_directory(infos, len(data))
            _check_zip_layout(infos, data)
            names = {info.filename for info in infos}
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return "docx"
            if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
                return "xlsx"
            if "mimetype" in names and "content.xml" in names:
                return "odt" if _odf_mimetype(archive, infos) == _ODF_TEXT else None
    except _ZIP_ERRORS:
        return None
    return None


def _directory_size(data: bytes) -> int | None:
    """The size of the central directory as the end record states it, found where zipfile looks for it; None when
    there is no end record (zipfile then refuses the file itself)."""
    if data[-22:-18] == b"PK\x05\x06" and data[-2:] == b"\x00\x00":
        end = len(data) - 22
    else:
        end = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 0xFFFF))
        if end < 0 or end + 22 > len(data):
            return None
    size = struct.unpack_from("<L", data, end + 12)[0]
    # A zip64 archive keeps the real figure in a record just before its locator, which precedes the end record.
    if size == 0xFFFFFFFF and end >= 76 and data[end - 20:end - 16] == b"PK\x06\x07" \
            and data[end - 76:end - 72] == b"PK\x06\x06":
        size = struct.unpack_from("<Q", data, end - 76 + 40)[0]
    return size


def _too_many_members() -> str:
    return _("it holds more than %(limit)s files inside; documents hold fewer.") % {"limit": f"{ZIP_MAX_MEMBERS:,}"}


def _check_zip_directory(infos: list[zipfile.ZipInfo], upload_size: int) -> None:
    """Refuse sizes no real document declares: huge members, a huge total, members packed absurdly tightly."""
    if len(infos) > ZIP_MAX_MEMBERS:
        raise RefusedArchive(_too_many_members())
    total = 0
    for info in infos:
        if info.file_size > ZIP_MAX_MEMBER_BYTES:
            raise RefusedArchive(_("a part inside it unpacks to %(size)s; parts may be at most %(limit)s.")
                                 % {"size": filesizeformat(info.file_size),
                                    "limit": filesizeformat(ZIP_MAX_MEMBER_BYTES)})
        if info.file_size > _ZIP_RATIO_FROM and info.file_size > ZIP_MAX_RATIO * max(info.compress_size, 1):
            raise RefusedArchive(_("a part inside it is packed more than %(ratio)d times tighter than documents "
                                   "are.") % {"ratio": ZIP_MAX_RATIO})
        total += info.file_size
    if total > ZIP_MAX_TOTAL_BYTES:
        raise RefusedArchive(_("it unpacks to %(size)s; documents may unpack to at most %(limit)s.")
                             % {"size": filesizeformat(total), "limit": filesizeformat(ZIP_MAX_TOTAL_BYTES)})
    if total > _ZIP_RATIO_FROM and total > ZIP_MAX_RATIO * upload_size:
        raise RefusedArchive(_("it is packed more than %(ratio)d times tighter than documents are.")
                             % {"ratio": ZIP_MAX_RATIO})


def _check_zip_layout(infos: list[zipfile.ZipInfo], data: bytes) -> None:
    """Refuse what lets two programs read one archive differently: a name given twice, a directory entry that
    does not match the member's own header, members that overlap (the trick of the smallest zip bombs)."""
    if len({info.filename for info in infos}) != len(infos):
        raise RefusedArchive(_("it holds two parts of the same name, which document programs do not write."))
    end_of_previous = 0
    for info in sorted(infos, key=lambda i: i.header_offset):
        raw_name = info.orig_filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437")
        (signature, _version, _flags, _method, _time, _date, _crc, compress_size, file_size, name_length,
         extra_length) = _LOCAL_HEADER.unpack_from(data, info.header_offset)
        name_at = info.header_offset + _LOCAL_HEADER.size
        if signature != b"PK\x03\x04" or data[name_at:name_at + name_length] != raw_name:
            raise RefusedArchive(_mismatch())
        # Sizes in the member's header count unless a data descriptor or a zip64 field holds them instead.
        sizes_here = (compress_size, file_size)
        if (not info.flag_bits & 0x08 and 0xFFFFFFFF not in sizes_here and sizes_here != (0, 0)
                and sizes_here != (info.compress_size, info.file_size)):
            raise RefusedArchive(_mismatch())
        if info.header_offset < end_of_previous:
            raise RefusedArchive(_("parts inside it overlap, which document programs do not write."))
        end_of_previous = name_at + name_length + extra_length + info.compress_size
    if end_of_previous > len(data):
        raise RefusedArchive(_mismatch())


def _mismatch() -> str:
    return _("its table of contents does not match the parts it holds.")


def _odf_mimetype(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> bytes:
    """The first bytes of an OpenDocument's "mimetype" member, which must come first, uncompressed and short."""
    info = archive.getinfo("mimetype")
    if (infos[0] is not info or info.header_offset != 0 or info.compress_type != zipfile.ZIP_STORED
            or info.file_size > _MIMETYPE_MAX or info.compress_size != info.file_size):
        raise RefusedArchive(_("an OpenDocument file must begin with its “mimetype”, short and uncompressed, and "
                               "this one does not. Save it again with your office program, or as PDF."))
    with archive.open(info) as member:
        return member.read(_MIMETYPE_MAX + 1).strip()


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


_CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f]")


def clean_name(name: str) -> str:
    """The file's own name, without any folder a browser may send and without control characters (a CR/LF in a
    name cannot be sent in the download's header), trimmed to fit the column."""
    base = _CONTROL_RE.sub("", os.path.basename((name or "").replace("\\", "/"))).strip()
    if not base:
        base = "attachment"
    stem, ext = os.path.splitext(base)
    return stem[: 255 - len(ext)] + ext


def accept_attribute(kinds: Collection[str]) -> str:
    """The `accept` attribute of a file input that takes these kinds."""
    return ",".join(ext for kind in kinds for ext in KINDS[kind][1])


def check_file(upload, *, kinds: Collection[str] | None = None, limit: int | None = None) -> CheckedFile:
    """Accept an upload of an allowed format (any of KINDS, or only `kinds`) whose name matches its bytes and whose
    size is within the limit (HUB_ATTACHMENT_MAX_BYTES unless `limit` is given)."""
    name = clean_name(getattr(upload, "name", ""))
    size = getattr(upload, "size", None)
    limit = max_bytes() if limit is None else limit
    if size is not None and size > limit:
        raise ValidationError(_("“%(name)s” is %(size)s; files may be at most %(limit)s.")
                              % {"name": name, "size": filesizeformat(size), "limit": filesizeformat(limit)})
    if hasattr(upload, "seek"):
        upload.seek(0)
    return check_content(name, upload.read(limit + 1), kinds=kinds, limit=limit)


def _refused_type(name: str, kinds: Collection[str] | None) -> ValidationError:
    if kinds is None:
        return ValidationError(_("“%(name)s” is not a file type we accept. Attach PDF, Word (DOC, DOCX), ODT, "
                                 "Excel (XLSX), PNG or JPEG files.") % {"name": name})
    names = [f"{KINDS[kind][2]} ({', '.join(ext.lstrip('.').upper() for ext in KINDS[kind][1])})" for kind in kinds]
    return ValidationError(_("“%(name)s” is not a file type we accept here. Choose a %(types)s file.")
                           % {"name": name, "types": get_text_list(names, _("or"))})


def check_content(name: str, data: bytes, *, kinds: Collection[str] | None = None,
                  limit: int | None = None) -> CheckedFile:
    """Accept `data` under `name` (cleaned here) if it is an allowed format (any of KINDS, or only `kinds`)
    matching the name, within the size limit. For files that come from elsewhere than a form, such as an
    imported bundle."""
    name = clean_name(name)
    limit = max_bytes() if limit is None else limit
    if len(data) > limit:
        raise ValidationError(_("“%(name)s” is larger than %(limit)s.") % {"name": name, "limit": filesizeformat(limit)})
    if not data:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name})
    try:
        kind = detect_kind(data)
    except RefusedArchive as exc:
        raise ValidationError(_("“%(name)s” cannot be accepted: %(reason)s") % {"name": name, "reason": exc.reason})
    if kind is None or (kinds is not None and kind not in kinds):
        raise _refused_type(name, kinds)
    content_type, extensions, type_name = KINDS[kind]
    if not name.lower().endswith(extensions):
        raise ValidationError(_("“%(name)s” contains a %(type)s file but its name says otherwise. Rename it to end "
                                "in %(ext)s, or attach the right file.")
                              % {"name": name, "type": type_name, "ext": extensions[0]})
    return CheckedFile(name=name, content_type=content_type, size=len(data),
                       sha256=hashlib.sha256(data).hexdigest(), data=data)
