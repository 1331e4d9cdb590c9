"""Template helpers of discussions.

  {% optional_url "discussions:comment-flag" comment.pk as flag_url %}   '' when the URL name does not resolve
"""
from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from discussions import rendering
from hub.text import clean_html

register = template.Library()


@register.simple_tag
def optional_url(name: str, *args, **kwargs) -> str:
    """Reverse a URL name, or '' if it does not exist (links to parts of the site that may not be installed)."""
    return rendering.optional_url(name, *args, **kwargs)


@register.filter
def stakeholder_group(code: str) -> str:
    """The readable name of a stakeholder group code kept in a comment's attribution."""
    return rendering.stakeholder_group_label(code or "")


@register.filter
def clean_comment_html(html: str) -> SafeString:
    """Stored comment HTML, passed once more through the site's one cleaning function before it is shown."""
    return mark_safe(clean_html(html or ""))  # clean_html's output contains only allowlisted markup
