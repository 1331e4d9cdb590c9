"""The secretariat filters the feedback by priority, downloads it as CSV and Excel, and records a response."""
from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from discussions.secretariat.export import HEADERS
from discussions.models import Disposition
from hub.roles import SECRETARIAT
from tests.browser.conftest import login
from tests.discussions.secretariat.conftest import KnownSet
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_secretariat_filters_by_priority_downloads_csv_and_excel_and_records_a_response(page, tmp_path):
    known = KnownSet()
    make_user(email="jonas@example.org", name="Jonas Lindqvist", role=SECRETARIAT)
    login(page, "jonas@example.org", PASSWORD)

    page.goto("/discussions/secretariat/")
    page.get_by_role("link", name="Export Draft Network Workplan 2022-2024").click()
    expect(page.get_by_role("heading", name="Export feedback")).to_be_visible()
    expect(page.locator("#match-count")).to_have_text("5 comments match.")

    # Choosing a priority updates the count and the download links at once (the script asks the server).
    page.get_by_label("Priority").select_option(label=f"NP1 — {known.np1.title} ({known.workplan.title})")
    expect(page.locator("#match-count")).to_have_text("2 comments match.")

    # Each button starts a job (run at once here: no broker) and opens its page, which offers the file.
    page.get_by_role("button", name="CSV (UTF-8)").click()
    expect(page.get_by_role("heading", name="Feedback export")).to_be_visible()
    expect(page.get_by_text("2 of 2 rows")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"^Download feedback-.*\.csv$")).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    csv_path = tmp_path / "feedback.csv"
    download.save_as(csv_path)
    rows = list(csv.DictReader(io.StringIO(csv_path.read_text(encoding="utf-8"), newline="")))
    assert [int(r["Comment id"]) for r in rows] == [known.chinese.pk, known.quoted.pk]
    assert rows[0]["Comment (plain text)"] == "中文评论 🌍🚀"

    page.go_back()
    expect(page.locator("#match-count")).to_have_text("2 comments match.")
    page.get_by_role("button", name="Excel workbook (.xlsx)").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"^Download feedback-.*\.xlsx$")).click()
    xlsx_path = tmp_path / "feedback.xlsx"
    download_info.value.save_as(xlsx_path)
    sheet = load_workbook(xlsx_path)["All comments"]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == HEADERS
    assert [r[0] for r in values[1:]] == [known.chinese.pk, known.quoted.pk]

    # The export page lists both under "Your recent exports".
    page.goto("/discussions/secretariat/export/")
    recent = page.get_by_role("region", name="Your recent exports")
    expect(recent.get_by_role("listitem")).to_have_count(2)
    expect(recent.get_by_role("link", name=re.compile(r"\.xlsx$"))).to_be_visible()

    # The response table: record that the Chinese comment was taken up.
    page.get_by_role("link", name="Overview").click()
    page.get_by_role("link", name="Responses Draft Network Workplan 2022-2024").click()
    item = page.locator(f"#response-{known.chinese.pk}")
    item.get_by_label(f"Response to #{known.chinese.pk}").select_option(label="Taken up")
    item.get_by_label("Rationale").fill("Added as an indicator under NP1.")
    item.get_by_role("button", name="Save response").click()
    expect(page.get_by_text(f"Response to comment #{known.chinese.pk} saved.")).to_be_visible()
    expect(page.locator(f"#response-{known.chinese.pk} textarea")).to_have_value("Added as an indicator under NP1.")
    disposition = Disposition.objects.get(comment=known.chinese)
    assert (disposition.outcome, disposition.rationale) == ("taken_up", "Added as an indicator under NP1.")

    page.get_by_role("button", name="Publish responses under the comments").click()
    expect(page.get_by_text("Responses are now shown under the comments.")).to_be_visible()
    known.discussion.refresh_from_db()
    assert known.discussion.publish_responses is True


def test_the_json_bundle_on_the_export_page_holds_the_filtered_comments_and_no_email_address(page, tmp_path):
    import json
    import zipfile

    from discussions.models import Comment

    known = KnownSet()
    Comment.objects.filter(pk=known.chinese.pk).update(author=make_user(email="wang.private@example.org"))
    make_user(email="jonas@example.org", name="Jonas Lindqvist", role=SECRETARIAT)
    login(page, "jonas@example.org", PASSWORD)

    page.goto("/discussions/secretariat/")
    page.get_by_role("link", name="Export Draft Network Workplan 2022-2024").click()
    expect(page.locator(".bundle-contents")).to_contain_text("the comments matching these filters")
    expect(page.locator(".bundle-contents")).to_contain_text("It holds no e-mail addresses.")
    page.get_by_label("Priority").select_option(label=f"NP1 — {known.np1.title} ({known.workplan.title})")
    expect(page.locator("#match-count")).to_have_text("2 comments match.")

    page.get_by_role("button", name="JSON bundle with attachments (.zip)").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"^Download draft-workplan-.*\.zip$")).click()
    path = tmp_path / "bundle.zip"
    download_info.value.save_as(path)
    text = zipfile.ZipFile(path).read("consultation.json").decode()
    assert "@" not in text
    assert [c["id"] for c in json.loads(text)["comments"]] == [f"c{known.chinese.pk}", f"c{known.quoted.pk}"]


@pytest.fixture
def background_jobs(monkeypatch):
    """Jobs run in a thread of their own, as a worker would run them, so the page can poll while they work; each row
    of the export waits a little, so there is time to see the bar between empty and full."""
    import threading
    import time

    from django.db import connection

    from discussions.secretariat import export
    from hub.jobs import tasks

    threads = []

    def run_in_thread(job_id):
        def run():
            try:
                tasks.run_job(job_id)
            finally:
                connection.close()

        thread = threading.Thread(target=run, daemon=True)
        threads.append(thread)
        thread.start()

    row = export.RowBuilder.row

    def slow_row(self, item, *args, **kwargs):
        time.sleep(0.15)
        return row(self, item, *args, **kwargs)

    monkeypatch.setattr(tasks.run_job, "delay", run_in_thread)
    monkeypatch.setattr(export.RowBuilder, "row", slow_row)
    yield
    for thread in threads:
        thread.join(timeout=30)


def test_an_export_shows_its_progress_while_it_runs_then_the_download(page, tmp_path, background_jobs):
    from tests.discussions.secretariat.conftest import _comments, _export_discussion

    discussion = _export_discussion(slug="big-consultation", title="Big consultation")
    _comments(discussion, 30)
    make_user(email="jonas@example.org", name="Jonas Lindqvist", role=SECRETARIAT)
    login(page, "jonas@example.org", PASSWORD)

    page.goto("/discussions/secretariat/export/")
    page.get_by_role("button", name="CSV (UTF-8)").click()
    expect(page.get_by_role("heading", name="Feedback export")).to_be_visible()
    bar = page.get_by_role("progressbar")
    # Part way: the script has moved the bar and says how far (the job takes about 4.5 s).
    expect(page.locator(".job-progress-text")).to_have_text(re.compile(r"^([1-9]|[12][0-9]) of 30 rows$"),
                                                           timeout=8_000)
    value = int(bar.get_attribute("value"))
    assert 0 < value < 100
    # Done: the page reloads itself with the download link and the report.
    link = page.get_by_role("link", name=re.compile(r"^Download feedback-.*\.csv$"))
    expect(link).to_be_visible(timeout=15_000)
    expect(bar).to_have_attribute("value", "100")
    expect(page.get_by_text("30 of 30 rows")).to_be_visible()
    expect(page.locator(".job-report")).to_contain_text("Comments")
    with page.expect_download() as download_info:
        link.click()
    path = tmp_path / "feedback.csv"
    download_info.value.save_as(path)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    assert len(rows) == 30
    assert {r["Discussion"] for r in rows} == {"Big consultation"}
    assert rows[0]["Comment (plain text)"] == "Comment 0\n- first\n- second"
