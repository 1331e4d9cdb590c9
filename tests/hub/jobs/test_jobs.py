"""The jobs framework with a kind of its own (registered here): start, run, progress, failure, staleness, purge,
the job page, its status, the download and who may see them."""
from __future__ import annotations

import datetime
import json
import logging

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from hub.jobs import registry, selectors, services
from hub.jobs.models import Job
from hub.models import AuditEntry
from tests.factories import make_user

pytestmark = pytest.mark.django_db
KIND = "tests.sample"


def _allow_staff(user, params) -> None:
    if not user.is_staff:
        raise PermissionDenied("Only staff.")


def _sample_runner(job, progress):
    rows = job.params.get("rows", 3)
    if job.params.get("fail") == "user":
        raise registry.JobError("The discussion is gone.")
    if job.params.get("fail") == "bug":
        raise RuntimeError("boom")
    for n in range(1, rows + 1):
        progress(n, rows)
    if job.params.get("as_path"):
        path = registry.scratch_path(suffix=".txt")
        path.write_text("from a file")
        job.params["scratch"] = str(path)
        return registry.JobResult(path, "sample.txt", "text/plain", {"Rows": rows})
    return registry.JobResult(b"a,b\n1,2\n", "sample.csv", "text/csv", {"Rows": rows})


@pytest.fixture(autouse=True)
def sample_kind():
    registry.register(KIND, runner=_sample_runner, permission_check=_allow_staff, label="Sample export")
    yield
    registry.unregister(KIND)


@pytest.fixture
def staff():
    return make_user(name="Stella Staff", is_staff=True)


def _start(staff, django_capture_on_commit_callbacks, **params) -> Job:
    with django_capture_on_commit_callbacks(execute=True):
        job = services.job_start(actor=staff, kind=KIND, params=params)
    job.refresh_from_db()
    return job


def test_starting_a_job_runs_it_after_commit_and_keeps_its_file_and_report(staff, django_capture_on_commit_callbacks,
                                                                             settings):
    settings.HUB_JOB_KEEP_HOURS = 5
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = services.job_start(actor=staff, kind=KIND, params={"rows": 4})
    assert Job.objects.get(pk=job.pk).status == Job.Status.QUEUED  # nothing ran inside the transaction
    assert callbacks  # the job runs after commit (beside the page cache's new generation)
    for callback in callbacks:
        callback()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert (job.done, job.total) == (4, 4)
    assert job.file.read() == b"a,b\n1,2\n"
    assert (job.filename, job.content_type, job.report) == ("sample.csv", "text/csv", {"Rows": 4})
    assert job.started_at and job.finished_at
    assert job.expires_at - job.finished_at == datetime.timedelta(hours=5)
    assert AuditEntry.objects.filter(action="job.start", target_id=str(job.pk), actor=staff).exists()


def test_a_result_written_to_a_scratch_file_is_stored_and_the_scratch_file_deleted(
        staff, django_capture_on_commit_callbacks):
    job = _start(staff, django_capture_on_commit_callbacks, as_path=True)
    assert job.status == Job.Status.DONE
    assert job.file.read() == b"from a file"
    assert job.filename == "sample.txt"


def test_a_person_the_kind_refuses_cannot_start_it_and_nothing_is_written():
    stranger = make_user()
    with pytest.raises(PermissionDenied):
        services.job_start(actor=stranger, kind=KIND, params={})
    with pytest.raises(PermissionDenied):
        services.job_start(actor=stranger, kind="no.such.kind", params={})
    assert not Job.objects.exists()


def test_a_person_has_at_most_three_jobs_waiting_or_running_at_once(staff, settings):
    from django.core.exceptions import ValidationError

    old = timezone.now() - datetime.timedelta(minutes=settings.HUB_JOB_STALE_MINUTES + 1)
    Job.objects.create(kind=KIND, owner=staff, status=Job.Status.RUNNING, heartbeat_at=old)  # dead: not counted
    Job.objects.create(kind=KIND, owner=staff, status=Job.Status.DONE)
    for _ in range(3):
        services.job_start(actor=staff, kind=KIND, params={})
    with pytest.raises(ValidationError, match="You already have 3 jobs waiting or running"):
        services.job_start(actor=staff, kind=KIND, params={})
    assert Job.objects.filter(owner=staff).count() == 5
    services.job_start(actor=make_user(is_staff=True), kind=KIND, params={})  # someone else's limit is their own


def test_a_runner_error_meant_for_the_owner_is_shown_and_a_bug_is_logged_with_a_generic_message(
        staff, django_capture_on_commit_callbacks, caplog):
    job = _start(staff, django_capture_on_commit_callbacks, fail="user")
    assert (job.status, job.error) == (Job.Status.FAILED, "The discussion is gone.")
    with caplog.at_level(logging.ERROR, logger="hub.jobs.services"):
        job = _start(staff, django_capture_on_commit_callbacks, fail="bug")
    assert job.status == Job.Status.FAILED
    assert "boom" not in job.error and "try again later" in job.error
    assert "boom" in caplog.text
    assert not job.file


def test_progress_is_written_at_most_every_half_second(staff, monkeypatch):
    job = Job.objects.create(kind=KIND, owner=staff)
    clock = iter([100.0, 100.1, 100.2, 100.6, 100.7, 101.2])
    monkeypatch.setattr(services.time, "monotonic", lambda: next(clock))
    saves = []
    monkeypatch.setattr(Job, "save", lambda self, **kw: saves.append((self.done, kw["update_fields"])))
    progress = services.Progress(job)
    for n in range(1, 6):
        progress(n, 5)
    assert [done for done, _ in saves] == [1, 4]
    assert saves[0][1] == ["done", "total", "heartbeat_at"]


def test_a_job_whose_worker_died_is_shown_failed_and_the_purge_records_it(staff, settings):
    settings.HUB_JOB_STALE_MINUTES = 30
    old = timezone.now() - datetime.timedelta(minutes=31)
    stale = Job.objects.create(kind=KIND, owner=staff, status=Job.Status.RUNNING, started_at=old, heartbeat_at=old)
    alive = Job.objects.create(kind=KIND, owner=staff, status=Job.Status.RUNNING, started_at=old,
                               heartbeat_at=timezone.now())
    assert stale.shown_status == Job.Status.FAILED and stale.finished
    assert alive.shown_status == Job.Status.RUNNING
    assert services.jobs_purge()["stale"] == 1
    stale.refresh_from_db()
    alive.refresh_from_db()
    assert stale.status == Job.Status.FAILED and "Start it again" in stale.error
    assert alive.status == Job.Status.RUNNING


def test_a_finished_job_is_not_run_twice(staff, django_capture_on_commit_callbacks):
    job = _start(staff, django_capture_on_commit_callbacks)
    finished_at = job.finished_at
    services.job_run(job.pk)
    job.refresh_from_db()
    assert job.finished_at == finished_at


def test_files_past_their_keeping_time_are_purged_and_the_page_says_so(staff, django_capture_on_commit_callbacks,
                                                                        client):
    job = _start(staff, django_capture_on_commit_callbacks)
    name = job.file.name
    storage = job.file.storage
    assert services.jobs_purge()["purged"] == 0
    assert services.jobs_purge(now=job.expires_at + datetime.timedelta(seconds=1))["purged"] == 1
    job.refresh_from_db()
    assert not job.file and not storage.exists(name)
    client.force_login(staff)
    assert client.get(reverse("jobs:download", kwargs={"pk": job.pk})).status_code == 404
    assert "The file has been deleted" in client.get(job.get_absolute_url()).content.decode()


def test_the_files_of_deleted_accounts_jobs_are_purged_after_the_keeping_time(django_capture_on_commit_callbacks):
    owner = make_user(is_staff=True)
    job = _start(owner, django_capture_on_commit_callbacks)
    kept = _start(make_user(is_staff=True), django_capture_on_commit_callbacks)
    name, storage = job.file.name, job.file.storage
    owner.delete()  # and its jobs with it
    assert services.jobs_purge()["purged"] == 0  # not before the keeping time
    assert storage.exists(name)
    assert services.jobs_purge(now=timezone.now() + datetime.timedelta(hours=73))["purged"] == 2
    assert not storage.exists(name) and not storage.exists(kept.file.name)
    kept.refresh_from_db()
    assert not kept.file


def test_the_purge_task_is_in_the_beat_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "hub.jobs.tasks.purge_expired_jobs" in tasks


def test_the_job_page_shows_the_bar_and_refreshes_without_script_while_running(staff, client):
    job = Job.objects.create(kind=KIND, owner=staff, status=Job.Status.RUNNING, done=12000, total=20000,
                             started_at=timezone.now(), heartbeat_at=timezone.now())
    client.force_login(staff)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "12,000 of 20,000 rows" in page
    assert '<progress class="job-progress' in page and 'value="60"' in page
    assert '<noscript><meta http-equiv="refresh"' in page
    assert "<script>" not in page and 'src="/static/jobs/jobs.js"' in page
    status = client.get(reverse("jobs:status", kwargs={"pk": job.pk})).json()
    assert status | {} == {"id": job.pk, "status": "running", "status_label": "Running", "done": 12000,
                           "total": 20000, "percent": 60, "text": "12,000 of 20,000 rows", "finished": False,
                           "download_url": ""}


def test_a_done_job_page_links_the_download_and_shows_the_report(staff, client, django_capture_on_commit_callbacks):
    job = _start(staff, django_capture_on_commit_callbacks, rows=2)
    client.force_login(staff)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "refresh" not in page
    assert reverse("jobs:download", kwargs={"pk": job.pk}) in page and "Download sample.csv" in page
    assert "<dt class=\"col-sm-4\">Rows</dt><dd class=\"col-sm-8\">2</dd>" in page
    status = client.get(reverse("jobs:status", kwargs={"pk": job.pk})).json()
    assert status["finished"] and status["percent"] == 100


def test_the_download_streams_the_file_to_the_owner_and_audits_each_download(staff, client,
                                                                             django_capture_on_commit_callbacks):
    job = _start(staff, django_capture_on_commit_callbacks)
    client.force_login(staff)
    for _ in range(2):
        response = client.get(reverse("jobs:download", kwargs={"pk": job.pk}))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"a,b\n1,2\n"
    assert response["Content-Type"] == "text/csv"
    assert 'filename="sample.csv"' in response["Content-Disposition"]
    assert AuditEntry.objects.filter(action="job.download", target_id=str(job.pk)).count() == 2


def test_only_holders_of_the_kinds_right_see_a_job_and_everyone_else_gets_404(staff, client,
                                                                             django_capture_on_commit_callbacks):
    job = _start(staff, django_capture_on_commit_callbacks)
    urls = [job.get_absolute_url(), reverse("jobs:status", kwargs={"pk": job.pk}),
            reverse("jobs:download", kwargs={"pk": job.pk})]
    for url in urls:
        assert client.get(url).status_code == 302  # anonymous: sign in first
    client.force_login(make_user())
    assert [client.get(url).status_code for url in urls] == [404, 404, 404]
    client.force_login(make_user(is_staff=True))  # another holder of the kind's right
    assert [client.get(url).status_code for url in urls] == [200, 200, 200]
    staff.is_staff = False  # the right withdrawn from the owner
    staff.save()
    client.force_login(staff)
    assert [client.get(url).status_code for url in urls] == [404, 404, 404]
    assert client.get(reverse("jobs:status", kwargs={"pk": 999999})).status_code == 404


def _jobs(owner, count: int) -> None:
    Job.objects.bulk_create([Job(kind=KIND, owner=owner, filename=f"f{n}.csv") for n in range(count)])


@pytest.mark.parametrize("size", [1, 50])
def test_the_recent_jobs_take_one_query(staff, django_assert_num_queries, size):
    _jobs(staff, size)
    _jobs(make_user(), 3)
    with django_assert_num_queries(1):
        jobs = selectors.recent_jobs_for_owner(staff, kinds=[KIND])
        labels = [(j.filename, j.shown_status_label) for j in jobs]
    assert len(labels) == min(size, selectors.RECENT_JOBS)
    assert all(j.owner_id == staff.pk for j in jobs)


def test_the_status_is_json_a_script_can_read(staff, client):
    job = Job.objects.create(kind=KIND, owner=staff)
    client.force_login(staff)
    response = client.get(reverse("jobs:status", kwargs={"pk": job.pk}))
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content)["text"] == "Waiting to start…"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_the_admin_lists_jobs_and_shows_one_without_letting_anyone_edit_it(staff, client,
                                                                           django_capture_on_commit_callbacks):
    job = _start(staff, django_capture_on_commit_callbacks)
    admin = make_user(is_staff=True, is_superuser=True)
    client.force_login(admin)
    listing = client.get(reverse("admin:jobs_job_changelist"))
    assert listing.status_code == 200 and KIND in listing.content.decode()
    detail = client.get(reverse("admin:jobs_job_change", args=[job.pk]))
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    assert client.get(reverse("admin:jobs_job_add")).status_code == 403
