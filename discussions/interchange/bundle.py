"""Reading a bundle, a .zip or a folder, with the limits that stop a hostile one from filling the memory or the
disk: member names that cannot leave the bundle, sizes, entries, nesting, and a reader that hashes what it passes."""
from __future__ import annotations

import hashlib
import io
import json
import os
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from discussions.interchange.errors import InterchangeError, show

MANIFEST = "consultation.json"

# Far above any real consultation; they stop a hostile bundle from filling the memory or the disk.
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
MAX_ATTACHMENT_BYTES = 200 * 1024 * 1024
MAX_BUNDLE_BYTES = 2 * 1024 * 1024 * 1024
MAX_ZIP_ENTRIES = 20_000
# A real consultation.json nests about six levels deep; anything past this is not this format.
MAX_NESTING = 64

# What reading a damaged zip member or an unreadable file raises.
READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError)
CHUNK = 1024 * 1024


def safe_member(name: str) -> bool:
    """A relative path with no way out of the bundle: no absolute path, drive, backslash, '..' or empty part."""
    if not name or "\\" in name or "\x00" in name or name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return False
    parts = name.rstrip("/").split("/")
    return all(part not in ("", ".", "..") for part in parts)


class Bundle:
    """Read access to the files of a bundle by their path inside it."""

    label = "bundle"

    def has(self, path: str) -> bool:
        raise NotImplementedError

    def size(self, path: str) -> int:
        raise NotImplementedError

    def open(self, path: str) -> IO[bytes]:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self) -> "Bundle":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class ZipBundle(Bundle):
    def __init__(self, source, label: str = "bundle") -> None:
        self.label = label
        try:
            self.zip = zipfile.ZipFile(source)
        except (zipfile.BadZipFile, OSError) as exc:
            raise InterchangeError(label, f"not a readable zip file ({exc})") from None
        infos = self.zip.infolist()
        if len(infos) > MAX_ZIP_ENTRIES:
            self.close()
            raise InterchangeError(label, f"the zip holds {len(infos)} entries; at most {MAX_ZIP_ENTRIES} are accepted")
        total = 0
        self.members: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            # Refuse the whole bundle, not just the entry: a name like this is never made by accident.
            if not safe_member(info.filename):
                self.close()
                raise InterchangeError(label, f"the zip entry {show(info.filename)} is not a plain relative path "
                                              "inside the bundle")
            total += info.file_size
            if info.filename in self.members:
                self.close()
                raise InterchangeError(label, f"the zip holds {show(info.filename)} twice")
            if not info.is_dir():
                self.members[info.filename] = info
        if total > MAX_BUNDLE_BYTES:
            self.close()
            raise InterchangeError(label, f"the zip unpacks to {total} bytes; at most {MAX_BUNDLE_BYTES} are accepted")

    def has(self, path: str) -> bool:
        return path in self.members

    def size(self, path: str) -> int:
        return self.members[path].file_size

    def open(self, path: str) -> IO[bytes]:
        return self.zip.open(self.members[path])

    def close(self) -> None:
        self.zip.close()


class FolderBundle(Bundle):
    def __init__(self, root: Path, label: str = "bundle") -> None:
        self.root = root.resolve()
        self.label = label

    def _file(self, path: str) -> Path | None:
        if not safe_member(path):
            return None
        target = (self.root / path).resolve()
        # A symbolic link may still point outside the folder.
        if not target.is_relative_to(self.root) or not target.is_file():
            return None
        return target

    def has(self, path: str) -> bool:
        return self._file(path) is not None

    def size(self, path: str) -> int:
        return self._file(path).stat().st_size

    def open(self, path: str) -> IO[bytes]:
        return self._file(path).open("rb")


def open_bundle(source) -> Bundle:
    """A bundle from a path (a .zip, a folder, or the consultation.json of a folder) or an open zip file."""
    if not isinstance(source, (str, os.PathLike)):
        return ZipBundle(source, label=getattr(source, "name", None) or "bundle")
    path = Path(source)
    if path.is_dir():
        return FolderBundle(path, label=str(path))
    if not path.is_file():
        raise InterchangeError(str(path), "no such file or folder")
    if path.name == MANIFEST:
        return FolderBundle(path.parent, label=str(path.parent))
    return ZipBundle(path, label=str(path))


def read_manifest(bundle: Bundle) -> Any:
    """The parsed consultation.json of a bundle."""
    if not bundle.has(MANIFEST):
        raise InterchangeError(bundle.label, f"no {MANIFEST} at the root of the bundle")
    if bundle.size(MANIFEST) > MAX_MANIFEST_BYTES:
        raise InterchangeError(MANIFEST, f"larger than {MAX_MANIFEST_BYTES} bytes")
    try:
        with bundle.open(MANIFEST) as fh:
            raw = fh.read()
    except READ_ERRORS as exc:
        raise InterchangeError(MANIFEST, f"cannot be read from the bundle ({exc})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InterchangeError(MANIFEST, f"not UTF-8 text (byte {exc.start})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InterchangeError(MANIFEST, f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except RecursionError:
        # The parser recurses per level: a file of a million "[" would otherwise end in a traceback.
        raise too_deep_error() from None
    except ValueError as exc:  # an integer of thousands of digits, which Python refuses to convert
        raise InterchangeError(MANIFEST, f"not a consultation file ({exc})") from None
    return data  # validate_consultation checks the nesting before anything recurses into it


def too_deep_error() -> InterchangeError:
    return InterchangeError(MANIFEST, f"nested more than {MAX_NESTING} levels deep; this is not a consultation file")


def too_deep(value: Any, limit: int = MAX_NESTING) -> bool:
    """Whether lists and objects nest deeper than `limit`, found without recursion."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


@dataclass
class CheckedFile:
    """A file of the bundle as it was read: its size and sha256."""

    path: str
    size: int
    sha256: str


def hash_member(bundle: Bundle, path: str) -> CheckedFile:
    """Read a file of the bundle once, in chunks, refusing it past MAX_ATTACHMENT_BYTES."""
    digest = hashlib.sha256()
    size = 0
    try:
        with bundle.open(path) as fh:
            while chunk := fh.read(CHUNK):
                size += len(chunk)
                if size > MAX_ATTACHMENT_BYTES:
                    raise InterchangeError(path, f"larger than {MAX_ATTACHMENT_BYTES} bytes")
                digest.update(chunk)
    except READ_ERRORS as exc:
        raise InterchangeError(path, f"cannot be read from the bundle ({exc})") from None
    return CheckedFile(path, size, digest.hexdigest())


class HashingReader(io.RawIOBase):
    """A read-only stream that hashes what passes through it."""

    def __init__(self, fh: IO[bytes], size: int) -> None:
        self.fh = fh
        self.size = size
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.fh.read(size)
        self.digest.update(data)
        return data

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)
