"""The example bundle, bundles built from it for the tests, and what they are compared by."""
from __future__ import annotations

import copy
import json
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest
from django.conf import settings

from discussions.interchange import InterchangeError, import_consultation_bundle
from discussions.models import Attachment, Comment, Discussion, Question
from hub.models import AuditEntry, Organisation, User
from hub.text import clean_html
from workplan.models import Priority, Workplan, WorkingGroup

EXAMPLE = Path(__file__).resolve().parents[2] / "data" / "interchange" / "example"
PDF_PATH = "attachments/position-paper.pdf"


def example_data() -> dict:
    return json.loads((EXAMPLE / "consultation.json").read_text(encoding="utf-8"))


def write_folder(root: Path, data: dict | str, files: dict[str, bytes] | None = None) -> Path:
    """A bundle folder holding `data` as consultation.json (a str is written as is) and the example's PDF, unless
    `files` says otherwise."""
    root.mkdir(parents=True, exist_ok=True)
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    (root / "consultation.json").write_text(text, encoding="utf-8")
    if files is None:
        files = {PDF_PATH: (EXAMPLE / PDF_PATH).read_bytes()}
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(content)
    return root


def write_zip(path: Path, data: dict | str, files: dict[str, bytes] | None = None) -> Path:
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    if files is None:
        files = {PDF_PATH: (EXAMPLE / PDF_PATH).read_bytes()}
    with zipfile.ZipFile(path, "w") as bundle:
        bundle.writestr("consultation.json", text)
        for name, content in files.items():
            bundle.writestr(name, content)
    return path


def stored_files() -> list[Path]:
    media = Path(settings.MEDIA_ROOT)
    return sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []


def row_counts() -> dict[str, int]:
    models = [User, Organisation, Workplan, Priority, WorkingGroup, Discussion, Question, Comment, Attachment,
              AuditEntry]
    counts = {model.__name__: model.objects.count() for model in models}
    counts["moderators"] = Discussion.moderators.through.objects.count()
    counts["comment priorities"] = Comment.priorities.through.objects.count()
    counts["files"] = len(stored_files())
    return counts


def normalised(consultation: dict) -> dict:
    """The consultation with what may legitimately differ between an input file and our export made equal.

    What is set aside, and why:
    - `exported_at`, and the ids of questions and comments ("ids aside"): ids are replaced by the record's
      position, and every reference (a comment's question and parent) follows, so the structure is still compared.
    - an attachment's `path`: it is where the file sits in the bundle (the export names it `<id>-<name>`). The
      file itself is compared through `sha256` and `size`, which the import checked against the bytes and which
      `test_the_exported_zip_holds_every_attachment_at_its_path` checks in the exported zip.
    What is brought to one form, because the format allows several spellings of the same thing:
    - optional fields the input leaves out get the format's meaning of absence: a person's organisation,
      stakeholder group and badge null, attribution "person" (the schema's default), lists empty, strings empty,
      a working group's kind "working_group" (the model's default);
    - times are compared as instants: the input says +02:00, the export writes UTC;
    - HTML on the input side is passed through `clean_html`, because the import sanitizes every HTML field on
      purpose (links gain rel="nofollow ugc noopener", `&mdash;` becomes the character itself);
    - lists that are sets in the database (a comment's priorities and working groups, co-leads, GCM objectives,
      the workplan's priorities and working groups) are sorted.
    Nothing else is touched: titles, texts, statuses, names, organisations, badges, attribution, priorities,
    working groups, question order, thread structure and attachments must come back exactly.
    """
    data = copy.deepcopy(consultation)
    data.pop("exported_at", None)

    def person(value: dict | None) -> dict | None:
        if value is None:
            return None
        out = {"name": value["name"], "organisation": value.get("organisation") or None,
               "stakeholder_group": value.get("stakeholder_group") or None, "badge": value.get("badge") or None,
               "attribution": value.get("attribution") or "person"}
        if value.get("email"):
            out["email"] = value["email"]
        return out

    def instant(value: str | None) -> datetime | None:
        return datetime.fromisoformat(value).astimezone(timezone.utc) if value else None

    workplan = data.get("workplan")
    if workplan:
        for priority in workplan["priorities"]:
            priority["description_html"] = clean_html(priority.get("description_html", ""))
            priority["gcm_objectives"] = sorted(priority.get("gcm_objectives", []))
        workplan["priorities"].sort(key=lambda p: (p["kind"], p["number"]))
        for group in workplan.setdefault("working_groups", []):
            group.setdefault("kind", "working_group")
            group["priorities"] = sorted(group.get("priorities", []))
            group["co_leads"] = sorted(group.get("co_leads", []))
            group["description_html"] = clean_html(group.get("description_html", ""))
        workplan["working_groups"].sort(key=lambda g: g["slug"])

    discussion = data["discussion"]
    discussion["welcome_html"] = clean_html(discussion.get("welcome_html", ""))
    discussion.setdefault("expected_audience", "")
    discussion.setdefault("languages", [])
    discussion["moderators"] = [person(m) for m in discussion.get("moderators", [])]
    for key in ("opens_at", "closes_at"):
        discussion[key] = instant(discussion.get(key))
    discussion.setdefault("workplan", workplan["slug"] if workplan else None)

    question_ids = {q["id"]: f"question {i}" for i, q in enumerate(data["questions"])}
    for question in data["questions"]:
        question["id"] = question_ids[question["id"]]
        question["posted_by"] = person(question.get("posted_by"))
        question["posted_at"] = instant(question.get("posted_at"))

    comment_ids = {c["id"]: f"comment {i}" for i, c in enumerate(data["comments"])}
    for comment in data["comments"]:
        comment["id"] = comment_ids[comment["id"]]
        parent = comment.get("parent")
        comment["parent"] = comment_ids[parent] if parent else None
        # A reply takes its parent's question; the file may leave it out (null) for replies.
        comment["question"] = None if parent else question_ids.get(comment.get("question"))
        comment["author"] = person(comment["author"])
        comment["posted_at"] = instant(comment["posted_at"])
        comment["body_html"] = clean_html(comment["body_html"])
        comment["priorities"] = sorted(comment.get("priorities", []))
        comment["working_groups"] = sorted(comment.get("working_groups", []))
        comment["attachments"] = [{k: v for k, v in a.items() if k != "path"} for a in comment.get("attachments", [])]
    return data


def mutate(change):
    def build(tmp_path: Path) -> Path:
        data = example_data()
        change(data)
        return write_folder(tmp_path / "bundle", data)
    return build


def set_path(path: str, value):
    """A change that sets data[...] at a dotted path like 'comments.1.status'."""
    def change(data):
        *parents, last = path.split(".")
        target = data
        for key in parents:
            target = target[int(key)] if key.isdigit() else target[key]
        target[int(last) if last.isdigit() else last] = value
    return mutate(change)


def delete_path(path: str):
    def change(data):
        *parents, last = path.split(".")
        target = data
        for key in parents:
            target = target[int(key)] if key.isdigit() else target[key]
        del target[int(last) if last.isdigit() else last]
    return mutate(change)


def assert_refused_and_nothing_written(tmp_path: Path, build, message: str) -> None:
    """Importing the bundle `build(tmp_path)` makes, over the imported example, fails with `message` and changes no
    row: neither creates one nor updates the existing ones."""
    import_consultation_bundle(EXAMPLE)  # so that "nothing written" also covers updates of existing rows
    discussion = Discussion.objects.get()
    before = row_counts()
    comment_before = Comment.objects.get(source_id="c2")

    with pytest.raises(InterchangeError) as caught:
        import_consultation_bundle(build(tmp_path), update_existing=True)

    assert message in str(caught.value)
    assert row_counts() == before
    discussion.refresh_from_db()
    assert discussion.status == "closed"
    assert Comment.objects.get(source_id="c2").body == comment_before.body


def ensure_gcm_objectives() -> None:
    """The GCM objectives the example's workplan names, as the data migration loads them: a transactional test
    (browser tests) may run after another one, whose flush emptied the reference data."""
    from workplan.models import GcmObjective

    data = Path(__file__).resolve().parents[3] / "workplan" / "data" / "gcm_objectives.json"
    for item in json.loads(data.read_text(encoding="utf-8")):
        GcmObjective.objects.update_or_create(number=item["number"], defaults={"title": item["title"]})
