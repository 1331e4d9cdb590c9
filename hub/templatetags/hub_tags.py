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


@register.inclusion_tag("hub/_menu_links.html", takes_context=True)
def hub_menu_links(context) -> dict:
    """Items of the user menu that belong to the people layer: the membership queue for those who review it."""
    from hub.permissions import can_review_memberships

    return {"can_review_memberships": can_review_memberships(context.get("user"))}


def _languages(context) -> list[dict]:
    from django.utils.translation import get_language

    from hub.languages import language_choices, language_direction, page_in_language

    request = context.get("request")
    path = request.get_full_path() if request is not None else "/"
    current = get_language()
    # The switcher and the <link rel=alternate> list need the same addresses: worked out once per request.
    cached = getattr(request, "_hub_languages", None)
    if cached is not None and cached[0] == (path, current):
        return [dict(item) for item in cached[1]]
    languages = [
        {"code": code, "name": name, "url": page_in_language(path, code), "current": code == current,
         "dir": language_direction(code)}
        for code, name in language_choices()
    ]
    if request is not None:
        request._hub_languages = ((path, current), languages)
    return [dict(item) for item in languages]


@register.inclusion_tag("hub/_language_switcher.html", takes_context=True)
def language_switcher(context) -> dict:
    """Plain links to this page in each language, each named in itself: no form, so a page cached whole for
    anonymous readers carries no CSRF token and the links work without JavaScript."""
    return {"languages": _languages(context)}


@register.inclusion_tag("hub/_language_alternates.html", takes_context=True)
def language_alternates(context) -> dict:
    """`<link rel="alternate" hreflang>` for each language of this page, absolute as search engines want them."""
    request = context.get("request")
    languages = _languages(context)
    if request is not None:
        for language in languages:
            language["url"] = request.build_absolute_uri(language["url"])
    return {"languages": languages}
