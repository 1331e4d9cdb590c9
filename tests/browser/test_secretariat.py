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

    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV (UTF-8)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    csv_path = tmp_path / "feedback.csv"
    download.save_as(csv_path)
    rows = list(csv.DictReader(io.StringIO(csv_path.read_text(encoding="utf-8"), newline="")))
    assert [int(r["Comment id"]) for r in rows] == [known.chinese.pk, known.quoted.pk]
    assert rows[0]["Comment (plain text)"] == "中文评论 🌍🚀"

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Excel workbook (.xlsx)").click()
    xlsx_path = tmp_path / "feedback.xlsx"
    download_info.value.save_as(xlsx_path)
    sheet = load_workbook(xlsx_path)["All comments"]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == HEADERS
    assert [r[0] for r in values[1:]] == [known.chinese.pk, known.quoted.pk]

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

    with page.expect_download() as download_info:
        page.get_by_role("link", name="JSON bundle with attachments (.zip)").click()
    path = tmp_path / "bundle.zip"
    download_info.value.save_as(path)
    text = zipfile.ZipFile(path).read("consultation.json").decode()
    assert "@" not in text
    assert [c["id"] for c in json.loads(text)["comments"]] == [f"c{known.chinese.pk}", f"c{known.quoted.pk}"]
