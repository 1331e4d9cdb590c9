"""The site's languages as people pick them: each language in its own name (a French reader looking for
"Español" finds it whatever the page's language), and the `dir` a text in that language is written in."""
from __future__ import annotations

from django.conf import settings
from django.utils.functional import lazy
from django.utils import translation
from django.utils.translation import get_language_info, gettext_lazy as _

OTHER = "other"


def language_choices() -> list[tuple[str, str]]:
    """The interface languages, each named in itself ("Français", "العربية")."""
    return [(code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES]


def content_language_choices() -> list[tuple[str, str]]:
    """What a comment can be written in: the interface languages, or another one."""
    return [*language_choices(), (OTHER, _("Another language"))]


def language_direction(code: str) -> str:
    """`rtl` for a right-to-left language of the site, `ltr` otherwise (including "other", which we cannot know)."""
    if code in dict(settings.LANGUAGES) and code in settings.LANGUAGES_BIDI:
        return "rtl"
    return "ltr"


def _interpolate(message, params: dict) -> str:
    from django.utils.formats import number_format

    return str(message) % {key: number_format(value, force_grouping=True) if isinstance(value, int) else value
                           for key, value in params.items()}


# `gettext_lazy("… %(n)s …") % {…}` at import time translates once, into the default language, for ever: this
# keeps both the translation and the number's formatting (1,000 / 1 000 / 1.000) until the text is shown.
interpolate_lazy = lazy(_interpolate, str)


def page_in_language(path: str, code: str) -> str:
    """The address of the same page in another language: /discussions/x/ ↔ /fr/discussions/x/ (query kept)."""
    from urllib.parse import unquote, urlsplit

    from django.urls import Resolver404, resolve, translate_url

    try:
        resolve(unquote(urlsplit(path).path))
    except Resolver404:
        pass
    else:
        return translate_url(path, code)
    # A page that does not resolve (a 404) still gets a link: swap or add the prefix by hand.
    head, _sep, query = path.partition("?")
    parts = head.lstrip("/").split("/", 1)
    if parts[0] in dict(settings.LANGUAGES):
        head = "/" + (parts[1] if len(parts) > 1 else "")
    prefix = "" if code == settings.LANGUAGE_CODE else f"/{code}"
    return f"{prefix}{head}" + (f"?{query}" if query else "")


def preferred_language(user) -> str:
    """The language a person's e-mails are written in: the one on their profile, else the site's default."""
    profile = getattr(user, "profile", None) if user is not None else None
    language = getattr(profile, "language", "") or settings.LANGUAGE_CODE
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def language_label(value: str) -> str:
    """A language named in data ("fr", "French", "Français") in the reader's language ("francés" on a Spanish
    page); anything else unchanged."""
    wanted = value.strip().lower()
    for code, name in settings.LANGUAGES:
        info = get_language_info(code)
        if wanted in (code, info["name"].lower(), info["name_local"].lower()):
            return str(name)
    return value
