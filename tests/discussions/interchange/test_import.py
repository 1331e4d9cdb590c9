"""Importing a consultation (discussions/interchange/importer.py): every record and field kept, updates by the
file's ids, HTML cleaned, accounts linked by e-mail, existing discussions and moderator rights never changed
silently, and all or nothing."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from discussions.interchange import InterchangeError, import_consultation_bundle
from discussions.models import Attachment, Comment, Discussion, Question
from hub.models import AuditEntry, Organisation
from tests.discussions.interchange.bundles import (
    EXAMPLE,
    PDF_PATH,
    example_data,
    row_counts,
    stored_files,
    write_folder,
)
from tests.factories import make_user
from workplan.models import GcmObjective, Priority, Workplan, WorkingGroup

pytestmark = pytest.mark.django_db


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


def test_an_attachment_only_comment_with_an_empty_body_needs_no_note(tmp_path):
    data = example_data()
    data["comments"][0]["body_html"] = ""
    report = import_consultation_bundle(write_folder(tmp_path / "b", data))
    assert report.unshowable == [] and Comment.objects.get(source_id="c1").body == ""


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

