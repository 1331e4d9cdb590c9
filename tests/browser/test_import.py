"""The secretariat imports a consultation: uploads the bundle, reads what it would do, ticks the options, confirms,
and reads the job's report; a broken bundle is refused with the place of its problem."""
from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from discussions.models import Comment, Discussion
from hub.roles import SECRETARIAT
from tests.browser.conftest import login
from tests.discussions.interchange.bundles import ensure_gcm_objectives, example_data, write_zip
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _reference_data():
    ensure_gcm_objectives()


def test_the_secretariat_uploads_a_bundle_reads_the_findings_confirms_and_reads_the_report(page, tmp_path):
    make_user(email="jonas@example.org", name="Jonas Lindqvist", role=SECRETARIAT)
    make_user(email="moderator@example.org", name="Example Moderator")
    data = example_data()
    data["discussion"]["moderators"][0]["email"] = "moderator@example.org"
    bundle = write_zip(tmp_path / "consultation.zip", data)
    login(page, "jonas@example.org", PASSWORD)

    page.goto("/discussions/secretariat/")
    page.get_by_role("link", name="Import a consultation").click()
    expect(page.get_by_role("heading", name="Import a consultation")).to_be_visible()
    page.get_by_label("Bundle").set_input_files(str(bundle))
    page.get_by_role("button", name="Upload and check").click()

    # The check runs as a job too; without a broker it has finished by the time its page shows.
    expect(page.get_by_role("heading", name="Consultation import: check")).to_be_visible()
    created = page.get_by_role("region", name="Created")
    expect(created).to_contain_text("Draft Example Workplan 2025-2027")
    expect(created).to_contain_text("4 comments")
    expect(page.get_by_role("region", name="Updated")).to_contain_text("Nothing that exists on this site is changed.")
    expect(page.get_by_role("region", name="Accounts and rights")).to_contain_text(
        "Example Moderator <moderator@example.org>")
    assert Discussion.objects.count() == 0

    page.get_by_label("Make the existing accounts listed above moderators of the discussion").check()
    page.get_by_role("button", name="Import", exact=True).click()

    expect(page.get_by_role("heading", name="Consultation import")).to_be_visible()
    expect(page.locator("progress")).to_have_attribute("value", "100")
    report = page.locator("table.import-report")
    expect(report.get_by_role("row", name=re.compile(r"^comment 4 0 0$"))).to_be_visible()
    expect(page.get_by_text("Moderator rights granted to")).to_be_visible()
    page.get_by_role("link", name="Open the discussion").click()
    expect(page.get_by_role("heading", name="Draft Example Workplan 2025-2027")).to_be_visible()
    discussion = Discussion.objects.get()
    assert Comment.objects.filter(discussion=discussion).count() == 4
    assert [m.email for m in discussion.moderators.all()] == ["moderator@example.org"]


def test_a_bundle_with_a_schema_error_is_refused_with_the_place_of_the_problem(page, tmp_path):
    make_user(email="jonas@example.org", role=SECRETARIAT)
    data = example_data()
    data["comments"][0]["attachments"] = []  # consultation.json alone carries no files
    data["comments"][1]["parent"] = "c9"
    bundle = tmp_path / "consultation.json"
    bundle.write_text(json.dumps(data), encoding="utf-8")
    login(page, "jonas@example.org", PASSWORD)

    page.goto("/discussions/secretariat/import/")
    page.get_by_label("Bundle").set_input_files(str(bundle))
    page.get_by_role("button", name="Upload and check").click()

    expect(page.get_by_role("heading", name="Consultation import: check")).to_be_visible()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("This bundle cannot be imported. Nothing was kept.")
    expect(alert).to_contain_text("comments[1].parent")
    assert Discussion.objects.count() == 0
