"""Site-wide template helpers."""
from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from hub.text import clean_html

register = template.Library()


@register.filter
def sanitized(html: str | None) -> SafeString:
    """Stored user HTML shown through the one cleaning function again, so no template ever trusts it as saved."""
    return mark_safe(clean_html(html or ""))  # clean_html's output holds only allowlisted markup
