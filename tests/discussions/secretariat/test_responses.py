"""The response table: recording what became of a comment, audited, shown in exports and optionally published."""
from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from discussions.models import Disposition
from discussions.secretariat.selectors import comments_for_response_table, response_counts
from discussions.secretariat.services import discussion_set_publish_responses, disposition_clear, disposition_record
from hub.models import AuditEntry
from tests.factories import make_priority, make_user

pytestmark = pytest.mark.django_db


def test_recording_a_disposition_saves_it_and_writes_the_audit_log(known, secretary):
    disposition = disposition_record(actor=secretary, comment=known.chinese, outcome="taken_up",
                                     rationale="  Added as NP1 indicator.  ")
    assert (disposition.outcome, disposition.rationale, disposition.decided_by) == (
        "taken_up", "Added as NP1 indicator.", secretary)
    entry = AuditEntry.objects.get(action="disposition.record")
    assert entry.actor == secretary
    assert entry.target_id == str(known.chinese.pk)
    assert entry.before == {}
    assert entry.after == {"outcome": "taken_up", "rationale": "Added as NP1 indicator."}


def test_changing_a_disposition_records_before_and_after_and_an_unchanged_one_writes_nothing(known, secretary):
    disposition_record(actor=secretary, comment=known.quoted, outcome="not_taken_up", rationale="Out of budget")
    entry = AuditEntry.objects.get(action="disposition.record")
    assert entry.before == {"outcome": "partly", "rationale": "=Covered in OP3; see annex"}
    assert Disposition.objects.get(comment=known.quoted).outcome == "not_taken_up"
    disposition_record(actor=secretary, comment=known.quoted, outcome="not_taken_up", rationale="Out of budget")
    assert AuditEntry.objects.filter(action="disposition.record").count() == 1


def test_only_published_comments_receive_a_response_and_outcomes_are_checked(known, secretary):
    with pytest.raises(ValidationError):
        disposition_record(actor=secretary, comment=known.declined, outcome="taken_up")
    with pytest.raises(ValidationError):
        disposition_record(actor=secretary, comment=known.chinese, outcome="maybe")
    with pytest.raises(ValidationError):
        disposition_record(actor=secretary, comment=known.chinese, outcome="taken_up", rationale="x" * 2001)
    assert not Disposition.objects.filter(comment__in=[known.declined, known.chinese]).exists()


@pytest.mark.parametrize("role", [None, "Moderators"])
def test_people_without_the_export_permission_cannot_record_clear_or_publish(known, role):
    user = make_user(role=role)
    with pytest.raises(PermissionDenied):
        disposition_record(actor=user, comment=known.chinese, outcome="taken_up")
    with pytest.raises(PermissionDenied):
        disposition_clear(actor=user, comment=known.quoted)
    with pytest.raises(PermissionDenied):
        discussion_set_publish_responses(actor=user, discussion=known.discussion, publish=True)
    assert Disposition.objects.filter(comment=known.quoted).exists()


def test_clearing_a_disposition_is_audited(known, secretary):
    disposition_clear(actor=secretary, comment=known.quoted)
    assert not Disposition.objects.filter(comment=known.quoted).exists()
    assert AuditEntry.objects.get(action="disposition.clear").before["outcome"] == "partly"


def test_publishing_the_responses_flips_the_discussion_flag_and_is_audited(known, secretary):
    discussion_set_publish_responses(actor=secretary, discussion=known.discussion, publish=True)
    known.discussion.refresh_from_db()
    assert known.discussion.publish_responses is True
    assert AuditEntry.objects.filter(action="discussion.publish_responses").count() == 1
    discussion_set_publish_responses(actor=secretary, discussion=known.discussion, publish=True)
    assert AuditEntry.objects.filter(action="discussion.publish_responses").count() == 1


def test_the_table_lists_published_comments_and_filters_by_priority_and_outcome(known):
    assert [c.pk for c in comments_for_response_table(known.discussion)] == [c.pk for c in known.published]
    assert [c.pk for c in comments_for_response_table(known.discussion, priority_id=known.op3.pk)] == [
        known.arabic.pk, known.quoted.pk]
    assert [c.pk for c in comments_for_response_table(known.discussion, outcome="partly")] == [known.quoted.pk]
    assert len(comments_for_response_table(known.discussion, outcome="none")) == 4
    counts = response_counts(known.discussion)
    assert counts["partly"] == 1 and counts["none"] == 4 and counts["taken_up"] == 0


def test_the_secretariat_records_a_response_from_the_table(client, known, secretary):
    client.force_login(secretary)
    table = reverse("discussions:secretariat-responses", kwargs={"slug": known.discussion.slug})
    response = client.post(reverse("discussions:secretariat-response-record", kwargs={"pk": known.chinese.pk}),
                           {"outcome": "out_of_scope", "rationale": "Belongs to another network.", "next": table})
    assert response.status_code == 302
    assert response["Location"] == f"{table}#response-{known.chinese.pk}"
    assert Disposition.objects.get(comment=known.chinese).outcome == "out_of_scope"
    page = client.get(table).content.decode()
    assert "Belongs to another network." in page
    assert "Response to comment #%d saved." % known.chinese.pk in page
    # A next address outside the table is ignored.
    response = client.post(reverse("discussions:secretariat-response-record", kwargs={"pk": known.chinese.pk}),
                           {"outcome": "none", "next": "https://evil.example/"})
    assert response["Location"].startswith(table)
    assert not Disposition.objects.filter(comment=known.chinese).exists()


def test_a_refused_response_is_reported_not_saved(client, known, secretary):
    client.force_login(secretary)
    response = client.post(reverse("discussions:secretariat-response-record", kwargs={"pk": known.declined.pk}),
                           {"outcome": "taken_up"}, follow=True)
    assert "Only published comments receive a response." in response.content.decode()


# Session, user, two for permissions, profile (site context), the discussion, its priorities, the page count,
# the response counts, the page of comments (with question and response joined) and their priorities.
RESPONSE_TABLE_QUERIES = 12


@pytest.mark.parametrize("size", [1, 50])
def test_the_response_table_takes_a_fixed_number_of_queries(client, secretary, django_assert_num_queries, size,
                                                           make_export_discussion, make_comments):
    discussion = make_export_discussion()
    priority = make_priority(workplan=discussion.workplan)
    comments = make_comments(discussion, size, priorities=[priority])
    for comment in comments[::2]:
        disposition_record(actor=secretary, comment=comment, outcome="taken_up", rationale="Yes")
    client.force_login(secretary)
    url = reverse("discussions:secretariat-responses", kwargs={"slug": discussion.slug})
    with django_assert_num_queries(RESPONSE_TABLE_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('class="response-form"') == size
