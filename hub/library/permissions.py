"""Who may do what in the library. `can_*` answer templates; `check_*` guard every service."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from hub.library.models import Resource, Review, RosterMember
from hub.models import Membership
from hub.permissions import check_profile_complete
from hub.selectors import profile_for_user

MANAGE_PERMISSION = "library.manage_library"
EDITABLE = (Resource.Status.SUBMITTED, Resource.Status.REVISION)


def can_manage_library(user) -> bool:
    """The secretariat (permission library.manage_library) runs peer review, the roster and the criteria."""
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(MANAGE_PERMISSION))


def check_manage_library(user) -> None:
    """Raise unless the user may manage the library."""
    if not can_manage_library(user):
        raise PermissionDenied(_("Only the secretariat can manage the library."))


def check_submit_resource(user) -> None:
    """Anyone signed in with a complete profile may suggest a resource, so every submission can be attributed."""
    check_profile_complete(user)


def is_submitter(user, resource: Resource) -> bool:
    return bool(getattr(user, "is_authenticated", False) and resource.submitted_by_id == user.pk)


def can_edit_submission(user, resource: Resource) -> bool:
    """The submitter edits their resource before reviewers are assigned, and revises it when asked to."""
    return is_submitter(user, resource) and resource.status in EDITABLE


def check_edit_submission(user, resource: Resource) -> None:
    """Raise unless the user may edit (or revise and resubmit) the submission."""
    check_profile_complete(user)
    if not is_submitter(user, resource):
        raise PermissionDenied(_("Only the person who submitted this resource can change it."))
    if resource.status not in EDITABLE:
        raise PermissionDenied(_("This resource is %(status)s and can no longer be changed.") % {
            "status": resource.get_status_display().lower()})


def check_apply_to_roster(user) -> None:
    """Experts with a complete profile apply to the roster; one open application (or membership) at a time."""
    check_profile_complete(user)
    if RosterMember.objects.filter(user=user, status__in=[RosterMember.Status.APPLIED,
                                                           RosterMember.Status.ACCEPTED]).exists():
        raise PermissionDenied(_("You have already applied to the roster, or are on it."))


def check_review(user, review: Review) -> None:
    """Only the assigned reviewer, still on the roster, writes or declines the review, and only while it is open."""
    if not (getattr(user, "is_authenticated", False) and review.reviewer.user_id == user.pk):
        raise PermissionDenied(_("This review is assigned to someone else."))
    if review.reviewer.status != RosterMember.Status.ACCEPTED:
        raise PermissionDenied(_("You are no longer on the peer review roster."))
    if review.status != Review.Status.ASSIGNED:
        raise PermissionDenied(_("This review is closed (%(status)s).") % {
            "status": review.get_status_display().lower()})


def claimed_organisation(profile):
    """The organisation a profile names, confirmed or still awaiting confirmation; None for a refused claim."""
    if profile is None or profile.membership == Membership.REFUSED:
        return None
    return profile.organisation


def _organisation_id(user) -> int | None:
    organisation = claimed_organisation(profile_for_user(user))
    return organisation.pk if organisation else None


def conflict_with_submitter(member: RosterMember, resource: Resource) -> str:
    """Why the roster member may not review the resource (empty when they may): never the submitter, and never
    anyone from the submitter's organisation, then or now. Organisations count as soon as they are claimed, before
    any confirmation: the rule errs on the side of independence."""
    if resource.submitted_by_id and member.user_id == resource.submitted_by_id:
        return _("%(name)s submitted this resource.") % {"name": member.name}
    submitter_orgs = {resource.submitter_organisation_id}
    if resource.submitted_by_id:
        submitter_orgs.add(_organisation_id(resource.submitted_by))
    member_orgs = {member.organisation_id, _organisation_id(member.user)}
    if (submitter_orgs - {None}) & (member_orgs - {None}):
        return _("%(name)s is from the submitter's organisation.") % {"name": member.name}
    return ""
