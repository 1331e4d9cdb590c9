"""Template helpers of discussions: labels, cleaned comment HTML, and the parts of other apps' pages that show
discussions (the profile's "my comments", the user menu's links)."""
from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from discussions import selectors
from discussions.permissions import can_export_feedback, can_import_consultation, can_moderate_anything
from hub.models import stakeholder_group_label
from hub.templatetags.hub_tags import sanitized
from workplan.permissions import can_manage_workplan

register = template.Library()


@register.filter
def stakeholder_group(code: str) -> str:
    """The readable name of a stakeholder group code kept in a comment's attribution."""
    return stakeholder_group_label(code or "")


@register.filter
def may_import_consultations(user) -> bool:
    """Whether the secretariat's navigation offers the import page (the rule is check_import_consultation)."""
    return can_import_consultation(user)


@register.filter
def clean_comment_html(html: str) -> SafeString:
    """Stored comment HTML, passed once more through the site's one cleaning function before it is shown."""
    return sanitized(html)


@register.inclusion_tag("discussions/_my_comments.html", takes_context=True)
def my_comments(context) -> dict:
    """On the profile page: the user's comments with their status and any reason a moderator gave."""
    return {"my_comments": selectors.my_comments(user=context.get("user"))}


@register.inclusion_tag("discussions/_menu_links.html", takes_context=True)
def discussions_menu_links(context) -> dict:
    """Items of the user menu for moderators (review queue) and the secretariat (exports)."""
    user = context.get("user")
    if not getattr(user, "is_authenticated", False):
        return {}
    # has_perm loads the user's permissions once per request (two queries); the rest reuse them.
    return {"can_moderate": can_moderate_anything(user), "can_export": can_export_feedback(user),
            "can_manage_workplan": can_manage_workplan(user)}
