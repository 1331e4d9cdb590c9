"""Peer review, service by service: submission, assignment (two reviewers, never from the submitter's
organisation), reviews scoring the published criteria, the secretariat's decision, revision and resubmission.
Every step is audited and e-mailed once the transaction commits."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from hub.library import services
from hub.library.models import Criterion, Resource, Review, RosterMember
from hub.library.selectors import reviewer_suggestions
from hub.models import AuditEntry
from tests.factories import make_user
from tests.library.factories import language, make_resource, make_review, make_roster_member
from workplan.models import GcmObjective

pytestmark = pytest.mark.django_db

DUE = timezone.localdate() + timedelta(days=21)


def details(**overrides) -> services.ResourceDetails:
    data = {"title": "Bilateral labour migration agreements", "summary": "A review of eleven agreements.",
            "type": "report", "scope": "global", "publisher": "Migrant Forum", "languages": [language("en")],
            "url": "https://example.org/bla"}
    data.update(overrides)
    return services.ResourceDetails(**data)


def submit(world, capture, **overrides) -> Resource:
    with capture(execute=True):
        return services.resource_submit(actor=world.submitter, details=details(**overrides))


def scores(value: int = 4) -> dict[int, int]:
    return {c.pk: value for c in Criterion.objects.filter(active=True)}


def review_it(world, review, capture, recommendation="accept", **kwargs):
    with capture(execute=True):
        return services.review_submit(
            actor=review.reviewer.user, review=review, no_conflict=True, scores=scores(),
            recommendation=recommendation, comments_for_submitter=kwargs.pop("comments", "Clear and useful."),
            comments_for_secretariat="Fine.", **kwargs)


def test_a_submission_waits_for_reviewers_and_tells_the_submitter_and_the_secretariat(
        world, mailoutbox, django_capture_on_commit_callbacks, settings):
    settings.HUB_CONTACT_EMAIL = "secretariat@example.org"
    resource = submit(world, django_capture_on_commit_callbacks)
    assert resource.status == Resource.Status.SUBMITTED and resource.round == 1
    assert resource.submitter_name == "Amina Odhiambo" and resource.submitter_organisation.name == "Migrant Forum"
    assert resource.summary == "<p>A review of eleven agreements.</p>"
    assert sorted(m.to[0] for m in mailoutbox) == ["amina@example.org", "secretariat@example.org"]
    assert AuditEntry.objects.filter(action="resource.submit", target_id=str(resource.pk)).exists()


def test_submitting_needs_a_complete_profile(db):
    with pytest.raises(PermissionDenied, match="Complete your profile"):
        services.resource_submit(actor=make_user(complete=False), details=details())
    assert not Resource.objects.exists()


@pytest.mark.parametrize("overrides, field", [
    ({"url": ""}, "url"),
    ({"url": "javascript:alert(1)"}, "url"),
    ({"url": "ftp://example.org/file"}, "url"),
    ({"scope": "regional"}, "region"),
    ({"scope": "national"}, "country"),
    ({"languages": []}, "languages"),
    ({"title": "   "}, "title"),
    ({"year": 1200}, "year"),
    ({"type": "blog"}, "type"),
])
def test_bad_details_are_refused_with_a_message_for_the_field(world, overrides, field):
    with pytest.raises(ValidationError) as caught:
        services.resource_submit(actor=world.submitter, details=details(**overrides))
    assert field in caught.value.message_dict
    assert not Resource.objects.exists()


def test_region_and_country_are_kept_only_for_the_scope_that_uses_them(world, django_capture_on_commit_callbacks):
    resource = submit(world, django_capture_on_commit_callbacks, scope="global", region="africa", country="Kenya")
    assert (resource.region, resource.country) == ("", "")


def test_suggestions_leave_out_the_submitter_their_organisation_and_rank_by_overlap(
        world, django_capture_on_commit_callbacks):
    objective = GcmObjective.objects.get(number=5)
    world.reviewer_b.expertise.set([objective])
    resource = submit(world, django_capture_on_commit_callbacks, gcm_objectives=[objective],
                      languages=[language("en"), language("es")])
    own = make_roster_member(user=world.submitter)
    names = [s.member.name for s in reviewer_suggestions(resource)]
    assert names == ["Lotte Vermeulen", "Richard Moreau"]
    assert "Colleague" not in names and own.name not in names


def test_the_secretariat_assigns_two_reviewers_who_are_emailed(world, mailoutbox,
                                                               django_capture_on_commit_callbacks):
    resource = submit(world, django_capture_on_commit_callbacks)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reviews = services.review_assign(actor=world.secretariat, resource=resource,
                                         reviewers=[world.reviewer_a, world.reviewer_b], due_date=DUE)
    resource.refresh_from_db()
    assert resource.status == Resource.Status.IN_REVIEW
    assert {r.reviewer for r in reviews} == {world.reviewer_a, world.reviewer_b}
    assert sorted(m.to[0] for m in mailoutbox) == ["lotte@example.org", "richard@example.org"]
    assert reviews[0].get_absolute_url() in mailoutbox[0].body or reviews[1].get_absolute_url() in mailoutbox[0].body
    assert AuditEntry.objects.filter(action="review.assign").count() == 2


def test_nobody_from_the_submitters_organisation_may_review_it(world, django_capture_on_commit_callbacks):
    resource = submit(world, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError, match="from the submitter's organisation"):
        services.review_assign(actor=world.secretariat, resource=resource, reviewers=[world.colleague], due_date=DUE)
    assert not Review.objects.exists()


def test_a_reviewer_who_moved_to_the_submitters_organisation_is_refused_too(world,
                                                                           django_capture_on_commit_callbacks):
    resource = submit(world, django_capture_on_commit_callbacks)
    profile = world.reviewer_a.user.profile
    profile.organisation = world.submitter.profile.organisation
    profile.save()
    with pytest.raises(ValidationError, match="from the submitter's organisation"):
        services.review_assign(actor=world.secretariat, resource=resource, reviewers=[world.reviewer_a],
                               due_date=DUE)


def test_the_submitter_never_reviews_their_own_resource(world, django_capture_on_commit_callbacks):
    resource = submit(world, django_capture_on_commit_callbacks)
    resource.submitter_organisation = None  # even without the organisation rule
    resource.save()
    own = make_roster_member(user=world.submitter)
    with pytest.raises(ValidationError, match="submitted this resource"):
        services.review_assign(actor=world.secretariat, resource=resource, reviewers=[own], due_date=DUE)


def test_a_round_has_at_most_two_reviewers_and_each_only_once(world, django_capture_on_commit_callbacks):
    resource = submit(world, django_capture_on_commit_callbacks)
    third = make_roster_member()
    with pytest.raises(ValidationError, match="at most 2"):
        services.review_assign(actor=world.secretariat, resource=resource,
                               reviewers=[world.reviewer_a, world.reviewer_b, third], due_date=DUE)
    services.review_assign(actor=world.secretariat, resource=resource, reviewers=[world.reviewer_a], due_date=DUE)
    with pytest.raises(ValidationError, match="already asked"):
        services.review_assign(actor=world.secretariat, resource=resource, reviewers=[world.reviewer_a],
                               due_date=DUE)


def test_only_accepted_roster_members_are_assigned(world, django_capture_on_commit_callbacks):
    resource = submit(world, django_capture_on_commit_callbacks)
    applicant = make_roster_member(status=RosterMember.Status.APPLIED)
    with pytest.raises(ValidationError, match="not on the roster"):
        services.review_assign(actor=world.secretariat, resource=resource, reviewers=[applicant], due_date=DUE)


@pytest.mark.parametrize("who", ["submitter", "stakeholder", "moderator"])
def test_only_the_secretariat_assigns_reviewers(world, who, django_capture_on_commit_callbacks):
    resource = submit(world, django_capture_on_commit_callbacks)
    with pytest.raises(PermissionDenied):
        services.review_assign(actor=getattr(world, who), resource=resource, reviewers=[world.reviewer_a],
                               due_date=DUE)


def test_a_review_scores_every_criterion_and_needs_the_conflict_declaration(world,
                                                                            django_capture_on_commit_callbacks):
    resource = submit(world, django_capture_on_commit_callbacks)
    [review] = services.review_assign(actor=world.secretariat, resource=resource, reviewers=[world.reviewer_a],
                                      due_date=DUE)
    partial = scores()
    partial.popitem()
    with pytest.raises(ValidationError) as caught:
        services.review_submit(actor=world.reviewer_a.user, review=review, no_conflict=False, scores=partial,
                               recommendation="maybe", comments_for_submitter="")
    errors = caught.value.message_dict
    assert {"no_conflict", "recommendation", "comments_for_submitter"} <= set(errors)
    assert any(key.startswith("score_") for key in errors)
    review.refresh_from_db()
    assert review.status == Review.Status.ASSIGNED and not review.scores.exists()


def test_a_score_outside_one_to_five_is_refused(world, django_capture_on_commit_callbacks):
    resource = submit(world, django_capture_on_commit_callbacks)
    [review] = services.review_assign(actor=world.secretariat, resource=resource, reviewers=[world.reviewer_a],
                                      due_date=DUE)
    with pytest.raises(ValidationError, match="from 1 to 5"):
        services.review_submit(actor=world.reviewer_a.user, review=review, no_conflict=True,
                               scores={pk: 6 for pk in scores()}, recommendation="accept",
                               comments_for_submitter="Good.")


def test_only_the_assigned_reviewer_writes_the_review(world, django_capture_on_commit_callbacks):
    resource = submit(world, django_capture_on_commit_callbacks)
    [review] = services.review_assign(actor=world.secretariat, resource=resource, reviewers=[world.reviewer_a],
                                      due_date=DUE)
    for intruder in (world.reviewer_b.user, world.secretariat, world.submitter):
        with pytest.raises(PermissionDenied):
            services.review_submit(actor=intruder, review=review, no_conflict=True, scores=scores(),
                                   recommendation="accept", comments_for_submitter="Good.")


def test_declining_reopens_the_place_and_tells_the_secretariat(world, mailoutbox, settings,
                                                               django_capture_on_commit_callbacks):
    settings.HUB_CONTACT_EMAIL = "secretariat@example.org"
    resource = submit(world, django_capture_on_commit_callbacks)
    [review] = services.review_assign(actor=world.secretariat, resource=resource, reviewers=[world.reviewer_a],
                                      due_date=DUE)
    mailoutbox.clear()
    with pytest.raises(ValidationError, match="why you decline"):
        services.review_decline(actor=world.reviewer_a.user, review=review, reason="other")
    with django_capture_on_commit_callbacks(execute=True):
        services.review_decline(actor=world.reviewer_a.user, review=review, reason="conflict",
                                note="I advised the authors.")
    resource.refresh_from_db()
    assert resource.status == Resource.Status.SUBMITTED  # back to waiting for reviewers
    assert [m.to for m in mailoutbox] == [["secretariat@example.org"]]
    assert "I advised the authors." in mailoutbox[0].body
    with pytest.raises(PermissionDenied, match="closed"):
        services.review_submit(actor=world.reviewer_a.user, review=review, no_conflict=True, scores=scores(),
                               recommendation="accept", comments_for_submitter="Good.")


def test_publishing_needs_two_reviews_of_the_round(world, django_capture_on_commit_callbacks):
    resource = submit(world, django_capture_on_commit_callbacks)
    first, second = services.review_assign(actor=world.secretariat, resource=resource,
                                           reviewers=[world.reviewer_a, world.reviewer_b], due_date=DUE)
    review_it(world, first, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError, match="only after 2 peer reviews"):
        services.resource_decide(actor=world.secretariat, resource=resource, decision="publish")
    review_it(world, second, django_capture_on_commit_callbacks)
    resource = services.resource_decide(actor=world.secretariat, resource=resource, decision="publish")
    assert resource.status == Resource.Status.PUBLISHED and resource.published_at is not None


def test_the_submitter_is_told_why_with_the_reviewers_comments_but_not_their_names(
        world, mailoutbox, django_capture_on_commit_callbacks):
    resource = submit(world, django_capture_on_commit_callbacks)
    first, second = services.review_assign(actor=world.secretariat, resource=resource,
                                           reviewers=[world.reviewer_a, world.reviewer_b], due_date=DUE)
    review_it(world, first, django_capture_on_commit_callbacks, recommendation="revise",
              comments="Please add the sources of table 2.")
    review_it(world, second, django_capture_on_commit_callbacks, comments="Good overall.")
    mailoutbox.clear()
    with pytest.raises(ValidationError, match="Tell the submitter why"):
        services.resource_decide(actor=world.secretariat, resource=resource, decision="revise")
    with django_capture_on_commit_callbacks(execute=True):
        services.resource_decide(actor=world.secretariat, resource=resource, decision="revise",
                                 note="Please address the first reviewer's point.")
    [mail] = mailoutbox
    assert mail.to == ["amina@example.org"]
    assert "Please address the first reviewer's point." in mail.body
    assert "Please add the sources of table 2." in mail.body and "Good overall." in mail.body
    assert "Richard" not in mail.body and "Lotte" not in mail.body and "Fine." not in mail.body
    assert f"/library/{resource.pk}/edit/" in mail.body
    assert AuditEntry.objects.filter(action="resource.revise", reason__contains="first reviewer").exists()


def test_a_revision_is_resubmitted_as_a_new_round(world, mailoutbox, django_capture_on_commit_callbacks):
    resource = submit(world, django_capture_on_commit_callbacks)
    services.resource_decide(actor=world.secretariat, resource=resource, decision="revise", note="Add a summary.")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        resource = services.resource_update(actor=world.submitter, resource=resource,
                                            details=details(summary="A longer summary."))
    assert (resource.status, resource.round) == (Resource.Status.SUBMITTED, 2)
    assert len(mailoutbox) == 2  # a receipt for the submitter, a notice for the secretariat
    assert AuditEntry.objects.filter(action="resource.resubmit").exists()
    # the same reviewers may review the new round
    services.review_assign(actor=world.secretariat, resource=resource, reviewers=[world.reviewer_a], due_date=DUE)


def test_only_the_submitter_edits_and_only_before_review_or_when_asked_to_revise(world,
                                                                                django_capture_on_commit_callbacks):
    resource = submit(world, django_capture_on_commit_callbacks)
    with pytest.raises(PermissionDenied):
        services.resource_update(actor=world.stakeholder, resource=resource, details=details())
    services.review_assign(actor=world.secretariat, resource=resource, reviewers=[world.reviewer_a], due_date=DUE)
    with pytest.raises(PermissionDenied, match="can no longer be changed"):
        services.resource_update(actor=world.submitter, resource=resource, details=details())


def test_rejecting_withdraws_the_open_reviews_and_tells_their_reviewers(world, mailoutbox,
                                                                       django_capture_on_commit_callbacks):
    resource = submit(world, django_capture_on_commit_callbacks)
    [review] = services.review_assign(actor=world.secretariat, resource=resource, reviewers=[world.reviewer_a],
                                      due_date=DUE)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.resource_decide(actor=world.secretariat, resource=resource, decision="reject", note="Out of scope.")
    review.refresh_from_db()
    assert review.status == Review.Status.CANCELLED
    assert sorted(m.to[0] for m in mailoutbox) == ["amina@example.org", "richard@example.org"]
    with pytest.raises(ValidationError, match="already decided"):
        services.resource_decide(actor=world.secretariat, resource=resource, decision="publish")


def test_the_secretariat_withdraws_an_overdue_request(world, mailoutbox, django_capture_on_commit_callbacks):
    resource = submit(world, django_capture_on_commit_callbacks)
    [review] = services.review_assign(actor=world.secretariat, resource=resource, reviewers=[world.reviewer_a],
                                      due_date=DUE)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.review_cancel(actor=world.secretariat, review=review)
    assert [m.to for m in mailoutbox] == [["richard@example.org"]]
    resource.refresh_from_db()
    assert resource.status == Resource.Status.SUBMITTED


def test_a_mail_that_cannot_be_sent_leaves_the_decision_saved(world, monkeypatch,
                                                             django_capture_on_commit_callbacks):
    resource = make_resource(submitted_by=world.submitter, status=Resource.Status.SUBMITTED)

    def broken(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", broken)
    with django_capture_on_commit_callbacks(execute=True):
        services.resource_decide(actor=world.secretariat, resource=resource, decision="reject", note="No.")
    resource.refresh_from_db()
    assert resource.status == Resource.Status.REJECTED


def test_a_reviewer_taken_off_the_roster_has_their_open_reviews_withdrawn(world, mailoutbox,
                                                                         django_capture_on_commit_callbacks):
    resource = make_resource(submitted_by=world.submitter, status=Resource.Status.IN_REVIEW)
    review = make_review(resource=resource, reviewer=world.reviewer_a)
    with django_capture_on_commit_callbacks(execute=True):
        services.roster_retire(actor=world.secretariat, member=world.reviewer_a)
    review.refresh_from_db()
    assert review.status == Review.Status.CANCELLED
    assert sorted(m.subject for m in mailoutbox if m.to == ["richard@example.org"]) == [
        "[Hub] Review no longer needed: " + resource.title, "[Hub] You are no longer on the peer review roster"]
    assert AuditEntry.objects.filter(action="roster.retire").exists()
    with pytest.raises(PermissionDenied):
        services.review_submit(actor=world.reviewer_a.user, review=review, no_conflict=True, scores=scores(),
                               recommendation="accept", comments_for_submitter="Good.")


def test_an_unconfirmed_organisation_still_keeps_its_members_from_reviewing_but_is_not_shown(
        world, client, django_capture_on_commit_callbacks):
    from hub.models import Membership

    claimant = make_user(organisation=world.submitter.profile.organisation, membership=Membership.REQUESTED,
                         name="Claimant")
    with django_capture_on_commit_callbacks(execute=True):
        resource = services.resource_submit(actor=claimant, details=details())
    assert resource.submitter_organisation == world.submitter.profile.organisation
    assert not resource.submitter_organisation_confirmed
    assert "Colleague" not in [s.member.name for s in reviewer_suggestions(resource)]
    with pytest.raises(ValidationError, match="from the submitter's organisation"):
        services.review_assign(actor=world.secretariat, resource=resource, reviewers=[world.colleague], due_date=DUE)
    resource.status = Resource.Status.PUBLISHED
    resource.save()
    html = client.get(resource.get_absolute_url()).content.decode()
    assert "<dd>Claimant</dd>" in html and "Claimant, Migrant Forum" not in html


def test_a_refused_claim_is_not_kept_as_the_submitters_organisation(world, django_capture_on_commit_callbacks):
    from hub.models import Membership

    refused = make_user(organisation=world.submitter.profile.organisation, membership=Membership.REFUSED)
    resource = services.resource_submit(actor=refused, details=details())
    assert resource.submitter_organisation is None
