"""Site-wide template helpers."""
from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from hub.text import clean_html_for_display

register = template.Library()


@register.filter
def sanitized(html: str | None) -> SafeString:
    """Stored user HTML shown through the one cleaning function again, so no template ever trusts it as saved."""
    return clean_html_for_display(html)
