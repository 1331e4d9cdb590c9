"""The library's e-mails. Each `send_*` function builds one e-mail from primary keys and hands it to the task queue
(hub.mail); each `notify_*` runs one or more of them once the caller's transaction commits. A mail that cannot be
sent is retried by the queue and logged, never turned into an error for work already saved. Links are absolute, on
HUB_SITE_URL (hub.http.absolute_url)."""
from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from hub.library.models import Resource, Review, RosterMember
from hub.http import absolute_url
from hub.mail import header_text, send_logged


def site_url() -> str:
    return absolute_url()


def _secretariat_address() -> str:
    return settings.HUB_CONTACT_EMAIL


def _send(*, to: str, subject: str, template: str, context: dict) -> bool:
    if not to:
        return False
    context = {**context, "site_url": site_url(), "site_name": settings.HUB_SITE_NAME}
    mail = EmailMessage(subject=header_text(f"[{settings.HUB_SITE_NAME}] {subject}"),
                        body=render_to_string(template, context), to=[to])
    return send_logged(mail)


def _queue(send, pk: int) -> None:
    transaction.on_commit(lambda: send(pk), robust=True)


def _submitter_email(resource: Resource) -> str:
    user = resource.submitted_by
    return user.email if user is not None and user.is_active else ""


# --- One function per e-mail -------------------------------------------------------------------------------------

def send_submission_received(resource_id: int) -> bool:
    """To the submitter: we have your resource (or your revision), and what happens next."""
    resource = Resource.objects.select_related("submitted_by").filter(pk=resource_id).first()
    if resource is None:
        return False
    return _send(to=_submitter_email(resource), subject=_("We received “%(title)s”") % {"title": resource.title},
                 template="library/email/submission_received.txt",
                 context={"resource": resource, "url": site_url() + resource.get_absolute_url()})


def send_submission_to_secretariat(resource_id: int) -> bool:
    """To the secretariat: a resource (or a revision of one) waits for reviewers."""
    resource = Resource.objects.filter(pk=resource_id).first()
    if resource is None:
        return False
    subject = (_("Revised resource to review: %(title)s") if resource.round > 1
               else _("New resource to review: %(title)s")) % {"title": resource.title}
    return _send(to=_secretariat_address(), subject=subject, template="library/email/submission_to_secretariat.txt",
                 context={"resource": resource,
                          "url": site_url() + reverse("library:manage-resource", kwargs={"pk": resource.pk})})


def send_review_assigned(review_id: int) -> bool:
    """To a reviewer: you are asked to review a resource by a date."""
    review = Review.objects.select_related("resource", "reviewer__user").filter(pk=review_id).first()
    if review is None or not review.reviewer.user.is_active:
        return False
    return _send(to=review.reviewer.user.email,
                 subject=_("Please review “%(title)s”") % {"title": review.resource.title},
                 template="library/email/review_assigned.txt",
                 context={"review": review, "resource": review.resource, "url": site_url() + review.get_absolute_url(),
                          "reviewer_url": site_url() + reverse("library:reviewer-page")})


def send_review_cancelled(review_id: int) -> bool:
    """To a reviewer: the review you were asked for is no longer needed."""
    review = Review.objects.select_related("resource", "reviewer__user").filter(pk=review_id).first()
    if review is None or not review.reviewer.user.is_active:
        return False
    return _send(to=review.reviewer.user.email,
                 subject=_("Review no longer needed: %(title)s") % {"title": review.resource.title},
                 template="library/email/review_cancelled.txt", context={"review": review, "resource": review.resource})


def send_review_declined(review_id: int) -> bool:
    """To the secretariat: a reviewer declined, so someone else must be asked."""
    review = Review.objects.select_related("resource", "reviewer").filter(pk=review_id).first()
    if review is None:
        return False
    return _send(to=_secretariat_address(),
                 subject=_("%(name)s declined to review “%(title)s”") % {"name": review.reviewer.name,
                                                                          "title": review.resource.title},
                 template="library/email/review_declined.txt",
                 context={"review": review, "resource": review.resource,
                          "url": site_url() + reverse("library:manage-resource", kwargs={"pk": review.resource_id})})


def send_review_submitted(review_id: int) -> bool:
    """To the secretariat: a review is in (and whether the resource now awaits a decision)."""
    review = Review.objects.select_related("resource", "reviewer").filter(pk=review_id).first()
    if review is None:
        return False
    done = Review.objects.filter(resource_id=review.resource_id, round=review.round,
                                 status=Review.Status.SUBMITTED).count()
    return _send(to=_secretariat_address(),
                 subject=_("Review submitted for “%(title)s”") % {"title": review.resource.title},
                 template="library/email/review_submitted.txt",
                 context={"review": review, "resource": review.resource, "done": done,
                          "url": site_url() + reverse("library:manage-resource", kwargs={"pk": review.resource_id})})


def send_resource_decided(resource_id: int) -> bool:
    """To the submitter: published, revision requested or not accepted, with the secretariat's reasons and the
    reviewers' comments for them."""
    resource = Resource.objects.select_related("submitted_by").filter(pk=resource_id).first()
    if resource is None:
        return False
    reviews = list(Review.objects.filter(resource=resource, round=resource.round, status=Review.Status.SUBMITTED)
                   .order_by("id"))
    subjects = {
        Resource.Status.PUBLISHED: _("Published in the library: %(title)s"),
        Resource.Status.REVISION: _("Please revise “%(title)s”"),
        Resource.Status.REJECTED: _("Not accepted for the library: %(title)s"),
    }
    if resource.status not in subjects:
        return False
    return _send(to=_submitter_email(resource), subject=subjects[resource.status] % {"title": resource.title},
                 template="library/email/resource_decided.txt",
                 context={"resource": resource, "reviews": reviews, "url": site_url() + resource.get_absolute_url(),
                          "edit_url": site_url() + reverse("library:resource-edit", kwargs={"pk": resource.pk})})


def send_roster_application(member_id: int) -> bool:
    """To the secretariat: an expert applied to join the peer review roster."""
    member = RosterMember.objects.filter(pk=member_id).first()
    if member is None:
        return False
    return _send(to=_secretariat_address(),
                 subject=_("Application to the peer review roster: %(name)s") % {"name": member.name},
                 template="library/email/roster_application.txt",
                 context={"member": member, "url": site_url() + reverse("library:roster") + "?status=applied"})


def send_roster_decided(member_id: int) -> bool:
    """To the applicant: accepted to the roster (or not), with the secretariat's reply."""
    member = RosterMember.objects.select_related("user").filter(pk=member_id).first()
    if member is None or not member.user.is_active:
        return False
    accepted = member.status == RosterMember.Status.ACCEPTED
    subject = _("Welcome to the peer review roster") if accepted else _("Your application to the peer review roster")
    return _send(to=member.user.email, subject=subject, template="library/email/roster_decided.txt",
                 context={"member": member, "accepted": accepted,
                          "reviewer_url": site_url() + reverse("library:reviewer-page")})


def send_roster_retired(member_id: int) -> bool:
    """To a former member: the secretariat took them off the roster (their open requests were withdrawn)."""
    member = RosterMember.objects.select_related("user").filter(pk=member_id).first()
    if member is None or not member.user.is_active:
        return False
    return _send(to=member.user.email, subject=_("You are no longer on the peer review roster"),
                 template="library/email/roster_retired.txt", context={"member": member})


# --- Queued after the caller's transaction commits ---------------------------------------------------------------

def notify_submitted(resource: Resource) -> None:
    """A new or revised submission: the submitter gets a receipt, the secretariat a notice."""
    _queue(send_submission_received, resource.pk)
    _queue(send_submission_to_secretariat, resource.pk)


def notify_review_assigned(review: Review) -> None:
    _queue(send_review_assigned, review.pk)


def notify_review_cancelled(review: Review) -> None:
    _queue(send_review_cancelled, review.pk)


def notify_review_declined(review: Review) -> None:
    _queue(send_review_declined, review.pk)


def notify_review_submitted(review: Review) -> None:
    _queue(send_review_submitted, review.pk)


def notify_resource_decided(resource: Resource) -> None:
    _queue(send_resource_decided, resource.pk)


def notify_roster_application(member: RosterMember) -> None:
    _queue(send_roster_application, member.pk)


def notify_roster_decided(member: RosterMember) -> None:
    _queue(send_roster_decided, member.pk)


def notify_roster_retired(member: RosterMember) -> None:
    _queue(send_roster_retired, member.pk)
