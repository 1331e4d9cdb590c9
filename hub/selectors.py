"""Reads of the people layer."""
from __future__ import annotations

from hub.models import Profile


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
