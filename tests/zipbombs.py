"""Hostile zip files, built in memory: decompression bombs and malformed archives posing as documents.

Used by tests/discussions/test_uploads.py (at sizes of a few megabytes) and bench/hostile_uploads.py (at a gigabyte).
Archives are written byte by byte here, because the point is to say things zipfile would never write: sizes that
differ between the directory and a member's header, members that overlap, a compressed "mimetype".
"""
from __future__ import annotations

import bz2
import struct
import zipfile
import zlib
from dataclasses import dataclass, field

STORED, DEFLATED, BZIP2, LZMA = zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA
_CHUNK = 1 << 20
_ODF_TEXT = b"application/vnd.oasis.opendocument.text"
_VERSION = {STORED: 20, DEFLATED: 20, BZIP2: 46, LZMA: 63}


@dataclass
class Member:
    """One archive member: `payload` is what is written (already compressed), `size` the unpacked size declared."""

    name: str
    payload: bytes
    method: int = STORED
    crc: int = 0
    size: int = 0
    local_size: int | None = None  # the unpacked size the member's own header declares, if not `size`
    offset: int | None = None  # where the directory says the member's header is, if not where it was written
    write: bool = True  # False: only a directory entry, pointing at `offset`
    directory_extra: bytes = b""  # an extra field in the directory entry only


def packed(name: str, data: bytes, method: int = STORED) -> Member:
    """A member holding `data` compressed with `method`, its sizes and checksum true."""
    return squeezed(name, [data], method)


def squeezed(name: str, chunks, method: int = DEFLATED) -> Member:
    """A member whose content is the concatenation of `chunks`, compressed as it streams (for gigabyte bombs)."""
    if method == DEFLATED:
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    elif method == BZIP2:
        compressor = bz2.BZ2Compressor(9)
    elif method == LZMA:
        compressor = zipfile.LZMACompressor()
    else:
        compressor = None
    parts, crc, size = [], 0, 0
    for chunk in chunks:
        crc = zlib.crc32(chunk, crc)
        size += len(chunk)
        parts.append(compressor.compress(chunk) if compressor else chunk)
    if compressor:
        parts.append(compressor.flush())
    return Member(name=name, payload=b"".join(parts), method=method, crc=crc, size=size)


def zeros(total: int):
    """`total` zero bytes in chunks of a megabyte."""
    while total > 0:
        yield bytes(min(total, _CHUNK))
        total -= _CHUNK


def build(members: list[Member], *, data_descriptor: bool = False) -> bytes:
    """The archive: each member's local header and payload, then the central directory and its end record."""
    out = bytearray()
    directory = bytearray()
    count = 0
    for member in members:
        name = member.name.encode()
        flags = 0x08 if data_descriptor else 0
        local_size = member.size if member.local_size is None else member.local_size
        if member.write:
            written_at = len(out)
            header_sizes = (0, 0, 0) if data_descriptor else (member.crc, len(member.payload), local_size)
            out += struct.pack("<4s5H3L2H", b"PK\x03\x04", _VERSION[member.method], flags, member.method, 0, 0x21,
                               *header_sizes, len(name), 0)
            out += name + member.payload
            if data_descriptor:
                out += struct.pack("<4s3L", b"PK\x07\x08", member.crc, len(member.payload), local_size)
        offset = member.offset if member.offset is not None else written_at
        directory += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 0x0314, _VERSION[member.method], flags, member.method,
                                 0, 0x21, member.crc, len(member.payload), member.size, len(name),
                                 len(member.directory_extra), 0, 0, 0, 0, offset)
        directory += name + member.directory_extra
        count += 1
    start = len(out)
    out += directory
    count = min(count, 0xFFFE)  # readers go by the directory's size; 0xFFFF would announce a zip64 record
    out += struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(directory), start, 0)
    return bytes(out)


# --- Shapes ------------------------------------------------------------------------------------------------------

def odt(*, mimetype_method: int = STORED, mimetype_first: bool = True, data_descriptor: bool = False) -> bytes:
    """A small OpenDocument text, its "mimetype" stored first (as the format requires) unless told otherwise."""
    mimetype = packed("mimetype", _ODF_TEXT, mimetype_method)
    rest = [packed("content.xml", b"<office:document-content/>" * 20, DEFLATED),
            packed("META-INF/manifest.xml", b"<manifest:manifest/>", DEFLATED)]
    return build([mimetype, *rest] if mimetype_first else [*rest, mimetype], data_descriptor=data_descriptor)


def odt_mimetype_bomb(size: int, method: int = DEFLATED) -> bytes:
    """An .odt whose "mimetype" member unpacks to `size` zero bytes."""
    return build([squeezed("mimetype", zeros(size), method), packed("content.xml", b"<office:document-content/>")])


def odt_mimetype_declared_huge(size: int) -> bytes:
    """An .odt whose stored "mimetype" is the right text, but whose directory and header claim it is `size` bytes."""
    member = packed("mimetype", _ODF_TEXT)
    member.size = size
    return build([member, packed("content.xml", b"<office:document-content/>")])


def docx_document_bomb(size: int, method: int = DEFLATED) -> bytes:
    """A .docx whose word/document.xml unpacks to `size` bytes."""
    return build([packed("[Content_Types].xml", b"<Types/>"), squeezed("word/document.xml", zeros(size), method)])


def docx_many_members(count: int) -> bytes:
    """A .docx with `count` tiny extra members."""
    members = [packed("[Content_Types].xml", b"<Types/>"), packed("word/document.xml", b"<w:document/>")]
    members += [packed(f"m/{i}", b"") for i in range(count)]
    return build(members)


def docx_directory_only_members(count: int) -> bytes:
    """A .docx whose central directory lists `count` extra entries, all pointing at one member's header: the cheap
    way to make a reader build objects for a huge directory."""
    members = [packed("[Content_Types].xml", b"<Types/>"), packed("word/document.xml", b"<w:document/>")]
    members += [Member(name="[Content_Types].xml", payload=b"<Types/>", crc=zlib.crc32(b"<Types/>"), size=8,
                       offset=0, write=False) for _ in range(count)]
    return build(members)


def docx_fat_directory(count: int, extra_size: int) -> bytes:
    """A .docx of `count` empty members whose directory entries each carry an extra field of `extra_size` bytes:
    not a bomb, but the most directory a reader must hold for a file of its size."""
    extra = struct.pack("<2H", 0xCAFE, extra_size - 4) + bytes(extra_size - 4)
    members = [packed("[Content_Types].xml", b"<Types/>"), packed("word/document.xml", b"<w:document/>")]
    members += [Member(name=f"m/{i}", payload=b"", directory_extra=extra) for i in range(count)]
    return build(members)


def docx_directory_understates(size: int) -> bytes:
    """A .docx whose word/document.xml truly unpacks to `size` bytes (and says so in its own header), while the
    central directory claims 13 bytes."""
    bomb = squeezed("word/document.xml", zeros(size))
    bomb.local_size, bomb.size = bomb.size, 13
    return build([packed("[Content_Types].xml", b"<Types/>"), bomb])


def docx_directory_overstates(size: int) -> bytes:
    """A .docx whose central directory claims word/document.xml unpacks to `size` bytes; its header says 13."""
    member = packed("word/document.xml", b"<w:document/>", DEFLATED)
    member.local_size, member.size = member.size, size
    return build([packed("[Content_Types].xml", b"<Types/>"), member])


def docx_overlapping(copies: int, size: int) -> bytes:
    """A .docx in the manner of the smallest zip bombs: one compressed kernel of `size` bytes, and `copies`
    stored members each of whose data holds the next member's header and data, so that the kernel counts
    `copies` times while being written once."""
    kernel = squeezed("k", zeros(size))
    kernel_name = kernel.name.encode()
    # Written back to front: each member's data is the next member's header plus everything after it.
    tail = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, DEFLATED, 0, 0x21, kernel.crc, len(kernel.payload),
                       kernel.size, len(kernel_name), 0) + kernel_name + kernel.payload
    entries = [(kernel_name, DEFLATED, kernel.crc, len(kernel.payload), kernel.size)]
    for i in range(copies):
        name = f"word/part{i}.xml".encode()
        crc = zlib.crc32(tail)
        entries.append((name, STORED, crc, len(tail), len(tail)))
        tail = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, STORED, 0, 0x21, crc, len(tail), len(tail),
                           len(name), 0) + name + tail
    head = build([packed("[Content_Types].xml", b"<Types/>"), packed("word/document.xml", b"<w:document/>")])
    members_end = head.index(b"PK\x01\x02")
    directory = bytearray(head[members_end:head.index(b"PK\x05\x06")])
    end = members_end + len(tail)
    position = end - (30 + len(kernel_name) + len(kernel.payload))  # the kernel is last in the file
    for index, (name, method, crc, compressed, size_) in enumerate(entries):
        if index:
            position -= 30 + len(name)  # each part's header sits just before the data it shares with the next
        directory += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 0x0314, 20, 0, method, 0, 0x21, crc, compressed,
                                 size_, len(name), 0, 0, 0, 0, 0, position) + name
    count = 2 + len(entries)
    return (head[:members_end] + tail + bytes(directory)
            + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(directory), end, 0))


def docx_with_nested_bomb(size: int) -> bytes:
    """A genuine-looking .docx carrying, as an embedded object, a zip whose one member unpacks to `size` bytes."""
    inner = build([squeezed("payload.bin", zeros(size))])
    return build([packed("[Content_Types].xml", b"<Types/>"), packed("word/document.xml", b"<w:document/>"),
                  packed("word/embeddings/oleObject1.zip", inner)])
