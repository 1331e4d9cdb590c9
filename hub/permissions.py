"""Who may do what in the people layer, and the roles other apps ask about."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from hub.models import Membership
from hub.roles import MODERATORS, SECRETARIAT
from hub.selectors import profile_for_user


def has_complete_profile(user) -> bool:
    """A signed-in user whose profile names them and their organisation."""
    profile = profile_for_user(user)
    return bool(profile and profile.is_complete)


def check_profile_complete(user) -> None:
    """Attributed participation needs a complete profile."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to take part."))
    if not has_complete_profile(user):
        raise PermissionDenied(_("Complete your profile (name and organisation) before taking part."))


def _in_group(user, name: str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    cache = getattr(user, "_hub_group_names", None)
    if cache is None:
        cache = set(user.groups.values_list("name", flat=True))
        user._hub_group_names = cache
    return name in cache


def is_site_moderator(user) -> bool:
    """Members of the Moderators group (and superusers) moderate every discussion."""
    return bool(getattr(user, "is_superuser", False)) or _in_group(user, MODERATORS)


def is_secretariat(user) -> bool:
    """Members of the Secretariat group (and superusers)."""
    return bool(getattr(user, "is_superuser", False)) or _in_group(user, SECRETARIAT)


# --- Membership of an organisation -------------------------------------------------------------------------------

CONFIRM_MEMBERSHIP = "hub.confirm_membership"


def is_confirmed_member(user, organisation=None) -> bool:
    """The user's claim to belong to their organisation (or to `organisation`) has been confirmed."""
    profile = profile_for_user(user)
    if profile is None or not profile.membership_confirmed:
        return False
    return organisation is None or profile.organisation_id == getattr(organisation, "pk", organisation)


def can_manage_memberships(user) -> bool:
    """The secretariat (permission hub.confirm_membership) decides every request and names organisation contacts."""
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(CONFIRM_MEMBERSHIP))


def check_manage_memberships(user) -> None:
    """Raise unless the user is the secretariat for memberships."""
    if not can_manage_memberships(user):
        raise PermissionDenied(_("Only the secretariat can do that."))


def can_review_memberships(user) -> bool:
    """Who has a membership queue: the secretariat, and each organisation's confirmed contacts (for its requests)."""
    if not getattr(user, "is_authenticated", False):
        return False
    profile = profile_for_user(user)
    return bool(profile and profile.is_organisation_contact) or can_manage_memberships(user)


def check_review_memberships(user) -> None:
    """Raise unless the user may open the membership queue."""
    if not can_review_memberships(user):
        raise PermissionDenied(_("Only the secretariat and organisation contacts can review membership requests."))


def check_decide_membership(user, profile) -> None:
    """The secretariat decides any request (and may revoke a confirmed membership); an organisation's confirmed
    contact decides only pending requests for that organisation. Nobody but a superuser decides their own."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to take part."))
    if profile.user_id == user.pk and not user.is_superuser:
        raise PermissionDenied(_("Someone else must decide on your own membership."))
    if can_manage_memberships(user):
        return
    own = profile_for_user(user)
    if (own is not None and own.is_organisation_contact and profile.organisation_id == own.organisation_id
            and profile.membership == Membership.REQUESTED):
        return
    name = profile.organisation.name if profile.organisation_id else ""
    raise PermissionDenied(_("Only the secretariat or a contact of %(organisation)s can decide on this "
                             "membership.") % {"organisation": name})
