"""The library's pages: the list (order and filters), the resource page, files, submission and revision forms that
lose nothing, the review form, the secretariat's pages, the criteria, and the workplan's resource sections."""
from __future__ import annotations

import io
import re
import zipfile
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from hub.library.models import Criterion, CriteriaPage, Resource, Review
from hub.models import AuditEntry
from tests.factories import make_priority, make_user, minimal_pdf
from tests.library.factories import make_resource, make_review, make_roster_member
from workplan.models import GcmObjective

pytestmark = pytest.mark.django_db


def titles(html: str) -> list[str]:
    return re.findall(r'<h3 class="h6 mb-1"><a href="/library/\d+/">([^<]+)</a>', html)


# --- The list -----------------------------------------------------------------------------------------------------

def test_global_resources_come_first_then_regional_then_national_each_newest_review_first(client):
    now = timezone.now()
    make_resource(title="National old", scope="national", country="Kenya", published_at=now - timedelta(days=9))
    make_resource(title="Regional new", scope="regional", region="africa", published_at=now)
    make_resource(title="Global old", scope="global", published_at=now - timedelta(days=30))
    make_resource(title="Global new", scope="global", published_at=now - timedelta(days=1))
    make_resource(title="National new", scope="national", country="Mexico", published_at=now)
    make_resource(title="Pending", status=Resource.Status.SUBMITTED)
    html = client.get("/library/").content.decode()
    assert titles(html) == ["Global new", "Global old", "Regional new", "National new", "National old"]
    assert "Pending" not in html


def test_the_filters_narrow_the_list(client):
    objective = GcmObjective.objects.get(number=13)
    priority = make_priority(kind="ongoing", number=3)
    make_resource(title="Detention brief", type="policy_brief", objectives=[objective], priorities=[priority],
                  languages=("fr",))
    make_resource(title="Africa report", scope="regional", region="africa")
    cases = {
        "type=policy_brief": ["Detention brief"], "scope=regional": ["Africa report"], "region=africa": ["Africa report"],
        f"objective={objective.pk}": ["Detention brief"], f"priority={priority.pk}": ["Detention brief"],
        "language=fr": ["Detention brief"], "language=en": ["Africa report"],
    }
    for query, expected in cases.items():
        assert titles(client.get(f"/library/?{query}").content.decode()) == expected, query


@pytest.mark.parametrize("query", ["type=nonsense", "objective=abc", "priority=999999", "page=-3", "language=xx",
                                   "objective=" + "9" * 40])
def test_odd_filter_values_are_ignored_not_errors(client, query):
    make_resource(title="Still listed")
    response = client.get(f"/library/?{query}")
    assert response.status_code == 200
    assert "Still listed" in response.content.decode()


def test_the_list_paginates_and_keeps_the_filters(client):
    for i in range(25):
        make_resource(title=f"Report {i}", type="report")
    html = client.get("/library/?type=report").content.decode()
    assert len(titles(html)) == 20
    assert "?type=report&amp;page=2" in html
    assert len(titles(client.get("/library/?type=report&page=2").content.decode())) == 5


# --- The resource page and its file ----------------------------------------------------------------------------------

def test_a_published_resource_page_shows_its_details_and_cleaned_summary(client):
    objective = GcmObjective.objects.get(number=5)
    resource = make_resource(title="Pathways", summary='<p>Safe <script>alert(1)</script>pathways.</p>',
                             objectives=[objective], licence="CC BY 4.0", year=2023)
    html = client.get(resource.get_absolute_url()).content.decode()
    assert "Pathways" in html and "CC BY 4.0" in html and "2023" in html
    assert "<script>" not in html
    assert objective.get_absolute_url() in html


def test_an_unpublished_resource_is_404_for_others_but_shown_to_its_submitter(client):
    submitter = make_user()
    resource = make_resource(status=Resource.Status.SUBMITTED, submitted_by=submitter)
    assert client.get(resource.get_absolute_url()).status_code == 404
    client.force_login(make_user())
    assert client.get(resource.get_absolute_url()).status_code == 404
    client.force_login(submitter)
    assert "Not published." in client.get(resource.get_absolute_url()).content.decode()


def test_the_file_is_served_as_a_download_that_is_never_sniffed(client):
    resource = make_resource()
    resource.file.save("brief.pdf", io.BytesIO(minimal_pdf()), save=False)
    resource.file_name, resource.file_type, resource.file_size = "brief.pdf", "application/pdf", 100
    resource.url = ""
    resource.save()
    response = client.get(reverse("library:resource-file", args=[resource.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="brief.pdf"')
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_a_resource_without_a_file_has_no_download(client):
    assert client.get(reverse("library:resource-file", args=[make_resource().pk])).status_code == 404


# --- Submitting -------------------------------------------------------------------------------------------------

def form_data(**overrides) -> dict:
    data = {"title": "Fair recruitment checklist", "summary": "A checklist.\n\nFor employers.", "type": "other",
            "url": "https://example.org/checklist", "languages": ["en"], "scope": "global", "region": "",
            "country": "", "year": "2024", "publisher": "Migrant Forum", "licence": ""}
    data.update(overrides)
    return data


def test_submitting_through_the_form_creates_the_resource(client):
    client.force_login(make_user())
    response = client.post("/library/submit/", form_data())
    resource = Resource.objects.get()
    assert response.status_code == 302 and response["Location"] == resource.get_absolute_url()
    assert resource.summary == "<p>A checklist.</p><p>For employers.</p>"


def test_the_form_shows_the_published_criteria(client):
    client.force_login(make_user())
    html = client.get("/library/submit/").content.decode()
    for criterion in Criterion.objects.filter(active=True):
        assert criterion.name in html


def test_an_incomplete_profile_is_sent_to_complete_it(client):
    client.force_login(make_user(complete=False))
    response = client.get("/library/submit/")
    assert response.status_code == 403
    assert "Complete your profile" in response.content.decode()


def test_a_mistake_keeps_everything_typed_and_the_checked_file(client):
    client.force_login(make_user())
    upload = SimpleUploadedFile("checklist.pdf", minimal_pdf(), content_type="application/pdf")
    response = client.post("/library/submit/", form_data(scope="national", country="", url="", file=upload))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Name the country a national resource covers." in html
    assert "Fair recruitment checklist" in html and "For employers." in html
    assert "checklist.pdf" in html
    token = re.search(r'name="staged_file" value="([0-9a-f]{32})"', html).group(1)
    # The second attempt does not choose the file again.
    response = client.post("/library/submit/", form_data(scope="national", country="Kenya", url="",
                                                          staged_file=token))
    resource = Resource.objects.get()
    assert response.status_code == 302
    assert resource.file_name == "checklist.pdf" and resource.file.read().startswith(b"%PDF-")


def test_a_staged_file_of_another_session_is_ignored(client):
    client.force_login(make_user())
    response = client.post("/library/submit/", form_data(url="", staged_file="0" * 32))
    assert "Give a link to the resource, upload it, or both." in response.content.decode()
    assert not Resource.objects.exists()


@pytest.mark.parametrize("name, data, message", [
    ("report.pdf", b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "its name says otherwise"),
    ("tool.exe", b"MZ" + b"\0" * 40, "not a file type we accept here"),
    ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 50 + "WordDocument".encode("utf-16-le"),
     "not a file type we accept here"),
    ("empty.pdf", b"", "is empty"),
])
def test_files_are_checked_by_their_bytes(client, name, data, message):
    client.force_login(make_user())
    upload = SimpleUploadedFile(name, data)
    html = client.post("/library/submit/", form_data(file=upload)).content.decode()
    assert message in html.replace("&#x27;", "'")
    assert not Resource.objects.exists()


def test_a_file_over_the_limit_is_refused(client, settings):
    settings.HUB_LIBRARY_MAX_BYTES = 1000
    client.force_login(make_user())
    upload = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * 2000)
    html = client.post("/library/submit/", form_data(file=upload)).content.decode()
    assert "files may be at most" in html
    assert not Resource.objects.exists()


def test_docx_odt_xlsx_png_and_jpeg_are_accepted():
    from hub.library.files import check_resource_file

    def zipped(members):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for member, content in members.items():
                archive.writestr(member, content)
        return buffer.getvalue()

    samples = {
        "a.docx": zipped({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w/>"}),
        "a.xlsx": zipped({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<w/>"}),
        "a.odt": zipped({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<o/>"}),
        "a.png": b"\x89PNG\r\n\x1a\n" + b"\0" * 10, "a.jpg": b"\xff\xd8\xff\xe0" + b"\0" * 10, "a.pdf": minimal_pdf(),
    }
    for name, data in samples.items():
        assert check_resource_file(SimpleUploadedFile(name, data)).name == name


def test_the_submitter_revises_through_the_edit_form(client):
    submitter = make_user()
    resource = make_resource(submitted_by=submitter, status=Resource.Status.REVISION, decision_note="Add the year.")
    client.force_login(submitter)
    page = client.get(f"/library/{resource.pk}/edit/").content.decode()
    assert "Add the year." in page and "Resubmit for review" in page
    response = client.post(f"/library/{resource.pk}/edit/", form_data(title="Revised title"))
    resource.refresh_from_db()
    assert response.status_code == 302
    assert (resource.title, resource.status, resource.round) == ("Revised title", Resource.Status.SUBMITTED, 2)


def test_a_published_resource_can_no_longer_be_edited_by_its_submitter(client):
    submitter = make_user()
    resource = make_resource(submitted_by=submitter)
    client.force_login(submitter)
    response = client.post(f"/library/{resource.pk}/edit/", form_data(title="Changed"))
    assert response.status_code == 302
    resource.refresh_from_db()
    assert resource.title != "Changed"


def test_my_submissions_lists_only_mine_with_their_status(client):
    me = make_user()
    make_resource(title="Mine", submitted_by=me, status=Resource.Status.REVISION)
    make_resource(title="Theirs", submitted_by=make_user())
    client.force_login(me)
    html = client.get("/library/mine/").content.decode()
    assert "Mine" in html and "Revision requested" in html and "Theirs" not in html


# --- Reviewing --------------------------------------------------------------------------------------------------

def test_the_reviewer_scores_through_the_form(client, world):
    resource = make_resource(submitted_by=world.submitter, status=Resource.Status.IN_REVIEW)
    review = make_review(resource=resource, reviewer=world.reviewer_a)
    client.force_login(world.reviewer_a.user)
    data = {f"score_{c.pk}": "4" for c in Criterion.objects.filter(active=True)}
    data.update({"recommendation": "accept", "comments_for_submitter": "Clear and useful."})
    response = client.post(review.get_absolute_url(), data)  # forgot the declaration
    html = response.content.decode()
    assert "Declare that you have no conflict of interest" in html and "Clear and useful." in html
    data["no_conflict"] = "on"
    response = client.post(review.get_absolute_url(), data)
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == Review.Status.SUBMITTED and review.scores.count() == Criterion.objects.count()


def test_the_reviewer_declines_through_the_form(client, world):
    review = make_review(resource=make_resource(status=Resource.Status.IN_REVIEW), reviewer=world.reviewer_a)
    client.force_login(world.reviewer_a.user)
    response = client.post(reverse("library:review-decline", args=[review.pk]), {"reason": "other", "note": ""})
    assert response.status_code == 400
    assert "Tell the secretariat in a few words why you decline." in response.content.decode()
    response = client.post(reverse("library:review-decline", args=[review.pk]), {"reason": "unavailable"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == Review.Status.DECLINED


def test_the_reviewer_page_lists_deadlines_and_history(client, world):
    open_review = make_review(resource=make_resource(title="To do", status=Resource.Status.IN_REVIEW),
                              reviewer=world.reviewer_a, due_date=timezone.localdate() - timedelta(days=2))
    make_review(resource=make_resource(title="Done"), reviewer=world.reviewer_a, status=Review.Status.SUBMITTED,
                recommendation="accept", closed_at=timezone.now())
    client.force_login(world.reviewer_a.user)
    html = client.get("/library/reviews/").content.decode()
    assert "To do" in html and "overdue" in html and "Done" in html and "On the roster" in html
    assert open_review.get_absolute_url() in html


# --- The secretariat ----------------------------------------------------------------------------------------------

def test_the_secretariat_assigns_and_decides_through_the_pages(client, world, mailoutbox):
    resource = make_resource(submitted_by=world.submitter, status=Resource.Status.SUBMITTED, title="Checklist")
    client.force_login(world.secretariat)
    page = client.get(reverse("library:manage-resource", args=[resource.pk])).content.decode()
    assert "Richard Moreau" in page and "Lotte Vermeulen" in page and "Colleague" not in page
    due = (timezone.localdate() + timedelta(days=21)).isoformat()
    response = client.post(reverse("library:assign", args=[resource.pk]),
                           {"reviewers": [world.colleague.pk], "due_date": due})
    assert response.status_code == 400  # not offered, refused by the form
    response = client.post(reverse("library:assign", args=[resource.pk]),
                           {"reviewers": [world.reviewer_a.pk, world.reviewer_b.pk], "due_date": due})
    assert response.status_code == 302
    assert Review.objects.filter(resource=resource).count() == 2
    response = client.post(reverse("library:decide", args=[resource.pk]), {"decision": "publish", "note": ""})
    assert response.status_code == 400
    assert "only after 2 peer reviews" in response.content.decode()
    queue = client.get("/library/manage/?status=in_review").content.decode()
    assert "Checklist" in queue and "0 in, 2 open" in queue


def test_an_assignment_with_a_past_date_keeps_the_choices(client, world):
    resource = make_resource(submitted_by=world.submitter, status=Resource.Status.SUBMITTED)
    client.force_login(world.secretariat)
    response = client.post(reverse("library:assign", args=[resource.pk]),
                           {"reviewers": [world.reviewer_a.pk], "due_date": "2001-01-01"})
    html = response.content.decode()
    assert response.status_code == 400 and "cannot be due in the past" in html
    assert re.search(rf'value="{world.reviewer_a.pk}" id="reviewer-{world.reviewer_a.pk}" checked', html)


def test_the_roster_page_decides_applications(client, world, mailoutbox):
    applicant = make_roster_member(status="applied", name="Grace Achieng")
    client.force_login(world.secretariat)
    assert "Grace Achieng" in client.get("/library/manage/roster/?status=applied").content.decode()
    response = client.post(reverse("library:roster-decide", args=[applicant.pk]),
                           {"decision": "accept", "reply": "Welcome."})
    assert response.status_code == 302
    applicant.refresh_from_db()
    assert applicant.status == "accepted"


def test_the_secretariat_edits_the_criteria_and_the_change_is_audited(client, world):
    client.force_login(world.secretariat)
    criteria = list(Criterion.objects.all())
    data = {"intro": '<p>Read <a href="javascript:x">this</a> first.</p><script>bad()</script>',
            "criteria-TOTAL_FORMS": str(len(criteria) + 1), "criteria-INITIAL_FORMS": str(len(criteria)),
            "criteria-MIN_NUM_FORMS": "0", "criteria-MAX_NUM_FORMS": "40"}
    for i, criterion in enumerate(criteria):
        data.update({f"criteria-{i}-pk": criterion.pk, f"criteria-{i}-name": criterion.name,
                     f"criteria-{i}-description": criterion.description, f"criteria-{i}-order": criterion.order})
        if i:
            data[f"criteria-{i}-active"] = "on"  # the first is taken out of use
    n = len(criteria)
    data.update({f"criteria-{n}-name": "Gender-responsive", f"criteria-{n}-order": "9", f"criteria-{n}-active": "on"})
    response = client.post("/library/manage/criteria/", data)
    assert response.status_code == 302
    page = CriteriaPage.objects.get()
    assert "<script>" not in page.intro and "javascript" not in page.intro and "Read" in page.intro
    assert not Criterion.objects.get(pk=criteria[0].pk).active
    assert Criterion.objects.filter(name="Gender-responsive", active=True).exists()
    assert AuditEntry.objects.filter(action="criteria.update").exists()
    html = client.get("/library/criteria/").content.decode()
    assert "Gender-responsive" in html and criteria[0].name not in html


def test_the_criteria_cannot_all_be_taken_out_of_use(client, world):
    client.force_login(world.secretariat)
    criteria = list(Criterion.objects.all())
    data = {"intro": "", "criteria-TOTAL_FORMS": str(len(criteria)), "criteria-INITIAL_FORMS": str(len(criteria)),
            "criteria-MIN_NUM_FORMS": "0", "criteria-MAX_NUM_FORMS": "40"}
    for i, criterion in enumerate(criteria):
        data.update({f"criteria-{i}-pk": criterion.pk, f"criteria-{i}-name": criterion.name})
    response = client.post("/library/manage/criteria/", data)
    assert "Keep at least one criterion in use" in response.content.decode()
    assert Criterion.objects.filter(active=True).count() == len(criteria)


# --- The workplan's sections ----------------------------------------------------------------------------------------

def test_a_priority_page_lists_its_published_resources(client):
    priority = make_priority(kind="ongoing", number=3)
    make_resource(title="Detention brief", priorities=[priority])
    make_resource(title="Still in review", priorities=[priority], status=Resource.Status.IN_REVIEW)
    html = client.get(priority.get_absolute_url()).content.decode()
    assert "Resources in the library" in html and "Detention brief" in html and "Still in review" not in html
    assert f"/library/?priority={priority.pk}" in html


def test_a_gcm_objective_page_lists_its_priorities_and_resources(client):
    objective = GcmObjective.objects.get(number=13)
    priority = make_priority(kind="ongoing", number=3, title="Alternatives to detention")
    priority.gcm_objectives.add(objective)
    make_resource(title="Detention brief", objectives=[objective])
    response = client.get(objective.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert objective.title in html and "Alternatives to detention" in html and "Detention brief" in html
    assert client.get("/workplan/objectives/24/").status_code == 404


def test_each_person_keeps_at_most_one_staged_file(client, settings):
    from pathlib import Path

    user = make_user()
    client.force_login(user)
    for name in ("first.pdf", "second.pdf", "third.pdf"):
        upload = SimpleUploadedFile(name, minimal_pdf(), content_type="application/pdf")
        html = client.post("/library/submit/", form_data(title="", file=upload)).content.decode()
        assert name in html
    staged = list((Path(settings.MEDIA_ROOT) / "library" / "staged" / str(user.pk)).iterdir())
    assert len(staged) == 1


def test_the_page_credits_the_submitter_and_their_confirmed_organisation(client, world):
    resource = make_resource(submitted_by=world.submitter)
    assert "<dd>Amina Odhiambo, Migrant Forum</dd>" in client.get(resource.get_absolute_url()).content.decode()
