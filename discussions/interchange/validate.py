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
    nothing visible (their ids)."""

    files: dict[str, CheckedFile] = field(default_factory=dict)
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


def _check_attachment_file(bundle: Bundle, item: dict, checked: CheckedFile, place: str) -> tuple[str, str]:
    """The attachment's name and content type after the checks an upload passes (uploads.check_file)."""
    name = uploads.clean_name(_CONTROL_RE.sub("", item["filename"]))
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
                raise InterchangeError(at("workplan", key), f"{year} is not a year")
        if start is not None and end is not None and end < start:
            raise InterchangeError("workplan.period_end", f"{end} is before period_start {start}")
        for index, priority in enumerate(workplan["priorities"]):
            where = at("workplan.priorities", index)
            _text(priority, "title", where, 300, required=True)
            if priority["number"] > 32767:
                raise InterchangeError(at(where, "number"), f"{priority['number']} is more than 32767")
            expected = Priority.CODE_PREFIX[priority["kind"]] + str(priority["number"])
            if priority["code"] != expected:
                raise InterchangeError(at(where, "code"), f"{show(priority['code'])} does not match kind "
                                                           f"{show(priority['kind'])} and number {priority['number']}")
            if priority["code"] in codes:
                raise InterchangeError(at(where, "code"), f"{show(priority['code'])} is listed twice")
            codes.add(priority["code"])
        for index, group in enumerate(workplan.get("working_groups", [])):
            where = at("workplan.working_groups", index)
            _text(group, "slug", where, 80, slug=True)
            _text(group, "name", where, 200, required=True)
            if group["slug"] in group_slugs:
                raise InterchangeError(at(where, "slug"), f"{show(group['slug'])} is listed twice")
            group_slugs.add(group["slug"])
            for i, code in enumerate(group.get("priorities", [])):
                if code not in codes:
                    raise InterchangeError(at(at(where, "priorities"), i), f"{show(code)} is not a priority code of "
                                                                             "the workplan")
            for i, name in enumerate(group.get("co_leads", [])):
                if not name.strip() or len(name) > 200:
                    raise InterchangeError(at(at(where, "co_leads"), i), "must be an organisation name of 1 to 200 "
                                                                           "characters")

    discussion = data["discussion"]
    _text(discussion, "slug", "discussion", 80, slug=True)
    _text(discussion, "title", "discussion", 200, required=True)
    _text(discussion, "expected_audience", "discussion", 300)
    for index, person in enumerate(discussion.get("moderators", [])):
        _check_person(person, at("discussion.moderators", index))
    opens, closes = discussion.get("opens_at"), discussion.get("closes_at")
    if opens and closes and parse_datetime(closes, "discussion.closes_at") < parse_datetime(opens, "discussion.opens_at"):
        raise InterchangeError("discussion.closes_at", "is before opens_at")
    workplan_slug = discussion.get("workplan")
    if workplan_slug is not None:
        if workplan is not None and workplan_slug != workplan["slug"]:
            raise InterchangeError("discussion.workplan", f"{show(workplan_slug)} is not the slug of the file's "
                                                          f"workplan {show(workplan['slug'])}")
        if workplan is None:
            existing = Workplan.objects.filter(slug=workplan_slug).first()
            if existing is None:
                raise InterchangeError("discussion.workplan", f"{show(workplan_slug)} is neither in the file nor on "
                                                              "this site")
            codes = {p.code for p in existing.priorities.all()}
            group_slugs = set(existing.working_groups.values_list("slug", flat=True))

    ids: set[str] = set()
    question_ids: set[str] = set()
    for index, question in enumerate(data["questions"]):
        where = at("questions", index)
        _text(question, "id", where, 64, required=True)
        if question["id"] in ids:
            raise InterchangeError(at(where, "id"), f"{show(question['id'])} is used twice in the file")
        ids.add(question["id"])
        question_ids.add(question["id"])
        if not 0 <= question["order"] <= 32767:
            raise InterchangeError(at(where, "order"), f"{question['order']} is not between 0 and 32767")
        if not question["text"].strip():
            raise InterchangeError(at(where, "text"), "must not be empty")
        if "posted_by" in question:
            _check_person(question["posted_by"], at(where, "posted_by"))

    comment_questions: dict[str, str | None] = {}
    validated = Validated()
    files = validated.files
    for index, comment in enumerate(data["comments"]):
        where = at("comments", index)
        _text(comment, "id", where, 64, required=True)
        if comment["id"] in ids:
            raise InterchangeError(at(where, "id"), f"{show(comment['id'])} is used twice in the file")
        ids.add(comment["id"])
        question, parent = comment.get("question"), comment.get("parent")
        if question is not None and question not in question_ids:
            raise InterchangeError(at(where, "question"), f"{show(question)} is not a question id of the file")
        if parent is not None:
            if parent not in comment_questions:
                raise InterchangeError(at(where, "parent"), f"{show(parent)} is not an earlier comment id")
            if question is not None and question != comment_questions[parent]:
                raise InterchangeError(at(where, "question"), f"{show(question)} differs from the question of its "
                                                               f"parent {show(parent)}; a reply takes its parent's")
            question = comment_questions[parent]
        comment_questions[comment["id"]] = question
        _check_person(comment["author"], at(where, "author"))
        if not workplan_slug and workplan is None and (comment.get("priorities") or comment.get("working_groups")):
            raise InterchangeError(at(where, "priorities"), "names priorities or working groups, but the discussion "
                                                             "has no workplan")
        for i, code in enumerate(comment.get("priorities", [])):
            if code not in codes:
                raise InterchangeError(at(at(where, "priorities"), i), f"{show(code)} is not a priority code of the "
                                                                         "workplan")
        for i, slug in enumerate(comment.get("working_groups", [])):
            if slug not in group_slugs:
                raise InterchangeError(at(at(where, "working_groups"), i), f"{show(slug)} is not a working group "
                                                                             "of the workplan")
        attachments = comment.get("attachments", [])
        # An empty body is fine beside attachments; markup that cleans to nothing visible lost the content.
        raw_body = comment["body_html"]
        if not has_visible_content(clean_html(raw_body)) and (raw_body.strip() or not attachments):
            if strict:
                raise InterchangeError(at(where, "body_html"), "has no content left once the HTML is cleaned")
            validated.unshowable.append(comment["id"])
        for i, attachment in enumerate(attachments):
            place = at(at(where, "attachments"), i)
            _text(attachment, "filename", place, 255, required=True)
            _text(attachment, "content_type", place, 100)
            path = attachment["path"]
            if not safe_member(path):
                raise InterchangeError(at(place, "path"), f"{show(path)} is not a plain relative path inside the "
                                                           "bundle")
            if path == MANIFEST or not bundle.has(path):
                raise InterchangeError(at(place, "path"), f"{show(path)} is not a file in the bundle")
            if path not in files:
                files[path] = hash_member(bundle, path)
            checked = files[path]
            if "sha256" in attachment and attachment["sha256"] != checked.sha256:
                raise InterchangeError(at(place, "sha256"), f"does not match the file {show(path)} (its sha256 is "
                                                             f"{checked.sha256})")
            if "size" in attachment and attachment["size"] != checked.size:
                raise InterchangeError(at(place, "size"), f"{attachment['size']} does not match the file "
                                                           f"{show(path)} ({checked.size} bytes)")
            validated.attachments[(index, i)] = _check_attachment_file(bundle, attachment, checked, place)
    return validated


def validate_consultation(data: Any, bundle: Bundle, *, strict: bool = False) -> Validated:
    """Raise InterchangeError at the first problem of a parsed consultation.json and its bundle."""
    schema = load_schema()
    if too_deep(data):  # before anything below recurses into it
        raise too_deep_error()
    _check_schema(data, schema, "", schema)
    return _check_references(data, bundle, strict=strict)
