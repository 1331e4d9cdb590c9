"""Template tags other templates may load without their app importing workplan in Python.

  {% load workplan_tags %}{% my_interest_expressions %}    on the profile page: the organisation's expressions
  {{ comment.body|link_priority_mentions:workplan }}       clean HTML with priority mentions linked
"""
from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from hub.selectors import profile_for_user
from workplan import mentions, selectors

register = template.Library()


@register.inclusion_tag("workplan/_my_interest_expressions.html", takes_context=True)
def my_interest_expressions(context) -> dict:
    """The signed-in user's organisation's expressions of interest and the secretariat's decisions (confirmed
    members only)."""
    user = context.get("user") or getattr(context.get("request"), "user", None)
    profile = profile_for_user(user)
    # Only a confirmed member sees the organisation's requests and the secretariat's replies.
    organisation = profile.confirmed_organisation if profile else None
    declared = profile.organisation if profile and profile.organisation_id and organisation is None else None
    return {"expressions": selectors.interest_expressions_of_organisation(organisation),
            "organisation": organisation, "declared_organisation": declared, "user": user}


@register.filter
def link_priority_mentions(html: str, workplan) -> SafeString:
    """Already-clean HTML with each priority of the workplan it names turned into a link to the priority page."""
    return mentions.link_priority_mentions(html or "", workplan)

