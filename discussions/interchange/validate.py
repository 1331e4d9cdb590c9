"""Checking a parsed consultation.json and its bundle before anything is written: the schema's rules (by a small
validator of our own for this schema's shape), then what the schema cannot say, section by section: the references
between records (ids, parents, questions, priority codes), lengths that must fit the columns, and the attachment
files (present, sha256 and size as stated, and the checks an upload passes)."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError

from discussions import uploads
from discussions.interchange.bundle import (
    MANIFEST,
    READ_ERRORS,
    Bundle,
    CheckedFile,
    hash_member,
    safe_member,
    too_deep,
    too_deep_error,
)
from discussions.interchange.errors import InterchangeError, at, show
from hub.text import clean_html, html_to_text
from workplan.models import Priority, Workplan

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "data" / "consultation.schema.json"
SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]+\Z")


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
        raise InterchangeError(where, f"{show(value)} is not an ISO 8601 date-time, e.g. 2025-09-01T08:00:00+02:00")
    if parsed.tzinfo is None:
        raise InterchangeError(where, f"{show(value)} has no offset; write it like 2025-09-01T08:00:00+02:00")
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
            raise InterchangeError(label, f"must be {show(const)}, not {show(value)}")
    if "enum" in schema and (value not in schema["enum"] or isinstance(value, bool)):
        choices = ", ".join(show(choice) for choice in schema["enum"])
        raise InterchangeError(label, f"{show(value)} is not one of {choices}")
    if "type" in schema:
        allowed = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        actual = _json_type(value)
        if actual not in allowed:
            words = " or ".join(_TYPE_WORDS[t] for t in allowed)
            raise InterchangeError(label, f"must be {words}, not {show(value)}")
    if isinstance(value, str):
        if "pattern" in schema and not re.search(schema["pattern"], value):
            raise InterchangeError(label, f"{show(value)} does not match the pattern {schema['pattern']}")
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
                raise InterchangeError(at(where, key), "is required but missing")
        for key, item in value.items():
            if key in properties:
                _check_schema(item, properties[key], at(where, key), root)
            elif schema.get("additionalProperties") is False:
                raise InterchangeError(at(where, key), "is not a field of this format")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            _check_schema(item, schema["items"], at(where, index), root)


# --- Validation of what the schema cannot say ------------------------------------------------------------------


def _text(obj: dict, key: str, where: str, max_length: int, *, slug: bool = False, required: bool = False) -> None:
    value = obj.get(key)
    if value is None:
        return
    place = at(where, key)
    if required and not value.strip():
        raise InterchangeError(place, "must not be empty")
    if len(value) > max_length:
        raise InterchangeError(place, f"has {len(value)} characters; at most {max_length} fit")
    if slug and not SLUG_RE.match(value):
        raise InterchangeError(place, f"{show(value)} is not a slug (letters, digits, '-' and '_' only)")


def _check_person(person: dict, where: str) -> None:
    _text(person, "name", where, 150)
    _text(person, "email", where, 254)
    _text(person, "organisation", where, 200)
    _text(person, "stakeholder_group", where, 20)
    _text(person, "badge", where, 40)
    organisation_only = person.get("attribution") == "organisation"
    if not person["name"].strip() and not organisation_only:
        raise InterchangeError(at(where, "name"), "is empty, but the attribution is 'person'")
    # A comment may be attributed to an affiliation badge alone ("UN Network"): no personal name, no organisation.
    if organisation_only and not (person.get("organisation") or "").strip() and not (person.get("badge") or "").strip():
        raise InterchangeError(at(where, "organisation"), "is needed (or a badge) when the attribution is "
                                                          "'organisation'")


@dataclass
class Validated:
    """What the checks found that the import needs: the files by path, each attachment's name and type as an
    upload's checks made them (by its comment's and its own position), and the comments whose HTML cleaned to
    nothing visible (their ids), and each comment's body as cleaned HTML and its plain text (by id), which the
    import stores as they are rather than cleaning every body a second time."""

    files: dict[str, CheckedFile] = field(default_factory=dict)
    attachments: dict[tuple[int, int], tuple[str, str]] = field(default_factory=dict)
    unshowable: list[str] = field(default_factory=list)
    bodies: dict[str, tuple[str, str]] = field(default_factory=dict)


class _BundleUpload:
    """A bundle's file as uploads.check_file reads an upload: a name, a size and read()."""

    def __init__(self, bundle: Bundle, path: str, name: str, size: int) -> None:
        self.bundle, self.path, self.name, self.size = bundle, path, name, size

    def read(self, size: int = -1) -> bytes:
        with self.bundle.open(self.path) as fh:
            return fh.read(size)


def _check_attachment_file(bundle: Bundle, item: dict, checked: CheckedFile, place: str) -> tuple[str, str]:
    """The attachment's name and content type after the checks an upload passes (uploads.check_file)."""
    name = uploads.clean_name(item["filename"])
    limit = uploads.max_bytes()
    if checked.size > limit:
        raise InterchangeError(at(place, "path"), f"{show(item['path'])} has {checked.size} bytes; the site accepts "
                                                  f"attachments of at most {limit} bytes (HUB_ATTACHMENT_MAX_BYTES)")
    try:
        accepted = uploads.check_file(_BundleUpload(bundle, checked.path, name, checked.size))
    except ValidationError as exc:
        raise InterchangeError(place, " ".join(exc.messages)) from None
    except READ_ERRORS as exc:
        raise InterchangeError(checked.path, f"cannot be read from the bundle ({exc})") from None
    if accepted.sha256 != checked.sha256:
        raise InterchangeError(checked.path, "changed while the bundle was being checked")
    return accepted.name, accepted.content_type


def has_visible_content(html: str) -> bool:
    """Whether cleaned HTML shows any text at all (an embed, an image or a script alone does not)."""
    return bool(html_to_text(html).strip())


@dataclass
class _Known:
    """What the sections checked so far define, for the later ones to refer to."""

    has_workplan: bool = False
    codes: set[str] = field(default_factory=set)  # the priority codes of the workplan
    group_slugs: set[str] = field(default_factory=set)  # its working groups
    ids: set[str] = field(default_factory=set)  # questions and comments share one set of ids
    question_ids: set[str] = field(default_factory=set)
    # Each comment's question (a reply's is its parent's).
    comment_questions: dict[str, str | None] = field(default_factory=dict)


def _check_workplan(workplan: dict, known: _Known) -> None:
    _text(workplan, "slug", "workplan", 80, slug=True)
    _text(workplan, "title", "workplan", 200, required=True)
    start, end = workplan.get("period_start"), workplan.get("period_end")
    for key, year in (("period_start", start), ("period_end", end)):
        if year is not None and not 1 <= year <= 9999:
            raise InterchangeError(at("workplan", key), f"{year} is not a year")
    if start is not None and end is not None and end < start:
        raise InterchangeError("workplan.period_end", f"{end} is before period_start {start}")
    known.has_workplan = True
    _check_priorities(workplan["priorities"], known)
    _check_working_groups(workplan.get("working_groups", []), known)


def _check_priorities(priorities: list[dict], known: _Known) -> None:
    for index, priority in enumerate(priorities):
        where = at("workplan.priorities", index)
        _text(priority, "title", where, 300, required=True)
        if priority["number"] > 32767:
            raise InterchangeError(at(where, "number"), f"{priority['number']} is more than 32767")
        expected = Priority.CODE_PREFIX[priority["kind"]] + str(priority["number"])
        if priority["code"] != expected:
            raise InterchangeError(at(where, "code"), f"{show(priority['code'])} does not match kind "
                                                      f"{show(priority['kind'])} and number {priority['number']}")
        if priority["code"] in known.codes:
            raise InterchangeError(at(where, "code"), f"{show(priority['code'])} is listed twice")
        known.codes.add(priority["code"])


def _check_working_groups(groups: list[dict], known: _Known) -> None:
    for index, group in enumerate(groups):
        where = at("workplan.working_groups", index)
        _text(group, "slug", where, 80, slug=True)
        _text(group, "name", where, 200, required=True)
        if group["slug"] in known.group_slugs:
            raise InterchangeError(at(where, "slug"), f"{show(group['slug'])} is listed twice")
        known.group_slugs.add(group["slug"])
        for i, code in enumerate(group.get("priorities", [])):
            if code not in known.codes:
                raise InterchangeError(at(at(where, "priorities"), i), f"{show(code)} is not a priority code of "
                                                                       "the workplan")
        for i, name in enumerate(group.get("co_leads", [])):
            if not name.strip() or len(name) > 200:
                raise InterchangeError(at(at(where, "co_leads"), i), "must be an organisation name of 1 to 200 "
                                                                     "characters")


def _check_discussion(discussion: dict, workplan: dict | None, known: _Known) -> None:
    _text(discussion, "slug", "discussion", 80, slug=True)
    _text(discussion, "title", "discussion", 200, required=True)
    _text(discussion, "expected_audience", "discussion", 300)
    for index, person in enumerate(discussion.get("moderators", [])):
        _check_person(person, at("discussion.moderators", index))
    opens, closes = discussion.get("opens_at"), discussion.get("closes_at")
    if opens and closes and (parse_datetime(closes, "discussion.closes_at")
                             < parse_datetime(opens, "discussion.opens_at")):
        raise InterchangeError("discussion.closes_at", "is before opens_at")
    if discussion.get("workplan") is not None:
        _check_discussion_workplan(discussion["workplan"], workplan, known)


def _check_discussion_workplan(slug: str, workplan: dict | None, known: _Known) -> None:
    """The discussion's workplan is the file's, or one already on this site (whose codes the comments then use)."""
    known.has_workplan = True
    if workplan is not None:
        if slug != workplan["slug"]:
            raise InterchangeError("discussion.workplan", f"{show(slug)} is not the slug of the file's workplan "
                                                          f"{show(workplan['slug'])}")
        return
    existing = Workplan.objects.filter(slug=slug).first()
    if existing is None:
        raise InterchangeError("discussion.workplan", f"{show(slug)} is neither in the file nor on this site")
    known.codes = {p.code for p in existing.priorities.all()}
    known.group_slugs = set(existing.working_groups.values_list("slug", flat=True))


def _check_id(record: dict, where: str, known: _Known) -> None:
    _text(record, "id", where, 64, required=True)
    if record["id"] in known.ids:
        raise InterchangeError(at(where, "id"), f"{show(record['id'])} is used twice in the file")
    known.ids.add(record["id"])


def _check_questions(questions: list[dict], known: _Known) -> None:
    for index, question in enumerate(questions):
        where = at("questions", index)
        _check_id(question, where, known)
        known.question_ids.add(question["id"])
        if not 0 <= question["order"] <= 32767:
            raise InterchangeError(at(where, "order"), f"{question['order']} is not between 0 and 32767")
        if not question["text"].strip():
            raise InterchangeError(at(where, "text"), "must not be empty")
        if "posted_by" in question:
            _check_person(question["posted_by"], at(where, "posted_by"))


def _check_comments(comments: list[dict], bundle: Bundle, known: _Known, *, strict: bool) -> Validated:
    validated = Validated()
    for index, comment in enumerate(comments):
        where = at("comments", index)
        _check_id(comment, where, known)
        _check_thread(comment, where, known)
        _check_person(comment["author"], at(where, "author"))
        _check_tags(comment, where, known)
        _check_body(comment, where, validated, strict=strict)
        for i, attachment in enumerate(comment.get("attachments", [])):
            place = at(at(where, "attachments"), i)
            validated.attachments[(index, i)] = _check_attachment(attachment, place, bundle, validated.files)
    return validated


def _check_thread(comment: dict, where: str, known: _Known) -> None:
    """A comment's question is one of the file's; a reply's parent comes earlier and gives the reply its question."""
    question, parent = comment.get("question"), comment.get("parent")
    if question is not None and question not in known.question_ids:
        raise InterchangeError(at(where, "question"), f"{show(question)} is not a question id of the file")
    if parent is not None:
        if parent not in known.comment_questions:
            raise InterchangeError(at(where, "parent"), f"{show(parent)} is not an earlier comment id")
        if question is not None and question != known.comment_questions[parent]:
            raise InterchangeError(at(where, "question"), f"{show(question)} differs from the question of its "
                                                          f"parent {show(parent)}; a reply takes its parent's")
        question = known.comment_questions[parent]
    known.comment_questions[comment["id"]] = question


def _check_tags(comment: dict, where: str, known: _Known) -> None:
    """The priorities and working groups a comment names are the workplan's."""
    if not known.has_workplan and (comment.get("priorities") or comment.get("working_groups")):
        raise InterchangeError(at(where, "priorities"), "names priorities or working groups, but the discussion "
                                                        "has no workplan")
    for i, code in enumerate(comment.get("priorities", [])):
        if code not in known.codes:
            raise InterchangeError(at(at(where, "priorities"), i), f"{show(code)} is not a priority code of the "
                                                                   "workplan")
    for i, slug in enumerate(comment.get("working_groups", [])):
        if slug not in known.group_slugs:
            raise InterchangeError(at(at(where, "working_groups"), i), f"{show(slug)} is not a working group "
                                                                       "of the workplan")


def _check_body(comment: dict, where: str, validated: Validated, *, strict: bool) -> None:
    # An empty body is fine beside attachments; markup that cleans to nothing visible lost the content.
    raw_body = comment["body_html"]
    body = clean_html(raw_body)
    text = html_to_text(body)
    if not text.strip() and (raw_body.strip() or not comment.get("attachments")):
        if strict:
            raise InterchangeError(at(where, "body_html"), "has no content left once the HTML is cleaned")
        validated.unshowable.append(comment["id"])
    validated.bodies[comment["id"]] = (body, text)


def _check_attachment(attachment: dict, place: str, bundle: Bundle, files: dict[str, CheckedFile]) -> tuple[str, str]:
    """The attachment's file is in the bundle as stated; returns its name and type as an upload's checks make them.
    `files` keeps each path's size and hash, so a file two attachments share is read once."""
    _text(attachment, "filename", place, 255, required=True)
    _text(attachment, "content_type", place, 100)
    path = attachment["path"]
    if not safe_member(path):
        raise InterchangeError(at(place, "path"), f"{show(path)} is not a plain relative path inside the bundle")
    if path == MANIFEST or not bundle.has(path):
        raise InterchangeError(at(place, "path"), f"{show(path)} is not a file in the bundle")
    if path not in files:
        files[path] = hash_member(bundle, path)
    checked = files[path]
    if "sha256" in attachment and attachment["sha256"] != checked.sha256:
        raise InterchangeError(at(place, "sha256"), f"does not match the file {show(path)} (its sha256 is "
                                                    f"{checked.sha256})")
    if "size" in attachment and attachment["size"] != checked.size:
        raise InterchangeError(at(place, "size"), f"{attachment['size']} does not match the file {show(path)} "
                                                  f"({checked.size} bytes)")
    return _check_attachment_file(bundle, attachment, checked, place)


def _check_references(data: dict, bundle: Bundle, *, strict: bool = False) -> Validated:
    """Check what ties the records together and to the bundle's files, section by section in the file's order."""
    known = _Known()
    if data.get("workplan") is not None:
        _check_workplan(data["workplan"], known)
    _check_discussion(data["discussion"], data.get("workplan"), known)
    _check_questions(data["questions"], known)
    return _check_comments(data["comments"], bundle, known, strict=strict)


def validate_consultation(data: Any, bundle: Bundle, *, strict: bool = False) -> Validated:
    """Raise InterchangeError at the first problem of a parsed consultation.json and its bundle."""
    schema = load_schema()
    if too_deep(data):  # before anything below recurses into it
        raise too_deep_error()
    _check_schema(data, schema, "", schema)
    return _check_references(data, bundle, strict=strict)
