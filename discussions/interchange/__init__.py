"""Import and export of a whole consultation in the interchange format (`discussions/data/consultation.schema.json`).

A bundle is a .zip, or a folder, with `consultation.json` at its root and the attachment files at the paths the
comments name. An import checks everything before it writes anything: the schema's rules (by a small validator of
our own for this schema's shape), the references between records (ids, parents, questions, priority codes) and the
attachment files (present, sha256 and size as stated). It then writes in one transaction, so an invalid bundle
leaves no row and no stored file behind. Every error names the first problem by its place in the file, e.g.
`comments[3].parent: 'c9' is not an earlier comment id`.

Matching on re-import: workplan and discussion by slug, priorities by kind and number, working groups by slug,
questions and comments by their id in the file (kept as `source_id`), so importing the same file twice updates.
Updating a discussion that already exists here, and making existing accounts its moderators, are never done
silently: the first needs `update_existing`, the second `grant_moderators` (the command's --update-existing and
--grant-moderators), and `plan_import` (the command's --check) lists both before anything is written.

Attachments pass the same checks as an upload (discussions/uploads.py: the name cleaned, the type read from the
bytes and matching the name, the site's size limit). A comment whose HTML cleans to nothing visible is kept with a
note saying its content could not be shown (listed in the report), unless `strict` asks to refuse the bundle.

What the models cannot hold (moderators named in the file without an account here, the organisation of the person
who posted a question) is kept in the import's audit entry, which the export reads back. Authors' e-mails are kept
only by linking the comment to the account with that e-mail. The export writes e-mail addresses only when asked
(`include_emails`, the export command's --include-emails): by default a bundle carries none.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import re
import unicodedata
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone as dt_timezone
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from discussions import uploads
from discussions.models import Attachment, Comment, Discussion, Question
from hub.audit import audit_log
from hub.models import AuditEntry, Organisation, StakeholderGroup
from hub.text import clean_html, html_to_text
from workplan.models import GcmObjective, Priority, Workplan, WorkingGroup

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "data" / "consultation.schema.json"
FORMAT = "hub-consultation"
VERSION = 1
MANIFEST = "consultation.json"
IMPORT_ACTION = "discussion.import"

# Far above any real consultation; they stop a hostile bundle from filling the memory or the disk.
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
MAX_ATTACHMENT_BYTES = 200 * 1024 * 1024
MAX_BUNDLE_BYTES = 2 * 1024 * 1024 * 1024
MAX_ZIP_ENTRIES = 20_000
# A real consultation.json nests about six levels deep; anything past this is not this format.
MAX_NESTING = 64

# What reading a damaged zip member or an unreadable file raises.
_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError)
SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]+\Z")
_CHUNK = 1024 * 1024


class InterchangeError(Exception):
    """The first problem found in a bundle: where it is (`comments[3].parent`) and what is wrong."""

    def __init__(self, where: str, problem: str) -> None:
        self.where = where
        self.problem = problem
        super().__init__(f"{where}: {problem}" if where else problem)


def _show(value: Any) -> str:
    """A value as the error message quotes it: strings in single quotes, short, everything else as JSON."""
    if isinstance(value, str):
        return repr(value if len(value) <= 60 else value[:57] + "...")
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _at(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


# --- The bundle: a zip or a folder -----------------------------------------------------------------------------


def _safe_member(name: str) -> bool:
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
            if not _safe_member(info.filename):
                self.close()
                raise InterchangeError(label, f"the zip entry {_show(info.filename)} is not a plain relative path "
                                              "inside the bundle")
            total += info.file_size
            if info.filename in self.members:
                self.close()
                raise InterchangeError(label, f"the zip holds {_show(info.filename)} twice")
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
        if not _safe_member(path):
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
    except _READ_ERRORS as exc:
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
        raise _too_deep_error() from None
    except ValueError as exc:  # an integer of thousands of digits, which Python refuses to convert
        raise InterchangeError(MANIFEST, f"not a consultation file ({exc})") from None
    return data  # validate_consultation checks the nesting before anything recurses into it


def _too_deep_error() -> InterchangeError:
    return InterchangeError(MANIFEST, f"nested more than {MAX_NESTING} levels deep; this is not a consultation file")


def _too_deep(value: Any, limit: int = MAX_NESTING) -> bool:
    """Whether lists and objects nest deeper than `limit`, found without recursion."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


# --- Validation against the schema -----------------------------------------------------------------------------


@lru_cache(maxsize=1)
def load_schema() -> dict:
    with SCHEMA_PATH.open(encoding="utf-8") as fh:
        return json.load(fh)


_TYPE_WORDS = {"object": "an object", "array": "a list", "string": "a string", "integer": "an integer",
               "number": "a number", "boolean": "true or false", "null": "null"}


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def parse_datetime(value: str, where: str) -> datetime:
    """An ISO 8601 date-time that carries its offset (a time without one is ambiguous across the world)."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        parsed = None
    if parsed is None or "T" not in value.upper():
        raise InterchangeError(where, f"{_show(value)} is not an ISO 8601 date-time, e.g. 2025-09-01T08:00:00+02:00")
    if parsed.tzinfo is None:
        raise InterchangeError(where, f"{_show(value)} has no offset; write it like 2025-09-01T08:00:00+02:00")
    return parsed


def _check_schema(value: Any, schema: dict, where: str, root: dict) -> None:
    """Check one value against this schema's subset of JSON Schema, raising at the first problem."""
    if "$ref" in schema:
        ref = schema["$ref"]
        assert ref.startswith("#/$defs/"), ref
        schema = root["$defs"][ref.removeprefix("#/$defs/")]
    label = where or "the file"
    if "const" in schema:
        const = schema["const"]
        if _json_type(value) != _json_type(const) or value != const:
            raise InterchangeError(label, f"must be {_show(const)}, not {_show(value)}")
    if "enum" in schema and (value not in schema["enum"] or isinstance(value, bool)):
        choices = ", ".join(_show(choice) for choice in schema["enum"])
        raise InterchangeError(label, f"{_show(value)} is not one of {choices}")
    if "type" in schema:
        allowed = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        actual = _json_type(value)
        if actual not in allowed:
            words = " or ".join(_TYPE_WORDS[t] for t in allowed)
            raise InterchangeError(label, f"must be {words}, not {_show(value)}")
    if isinstance(value, str):
        if "pattern" in schema and not re.search(schema["pattern"], value):
            raise InterchangeError(label, f"{_show(value)} does not match the pattern {schema['pattern']}")
        if schema.get("format") == "date-time":
            parse_datetime(value, label)
    if isinstance(value, int) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            raise InterchangeError(label, f"{value} is less than {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            raise InterchangeError(label, f"{value} is more than {schema['maximum']}")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        for key in schema.get("required", []):
            if key not in value:
                raise InterchangeError(_at(where, key), "is required but missing")
        for key, item in value.items():
            if key in properties:
                _check_schema(item, properties[key], _at(where, key), root)
            elif schema.get("additionalProperties") is False:
                raise InterchangeError(_at(where, key), "is not a field of this format")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            _check_schema(item, schema["items"], _at(where, index), root)


# --- Validation of what the schema cannot say ------------------------------------------------------------------


def _text(obj: dict, key: str, where: str, max_length: int, *, slug: bool = False, required: bool = False) -> None:
    value = obj.get(key)
    if value is None:
        return
    place = _at(where, key)
    if required and not value.strip():
        raise InterchangeError(place, "must not be empty")
    if len(value) > max_length:
        raise InterchangeError(place, f"has {len(value)} characters; at most {max_length} fit")
    if slug and not SLUG_RE.match(value):
        raise InterchangeError(place, f"{_show(value)} is not a slug (letters, digits, '-' and '_' only)")


def _check_person(person: dict, where: str) -> None:
    _text(person, "name", where, 150)
    _text(person, "email", where, 254)
    _text(person, "organisation", where, 200)
    _text(person, "stakeholder_group", where, 20)
    _text(person, "badge", where, 40)
    organisation_only = person.get("attribution") == "organisation"
    if not person["name"].strip() and not organisation_only:
        raise InterchangeError(_at(where, "name"), "is empty, but the attribution is 'person'")
    # A comment may be attributed to an affiliation badge alone ("UN Network"): no personal name, no organisation.
    if organisation_only and not (person.get("organisation") or "").strip() and not (person.get("badge") or "").strip():
        raise InterchangeError(_at(where, "organisation"), "is needed (or a badge) when the attribution is "
                                                           "'organisation'")


@dataclass
class _CheckedFile:
    path: str
    size: int
    sha256: str


@dataclass
class Validated:
    """What the checks found that the import needs: the files by path, each attachment's name and type as an
    upload's checks made them (by its comment's and its own position), and the comments whose HTML cleaned to
    nothing visible (their ids)."""

    files: dict[str, _CheckedFile] = field(default_factory=dict)
    attachments: dict[tuple[int, int], tuple[str, str]] = field(default_factory=dict)
    unshowable: list[str] = field(default_factory=list)


# Control characters (a CR/LF in a file name breaks the download's header), removed before uploads.clean_name.
_CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f]")


class _BundleUpload:
    """A bundle's file as uploads.check_file reads an upload: a name, a size and read()."""

    def __init__(self, bundle: Bundle, path: str, name: str, size: int) -> None:
        self.bundle, self.path, self.name, self.size = bundle, path, name, size

    def read(self, size: int = -1) -> bytes:
        with self.bundle.open(self.path) as fh:
            return fh.read(size)


def _check_attachment_file(bundle: Bundle, item: dict, checked: _CheckedFile, place: str) -> tuple[str, str]:
    """The attachment's name and content type after the checks an upload passes (uploads.check_file)."""
    name = uploads.clean_name(_CONTROL_RE.sub("", item["filename"]))
    limit = uploads.max_bytes()
    if checked.size > limit:
        raise InterchangeError(_at(place, "path"), f"{_show(item['path'])} has {checked.size} bytes; the site accepts "
                                                   f"attachments of at most {limit} bytes (HUB_ATTACHMENT_MAX_BYTES)")
    try:
        accepted = uploads.check_file(_BundleUpload(bundle, checked.path, name, checked.size))
    except ValidationError as exc:
        raise InterchangeError(place, " ".join(exc.messages)) from None
    except _READ_ERRORS as exc:
        raise InterchangeError(checked.path, f"cannot be read from the bundle ({exc})") from None
    if accepted.sha256 != checked.sha256:
        raise InterchangeError(checked.path, "changed while the bundle was being checked")
    return accepted.name, accepted.content_type


def has_visible_content(html: str) -> bool:
    """Whether cleaned HTML shows any text at all (an embed, an image or a script alone does not)."""
    return bool(html_to_text(html).strip())


def _hash_member(bundle: Bundle, path: str) -> _CheckedFile:
    digest = hashlib.sha256()
    size = 0
    try:
        with bundle.open(path) as fh:
            while chunk := fh.read(_CHUNK):
                size += len(chunk)
                if size > MAX_ATTACHMENT_BYTES:
                    raise InterchangeError(path, f"larger than {MAX_ATTACHMENT_BYTES} bytes")
                digest.update(chunk)
    except _READ_ERRORS as exc:
        raise InterchangeError(path, f"cannot be read from the bundle ({exc})") from None
    return _CheckedFile(path, size, digest.hexdigest())


def _check_references(data: dict, bundle: Bundle, *, strict: bool = False) -> Validated:
    """Check what ties the records together and to the bundle's files."""
    workplan = data.get("workplan")
    codes: set[str] = set()
    group_slugs: set[str] = set()
    if workplan is not None:
        _text(workplan, "slug", "workplan", 80, slug=True)
        _text(workplan, "title", "workplan", 200, required=True)
        start, end = workplan.get("period_start"), workplan.get("period_end")
        for key, year in (("period_start", start), ("period_end", end)):
            if year is not None and not 1 <= year <= 9999:
                raise InterchangeError(_at("workplan", key), f"{year} is not a year")
        if start is not None and end is not None and end < start:
            raise InterchangeError("workplan.period_end", f"{end} is before period_start {start}")
        for index, priority in enumerate(workplan["priorities"]):
            where = _at("workplan.priorities", index)
            _text(priority, "title", where, 300, required=True)
            if priority["number"] > 32767:
                raise InterchangeError(_at(where, "number"), f"{priority['number']} is more than 32767")
            expected = Priority.CODE_PREFIX[priority["kind"]] + str(priority["number"])
            if priority["code"] != expected:
                raise InterchangeError(_at(where, "code"), f"{_show(priority['code'])} does not match kind "
                                                           f"{_show(priority['kind'])} and number {priority['number']}")
            if priority["code"] in codes:
                raise InterchangeError(_at(where, "code"), f"{_show(priority['code'])} is listed twice")
            codes.add(priority["code"])
        for index, group in enumerate(workplan.get("working_groups", [])):
            where = _at("workplan.working_groups", index)
            _text(group, "slug", where, 80, slug=True)
            _text(group, "name", where, 200, required=True)
            if group["slug"] in group_slugs:
                raise InterchangeError(_at(where, "slug"), f"{_show(group['slug'])} is listed twice")
            group_slugs.add(group["slug"])
            for i, code in enumerate(group.get("priorities", [])):
                if code not in codes:
                    raise InterchangeError(_at(_at(where, "priorities"), i), f"{_show(code)} is not a priority code of "
                                                                             "the workplan")
            for i, name in enumerate(group.get("co_leads", [])):
                if not name.strip() or len(name) > 200:
                    raise InterchangeError(_at(_at(where, "co_leads"), i), "must be an organisation name of 1 to 200 "
                                                                           "characters")

    discussion = data["discussion"]
    _text(discussion, "slug", "discussion", 80, slug=True)
    _text(discussion, "title", "discussion", 200, required=True)
    _text(discussion, "expected_audience", "discussion", 300)
    for index, person in enumerate(discussion.get("moderators", [])):
        _check_person(person, _at("discussion.moderators", index))
    opens, closes = discussion.get("opens_at"), discussion.get("closes_at")
    if opens and closes and parse_datetime(closes, "discussion.closes_at") < parse_datetime(opens, "discussion.opens_at"):
        raise InterchangeError("discussion.closes_at", "is before opens_at")
    workplan_slug = discussion.get("workplan")
    if workplan_slug is not None:
        if workplan is not None and workplan_slug != workplan["slug"]:
            raise InterchangeError("discussion.workplan", f"{_show(workplan_slug)} is not the slug of the file's "
                                                          f"workplan {_show(workplan['slug'])}")
        if workplan is None:
            existing = Workplan.objects.filter(slug=workplan_slug).first()
            if existing is None:
                raise InterchangeError("discussion.workplan", f"{_show(workplan_slug)} is neither in the file nor on "
                                                              "this site")
            codes = {p.code for p in existing.priorities.all()}
            group_slugs = set(existing.working_groups.values_list("slug", flat=True))

    ids: set[str] = set()
    question_ids: set[str] = set()
    for index, question in enumerate(data["questions"]):
        where = _at("questions", index)
        _text(question, "id", where, 64, required=True)
        if question["id"] in ids:
            raise InterchangeError(_at(where, "id"), f"{_show(question['id'])} is used twice in the file")
        ids.add(question["id"])
        question_ids.add(question["id"])
        if not 0 <= question["order"] <= 32767:
            raise InterchangeError(_at(where, "order"), f"{question['order']} is not between 0 and 32767")
        if not question["text"].strip():
            raise InterchangeError(_at(where, "text"), "must not be empty")
        if "posted_by" in question:
            _check_person(question["posted_by"], _at(where, "posted_by"))

    comment_questions: dict[str, str | None] = {}
    validated = Validated()
    files = validated.files
    for index, comment in enumerate(data["comments"]):
        where = _at("comments", index)
        _text(comment, "id", where, 64, required=True)
        if comment["id"] in ids:
            raise InterchangeError(_at(where, "id"), f"{_show(comment['id'])} is used twice in the file")
        ids.add(comment["id"])
        question, parent = comment.get("question"), comment.get("parent")
        if question is not None and question not in question_ids:
            raise InterchangeError(_at(where, "question"), f"{_show(question)} is not a question id of the file")
        if parent is not None:
            if parent not in comment_questions:
                raise InterchangeError(_at(where, "parent"), f"{_show(parent)} is not an earlier comment id")
            if question is not None and question != comment_questions[parent]:
                raise InterchangeError(_at(where, "question"), f"{_show(question)} differs from the question of its "
                                                               f"parent {_show(parent)}; a reply takes its parent's")
            question = comment_questions[parent]
        comment_questions[comment["id"]] = question
        _check_person(comment["author"], _at(where, "author"))
        if not workplan_slug and workplan is None and (comment.get("priorities") or comment.get("working_groups")):
            raise InterchangeError(_at(where, "priorities"), "names priorities or working groups, but the discussion "
                                                             "has no workplan")
        for i, code in enumerate(comment.get("priorities", [])):
            if code not in codes:
                raise InterchangeError(_at(_at(where, "priorities"), i), f"{_show(code)} is not a priority code of the "
                                                                         "workplan")
        for i, slug in enumerate(comment.get("working_groups", [])):
            if slug not in group_slugs:
                raise InterchangeError(_at(_at(where, "working_groups"), i), f"{_show(slug)} is not a working group "
                                                                             "of the workplan")
        attachments = comment.get("attachments", [])
        # An empty body is fine beside attachments; markup that cleans to nothing visible lost the content.
        raw_body = comment["body_html"]
        if not has_visible_content(clean_html(raw_body)) and (raw_body.strip() or not attachments):
            if strict:
                raise InterchangeError(_at(where, "body_html"), "has no content left once the HTML is cleaned")
            validated.unshowable.append(comment["id"])
        for i, attachment in enumerate(attachments):
            place = _at(_at(where, "attachments"), i)
            _text(attachment, "filename", place, 255, required=True)
            _text(attachment, "content_type", place, 100)
            path = attachment["path"]
            if not _safe_member(path):
                raise InterchangeError(_at(place, "path"), f"{_show(path)} is not a plain relative path inside the "
                                                           "bundle")
            if path == MANIFEST or not bundle.has(path):
                raise InterchangeError(_at(place, "path"), f"{_show(path)} is not a file in the bundle")
            if path not in files:
                files[path] = _hash_member(bundle, path)
            checked = files[path]
            if "sha256" in attachment and attachment["sha256"] != checked.sha256:
                raise InterchangeError(_at(place, "sha256"), f"does not match the file {_show(path)} (its sha256 is "
                                                             f"{checked.sha256})")
            if "size" in attachment and attachment["size"] != checked.size:
                raise InterchangeError(_at(place, "size"), f"{attachment['size']} does not match the file "
                                                           f"{_show(path)} ({checked.size} bytes)")
            validated.attachments[(index, i)] = _check_attachment_file(bundle, attachment, checked, place)
    return validated


def validate_consultation(data: Any, bundle: Bundle, *, strict: bool = False) -> Validated:
    """Raise InterchangeError at the first problem of a parsed consultation.json and its bundle."""
    schema = load_schema()
    if _too_deep(data):  # before anything below recurses into it
        raise _too_deep_error()
    _check_schema(data, schema, "", schema)
    return _check_references(data, bundle, strict=strict)


# --- Import ----------------------------------------------------------------------------------------------------


def unshowable_note() -> str:
    """The body given to an imported comment whose HTML cleaned to nothing visible."""
    return clean_html("<p><em>%s</em></p>" % escape(_(
        "The original content of this comment could not be shown (it contained only embedded media or other "
        "content that is not kept).")))


def _person_label(person: dict) -> str:
    """A person as the import's report names them: the name (or organisation, or badge) and the e-mail."""
    name = (person.get("name") or person.get("organisation") or person.get("badge") or "").strip() or "(no name)"
    email = (person.get("email") or "").strip()
    return f"{name} <{email}>" if email else name


def _existing_refusal(discussion: Discussion, comments: int) -> str:
    return (f"a discussion with the slug {discussion.slug!r} already exists on this site ({discussion.status}, "
            f"{comments} comment{'' if comments == 1 else 's'}) and importing would change it; to update it, import "
            "with --update-existing (update_existing=True)")


@dataclass
class ImportPlan:
    """What importing a bundle would do to what is already on the site, found before anything is written: the
    dry run's report (`import_consultation --check`), and what the import itself decides by."""

    data: dict
    validated: Validated
    update_existing: bool = False
    grant_moderators: bool = False
    existing_discussion: Discussion | None = None
    existing_comments: int = 0
    existing_workplan: Workplan | None = None
    # Existing accounts the file names as moderators, not yet moderators of the discussion ("Name <e-mail>").
    moderators_matched: list[str] = field(default_factory=list)
    moderators_already: list[str] = field(default_factory=list)
    moderators_without_account: list[str] = field(default_factory=list)
    # Existing accounts that comments or questions are linked to by e-mail (their owners can then see them as theirs).
    linked_accounts: list[str] = field(default_factory=list)

    @property
    def refusal(self) -> str | None:
        """Why the import would be refused, or None."""
        if self.existing_discussion is not None and not self.update_existing:
            return _existing_refusal(self.existing_discussion, self.existing_comments)
        return None

    def lines(self) -> list[str]:
        data = self.data
        slug = data["discussion"]["slug"]
        out = []
        if self.existing_discussion is None:
            out.append(f"Discussion {slug!r}: new.")
        else:
            verdict = ("it will be UPDATED (--update-existing)" if self.update_existing
                       else "REFUSED: it exists; --update-existing is needed to update it")
            out.append(f"Discussion {slug!r}: already exists ({self.existing_discussion.status}, "
                       f"{self.existing_comments} comments): {verdict}.")
        if data.get("workplan"):
            if self.existing_workplan is None:
                out.append(f"Workplan {data['workplan']['slug']!r}: new.")
            else:
                out.append(f"Workplan {data['workplan']['slug']!r}: already exists; its title, priorities and working "
                           "groups will be updated from the file.")
        attachments = sum(len(c.get("attachments", [])) for c in data["comments"])
        out.append(f"{len(data['questions'])} questions, {len(data['comments'])} comments, {attachments} attachments "
                   "(checked like uploads).")
        if self.moderators_matched:
            names = ", ".join(self.moderators_matched)
            out.append(f"Moderator rights granted to existing accounts: {names}." if self.grant_moderators else
                       f"Moderator rights NOT granted (no --grant-moderators) to existing accounts: {names}.")
        if self.moderators_already:
            out.append(f"Already moderators of the discussion: {', '.join(self.moderators_already)}.")
        if self.moderators_without_account:
            out.append("Moderators without an account here (kept in the import record only): "
                       f"{', '.join(self.moderators_without_account)}.")
        if self.linked_accounts:
            out.append("Comments or questions linked to existing accounts by e-mail: "
                       f"{', '.join(self.linked_accounts)}.")
        if self.validated.unshowable:
            out.append("Comments whose content could not be shown (kept with a note saying so): "
                       f"{', '.join(self.validated.unshowable)}.")
        return out


def _users_by_email(people) -> dict:
    emails = {person["email"].strip().lower() for person in people if (person.get("email") or "").strip()}
    users = {}
    if emails:
        matches = (get_user_model().objects.annotate(email_lower=Lower("email"))
                   .filter(email_lower__in=emails).order_by("pk"))
        for user in matches:
            users.setdefault(user.email_lower, user)
    return users


def _people(data: dict):
    """Everyone the file names: moderators, question posters and comment authors."""
    yield from data["discussion"].get("moderators", [])
    yield from _authors(data)


def _authors(data: dict):
    """The people who posted the file's questions and comments."""
    for question in data["questions"]:
        if question.get("posted_by"):
            yield question["posted_by"]
    for comment in data["comments"]:
        yield comment["author"]


def plan_import(data: dict, validated: Validated, *, update_existing: bool = False,
                grant_moderators: bool = False) -> ImportPlan:
    """What importing a validated bundle would change on the site, read without writing anything."""
    plan = ImportPlan(data=data, validated=validated, update_existing=update_existing,
                      grant_moderators=grant_moderators)
    users = _users_by_email(_people(data))

    def user(person: dict):
        return users.get((person.get("email") or "").strip().lower())

    plan.existing_discussion = Discussion.objects.filter(slug=data["discussion"]["slug"]).first()
    current: set[int] = set()
    if plan.existing_discussion is not None:
        plan.existing_comments = plan.existing_discussion.comments.count()
        current = set(plan.existing_discussion.moderators.values_list("pk", flat=True))
    if data.get("workplan"):
        plan.existing_workplan = Workplan.objects.filter(slug=data["workplan"]["slug"]).first()
    for person in data["discussion"].get("moderators", []):
        account = user(person)
        if account is None:
            plan.moderators_without_account.append(_person_label(person))
        elif account.pk in current:
            plan.moderators_already.append(_person_label(person))
        else:
            plan.moderators_matched.append(_person_label(person))
    linked = {}
    for person in _authors(data):
        account = user(person)
        if account is not None:
            linked.setdefault(account.pk, f"{account.get_username()} <{account.email}>")
    plan.linked_accounts = list(linked.values())
    return plan


@dataclass
class ImportReport:
    """What an import created and updated, kind by kind, and what it did or did not do to existing accounts."""

    discussion: Discussion | None = None
    source: str = ""
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    removed: Counter = field(default_factory=Counter)
    moderators_granted: list[str] = field(default_factory=list)
    moderators_not_granted: list[str] = field(default_factory=list)
    unshowable: list[str] = field(default_factory=list)
    linked_accounts: list[str] = field(default_factory=list)

    KINDS = ("workplan", "priority", "working group", "organisation", "discussion", "moderator", "question",
             "comment", "attachment")

    def as_dict(self) -> dict:
        return {kind: {"created": self.created[kind], "updated": self.updated[kind], "removed": self.removed[kind]}
                for kind in self.KINDS if self.created[kind] or self.updated[kind] or self.removed[kind]}

    def lines(self) -> list[str]:
        out = []
        for kind, counts in self.as_dict().items():
            parts = [f"{n} {verb}" for verb, n in counts.items() if n]
            out.append(f"{kind}: {', '.join(parts)}")
        if self.moderators_granted:
            out.append(f"moderator rights granted to: {', '.join(self.moderators_granted)}")
        if self.moderators_not_granted:
            out.append("moderator rights NOT granted (import with --grant-moderators to grant them) to: "
                       f"{', '.join(self.moderators_not_granted)}")
        if self.linked_accounts:
            out.append(f"linked to existing accounts by e-mail: {', '.join(self.linked_accounts)}")
        if self.unshowable:
            out.append("content could not be shown (kept with a note saying so) for comments: "
                       f"{', '.join(self.unshowable)}")
        return out


def _canonical_person(person: dict | None, *, include_email: bool = True) -> dict | None:
    """A person as the export writes it: every field present, empty values as null; the e-mail only if asked."""
    if person is None:
        return None
    out = {
        "name": person.get("name", ""),
        "organisation": person.get("organisation") or None,
        "stakeholder_group": person.get("stakeholder_group") or None,
        "badge": person.get("badge") or None,
        "attribution": person.get("attribution") or "person",
    }
    if include_email and person.get("email"):
        out["email"] = person["email"]
    return out


class _Importer:
    def __init__(self, plan: ImportPlan, bundle: Bundle, actor, source: str) -> None:
        self.plan = plan
        self.data = plan.data
        self.bundle = bundle
        self.files = plan.validated.files
        self.actor = actor
        self.report = ImportReport(source=source, unshowable=list(plan.validated.unshowable),
                                   linked_accounts=list(plan.linked_accounts))
        self.stored: list[str] = []  # names written to storage, deleted again if the import fails
        self.priorities: dict[str, Priority] = {}
        self.groups: dict[str, WorkingGroup] = {}
        self.users = _users_by_email(_people(self.data))
        self.unshowable = set(plan.validated.unshowable)

    def user_for(self, person: dict | None, current=None):
        """The account with the person's e-mail; a person without one keeps the account linked before (a bundle
        exported without e-mails must not unlink comments from their authors when it is imported again)."""
        email = ((person or {}).get("email") or "").strip().lower()
        return self.users.get(email) if email else current

    def count(self, kind: str, created: bool) -> None:
        (self.report.created if created else self.report.updated)[kind] += 1

    def run(self) -> ImportReport:
        workplan = self.import_workplan()
        discussion = self.import_discussion(workplan)
        questions = self.import_questions(discussion)
        self.import_comments(discussion, workplan, questions)
        self.report.discussion = discussion
        audit_log(actor=self.actor, action=IMPORT_ACTION, target=discussion, reason=f"Imported from {self.report.source}",
                  after={
                      "counts": self.report.as_dict(),
                      # Kept here because the models have no place for them; the export reads them back.
                      "moderators": [_canonical_person(p) for p in self.data["discussion"].get("moderators", [])],
                      "question_posters": {q["id"]: _canonical_person(q["posted_by"])
                                           for q in self.data["questions"] if q.get("posted_by")},
                      "moderators_granted": self.report.moderators_granted,
                      "moderators_not_granted": self.report.moderators_not_granted,
                      "unshowable_comments": self.report.unshowable,
                  })
        return self.report

    def import_workplan(self) -> Workplan | None:
        data = self.data.get("workplan")
        slug = self.data["discussion"].get("workplan")
        if data is None:
            if not slug:
                return None
            workplan = Workplan.objects.get(slug=slug)
            self.priorities = {p.code: p for p in workplan.priorities.all()}
            self.groups = {g.slug: g for g in workplan.working_groups.all()}
            return workplan
        workplan = Workplan.objects.filter(slug=data["slug"]).first()
        created = workplan is None
        if created:
            this_year = timezone.now().year
            start = data.get("period_start") or data.get("period_end") or this_year
            workplan = Workplan(slug=data["slug"], period_start=start, period_end=data.get("period_end") or start)
        workplan.title = data["title"]
        for key in ("period_start", "period_end", "status"):
            if key in data:
                setattr(workplan, key, data[key])
        workplan.save()
        self.count("workplan", created)

        existing = {(p.kind, p.number): p for p in workplan.priorities.all()}
        objectives = {o.number: o for o in GcmObjective.objects.all()}
        for index, item in enumerate(data["priorities"]):
            priority = existing.get((item["kind"], item["number"]))
            created = priority is None
            if created:
                priority = Priority(workplan=workplan, kind=item["kind"], number=item["number"], order=index)
            priority.title = item["title"]
            if "description_html" in item:
                priority.description = clean_html(item["description_html"])
            priority.save()
            if "gcm_objectives" in item:
                missing = [n for n in item["gcm_objectives"] if n not in objectives]
                if missing:  # the reference data is loaded by a migration; without it, say so rather than drop them
                    raise InterchangeError(f"workplan.priorities[{index}].gcm_objectives",
                                           f"GCM objective {missing[0]} is not in this site's reference data")
                priority.gcm_objectives.set([objectives[n] for n in item["gcm_objectives"]])
            self.priorities[priority.code] = priority
            self.count("priority", created)

        groups = {g.slug: g for g in workplan.working_groups.all()}
        for item in data.get("working_groups", []):
            group = groups.get(item["slug"])
            created = group is None
            if created:
                group = WorkingGroup(workplan=workplan, slug=item["slug"])
            group.name = item["name"]
            if "kind" in item:
                group.kind = item["kind"]
            if "description_html" in item:
                group.description = clean_html(item["description_html"])
            group.save()
            if "priorities" in item:
                group.priorities.set([self.priorities[code] for code in item["priorities"]])
            if "co_leads" in item:
                group.co_leads.set([self.organisation(name) for name in item["co_leads"]])
            self.groups[group.slug] = group
            self.count("working group", created)
        return workplan

    def organisation(self, name: str) -> Organisation:
        name = name.strip()
        organisation = Organisation.objects.filter(name__iexact=name).first()
        if organisation is None:
            organisation = Organisation.objects.create(name=name, stakeholder_group=StakeholderGroup.OTHER)
            self.report.created["organisation"] += 1
        return organisation

    def import_discussion(self, workplan: Workplan | None) -> Discussion:
        data = self.data["discussion"]
        # Locked, so that the check below and the update see the same discussion.
        discussion = Discussion.objects.select_for_update().filter(slug=data["slug"]).first()
        created = discussion is None
        if created:
            discussion = Discussion(slug=data["slug"])
        elif not self.plan.update_existing:
            # plan_import refused already; this catches a discussion created since the plan was made.
            raise InterchangeError("discussion.slug", _existing_refusal(discussion, discussion.comments.count()))
        discussion.title = data["title"]
        discussion.status = data["status"]
        discussion.workplan = workplan
        if "welcome_html" in data:
            discussion.welcome = clean_html(data["welcome_html"])
        if "expected_audience" in data:
            discussion.expected_audience = data["expected_audience"]
        if "languages" in data:
            discussion.languages = list(data["languages"])
        for key in ("opens_at", "closes_at"):
            if key in data:
                value = data[key]
                setattr(discussion, key, parse_datetime(value, f"discussion.{key}") if value else None)
        discussion.save()
        self.count("discussion", created)
        current = set(discussion.moderators.values_list("pk", flat=True))
        for person in data.get("moderators", []):
            email = (person.get("email") or "").strip().lower()
            user = self.users.get(email) if email else None
            if user is None or user.pk in current:
                continue
            current.add(user.pk)
            if not self.plan.grant_moderators:
                # Moderator rights are never given to an existing account just because a file names its e-mail.
                self.report.moderators_not_granted.append(_person_label(person))
                continue
            discussion.moderators.add(user)
            self.report.moderators_granted.append(_person_label(person))
            self.report.created["moderator"] += 1
        return discussion

    def import_questions(self, discussion: Discussion) -> dict[str, Question]:
        existing = list(discussion.questions.all())
        by_source = {q.source_id: q for q in existing if q.source_id}
        by_pk = {f"q{q.pk}": q for q in existing if not q.source_id}
        out = {}
        for item in self.data["questions"]:
            # An id like "q12" without a stored source_id is this site's own export of question 12.
            question = by_source.get(item["id"]) or by_pk.get(item["id"])
            created = question is None
            if created:
                question = Question(discussion=discussion)
            question.source_id = item["id"]
            question.order = item["order"]
            question.text = item["text"]
            poster = item.get("posted_by")
            question.posted_by_name = poster["name"] if poster else ""
            question.posted_by = self.user_for(poster, question.posted_by)
            if "posted_at" in item:
                question.posted_at = parse_datetime(item["posted_at"], f"questions[{len(out)}].posted_at")
            question.save()
            out[item["id"]] = question
            self.count("question", created)
        return out

    def import_comments(self, discussion: Discussion, workplan: Workplan | None,
                        questions: dict[str, Question]) -> None:
        existing = list(discussion.comments.prefetch_related("attachments"))
        by_source = {c.source_id: c for c in existing if c.source_id}
        by_pk = {f"c{c.pk}": c for c in existing if not c.source_id}
        done: dict[str, Comment] = {}
        for index, item in enumerate(self.data["comments"]):
            comment = by_source.get(item["id"]) or by_pk.get(item["id"])
            created = comment is None
            if created:
                comment = Comment(discussion=discussion)
            parent = done[item["parent"]] if item.get("parent") else None
            author = item["author"]
            posted_at = parse_datetime(item["posted_at"], f"comments[{index}].posted_at")
            body = unshowable_note() if item["id"] in self.unshowable else clean_html(item["body_html"])
            comment.source_id = item["id"]
            comment.parent = parent
            comment.depth = parent.depth + 1 if parent else 0
            comment.question = parent.question if parent else questions.get(item.get("question"))
            comment.author = self.user_for(author, comment.author)
            comment.author_name = author["name"]
            comment.author_organisation = author.get("organisation") or ""
            comment.author_stakeholder_group = author.get("stakeholder_group") or ""
            comment.author_badge = author.get("badge") or ""
            comment.show_personal_name = author.get("attribution", "person") != "organisation"
            # A bundle records attributions as the source platform showed them and has no membership state: the
            # secretariat that imports it vouches for them, so they are shown as confirmed.
            comment.author_organisation_confirmed = True
            comment.body = body
            comment.body_text = html_to_text(body)
            comment.status = item["status"]
            comment.created_at = posted_at
            if item["status"] in (Comment.Status.PUBLISHED, Comment.Status.HIDDEN):
                comment.published_at = comment.published_at or posted_at
            else:
                comment.published_at = None
            comment.save()
            if "priorities" in item or not created:
                comment.priorities.set([self.priorities[code] for code in item.get("priorities", [])])
            if "working_groups" in item or not created:
                comment.working_groups.set([self.groups[slug] for slug in item.get("working_groups", [])])
            self.import_attachments(comment, index, item.get("attachments", []), created)
            done[item["id"]] = comment
            self.count("comment", created)

    def import_attachments(self, comment: Comment, comment_index: int, items: list[dict], created: bool) -> None:
        current = [] if created else list(comment.attachments.all())
        keep = set()
        for position, item in enumerate(items):
            checked = self.files[item["path"]]
            # The name and the type as an upload's checks made them: the type is read from the bytes, never taken
            # from the file's "content_type".
            name, content_type = self.plan.validated.attachments[(comment_index, position)]
            match = next((a for a in current if a.sha256 == checked.sha256 and a.original_name == name
                          and a.pk not in keep), None)
            if match is not None:
                keep.add(match.pk)
                if match.content_type != content_type:
                    match.content_type = content_type
                    match.save(update_fields=["content_type"])
                continue
            attachment = Attachment(comment=comment, original_name=name, content_type=content_type,
                                    size=checked.size, sha256=checked.sha256)
            with self.bundle.open(item["path"]) as fh:
                # Hash the bytes actually stored: the bundle could change between the check and now.
                stored = _HashingReader(fh, checked.size)
                attachment.file.save(name, File(stored, name=name), save=False)
                self.stored.append(attachment.file.name)
                if stored.digest.hexdigest() != checked.sha256:
                    raise InterchangeError(item["path"], "changed while it was being imported")
            attachment.save()
            self.report.created["attachment"] += 1
        for attachment in current:
            if attachment.pk not in keep:
                name = attachment.file.name
                attachment.delete()
                transaction.on_commit(lambda name=name: default_storage.delete(name))
                self.report.removed["attachment"] += 1


class _HashingReader(io.RawIOBase):
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


def import_consultation_bundle(source, *, actor=None, update_existing: bool = False, grant_moderators: bool = False,
                               strict: bool = False) -> ImportReport:
    """Create or update a consultation from a bundle (a .zip path or file, or a folder). The whole bundle is checked
    first and written in one transaction: on any problem, InterchangeError names it and nothing is written.

    update_existing: allow changing a discussion that already exists here (otherwise the import is refused).
    grant_moderators: make the existing accounts the file names as moderators moderators of the discussion
    (otherwise the report lists them as not granted). strict: refuse a comment whose HTML cleans to nothing
    visible, rather than keeping it with a note."""
    label = str(source) if isinstance(source, (str, os.PathLike)) else getattr(source, "name", None) or "bundle"
    with open_bundle(source) as bundle:
        data = read_manifest(bundle)
        validated = validate_consultation(data, bundle, strict=strict)
        plan = plan_import(data, validated, update_existing=update_existing, grant_moderators=grant_moderators)
        if plan.refusal:
            raise InterchangeError("discussion.slug", plan.refusal)
        importer = _Importer(plan, bundle, actor, label)
        try:
            with transaction.atomic():
                return importer.run()
        except BaseException:
            for name in importer.stored:
                default_storage.delete(name)
            raise


def check_consultation_bundle(source, *, update_existing: bool = False, grant_moderators: bool = False,
                              strict: bool = False) -> ImportPlan:
    """Validate a bundle and say what importing it would do, without writing anything (the dry run)."""
    with open_bundle(source) as bundle:
        data = read_manifest(bundle)
        validated = validate_consultation(data, bundle, strict=strict)
        return plan_import(data, validated, update_existing=update_existing, grant_moderators=grant_moderators)


# --- Export ----------------------------------------------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(dt_timezone.utc).isoformat() if value else None


def safe_filename(name: str) -> str:
    """A file name safe in any zip tool and file system: ASCII letters, digits, '.', '-' and '_' only."""
    def tidy(part: str) -> str:
        part = unicodedata.normalize("NFKD", part).encode("ascii", "ignore").decode()
        return re.sub(r"[^A-Za-z0-9_-]+", "-", part).strip("-_")

    stem, ext = os.path.splitext(name)
    stem, ext = tidy(stem)[:100] or "file", tidy(ext)[:10]
    return f"{stem}.{ext}" if ext else stem


class _Ids:
    """Stable ids: the stored source_id where there is one, otherwise the prefix and the primary key."""

    def __init__(self, prefix: str, objects) -> None:
        self.ids: dict[int, str] = {}
        taken = {obj.source_id for obj in objects if obj.source_id}
        for obj in objects:
            if obj.source_id:
                self.ids[obj.pk] = obj.source_id
                continue
            candidate, n = f"{prefix}{obj.pk}", 1
            while candidate in taken:
                n += 1
                candidate = f"{prefix}{obj.pk}-{n}"
            taken.add(candidate)
            self.ids[obj.pk] = candidate

    def __getitem__(self, pk: int) -> str:
        return self.ids[pk]


def _person_for_user(user) -> dict:
    profile = getattr(user, "profile", None) if user is not None else None
    organisation = profile.organisation if profile else None
    return _canonical_person({  # with the e-mail: the export drops it unless asked
        "name": (profile.display_name if profile else "") or user.get_full_name() or user.get_username(),
        "email": user.email,
        "organisation": organisation.name if organisation else None,
        "stakeholder_group": organisation.stakeholder_group if organisation else None,
        "badge": organisation.shown_badge if organisation else None,
        "attribution": "person",
    })


def _threaded(comments: list[Comment]) -> list[Comment]:
    """Comments in posting order, except that a parent always comes before its replies (as the format requires)."""
    by_pk = {c.pk: c for c in comments}
    out, seen = [], set()

    def place(comment: Comment) -> None:
        chain = []
        while comment is not None and comment.pk not in seen:
            chain.append(comment)
            comment = by_pk.get(comment.parent_id)
        for item in reversed(chain):
            seen.add(item.pk)
            out.append(item)

    for comment in comments:
        place(comment)
    return out


def consultation_to_dict(discussion: Discussion, *, comments: QuerySet | None = None,
                         include_emails: bool = False) -> dict:
    """The consultation in the interchange format, attachments named by their path in a bundle
    (`attachments/<id>-<name>`); see export_consultation_bundle for the files and the arguments."""
    data, _files = _consultation(discussion, comments=comments, include_emails=include_emails)
    return data


def _consultation(discussion: Discussion, *, comments: QuerySet | None = None,
                  include_emails: bool = False) -> tuple[dict, list[tuple[str, Attachment]]]:
    record = (AuditEntry.objects.filter(action=IMPORT_ACTION, target_id=str(discussion.pk),
                                        target_type=ContentType.objects.get_for_model(Discussion))
              .order_by("-created_at", "-id").values_list("after", flat=True).first()) or {}
    out: dict[str, Any] = {"format": FORMAT, "version": VERSION, "exported_at": _iso(timezone.now())}

    workplan = discussion.workplan
    if workplan is not None:
        priorities = list(workplan.priorities.prefetch_related("gcm_objectives").order_by("kind", "number"))
        groups = list(workplan.working_groups.prefetch_related("priorities", "co_leads").order_by("slug"))
        out["workplan"] = {
            "slug": workplan.slug, "title": workplan.title, "period_start": workplan.period_start,
            "period_end": workplan.period_end, "status": workplan.status,
            "priorities": [{
                "code": p.code, "kind": p.kind, "number": p.number, "title": p.title,
                "description_html": p.description,
                "gcm_objectives": sorted(o.number for o in p.gcm_objectives.all()),
            } for p in priorities],
            "working_groups": [{
                "slug": g.slug, "name": g.name, "kind": g.kind,
                "priorities": [p.code for p in sorted(g.priorities.all(), key=lambda p: (p.kind, p.number))],
                "co_leads": sorted(o.name for o in g.co_leads.all()),
                "description_html": g.description,
            } for g in groups],
        }

    moderators = list(record.get("moderators") or [])
    named = {(m.get("email") or "").lower() for m in moderators if m.get("email")}
    for user in discussion.moderators.select_related("profile__organisation").order_by("pk"):
        if user.email.lower() not in named:
            moderators.append(_person_for_user(user))
    out["discussion"] = {
        "slug": discussion.slug, "title": discussion.title, "welcome_html": discussion.welcome,
        "status": discussion.status, "opens_at": _iso(discussion.opens_at), "closes_at": _iso(discussion.closes_at),
        "expected_audience": discussion.expected_audience, "languages": list(discussion.languages or []),
        "moderators": [_canonical_person(m, include_email=include_emails) for m in moderators],
        "workplan": workplan.slug if workplan else None,
    }

    questions = list(discussion.questions.select_related("posted_by").order_by("order", "id"))
    question_ids = _Ids("q", questions)
    posters = record.get("question_posters") or {}
    out["questions"] = []
    for question in questions:
        item = {"id": question_ids[question.pk], "order": question.order, "text": question.text}
        poster = posters.get(question.source_id) if question.source_id else None
        if poster is None or poster.get("name") != question.posted_by_name:
            poster = None
            if question.posted_by_name or question.posted_by_id:
                poster = {"name": question.posted_by_name or question.posted_by.get_username(),
                          "email": question.posted_by.email if question.posted_by else ""}
        if poster is not None:
            item["posted_by"] = _canonical_person(poster, include_email=include_emails)
        item["posted_at"] = _iso(question.posted_at)
        out["questions"].append(item)

    selected = discussion.comments.all()
    if comments is not None:
        selected = selected.filter(pk__in=comments.values("pk"))
    comments = _threaded(list(
        selected.select_related("author").prefetch_related("priorities", "working_groups", "attachments")
        .order_by("created_at", "id")))
    comment_ids = _Ids("c", comments)
    files: list[tuple[str, Attachment]] = []
    out["comments"] = []
    for comment in comments:
        # A reply whose parent is not in the selection is written as a comment on its parent's question: the
        # format needs every parent earlier in the file, and the parent was left out on purpose.
        reply = comment.parent_id is not None and comment.parent_id in comment_ids.ids
        author = _canonical_person({
            "name": comment.author_name, "organisation": comment.author_organisation,
            "stakeholder_group": comment.author_stakeholder_group, "badge": comment.author_badge,
            "attribution": "person" if comment.show_personal_name else "organisation",
            "email": comment.author.email if comment.author else "",
        }, include_email=include_emails)
        out["comments"].append({
            "id": comment_ids[comment.pk],
            "question": question_ids[comment.question_id] if comment.question_id and not reply else None,
            "parent": comment_ids[comment.parent_id] if reply else None,
            "author": author,
            "posted_at": _iso(comment.created_at),
            # The format knows no "withdrawn": like a hidden comment, it is kept but not shown.
            "status": Comment.Status.HIDDEN if comment.status == Comment.Status.WITHDRAWN else comment.status,
            "body_html": comment.body,
            "priorities": [p.code for p in sorted(comment.priorities.all(), key=lambda p: (p.kind, p.number))],
            "working_groups": sorted(g.slug for g in comment.working_groups.all()),
            "attachments": [],
        })
        for attachment in comment.attachments.all():
            path = f"attachments/{attachment.pk}-{safe_filename(attachment.original_name)}"
            files.append((path, attachment))
            out["comments"][-1]["attachments"].append({
                "filename": attachment.original_name, "path": path, "content_type": attachment.content_type,
                "size": attachment.size, "sha256": attachment.sha256,
            })
    return out, files


def export_consultation_bundle(discussion: Discussion, fileobj_or_path, *, comments: QuerySet | None = None,
                               include_emails: bool = False) -> dict:
    """Write the consultation as a .zip bundle (consultation.json and the attachment files) to a path or a writable
    binary file; returns the dict written as consultation.json.

    comments: only these of the discussion's comments (a queryset, e.g. an export's filtered selection), with their
    attachments; by default every comment whatever its status. include_emails: write the e-mail addresses of
    authors, question posters and moderators; by default the bundle holds none (they leave the site only when the
    command line asks, `export_consultation --include-emails`)."""
    data, files = _consultation(discussion, comments=comments, include_emails=include_emails)
    with zipfile.ZipFile(fileobj_or_path, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr(MANIFEST, json.dumps(data, ensure_ascii=False, indent=1) + "\n")
        for path, attachment in files:
            try:
                source = attachment.file.open("rb")
            except (FileNotFoundError, ValueError):
                raise InterchangeError(path, f"the stored file of attachment {attachment.pk} "
                                             f"({attachment.original_name}) is missing") from None
            with source, bundle.open(path, "w") as target:
                while chunk := source.read(_CHUNK):
                    target.write(chunk)
    return data
