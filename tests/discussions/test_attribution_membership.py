"""An organisation someone merely names on their profile is not vouched for: until the membership is confirmed
their comments show their own name with the organisation marked unconfirmed, no badge, no organisation-only
attribution, no trusted publishing, and moderators see no "verified" mark."""
import re

import pytest
from django.urls import reverse

from discussions import services
from discussions.permissions import initial_status_for
from discussions.services import attribution_snapshot
from hub.models import Attribution, Membership
from hub.roles import SECRETARIAT
from hub.services import membership_confirm
from tests.factories import make_comment, make_discussion, make_organisation, make_question, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def iom():
    return make_organisation(name="International Organization for Migration", network_member=True,
                             badge="UN Network", stakeholder_group="un_entity", verified=True)


def entry_html(page: str, comment) -> str:
    match = re.search(rf'<li id="comment-{comment.pk}".*?(?=<li id="comment-|</ol>)', page, re.S)
    assert match, f"comment {comment.pk} not on the page"
    return match.group(0)


def test_an_unconfirmed_claim_is_attributed_to_the_person_with_the_organisation_marked_and_no_badge(iom):
    impostor = make_user(name="Mallory Smith", organisation=iom, membership=Membership.REQUESTED,
                         attribution=Attribution.ORGANISATION)
    snapshot = attribution_snapshot(impostor)
    assert snapshot["author_name"] == "Mallory Smith"
    assert snapshot["author_organisation"] == "International Organization for Migration"
    assert snapshot["author_organisation_confirmed"] is False
    assert snapshot["author_badge"] == ""
    assert snapshot["show_personal_name"] is True  # organisation-only needs a confirmed membership


def test_a_confirmed_member_keeps_badge_and_organisation_only_attribution(iom):
    member = make_user(name="Richard Ellington", organisation=iom, attribution=Attribution.ORGANISATION)
    snapshot = attribution_snapshot(member)
    assert snapshot["author_organisation_confirmed"] is True and snapshot["author_badge"] == "UN Network"
    assert snapshot["show_personal_name"] is False


def test_a_refused_claim_is_not_shown_at_all(iom):
    refused = make_user(name="Mallory Smith", organisation=iom, membership=Membership.REFUSED)
    snapshot = attribution_snapshot(refused)
    assert snapshot["author_organisation"] == "" and snapshot["author_stakeholder_group"] == ""
    assert snapshot["author_badge"] == "" and snapshot["show_personal_name"] is True


def test_commenting_stays_open_with_a_declared_organisation(iom):
    question = make_question()
    impostor = make_user(name="Mallory Smith", organisation=iom, membership=Membership.REQUESTED)
    comment = services.comment_post(actor=impostor, discussion=question.discussion, question=question, body="Hi")
    assert comment.author_organisation_confirmed is False and comment.shown_name == "Mallory Smith"


def test_the_thread_marks_an_unconfirmed_organisation_and_hides_the_badge(client, iom):
    question = make_question()
    impostor = make_user(name="Mallory Smith", organisation=iom, membership=Membership.REQUESTED,
                         attribution=Attribution.ORGANISATION)
    member = make_user(name="Richard Ellington", organisation=iom)
    fake = make_comment(question=question, author=impostor)
    real = make_comment(question=question, author=member)
    page = client.get(question.discussion.get_absolute_url()).content.decode()
    fake_html, real_html = entry_html(page, fake), entry_html(page, real)
    assert "Mallory Smith" in fake_html and "International Organization for Migration" in fake_html
    assert "(unconfirmed" in fake_html and "has not been confirmed" in fake_html  # the hidden explanation
    assert "UN Network" not in fake_html
    assert "UN Network" in real_html and "unconfirmed" not in real_html


def test_confirming_later_does_not_rewrite_what_was_posted_but_new_comments_carry_it(client, iom):
    question = make_question()
    person = make_user(name="Amina", organisation=iom, membership=Membership.REQUESTED)
    before = make_comment(question=question, author=person)
    membership_confirm(actor=make_user(role=SECRETARIAT), profile=person.profile, organisation=iom)
    person = type(person).objects.get(pk=person.pk)  # the next request's user
    after = make_comment(question=question, author=person)
    before.refresh_from_db()
    assert before.author_organisation_confirmed is False and after.author_organisation_confirmed is True
    page = client.get(question.discussion.get_absolute_url()).content.decode()
    assert "unconfirmed" in entry_html(page, before) and "unconfirmed" not in entry_html(page, after)


def test_the_trusted_publish_rule_ignores_an_unconfirmed_membership(iom):
    discussion = make_discussion(trust_verified_organisations=True)
    assert initial_status_for(discussion, make_user(organisation=iom)) == "published"
    assert initial_status_for(discussion, make_user(organisation=iom, membership=Membership.REQUESTED)) == "pending"
    assert initial_status_for(discussion, make_user(organisation=iom, membership=Membership.REFUSED)) == "pending"


def test_moderators_see_no_verified_mark_for_an_unconfirmed_member(client, iom):
    moderator = make_user(name="Sofia Marquez")
    discussion = make_discussion(moderators=[moderator])
    impostor = make_user(name="Mallory Smith", organisation=iom, membership=Membership.REQUESTED)
    comment = make_comment(discussion=discussion, author=impostor, status="pending")
    client.force_login(moderator)
    html = client.get(reverse("discussions:comment-moderate", kwargs={"pk": comment.pk})).content.decode()
    author = html[html.index("moderation-author"):html.index("moderation-history")]
    assert "membership not confirmed" in author and ">verified<" not in author
    assert "(unconfirmed" in author and "UN Network" not in author
    queue = client.get(reverse("discussions:moderation-queue")).content.decode()
    assert "Mallory Smith" in queue and ">verified<" not in queue and "membership not confirmed" in queue


def test_moderators_still_see_the_verified_mark_for_a_confirmed_member(client, iom):
    moderator = make_user()
    discussion = make_discussion(moderators=[moderator])
    comment = make_comment(discussion=discussion, author=make_user(organisation=iom), status="pending")
    client.force_login(moderator)
    html = client.get(reverse("discussions:comment-moderate", kwargs={"pk": comment.pk})).content.decode()
    assert ">verified<" in html and "membership not confirmed" not in html


def test_the_priority_page_feedback_marks_an_unconfirmed_organisation(client, iom):
    from tests.factories import make_priority, make_workplan

    workplan = make_workplan()
    priority = make_priority(workplan=workplan)
    question = make_question(discussion=make_discussion(workplan=workplan))
    impostor = make_user(name="Mallory Smith", organisation=iom, membership=Membership.REQUESTED)
    make_comment(question=question, author=impostor, priorities=[priority])
    html = client.get(priority.get_absolute_url()).content.decode()
    assert "Mallory Smith" in html and "(unconfirmed" in html and "UN Network" not in html
