"""Import and export of whole consultations (discussions/interchange.py and its two management commands)."""
from __future__ import annotations

import copy
import hashlib
import io
import json
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse

from discussions.interchange import (
    InterchangeError,
    consultation_to_dict,
    export_consultation_bundle,
    import_consultation_bundle,
)
from discussions.models import Attachment, Comment, Discussion, Question
from hub.models import AuditEntry, Organisation, User
from hub.text import clean_html
from tests.factories import make_user
from workplan.models import GcmObjective, Priority, Workplan, WorkingGroup

pytestmark = pytest.mark.django_db

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


# --- The example bundle ----------------------------------------------------------------------------------------


def test_the_example_bundle_imports_with_every_record_and_field_kept():
    report = import_consultation_bundle(EXAMPLE)

    assert report.created["workplan"] == 1 and report.created["discussion"] == 1
    assert (Workplan.objects.count(), Priority.objects.count(), WorkingGroup.objects.count()) == (1, 3, 1)
    assert (Question.objects.count(), Comment.objects.count(), Attachment.objects.count()) == (2, 4, 1)

    workplan = Workplan.objects.get()
    assert (workplan.slug, workplan.period_start, workplan.period_end, workplan.status) == (
        "example-workplan-2025-2027", 2025, 2027, "draft")
    np1 = Priority.objects.get(kind="new", number=1)
    assert sorted(np1.gcm_objectives.values_list("number", flat=True)) == [1, 23]
    group = WorkingGroup.objects.get()
    assert [p.code for p in group.priorities.all()] == ["OP3"]
    assert sorted(group.co_leads.values_list("name", flat=True)) == ["Example Agency A", "Example NGO B"]
    assert Organisation.objects.get(name="Example NGO B").stakeholder_group == "other"

    discussion = Discussion.objects.get()
    assert discussion.slug == "example-workplan-consultation"
    assert discussion.status == "closed" and discussion.workplan == workplan
    assert discussion.opens_at == datetime(2025, 9, 1, 6, 0, tzinfo=timezone.utc)
    assert discussion.closes_at == datetime(2025, 10, 31, 22, 59, tzinfo=timezone.utc)
    assert discussion.languages == ["en"]
    assert discussion.welcome.startswith("<p>Please read the draft")

    q1, q2 = Question.objects.order_by("order")
    assert (q1.source_id, q1.order, q1.posted_by_name) == ("q1", 1, "Example Moderator")
    assert q2.posted_at == datetime(2025, 9, 1, 6, 5, tzinfo=timezone.utc)

    c1, c2, c3, c4 = (Comment.objects.get(source_id=i) for i in ("c1", "c2", "c3", "c4"))
    assert (c1.question, c1.parent, c1.depth, c1.status) == (q1, None, 0, "published")
    assert c1.author is None and c1.author_name == "Ana Example-Fernández"
    assert (c1.author_organisation, c1.author_stakeholder_group, c1.show_personal_name) == (
        "Example NGO B", "civil_society", True)
    assert c1.created_at == datetime(2025, 9, 10, 12, 30, tzinfo=timezone.utc)
    assert sorted(p.code for p in c1.priorities.all()) == ["OP3", "OP6"]
    assert "1. Ongoing Priority 3 needs concrete activities." in c1.body_text
    # A reply takes its parent's question and sits one level below it.
    assert (c2.parent, c2.question, c2.depth, c2.author_badge) == (c1, q1, 1, "UN Network")
    # Attribution "organisation": the organisation is shown, not the personal name (which is still kept).
    assert c3.show_personal_name is False and c3.shown_name == "Example Agency A"
    assert [g.slug for g in c3.working_groups.all()] == ["wg-detention"]
    assert (c4.question, c4.status, c4.published_at) == (None, "pending", None)

    attachment = Attachment.objects.get()
    assert attachment.comment == c1
    assert (attachment.original_name, attachment.content_type, attachment.size) == (
        "Position paper (final).pdf", "application/pdf", 406)
    assert attachment.sha256 == "9f898025d13eb975db5b3e2eab649ce150b1d1aa51a1b35424b855f50ac3f044"
    # Stored under a random name, never the uploaded one; the bytes are the bundle's.
    assert "Position" not in attachment.file.name
    with attachment.file.open("rb") as fh:
        assert fh.read() == (EXAMPLE / PDF_PATH).read_bytes()

    entry = AuditEntry.objects.get(action="discussion.import")
    assert entry.target_id == str(discussion.pk) and entry.after["counts"]["comment"]["created"] == 4


def _normalised(consultation: dict) -> dict:
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


def test_an_imported_consultation_exports_back_equal_to_the_example(tmp_path):
    import_consultation_bundle(EXAMPLE)
    target = tmp_path / "out.zip"
    exported = export_consultation_bundle(Discussion.objects.get(), target)

    assert _normalised(exported) == _normalised(example_data())
    # The export keeps the file's ids where it has them, so even the ids survive this round trip.
    assert [c["id"] for c in exported["comments"]] == ["c1", "c2", "c3", "c4"]
    # The HTML really was sanitized on the way in (so the comparison above is not hiding a difference by accident).
    assert 'rel="nofollow ugc noopener"' in exported["comments"][0]["body_html"]
    with zipfile.ZipFile(target) as bundle:
        assert json.loads(bundle.read("consultation.json")) == exported


def test_the_exported_zip_holds_every_attachment_at_its_path(tmp_path):
    import_consultation_bundle(EXAMPLE)
    target = tmp_path / "out.zip"
    exported = export_consultation_bundle(Discussion.objects.get(), target)

    (item,) = exported["comments"][0]["attachments"]
    assert item["path"] == f"attachments/{Attachment.objects.get().pk}-Position-paper-final.pdf"
    with zipfile.ZipFile(target) as bundle:
        content = bundle.read(item["path"])
    assert content == (EXAMPLE / PDF_PATH).read_bytes()
    assert hashlib.sha256(content).hexdigest() == item["sha256"] and len(content) == item["size"]


def test_the_exported_bundle_imports_again_as_an_update_and_exports_the_same(tmp_path):
    import_consultation_bundle(EXAMPLE)
    first = export_consultation_bundle(Discussion.objects.get(), tmp_path / "first.zip")
    before = row_counts()

    report = import_consultation_bundle(tmp_path / "first.zip", update_existing=True)
    second = export_consultation_bundle(Discussion.objects.get(), tmp_path / "second.zip")

    assert report.created["comment"] == 0 and report.updated["comment"] == 4
    assert report.created["attachment"] == 0  # the same file on the same comment is kept, not stored again
    assert {k: v for k, v in row_counts().items() if k != "AuditEntry"} == {
        k: v for k, v in before.items() if k != "AuditEntry"}
    first.pop("exported_at"), second.pop("exported_at")
    assert second == first


def test_a_zip_and_a_folder_import_alike(tmp_path):
    bundle = write_zip(tmp_path / "example.zip", example_data())
    import_consultation_bundle(bundle)
    from_zip = _normalised(consultation_to_dict(Discussion.objects.get()))

    Discussion.objects.all().delete()
    Workplan.objects.all().delete()
    import_consultation_bundle(EXAMPLE)
    from_folder = _normalised(consultation_to_dict(Discussion.objects.get()))

    assert from_zip == from_folder
    assert Attachment.objects.count() == 1


def test_an_open_zip_file_object_imports_too():
    buffer = io.BytesIO()
    write_zip(buffer, example_data())
    buffer.seek(0)
    import_consultation_bundle(buffer)
    assert Comment.objects.count() == 4


def test_reimporting_a_changed_file_updates_rather_than_duplicates(tmp_path):
    import_consultation_bundle(EXAMPLE)
    c1_pk = Comment.objects.get(source_id="c1").pk
    data = example_data()
    data["discussion"]["title"] = "Draft Example Workplan 2025-2027 (final round)"
    data["questions"][0]["text"] = "Does the draft cover it all?"
    data["comments"][0]["status"] = "hidden"
    data["comments"][0]["priorities"] = ["NP1"]
    data["comments"][0]["attachments"] = []
    data["comments"][3]["status"] = "published"
    data["workplan"]["priorities"][0]["title"] = "Indicators"
    before = row_counts()

    report = import_consultation_bundle(write_folder(tmp_path / "changed", data), update_existing=True)

    after = row_counts()
    for model in ("Workplan", "Priority", "WorkingGroup", "Discussion", "Question", "Comment", "Organisation"):
        assert after[model] == before[model], model
    assert after["Attachment"] == 0 and report.removed["attachment"] == 1
    assert Discussion.objects.get().title.endswith("(final round)")
    assert Question.objects.get(source_id="q1").text == "Does the draft cover it all?"
    c1 = Comment.objects.get(source_id="c1")
    assert c1.pk == c1_pk and c1.status == "hidden" and [p.code for p in c1.priorities.all()] == ["NP1"]
    assert Comment.objects.get(source_id="c4").status == "published"
    assert Priority.objects.get(kind="new", number=1).title == "Indicators"


def test_a_site_made_discussion_exports_with_stable_ids_and_reimports_onto_the_same_rows(tmp_path):
    import_consultation_bundle(EXAMPLE)
    discussion = Discussion.objects.get()
    # A question and a reply made on this site carry no source id: the export names them q<pk> and c<pk>.
    question = Question.objects.create(discussion=discussion, order=3, text="Anything else?", posted_by_name="Mod")
    parent = Comment.objects.get(source_id="c3")
    reply = Comment.objects.create(discussion=discussion, question=parent.question, parent=parent, depth=1,
                                   author_name="Someone", body="<p>Yes.</p>", body_text="Yes.", status="published")
    exported = export_consultation_bundle(discussion, tmp_path / "out.zip")
    assert exported["questions"][-1]["id"] == f"q{question.pk}"
    assert exported["comments"][-1] == {**exported["comments"][-1], "id": f"c{reply.pk}", "parent": "c3",
                                        "question": None}
    before = row_counts()

    import_consultation_bundle(tmp_path / "out.zip", update_existing=True)

    assert row_counts()["Comment"] == before["Comment"] and row_counts()["Question"] == before["Question"]
    reply.refresh_from_db()
    assert reply.source_id == f"c{reply.pk}" and reply.depth == 1


def test_imported_html_is_sanitized_and_the_plain_text_follows_it(tmp_path):
    data = example_data()
    data["discussion"]["welcome_html"] = '<p onclick="steal()">Welcome</p><script>alert(1)</script>'
    data["comments"][1]["body_html"] = ('<p>Thanks<script>document.location="https://evil.example"</script></p>'
                                        '<a href="javascript:alert(1)">click</a><img src=x onerror=alert(1)>')
    import_consultation_bundle(write_folder(tmp_path / "b", data))

    assert Discussion.objects.get().welcome == "<p>Welcome</p>"
    comment = Comment.objects.get(source_id="c2")
    assert "script" not in comment.body and "javascript" not in comment.body and "onerror" not in comment.body
    assert comment.body.startswith("<p>Thanks</p>")
    assert comment.body_text == "Thanks\nclick"


def test_authors_and_moderators_with_an_account_are_linked_by_email(tmp_path):
    ana = make_user(email="ana@example.org", name="Ana F.")
    moderator = make_user(email="moderator@example.org")
    data = example_data()
    data["comments"][0]["author"]["email"] = "Ana@Example.org"
    data["discussion"]["moderators"][0]["email"] = "moderator@example.org"

    import_consultation_bundle(write_folder(tmp_path / "b", data), grant_moderators=True)

    comment = Comment.objects.get(source_id="c1")
    # Linked to the account, but attributed as the file says (the snapshot is not replaced by the profile).
    assert comment.author == ana and comment.author_name == "Ana Example-Fernández"
    assert list(Discussion.objects.get().moderators.all()) == [moderator]
    assert Comment.objects.get(source_id="c3").author is None


def test_the_import_command_reports_what_it_created_and_updated(capsys):
    call_command("import_consultation", str(EXAMPLE))
    out = capsys.readouterr().out
    assert "Imported discussion 'example-workplan-consultation'" in out
    assert "comment: 4 created" in out and "attachment: 1 created" in out

    call_command("import_consultation", str(EXAMPLE), "--update-existing")
    assert "comment: 4 updated" in capsys.readouterr().out


def test_the_import_command_fails_with_the_first_problem_and_writes_nothing(tmp_path):
    data = example_data()
    data["comments"][2]["status"] = "approved"
    before = row_counts()
    with pytest.raises(CommandError, match=r"comments\[2\]\.status: 'approved' is not one of"):
        call_command("import_consultation", str(write_folder(tmp_path / "b", data)))
    assert row_counts() == before


def test_the_check_option_validates_without_writing(capsys):
    before = row_counts()
    call_command("import_consultation", str(EXAMPLE), "--check")
    assert "is valid" in capsys.readouterr().out and row_counts() == before


def test_the_export_command_writes_a_zip_bundle(tmp_path, capsys):
    import_consultation_bundle(EXAMPLE)
    target = tmp_path / "export.zip"
    call_command("export_consultation", "example-workplan-consultation", "-o", str(target))
    assert "4 comments, 1 attachments" in capsys.readouterr().out
    with zipfile.ZipFile(target) as bundle:
        assert json.loads(bundle.read("consultation.json"))["discussion"]["slug"] == "example-workplan-consultation"
    with pytest.raises(CommandError, match="No discussion with the slug 'nope'"):
        call_command("export_consultation", "nope", "-o", str(tmp_path / "x.zip"))


def test_the_bundle_can_be_written_into_a_response_for_download():
    """The feedback download streams the bundle into an HttpResponse, which cannot seek."""
    from django.http import HttpResponse

    import_consultation_bundle(EXAMPLE)
    response = HttpResponse(content_type="application/zip")
    export_consultation_bundle(Discussion.objects.get(), response)
    with zipfile.ZipFile(io.BytesIO(response.content)) as bundle:
        assert sorted(n.split("/")[0] for n in bundle.namelist()) == ["attachments", "consultation.json"]


def test_the_export_reads_a_fixed_number_of_queries_whatever_the_number_of_comments():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    import_consultation_bundle(EXAMPLE)
    discussion = Discussion.objects.get()
    fresh = Discussion.objects.get()  # a new instance each time: the workplan is not cached on it yet
    with CaptureQueriesContext(connection) as small:
        consultation_to_dict(fresh)
    parent = Comment.objects.get(source_id="c3")
    for i in range(30):
        comment = Comment.objects.create(discussion=discussion, question=parent.question, parent=parent, depth=1,
                                         author=make_user(), author_name=f"Person {i}", body="<p>Yes.</p>",
                                         status="published")
        comment.priorities.set(Priority.objects.all()[:2])
    fresh = Discussion.objects.get()
    with CaptureQueriesContext(connection) as large:
        consultation_to_dict(fresh)
    assert len(large.captured_queries) == len(small.captured_queries) <= 13


# --- Invalid bundles: refused with the first problem, nothing written ------------------------------------------


def _mutate(change):
    def build(tmp_path: Path) -> Path:
        data = example_data()
        change(data)
        return write_folder(tmp_path / "bundle", data)
    return build


def _set(path: str, value):
    """A change that sets data[...] at a dotted path like 'comments.1.status'."""
    def change(data):
        *parents, last = path.split(".")
        target = data
        for key in parents:
            target = target[int(key)] if key.isdigit() else target[key]
        target[int(last) if last.isdigit() else last] = value
    return _mutate(change)


def _delete(path: str):
    def change(data):
        *parents, last = path.split(".")
        target = data
        for key in parents:
            target = target[int(key)] if key.isdigit() else target[key]
        del target[int(last) if last.isdigit() else last]
    return _mutate(change)


@_mutate
def _author_without_organisation_or_badge(data):
    data["comments"][2]["author"].update(organisation=None, badge=None)


@_mutate
def _swap_first_two_comments(data):
    data["comments"][0], data["comments"][1] = data["comments"][1], data["comments"][0]


def _zip_with_traversal(tmp_path):
    files = {PDF_PATH: (EXAMPLE / PDF_PATH).read_bytes(), "../x": b"escape"}
    return write_zip(tmp_path / "evil.zip", example_data(), files)


def _zip_with_absolute_name(tmp_path):
    files = {PDF_PATH: (EXAMPLE / PDF_PATH).read_bytes(), "/etc/cron.d/x": b"escape"}
    return write_zip(tmp_path / "evil.zip", example_data(), files)


def _not_json(tmp_path):
    return write_folder(tmp_path / "bundle", "format: hub-consultation\nthis is not JSON")


def _not_a_zip(tmp_path):
    path = tmp_path / "bundle.zip"
    path.write_bytes(b"%PDF-1.4 not a zip at all")
    return path


def _missing_file(tmp_path):
    return write_folder(tmp_path / "bundle", example_data(), files={})


def _changed_file(tmp_path):
    return write_folder(tmp_path / "bundle", example_data(), files={PDF_PATH: b"%PDF-1.4 another file"})


def _no_manifest(tmp_path):
    path = tmp_path / "bundle.zip"
    with zipfile.ZipFile(path, "w") as bundle:
        bundle.writestr("example/consultation.json", json.dumps(example_data()))
    return path


def _corrupted_member(tmp_path):
    path = write_zip(tmp_path / "damaged.zip", example_data())
    raw = bytearray(path.read_bytes())
    at = raw.index(b"%PDF")  # stored uncompressed: flip a byte of the PDF so its CRC no longer matches
    raw[at + 10] ^= 0xFF
    path.write_bytes(bytes(raw))
    return path


def _duplicate_member(tmp_path):
    path = write_zip(tmp_path / "twice.zip", example_data())
    with pytest.warns(UserWarning, match="Duplicate name"), zipfile.ZipFile(path, "a") as bundle:
        bundle.writestr(PDF_PATH, b"%PDF-1.4 a second file under the same name")
    return path


def _outside_symlink(tmp_path):
    secret = tmp_path / "secret.pdf"
    secret.write_bytes((EXAMPLE / PDF_PATH).read_bytes())
    root = write_folder(tmp_path / "bundle", example_data(), files={})
    (root / "attachments").mkdir()
    (root / PDF_PATH).symlink_to(secret)
    return root


INVALID = {
    "bad sha256": (_set("comments.0.attachments.0.sha256", "0" * 64),
                   "comments[0].attachments[0].sha256: does not match the file 'attachments/position-paper.pdf'"),
    "sha256 of other bytes": (_changed_file, "comments[0].attachments[0].sha256: does not match the file"),
    "wrong size": (_set("comments.0.attachments.0.size", 999),
                   "comments[0].attachments[0].size: 999 does not match the file 'attachments/position-paper.pdf' "
                   "(406 bytes)"),
    "missing attachment file": (_missing_file,
                                "comments[0].attachments[0].path: 'attachments/position-paper.pdf' is not a file in "
                                "the bundle"),
    "attachment path leaving the folder": (_set("comments.0.attachments.0.path", "../example/attachments/x.pdf"),
                                           "comments[0].attachments[0].path: '../example/attachments/x.pdf' is not a "
                                           "plain relative path inside the bundle"),
    "attachment behind a symlink out of the folder": (_outside_symlink,
                                                      "comments[0].attachments[0].path: 'attachments/position-paper.pdf'"
                                                      " is not a file in the bundle"),
    "zip with a ../ name": (_zip_with_traversal, "the zip entry '../x' is not a plain relative path inside the bundle"),
    "zip with an absolute name": (_zip_with_absolute_name, "the zip entry '/etc/cron.d/x' is not a plain relative path"),
    "damaged zip member": (_corrupted_member,
                           "attachments/position-paper.pdf: cannot be read from the bundle (Bad CRC-32"),
    "zip holding a name twice": (_duplicate_member, "the zip holds 'attachments/position-paper.pdf' twice"),
    "unknown comment status": (_set("comments.1.status", "approved"),
                               "comments[1].status: 'approved' is not one of 'pending', 'published', 'declined', "
                               "'hidden'"),
    "unknown discussion status": (_set("discussion.status", "running"), "discussion.status: 'running' is not one of"),
    "parent after its child": (_swap_first_two_comments, "comments[0].parent: 'c1' is not an earlier comment id"),
    "parent that does not exist": (_set("comments.1.parent", "c9"),
                                   "comments[1].parent: 'c9' is not an earlier comment id"),
    "unknown question": (_set("comments.0.question", "q9"), "comments[0].question: 'q9' is not a question id of the "
                                                            "file"),
    "reply naming another question": (_set("comments.1.question", "q2"),
                                      "comments[1].question: 'q2' differs from the question of its parent 'c1'"),
    "duplicate comment id": (_set("comments.1.id", "c1"), "comments[1].id: 'c1' is used twice in the file"),
    "comment id equal to a question id": (_set("comments.3.id", "q1"), "comments[3].id: 'q1' is used twice"),
    "not JSON": (_not_json, "consultation.json: not valid JSON (line 1, column 1"),
    "not a zip": (_not_a_zip, "not a readable zip file"),
    "no consultation.json at the root": (_no_manifest, "no consultation.json at the root of the bundle"),
    "other format": (_set("format", "other-format"), "format: must be 'hub-consultation', not 'other-format'"),
    "version as a string": (_set("version", "1"), "version: must be 1, not '1'"),
    "missing required field": (_delete("comments.2.body_html"), "comments[2].body_html: is required but missing"),
    "unknown top-level field": (_set("extra", True), "extra: is not a field of this format"),
    "wrong type": (_set("questions.1.order", True), "questions[1].order: must be an integer, not true"),
    "priority code pattern": (_set("workplan.priorities.0.code", "XP1"),
                              "workplan.priorities[0].code: 'XP1' does not match the pattern ^(NP|OP)[0-9]+$"),
    "priority code not matching kind and number": (_set("workplan.priorities.0.code", "NP2"),
                                                   "workplan.priorities[0].code: 'NP2' does not match kind 'new' and "
                                                   "number 1"),
    "comment naming an unknown priority": (_set("comments.0.priorities", ["OP3", "OP9"]),
                                           "comments[0].priorities[1]: 'OP9' is not a priority code of the workplan"),
    "comment naming an unknown working group": (_set("comments.2.working_groups", ["wg-nothing"]),
                                                "comments[2].working_groups[0]: 'wg-nothing' is not a working group"),
    "GCM objective out of range": (_set("workplan.priorities.1.gcm_objectives", [24]),
                                   "workplan.priorities[1].gcm_objectives[0]: 24 is more than 23"),
    "time without offset": (_set("comments.2.posted_at", "2025-09-20T10:00:00"),
                            "comments[2].posted_at: '2025-09-20T10:00:00' has no offset"),
    "not a time": (_set("questions.0.posted_at", "1 September 2025"),
                   "questions[0].posted_at: '1 September 2025' is not an ISO 8601 date-time"),
    "bad discussion slug": (_set("discussion.slug", "my discussion/1"),
                            "discussion.slug: 'my discussion/1' is not a slug"),
    "workplan slug mismatch": (_set("discussion.workplan", "another-workplan"),
                               "discussion.workplan: 'another-workplan' is not the slug of the file's workplan"),
    "period the wrong way round": (_set("workplan.period_end", 2020),
                                   "workplan.period_end: 2020 is before period_start 2025"),
    "organisation attribution without organisation or badge": (_author_without_organisation_or_badge,
                                                               "comments[2].author.organisation: is needed (or a "
                                                               "badge) when the attribution is 'organisation'"),
    "name too long for the column": (_set("comments.0.author.name", "x" * 151),
                                     "comments[0].author.name: has 151 characters; at most 150 fit"),
}


@pytest.mark.parametrize("build, message", INVALID.values(), ids=INVALID.keys())
def test_an_invalid_bundle_is_refused_with_its_first_problem_and_nothing_is_written(tmp_path, build, message):
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


def test_a_failure_in_the_middle_of_writing_rolls_everything_back_and_removes_stored_files(tmp_path, monkeypatch):
    before = row_counts()

    def fail(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("discussions.interchange.importer.audit_log", fail)  # the last write of an import
    with pytest.raises(RuntimeError):
        import_consultation_bundle(EXAMPLE)

    assert row_counts() == before
    assert stored_files() == []


def test_a_gcm_objective_missing_from_the_reference_data_stops_the_import_and_writes_nothing():
    GcmObjective.objects.filter(number=23).delete()
    before = row_counts()
    with pytest.raises(InterchangeError, match=r"workplan\.priorities\[0\]\.gcm_objectives: GCM objective 23"):
        import_consultation_bundle(EXAMPLE)
    assert row_counts() == before


def test_a_bundle_may_name_a_workplan_already_on_the_site(tmp_path):
    import_consultation_bundle(EXAMPLE)
    data = example_data()
    del data["workplan"]
    data["discussion"]["slug"] = "second-round"
    import_consultation_bundle(write_folder(tmp_path / "b", data))
    second = Discussion.objects.get(slug="second-round")
    assert second.workplan == Workplan.objects.get() and Workplan.objects.count() == 1
    assert sorted(p.code for p in second.comments.get(source_id="c1").priorities.all()) == ["OP3", "OP6"]

    data["discussion"]["workplan"] = "unknown-workplan"
    with pytest.raises(InterchangeError, match="discussion.workplan: 'unknown-workplan' is neither in the file nor"):
        import_consultation_bundle(write_folder(tmp_path / "c", data))


def test_the_example_bundle_is_the_projects_own_copy():
    """The project never reads ../shared: the example and the schema it is checked against live in the repo."""
    from discussions.interchange import SCHEMA_PATH

    assert SCHEMA_PATH.is_relative_to(Path(settings.BASE_DIR))
    assert EXAMPLE.is_relative_to(Path(settings.BASE_DIR))


# --- Hostile and real-world bundles (issue 9) -------------------------------------------------------------------


def test_a_deeply_nested_file_is_refused_with_a_clear_error_not_a_recursion_trace(tmp_path):
    depth = 200_000
    deep = "[" * depth + "]" * depth
    before = row_counts()
    with pytest.raises(InterchangeError, match=r"consultation\.json: nested more than 64 levels deep"):
        import_consultation_bundle(write_folder(tmp_path / "a", deep))
    with pytest.raises(CommandError, match="Nothing imported. consultation.json: nested more than 64 levels deep"):
        call_command("import_consultation", str(write_folder(tmp_path / "b", deep)), "--check")
    # Nesting the parser copes with, hidden in a field the schema does not describe, is refused all the same.
    data = example_data()
    nested: list = []
    for _ in range(500):
        nested = [nested]
    data["comments"][0]["author"]["extra"] = nested
    with pytest.raises(InterchangeError, match="nested more than 64 levels deep"):
        import_consultation_bundle(write_folder(tmp_path / "c", data))
    assert row_counts() == before


def test_a_comment_attributed_to_a_badge_alone_imports_shows_and_exports_back_equal(client, tmp_path):
    """The reference consultation: one comment shows only the affiliation badge "UN Network"."""
    data = example_data()
    data["comments"][2]["author"] = {"name": "", "organisation": None, "badge": "UN Network",
                                     "attribution": "organisation"}
    import_consultation_bundle(write_folder(tmp_path / "b", data))

    comment = Comment.objects.get(source_id="c3")
    assert (comment.author_name, comment.author_organisation, comment.author_badge) == ("", "", "UN Network")
    assert comment.shown_name == "UN Network"
    exported = export_consultation_bundle(Discussion.objects.get(), tmp_path / "out.zip")
    assert exported["comments"][2]["author"] == {"name": "", "organisation": None, "stakeholder_group": None,
                                                 "badge": "UN Network", "attribution": "organisation"}
    assert _normalised(exported) == _normalised(data)

    html = client.get(Discussion.objects.get().get_absolute_url()).content.decode()
    header = html[html.index(f'id="comment-{comment.pk}-by"'):][:300]
    assert '<strong class="comment-name">UN Network</strong>' in header
    # The badge is the attribution: not shown a second time beside it.
    assert html.count("UN Network") == html[:html.index(f'id="comment-{comment.pk}-by"')].count("UN Network") + 1


def test_the_moderation_page_names_a_badge_only_author_by_the_badge(client, tmp_path):
    data = example_data()
    data["comments"][2]["author"] = {"name": "", "organisation": None, "badge": "UN Network",
                                     "attribution": "organisation"}
    import_consultation_bundle(write_folder(tmp_path / "b", data))
    comment = Comment.objects.get(source_id="c3")
    client.force_login(make_user(role="Moderators", is_staff=True))
    html = client.get(reverse("discussions:comment-moderate", kwargs={"pk": comment.pk})).content.decode()
    assert f"Comment #{comment.pk} by UN Network" in html
    assert "<strong>UN Network</strong>" in html and "known only by the affiliation badge" in html


NOTE = "The original content of this comment could not be shown"


def test_a_comment_whose_html_cleans_to_nothing_is_kept_with_a_note_and_listed_in_the_report(client, tmp_path,
                                                                                                capsys):
    data = example_data()
    data["comments"][1]["body_html"] = '<iframe src="https://video.example/embed/1"></iframe><img src="x.png">'
    data["comments"][3]["body_html"] = "<script>alert(1)</script>"
    bundle = write_folder(tmp_path / "b", data)

    call_command("import_consultation", str(bundle), "--check")
    assert "Comments whose content could not be shown (kept with a note saying so): c2, c4." in capsys.readouterr().out
    report = import_consultation_bundle(bundle)

    assert report.unshowable == ["c2", "c4"]
    assert any("could not be shown" in line and "c2, c4" in line for line in report.lines())
    assert Comment.objects.count() == 4
    reply = Comment.objects.get(source_id="c2")
    assert NOTE in reply.body and NOTE in reply.body_text
    assert "iframe" not in reply.body and "script" not in Comment.objects.get(source_id="c4").body
    assert NOTE in client.get(Discussion.objects.get().get_absolute_url()).content.decode()


def test_the_strict_option_refuses_a_comment_whose_html_cleans_to_nothing(tmp_path):
    data = example_data()
    data["comments"][3]["body_html"] = "<script>alert(1)</script>"
    bundle = write_folder(tmp_path / "b", data)
    before = row_counts()
    with pytest.raises(InterchangeError, match=r"comments\[3\]\.body_html: has no content left once the HTML"):
        import_consultation_bundle(bundle, strict=True)
    with pytest.raises(CommandError, match=r"comments\[3\]\.body_html"):
        call_command("import_consultation", str(bundle), "--strict")
    assert row_counts() == before


def test_an_attachment_only_comment_with_an_empty_body_needs_no_note(tmp_path):
    data = example_data()
    data["comments"][0]["body_html"] = ""
    report = import_consultation_bundle(write_folder(tmp_path / "b", data))
    assert report.unshowable == [] and Comment.objects.get(source_id="c1").body == ""


def test_existing_accounts_are_made_moderators_only_with_grant_moderators_and_the_check_says_so(tmp_path, capsys):
    moderator = make_user(email="moderator@example.org")
    data = example_data()
    data["discussion"]["moderators"][0]["email"] = "moderator@example.org"
    data["discussion"]["moderators"].append({"name": "Nobody Here", "email": "nobody@example.org"})
    bundle = write_folder(tmp_path / "b", data)

    call_command("import_consultation", str(bundle), "--check")
    out = capsys.readouterr().out
    assert ("Moderator rights NOT granted (no --grant-moderators) to existing accounts: "
            "Example Moderator <moderator@example.org>.") in out
    assert ("Moderators without an account here (kept in the import record only): "
            "Nobody Here <nobody@example.org>.") in out

    call_command("import_consultation", str(bundle))
    out = capsys.readouterr().out
    assert ("moderator rights NOT granted (import with --grant-moderators to grant them) to: "
            "Example Moderator <moderator@example.org>") in out
    discussion = Discussion.objects.get()
    assert list(discussion.moderators.all()) == []

    call_command("import_consultation", str(bundle), "--check", "--update-existing", "--grant-moderators")
    assert ("Moderator rights granted to existing accounts: Example Moderator <moderator@example.org>."
            in capsys.readouterr().out)
    assert list(discussion.moderators.all()) == []  # the check wrote nothing
    call_command("import_consultation", str(bundle), "--update-existing", "--grant-moderators")
    assert "moderator rights granted to: Example Moderator <moderator@example.org>" in capsys.readouterr().out
    assert list(discussion.moderators.all()) == [moderator]


def test_an_existing_discussion_is_updated_only_with_update_existing_and_the_check_lists_it(tmp_path, capsys):
    import_consultation_bundle(EXAMPLE)
    discussion = Discussion.objects.get()
    Discussion.objects.filter(pk=discussion.pk).update(status="open", title="Live discussion")
    data = example_data()
    data["discussion"]["title"] = "Replaced title"
    bundle = write_folder(tmp_path / "b", data)
    before = row_counts()

    with pytest.raises(InterchangeError, match=r"discussion\.slug: a discussion with the slug "
                                               r"'example-workplan-consultation' already exists on this site "
                                               r"\(open, 4 comments\) and importing would change it; to update it, "
                                               r"import with --update-existing"):
        import_consultation_bundle(bundle)
    with pytest.raises(CommandError, match="Nothing imported. discussion.slug: a discussion with the slug"):
        call_command("import_consultation", str(bundle))
    with pytest.raises(CommandError, match="The import would be refused"):
        call_command("import_consultation", str(bundle), "--check")
    out = capsys.readouterr().out
    assert ("Discussion 'example-workplan-consultation': already exists (open, 4 comments): REFUSED: it exists; "
            "--update-existing is needed to update it.") in out
    assert "Workplan 'example-workplan-2025-2027': already exists" in out
    assert row_counts() == before
    assert Discussion.objects.get().title == "Live discussion"

    call_command("import_consultation", str(bundle), "--check", "--update-existing")
    assert "it will be UPDATED (--update-existing)" in capsys.readouterr().out
    call_command("import_consultation", str(bundle), "--update-existing")
    assert Discussion.objects.get().title == "Replaced title"


def test_attachment_names_lose_control_characters_and_types_are_read_from_the_bytes(client, tmp_path):
    data = example_data()
    attachment = data["comments"][0]["attachments"][0]
    attachment["filename"] = "folder/Position\r\npaper\x07.pdf"
    attachment["content_type"] = "text/html"  # the bundle's word is not taken
    import_consultation_bundle(write_folder(tmp_path / "b", data))

    stored = Attachment.objects.get()
    assert (stored.original_name, stored.content_type) == ("Positionpaper.pdf", "application/pdf")
    response = client.get(reverse("discussions:attachment-download", kwargs={"pk": stored.pk}))
    assert response.status_code == 200
    assert "Positionpaper.pdf" in response["Content-Disposition"]


def test_an_attachment_name_with_a_line_break_already_stored_still_downloads(client):
    import_consultation_bundle(EXAMPLE)
    Attachment.objects.update(original_name="Position\r\nSet-Cookie: x=1\n.pdf")
    client.raise_request_exception = False
    response = client.get(reverse("discussions:attachment-download", kwargs={"pk": Attachment.objects.get().pk}))
    assert response.status_code == 200
    assert "\n" not in response["Content-Disposition"] and "\r" not in response["Content-Disposition"]
    assert not response.has_header("Set-Cookie") and "x" not in response.cookies


HTML_PAGE = b"<!doctype html><script>alert(document.cookie)</script>"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.mark.parametrize("filename, content, message", [
    ("page.html", HTML_PAGE, "is not a file type we accept"),
    ("report.pdf", HTML_PAGE, "is not a file type we accept"),
    ("report.pdf", PNG, "contains a PNG image file but its name says otherwise"),
])
def test_an_attachment_the_upload_checks_would_refuse_is_refused_with_their_message(tmp_path, filename, content,
                                                                                    message):
    data = example_data()
    attachment = data["comments"][0]["attachments"][0]
    attachment.update(filename=filename, path="attachments/file", sha256=hashlib.sha256(content).hexdigest(),
                      size=len(content))
    before = row_counts()
    with pytest.raises(InterchangeError, match=r"comments\[0\]\.attachments\[0\]: .*" + message):
        import_consultation_bundle(write_folder(tmp_path / "b", data, files={"attachments/file": content}))
    assert row_counts() == before


def test_an_attachment_over_the_sites_upload_limit_is_refused(tmp_path, settings):
    settings.HUB_ATTACHMENT_MAX_BYTES = 100
    with pytest.raises(InterchangeError, match=r"comments\[0\]\.attachments\[0\]\.path: 'attachments/position-paper"
                                               r"\.pdf' has 406 bytes; the site accepts attachments of at most 100"):
        import_consultation_bundle(EXAMPLE)


def test_the_export_writes_no_email_unless_asked_and_a_reimport_keeps_the_links_to_accounts(tmp_path):
    ana = make_user(email="ana@example.org")
    moderator = make_user(email="moderator@example.org")
    data = example_data()
    data["comments"][0]["author"]["email"] = "ana@example.org"
    data["discussion"]["moderators"][0]["email"] = "moderator@example.org"
    import_consultation_bundle(write_folder(tmp_path / "b", data), grant_moderators=True)
    discussion = Discussion.objects.get()

    without = export_consultation_bundle(discussion, tmp_path / "without.zip")
    assert "@" not in json.dumps(without)
    with_emails = export_consultation_bundle(discussion, tmp_path / "with.zip", include_emails=True)
    assert with_emails["comments"][0]["author"]["email"] == "ana@example.org"
    assert with_emails["discussion"]["moderators"][0]["email"] == "moderator@example.org"

    # A bundle without e-mails imports, and does not unlink the comment from its author's account.
    import_consultation_bundle(tmp_path / "without.zip", update_existing=True)
    assert Comment.objects.get(source_id="c1").author == ana
    assert list(discussion.moderators.all()) == [moderator]


def test_numbers_too_large_for_the_file_or_the_database_are_refused_with_a_clear_error(tmp_path):
    before = row_counts()
    data = example_data()
    data["workplan"]["priorities"][0]["number"] = 10**30
    data["workplan"]["priorities"][0]["code"] = f"NP{10**30}"
    for comment in data["comments"]:
        comment["priorities"] = [f"NP{10**30}" if code == "NP1" else code for code in comment.get("priorities", [])]
    with pytest.raises(InterchangeError, match=r"workplan\.priorities\[0\]\.number: 1000000000000000000000000000000 "
                                               r"is more than 32767"):
        import_consultation_bundle(write_folder(tmp_path / "a", data))
    text = json.dumps(example_data()).replace('"order": 1', '"order": ' + "9" * 5000, 1)
    with pytest.raises(InterchangeError, match=r"consultation\.json: not a consultation file \(Exceeds the limit"):
        import_consultation_bundle(write_folder(tmp_path / "b", text))
    assert row_counts() == before
