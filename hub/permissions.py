"""Who may do what in the people layer, and the roles other apps ask about."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from hub.roles import MODERATORS, SECRETARIAT
from hub.selectors import profile_for_user


def has_complete_profile(user) -> bool:
    """A signed-in user whose profile names them and their organisation."""
    profile = profile_for_user(user)
    return bool(profile and profile.is_complete)


def check_profile_complete(user) -> None:
    """Attributed participation needs a complete profile."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied(_("Log in to take part."))
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
