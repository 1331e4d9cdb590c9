"""Exporting a consultation (discussions/interchange/exporter.py): the attachment files, streaming into a response,
a fixed number of queries, and e-mail addresses only when asked."""
from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest

from discussions.interchange import consultation_to_dict, export_consultation_bundle, import_consultation_bundle
from discussions.models import Attachment, Comment, Discussion
from tests.discussions.interchange.bundles import EXAMPLE, PDF_PATH, example_data, write_folder
from tests.factories import make_user
from workplan.models import Priority

pytestmark = pytest.mark.django_db


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

