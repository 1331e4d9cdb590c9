"""The secretariat's import page (discussions/secretariat/imports.py and its views): upload, findings, explicit
options, the job, its report; who may use it; and bad input that keeps nothing."""
from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from discussions.interchange import import_consultation_bundle
from discussions.models import Comment, Discussion
from discussions.secretariat import imports
from hub.jobs.models import Job
from hub.roles import MODERATORS, SECRETARIAT
from tests.discussions.interchange.bundles import (
    EXAMPLE,
    PDF_PATH,
    ensure_gcm_objectives,
    example_data,
    row_counts,
    stored_files,
)
from tests.factories import make_discussion, make_user

pytestmark = pytest.mark.django_db

UPLOAD = reverse("discussions:secretariat-import")
QUERIES = 7  # the upload page with its list of recent jobs, whatever their number


def zipped(data: dict | str | None = None, *, with_pdf: bool = True) -> bytes:
    data = example_data() if data is None else data
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as bundle:
        bundle.writestr("consultation.json", data if isinstance(data, str) else json.dumps(data))
        if with_pdf:
            bundle.writestr(PDF_PATH, (EXAMPLE / PDF_PATH).read_bytes())
    return out.getvalue()


def upload(client, content: bytes, name: str = "consultation.zip"):
    return client.post(UPLOAD, {"bundle": SimpleUploadedFile(name, content)})


def checked(client, content: bytes, capture, name: str = "consultation.zip") -> tuple[Job, str]:
    """Upload, let the check job run, and return it and the URL its page's form posts the options to."""
    with capture(execute=True):
        response = upload(client, content, name)
    job = Job.objects.filter(kind=imports.CHECK_KIND).latest("id")
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    token = job.params["token"]
    return job, reverse("discussions:secretariat-import-review", kwargs={"token": token})


def pending_folders() -> list[Path]:
    root = imports.import_root()
    return sorted(root.iterdir()) if root.exists() else []


@pytest.fixture
def secretariat(client):
    user = make_user(role=SECRETARIAT, email="jonas@secretariat.example")
    client.force_login(user)
    return user


def test_the_secretariat_uploads_reads_the_findings_confirms_and_reads_the_report(
        client, secretariat, django_capture_on_commit_callbacks):
    moderator = make_user(email="moderator@example.org")
    data = example_data()
    data["discussion"]["moderators"][0]["email"] = "moderator@example.org"

    check, review_url = checked(client, zipped(data), django_capture_on_commit_callbacks)

    assert check.owner == secretariat
    check.refresh_from_db()
    assert check.status == "done" and len(pending_folders()) == 1
    text = client.get(check.get_absolute_url()).content.decode()
    assert "Draft Example Workplan 2025-2027" in text and "example-workplan-2025-2027" in text
    assert "2 questions" in text and "4 comments" in text and "1 attachment" in text
    assert "Example Moderator &lt;moderator@example.org&gt;" in text
    assert 'action="%s"' % review_url in text
    assert Discussion.objects.count() == 0  # the check writes nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(review_url, {"grant_moderators": "on"})

    job = Job.objects.get(kind=imports.KIND)
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    job.refresh_from_db()
    assert (job.status, job.owner) == ("done", secretariat)
    assert job.done == job.total == 4
    discussion = Discussion.objects.get(slug="example-workplan-consultation")
    assert Comment.objects.filter(discussion=discussion).count() == 4
    assert list(discussion.moderators.all()) == [moderator]
    assert job.report["counts"]["comment"] == {"created": 4, "updated": 0, "removed": 0}
    assert pending_folders() == []  # the upload is deleted once imported
    report = client.get(job.get_absolute_url()).content.decode()
    assert "Imported into the discussion" in report and "Example Moderator &lt;moderator@example.org&gt;" in report
    assert reverse("discussions:discussion-detail", kwargs={"slug": discussion.slug}) in report
    assert client.post(review_url, {}).status_code == 404  # confirmed once only


def test_the_options_page_address_leads_back_to_the_check(client, secretariat, django_capture_on_commit_callbacks):
    check, review_url = checked(client, zipped(), django_capture_on_commit_callbacks)

    response = client.get(review_url)

    assert response.status_code == 302 and response["Location"] == check.get_absolute_url()


def test_a_json_file_alone_is_accepted_as_a_bundle_without_attachments(client, secretariat,
                                                                       django_capture_on_commit_callbacks):
    data = example_data()
    for comment in data["comments"]:
        comment["attachments"] = []

    _check, review_url = checked(client, json.dumps(data).encode(), django_capture_on_commit_callbacks,
                                 name="consultation.json")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(review_url, {})
    assert Job.objects.get(kind=imports.KIND).status == "done" and Comment.objects.count() == 4


def test_an_existing_discussion_is_updated_only_when_the_option_is_ticked(client, secretariat,
                                                                          django_capture_on_commit_callbacks):
    import_consultation_bundle(EXAMPLE)
    check, review_url = checked(client, zipped(), django_capture_on_commit_callbacks)
    page = client.get(check.get_absolute_url()).content.decode()
    assert "The existing discussion" in page and "Update the discussion that already exists" in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(review_url, {})

    refused = Job.objects.get(kind=imports.KIND)
    assert refused.status == "failed" and "--update-existing" in refused.error
    assert pending_folders() == []  # a refused import keeps no upload either
    check, review_url = checked(client, zipped(), django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(review_url, {"update_existing": "on"})
    job = Job.objects.filter(kind=imports.KIND).latest("id")
    assert job.status == "done" and job.report["counts"]["comment"]["updated"] == 4


def test_moderators_are_not_granted_unless_ticked(client, secretariat, django_capture_on_commit_callbacks):
    make_user(email="moderator@example.org")
    data = example_data()
    data["discussion"]["moderators"][0]["email"] = "moderator@example.org"
    _check, review_url = checked(client, zipped(data), django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(review_url, {})

    assert Discussion.objects.get().moderators.count() == 0
    assert Job.objects.get(kind=imports.KIND).report["moderators_not_granted"] == [
        "Example Moderator <moderator@example.org>"]


def test_cancelling_deletes_the_upload(client, secretariat, django_capture_on_commit_callbacks):
    check, review_url = checked(client, zipped(), django_capture_on_commit_callbacks)

    response = client.post(reverse("discussions:secretariat-import-cancel", kwargs={"token": check.params["token"]}))

    assert response.status_code == 302 and pending_folders() == []
    assert client.get(review_url).status_code == 404
    assert client.post(review_url, {}).status_code == 404


def test_a_failing_import_keeps_nothing_and_says_why_on_the_job_page(client, secretariat, monkeypatch,
                                                                     django_capture_on_commit_callbacks):
    _check, review_url = checked(client, zipped(), django_capture_on_commit_callbacks)
    before = row_counts()

    def fail(**kwargs):
        from discussions.interchange import InterchangeError

        raise InterchangeError("comments[3]", "the disk is full")

    monkeypatch.setattr("discussions.interchange.importer.audit_log", fail)  # the import's last write
    with django_capture_on_commit_callbacks(execute=True):
        client.post(review_url, {})

    job = Job.objects.get(kind=imports.KIND)
    assert job.status == "failed" and "Nothing was imported" in job.error and "the disk is full" in job.error
    after = row_counts()
    # The job's start is audited; the upload was the one stored file before, and neither it nor the attachment the
    # import stored is left.
    unchanged = ("AuditEntry", "files")
    assert {k: v for k, v in after.items() if k not in unchanged} == {
        k: v for k, v in before.items() if k not in unchanged}
    assert before["files"] == 1 and stored_files() == []
    assert pending_folders() == []
    assert "the disk is full" in client.get(job.get_absolute_url()).content.decode()


# --- who may import -----------------------------------------------------------------------------------------------

def test_visitors_are_sent_to_sign_in(client):
    for response in (client.get(UPLOAD), upload(client, zipped())):
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert pending_folders() == []


@pytest.mark.parametrize("role", [None, MODERATORS])
def test_stakeholders_and_moderators_may_not_import(client, role):
    client.force_login(make_user(role=role))

    assert client.get(UPLOAD).status_code == 403
    assert upload(client, zipped()).status_code == 403
    assert pending_folders() == []


def test_a_discussion_moderator_may_not_import_either(client):
    moderator = make_user()
    make_discussion(moderators=[moderator])
    client.force_login(moderator)

    assert client.get(UPLOAD).status_code == 403


def test_the_secretariat_sees_the_page_and_the_link_to_it(client, secretariat):
    response = client.get(UPLOAD)

    assert response.status_code == 200
    assert 'href="%s"' % UPLOAD in client.get(reverse("discussions:secretariat")).content.decode()


def test_someone_elses_upload_cannot_be_confirmed(client, secretariat, django_capture_on_commit_callbacks):
    _check, review_url = checked(client, zipped(), django_capture_on_commit_callbacks)
    other = make_user(role=SECRETARIAT)
    client.force_login(other)

    assert client.get(review_url).status_code == 404
    assert client.post(review_url, {}).status_code == 404
    assert not Job.objects.filter(kind=imports.KIND).exists()


@pytest.mark.parametrize("role", [None, MODERATORS])
def test_stakeholders_and_moderators_see_no_check_and_may_not_confirm(client, secretariat, role,
                                                                      django_capture_on_commit_callbacks):
    check, review_url = checked(client, zipped(), django_capture_on_commit_callbacks)
    client.force_login(make_user(role=role))

    assert client.get(check.get_absolute_url()).status_code == 404
    assert client.post(review_url, {}).status_code == 403
    assert not Job.objects.filter(kind=imports.KIND).exists()


def test_a_job_started_by_someone_who_lost_the_right_fails_and_imports_nothing(client, secretariat):
    token = imports.pending_store(SimpleUploadedFile("b.zip", zipped()))
    stakeholder = make_user()
    job = Job.objects.create(kind=imports.KIND, owner=stakeholder, params={"token": token})
    from hub.jobs.services import job_run

    job_run(job.pk)

    job.refresh_from_db()
    assert job.status == "failed" and "secretariat" in job.error
    assert Discussion.objects.count() == 0 and pending_folders() == []


# --- bad input ----------------------------------------------------------------------------------------------------

def refused_check(client, content: bytes, capture, name: str = "consultation.zip") -> Job:
    with capture(execute=True):
        response = upload(client, content, name)
    job = Job.objects.get(kind=imports.CHECK_KIND)
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert job.status == "failed" and job.error.startswith("This bundle cannot be imported. Nothing was kept.")
    assert pending_folders() == [] and Discussion.objects.count() == 0
    return job


def test_a_file_that_is_not_json_is_refused_and_not_kept(client, secretariat, django_capture_on_commit_callbacks):
    job = refused_check(client, b"\x00\x01 this is not JSON", django_capture_on_commit_callbacks,
                        name="consultation.json")

    assert "JSON" in job.error
    assert "This bundle cannot be imported" in client.get(job.get_absolute_url()).content.decode()


def test_a_bundle_with_schema_errors_is_refused_naming_the_place(client, secretariat,
                                                                django_capture_on_commit_callbacks):
    data = example_data()
    data["comments"][1]["parent"] = "c9"

    job = refused_check(client, zipped(data), django_capture_on_commit_callbacks)

    assert "comments[1].parent" in job.error


def test_a_zip_without_its_attachment_is_refused(client, secretariat, django_capture_on_commit_callbacks):
    job = refused_check(client, zipped(with_pdf=False), django_capture_on_commit_callbacks)

    assert PDF_PATH in job.error


def test_a_file_larger_than_the_limit_is_refused_before_it_is_stored(client, secretariat, settings):
    settings.HUB_IMPORT_MAX_BYTES = 1000

    response = upload(client, zipped())

    assert response.status_code == 400
    assert "The file is larger than 1000" in response.content.decode()
    assert pending_folders() == []


def test_an_upload_without_a_file_says_so(client, secretariat):
    response = client.post(UPLOAD, {})

    assert response.status_code == 400 and "This field is required" in response.content.decode()


def test_uploads_nobody_confirms_are_purged_after_their_time(client, secretariat, settings,
                                                             django_capture_on_commit_callbacks):
    checked(client, zipped(), django_capture_on_commit_callbacks)
    import time

    assert imports.purge_pending_uploads(now=time.time()) == 0
    assert imports.purge_pending_uploads(now=time.time() + settings.HUB_IMPORT_PENDING_HOURS * 3600 + 60) == 1
    assert pending_folders() == []


def test_the_upload_handler_stops_storing_a_file_past_the_limit():
    from django.core.files.uploadhandler import SkipFile

    handler = imports.SizeLimitedUploadHandler(10)
    handler.new_file("bundle", "b.zip", "application/zip", None)

    assert handler.receive_data_chunk(b"12345", 0) == b"12345"
    with pytest.raises(SkipFile):
        handler.receive_data_chunk(b"678901", 5)
    assert handler.too_large


@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                    reason="SQLite has one writer at a time: there the bar moves at the end")
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_job_page_sees_the_progress_while_the_import_transaction_is_open(monkeypatch):
    """The import writes in one transaction; its progress reaches the job's row through a second connection, so
    another connection (the page's) reads it before the import commits."""
    from django.db import connection

    ensure_gcm_objectives()
    monkeypatch.setattr("hub.jobs.registry.PROGRESS_INTERVAL", 0)
    monkeypatch.setattr("discussions.interchange.importer.CHUNK", 2)
    data = example_data()
    token = imports.pending_store(SimpleUploadedFile("b.zip", zipped(data)))
    job = Job.objects.create(kind=imports.KIND, owner=make_user(role=SECRETARIAT), params={"token": token})
    seen = []
    reader = connection.copy()
    original = imports._ProgressOutside.__call__

    def watching(self, done, total):
        original(self, done, total)
        if done:
            with reader.cursor() as cursor:
                cursor.execute(f"SELECT done, total FROM {Job._meta.db_table} WHERE id = %s", [job.pk])
                seen.append((cursor.fetchone(), Comment.objects.count()))

    monkeypatch.setattr(imports._ProgressOutside, "__call__", watching)
    from hub.jobs.services import job_run

    try:
        job_run(job.pk)
    finally:
        reader.close()

    job.refresh_from_db()
    assert job.status == "done"
    # At 2 of 4 the other connection already read 2 of 4, while the import's own comments were not committed yet.
    assert seen[0] == ((2, 4), 2)


@pytest.mark.parametrize("jobs", [1, 10])
def test_the_import_page_lists_the_recent_checks_and_imports_in_a_fixed_number_of_queries(
        client, secretariat, django_assert_num_queries, jobs):
    """Ten is the most the page lists (hub.jobs.selectors.RECENT_JOBS)."""
    for n in range(jobs):
        Job.objects.create(kind=imports.KIND if n % 2 else imports.CHECK_KIND, owner=secretariat)
    Job.objects.create(kind="another.kind", owner=secretariat)

    with django_assert_num_queries(QUERIES):
        response = client.get(UPLOAD)

    assert response.content.decode().count('<li class="mb-1">') == jobs


def test_the_upload_still_needs_the_csrf_token(secretariat):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(secretariat)

    response = upload(client, zipped())

    assert response.status_code == 403
    assert pending_folders() == [] and not Job.objects.exists()


def test_problems_name_the_uploaded_file_not_where_it_is_stored(client, secretariat,
                                                                django_capture_on_commit_callbacks):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as bundle:
        bundle.writestr("readme.txt", "no consultation.json here")

    job = refused_check(client, out.getvalue(), django_capture_on_commit_callbacks, name="our-export.zip")

    assert "our-export.zip" in job.error and "consultation.json" in job.error
    assert str(imports.import_root()) not in job.error


def test_an_import_whose_upload_is_gone_fails_without_naming_the_server_path(secretariat):
    from hub.jobs.services import job_run

    job = Job.objects.create(kind=imports.KIND, owner=secretariat,
                             params={"token": "a" * 24, "filename": "consultation.zip"})

    job_run(job.pk)

    job.refresh_from_db()
    assert job.status == "failed" and "consultation.zip: no such file or folder" in job.error
    assert str(imports.import_root()) not in job.error
