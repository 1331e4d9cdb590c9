"""The library in a real browser: a stakeholder submits a resource, the secretariat assigns two reviewers from the
roster, both review it, the secretariat publishes it and a visitor finds it; an expert applies to the roster and
is accepted. The library list and a resource page pass axe-core."""
from __future__ import annotations

import importlib
import re

import pytest
from django.apps import apps as django_apps
from django.core import mail
from playwright.sync_api import expect

from hub.library.models import Resource, Review, RosterMember
from hub.roles import SECRETARIAT
from tests.browser.conftest import login
from tests.browser.test_site import serious_violations
from tests.factories import PASSWORD, make_organisation, make_priority, make_user, make_workplan
from tests.library.factories import make_resource, make_roster_member

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def reference_data():
    """Transactional tests empty every table between tests: put back what the data migrations load."""
    importlib.import_module("workplan.migrations.0002_gcm_objectives").load_objectives(django_apps, None)
    importlib.import_module("hub.library.migrations.0002_reference_data").load(django_apps, None)


def score_everything(page, value: str = "4") -> None:
    for group in page.locator(".score-group").get_by_role("group").all():
        group.get_by_label(value, exact=True).check()


def review(page, email: str, *, comments: str) -> None:
    page.context.clear_cookies()
    login(page, email, PASSWORD)
    page.locator("#main-nav").get_by_role("link", name="Library").click()
    page.get_by_role("link", name="My reviews").click()
    page.get_by_role("link", name="Bilateral labour agreements in East Africa").click()
    expect(page.get_by_role("heading", name="Review a resource")).to_be_visible()
    score_everything(page)
    page.get_by_label("Accept", exact=True).check()
    page.get_by_label("Comments for the submitter").fill(comments)
    page.get_by_role("button", name="Submit my review").click()
    # The declaration of no conflict of interest is required; what was typed stays.
    expect(page.get_by_text("Declare that you have no conflict of interest, or decline the review.").first).to_be_visible()
    expect(page.get_by_label("Comments for the submitter")).to_have_value(comments)
    score_everything(page)
    page.get_by_label(re.compile("I declare that I have no conflict of interest")).check()
    page.get_by_role("button", name="Submit my review").click()
    expect(page.get_by_text("Thank you: your review is with the secretariat.")).to_be_visible()


def test_a_resource_is_submitted_peer_reviewed_published_and_found(page):
    workplan = make_workplan(title="Network Workplan 2022-2024")
    make_priority(workplan=workplan, kind="ongoing", number=4, title="Bilateral labour migration agreements")
    forum = make_organisation(name="Migrant Forum")
    make_user(email="amina@example.org", name="Amina Odhiambo", organisation=forum)
    make_user(email="jonas@example.org", name="Jonas Lindqvist", role=SECRETARIAT)
    make_roster_member(user=make_user(email="richard@example.org", name="Richard Moreau"), languages=("en",))
    make_roster_member(user=make_user(email="lotte@example.org", name="Lotte Vermeulen"), languages=("en",))
    make_roster_member(user=make_user(email="colleague@example.org", name="Forum Colleague", organisation=forum))

    # A stakeholder submits a resource; a mistake keeps what was typed.
    login(page, "amina@example.org", PASSWORD)
    page.locator("#main-nav").get_by_role("link", name="Library").click()
    page.get_by_role("link", name="Submit it").click()
    expect(page.get_by_role("heading", name="Submit a resource")).to_be_visible()
    expect(page.get_by_text("Relevance")).to_be_visible()  # the criteria are on the form
    page.get_by_role("textbox", name=re.compile(r"^Title")).fill("Bilateral labour agreements in East Africa")
    page.get_by_role("textbox", name=re.compile(r"^Summary")).fill("A review of eleven agreements and what workers report.")
    page.get_by_role("combobox", name=re.compile(r"^Type")).select_option(label="Report")
    page.get_by_role("spinbutton", name=re.compile(r"^Publication year")).fill("2023")
    page.get_by_role("textbox", name=re.compile(r"^Publishing organisation")).fill("Migrant Forum")
    page.get_by_role("textbox", name=re.compile(r"^Link")).fill("https://example.org/bla-east-africa")
    page.get_by_label("English").check()
    page.get_by_label("Regional", exact=True).check()
    page.get_by_role("checkbox", name=re.compile(r"^5\. Enhance availability")).check()
    page.get_by_role("checkbox", name=re.compile(r"^OP4 Bilateral labour migration agreements")).check()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Choose the region a regional resource covers.")).to_be_visible()
    expect(page.get_by_role("textbox", name=re.compile(r"^Title"))).to_have_value("Bilateral labour agreements in East Africa")
    expect(page.get_by_role("checkbox", name=re.compile(r"^5\. Enhance availability"))).to_be_checked()
    page.get_by_label("Region (for a regional resource)").select_option(label="Africa")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Thank you. The secretariat will ask two experts")).to_be_visible()
    expect(page.get_by_role("heading", name="Bilateral labour agreements in East Africa")).to_be_visible()
    resource = Resource.objects.get()
    assert resource.status == Resource.Status.SUBMITTED

    # The secretariat assigns two reviewers; nobody from the submitter's organisation is offered.
    page.context.clear_cookies()
    login(page, "jonas@example.org", PASSWORD)
    page.locator("#main-nav").get_by_role("link", name="Library").click()
    page.get_by_role("link", name="Review queue").click()
    page.get_by_role("link", name="Bilateral labour agreements in East Africa").click()
    expect(page.get_by_text("Forum Colleague")).to_have_count(0)
    page.get_by_label(re.compile("Richard Moreau")).check()
    page.get_by_label(re.compile("Lotte Vermeulen")).check()
    page.get_by_role("button", name="Assign reviewers").click()
    expect(page.get_by_text(re.compile("Asked .* to review"))).to_be_visible()
    assert Review.objects.filter(status=Review.Status.ASSIGNED).count() == 2

    # Both reviewers review it.
    review(page, "richard@example.org", comments="Clear and well sourced.")
    review(page, "lotte@example.org", comments="Useful for practitioners.")

    # The secretariat publishes it.
    page.context.clear_cookies()
    login(page, "jonas@example.org", PASSWORD)
    page.goto(f"/library/manage/{resource.pk}/")
    expect(page.get_by_text("2 of 2 reviews are in.")).to_be_visible()
    page.get_by_label("Publish in the library").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text(re.compile("is now published"))).to_be_visible()
    decision = [m for m in mail.outbox if m.to == ["amina@example.org"] and "Published" in m.subject]
    assert len(decision) == 1 and "Clear and well sourced." in decision[0].body

    # A visitor finds it in the library by its region.
    page.context.clear_cookies()
    page.goto("/")
    page.locator("#main-nav").get_by_role("link", name="Library").click()
    page.get_by_label("Region", exact=True).select_option(label="Africa")
    page.get_by_role("button", name="Apply filters").click()
    page.get_by_role("link", name="Bilateral labour agreements in East Africa").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bilateral labour agreements in East Africa")
    expect(page.get_by_role("link", name=re.compile("Open the resource"))).to_have_attribute(
        "href", "https://example.org/bla-east-africa")
    expect(page.get_by_text("Peer reviewed and published")).to_be_visible()


def test_an_expert_applies_to_the_roster_and_is_accepted(page):
    make_user(email="grace@example.org", name="Grace Achieng")
    make_user(email="jonas@example.org", name="Jonas Lindqvist", role=SECRETARIAT)

    login(page, "grace@example.org", PASSWORD)
    page.locator("#main-nav").get_by_role("link", name="Library").click()
    page.get_by_role("link", name="Apply to join the peer review roster").click()
    page.get_by_label("Affiliation").fill("University of Nairobi")
    page.get_by_label("Short CV").fill("Ten years of research on labour migration in East Africa.")
    page.get_by_role("button", name="Send my application").click()
    expect(page.get_by_text("Choose the GCM objectives you have expertise in.")).to_be_visible()
    expect(page.get_by_label("Short CV")).to_have_value("Ten years of research on labour migration in East Africa.")
    page.get_by_role("checkbox", name=re.compile(r"^6\. Facilitate fair and ethical recruitment")).check()
    page.get_by_label("English").check()
    page.get_by_label("French").check()
    page.get_by_role("button", name="Send my application").click()
    expect(page.get_by_text("Thank you for applying.")).to_be_visible()
    expect(page.locator(".roster-status")).to_contain_text("Application waiting for a decision")

    page.context.clear_cookies()
    login(page, "jonas@example.org", PASSWORD)
    page.goto("/library/")
    page.get_by_role("link", name="Roster", exact=True).click()
    page.get_by_role("link", name=re.compile("Applications")).click()
    application = page.locator(".roster-application", has_text="Grace Achieng")
    expect(application).to_contain_text("Ten years of research")
    application.get_by_label(re.compile("Reply to the applicant")).fill("Welcome to the roster.")
    application.get_by_role("button", name="Accept").click()
    expect(page.get_by_text(re.compile("Grace Achieng: on the roster"))).to_be_visible()
    assert RosterMember.objects.get().status == RosterMember.Status.ACCEPTED
    assert any(m.to == ["grace@example.org"] and "Welcome to the roster." in m.body for m in mail.outbox)

    page.context.clear_cookies()
    login(page, "grace@example.org", PASSWORD)
    page.goto("/library/")
    page.get_by_role("link", name="My reviews").click()
    expect(page.locator(".roster-status")).to_contain_text("On the roster")
    expect(page.get_by_text("Welcome to the roster.")).to_be_visible()


def test_the_library_list_and_a_resource_page_have_no_serious_accessibility_violations(page):
    priority = make_priority(kind="ongoing", number=3, title="Alternatives to detention")
    resource = make_resource(title="Detention brief", priorities=[priority], languages=("en", "fr"), year=2022,
                             licence="CC BY 4.0")
    make_resource(title="Africa report", scope="regional", region="africa")
    make_resource(title="Kenya practice", scope="national", country="Kenya", type="practice")
    page.goto("/library/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Library")
    assert serious_violations(page) == []
    page.goto(resource.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text("Detention brief")
    assert serious_violations(page) == []
    # the GCM objective page the resource links to, and the priority page listing it
    page.goto("/workplan/objectives/13/")
    assert serious_violations(page) == []
    page.goto(priority.get_absolute_url())
    expect(page.get_by_role("link", name="Detention brief")).to_be_visible()
    assert serious_violations(page) == []


def test_the_submission_form_and_the_review_form_have_no_serious_accessibility_violations(page):
    make_user(email="amina@example.org")
    member = make_roster_member(user=make_user(email="richard@example.org"))
    resource = make_resource(status=Resource.Status.IN_REVIEW)
    assigned = Review.objects.create(resource=resource, reviewer=member, round=1, due_date="2099-01-01")
    login(page, "amina@example.org", PASSWORD)
    page.goto("/library/submit/")
    page.get_by_role("button", name="Submit for review").click()  # with its error messages
    expect(page.get_by_text("Give the resource's title.")).to_be_visible()
    assert serious_violations(page) == []
    page.context.clear_cookies()
    login(page, "richard@example.org", PASSWORD)
    page.goto(assigned.get_absolute_url())
    expect(page.get_by_role("heading", name="Review a resource")).to_be_visible()
    assert serious_violations(page) == []
