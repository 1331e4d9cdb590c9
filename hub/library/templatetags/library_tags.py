"""The library's own navigation, shown on every library page."""
from __future__ import annotations

from django import template

from hub.library.models import RosterMember
from hub.library.permissions import can_manage_library
from hub.library.selectors import roster_membership

register = template.Library()


@register.inclusion_tag("library/_nav.html", takes_context=True)
def library_nav(context, current: str = "") -> dict:
    """Links to the library's pages this person can use: the secretariat's, a reviewer's, a submitter's."""
    request = context.get("request")
    user = getattr(request, "user", None)
    membership = context["membership"] if "membership" in context else roster_membership(user)
    return {
        "current": current, "user": user, "can_manage": can_manage_library(user),
        "is_reviewer": bool(membership and membership.status == RosterMember.Status.ACCEPTED),
    }
