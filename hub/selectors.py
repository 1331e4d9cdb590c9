"""Reads of the people layer."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q, QuerySet

from hub.models import Membership, Profile

MEMBERSHIP_QUEUE_FILTERS = {
    Membership.REQUESTED: "membership_requested_at",
    Membership.CONFIRMED: "-membership_decided_at",
    Membership.REFUSED: "-membership_decided_at",
}


def profile_for_user(user) -> Profile | None:
    """The user's profile with its organisation, cached on the user object for the rest of the request."""
    if not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_hub_profile_cache", None)
    if cached is None:
        cached = Profile.objects.select_related("organisation").filter(user=user).first()
        if cached is None:
            cached = Profile(user=user)
        user._hub_profile_cache = cached
    return cached


def reader_facts(user) -> dict:
    """What permission checks read about a signed-in user (profile and organisation, group names, permissions),
    gathered so a page can keep them with hub.pagecache.cached_reads instead of querying on every request."""
    from hub.permissions import _in_group

    _in_group(user, "")  # fills user._hub_group_names
    return {"profile": profile_for_user(user), "groups": user._hub_group_names,
            "perms": user.get_all_permissions() if user.is_active else set()}


def apply_reader_facts(user, facts: dict) -> None:
    """Put facts from reader_facts back on this request's user, where the checks look for them first."""
    profile = facts["profile"]
    if profile is not None:
        user._hub_profile_cache = profile
    user._hub_group_names = facts["groups"]
    user._perm_cache = facts["perms"]  # ModelBackend's own per-request cache of get_all_permissions()


def membership_queue(user, status: str = Membership.REQUESTED) -> QuerySet[Profile]:
    """The memberships the user may review, in one query: every organisation's for the secretariat; for an
    organisation's contact, only its pending requests (never their own). Oldest request first; decided ones
    newest first."""
    from hub.permissions import can_manage_memberships

    if status not in MEMBERSHIP_QUEUE_FILTERS:
        status = Membership.REQUESTED
    queryset = (Profile.objects.filter(organisation__isnull=False, membership=status)
                .select_related("user", "organisation", "membership_decided_by__profile"))
    if not can_manage_memberships(user):
        own = profile_for_user(user)
        if own is None or not own.is_organisation_contact or status != Membership.REQUESTED:
            return queryset.none()
        queryset = queryset.filter(organisation_id=own.organisation_id).exclude(user=user)
    return queryset.order_by(MEMBERSHIP_QUEUE_FILTERS[status], "pk")


def membership_reviewers(profile: Profile) -> QuerySet:
    """Who hears of a new request: active users holding hub.confirm_membership (the secretariat) and the
    organisation's confirmed contacts, with an e-mail address, never the person asking."""
    condition = Q(profile__organisation_id=profile.organisation_id, profile__membership=Membership.CONFIRMED,
                  profile__organisation_contact=True)
    permission = Permission.objects.filter(content_type__app_label="hub", codename="confirm_membership").first()
    if permission is not None:
        condition |= Q(groups__permissions=permission) | Q(user_permissions=permission)
    return (get_user_model().objects.filter(condition, is_active=True).exclude(pk=profile.user_id)
            .exclude(email="").distinct().order_by("pk"))
