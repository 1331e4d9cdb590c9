"""System checks of the site's own settings (`manage.py check`; the deploy ones with `check --deploy`)."""
from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, register

_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


def site_url_problem(url: str) -> str | None:
    """What is wrong with HUB_SITE_URL as the public address of a production site, or None."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "it is not an http:// or https:// address with a host name"
    if parts.query or parts.fragment:
        return "it carries a query or fragment"
    host = parts.hostname.lower()
    if host in _LOCAL_NAMES or host.endswith(".localhost"):
        return f"it points at this machine ({host})"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    if address.is_loopback or address.is_unspecified:
        return f"it points at this machine ({host})"
    return None


@register(Tags.security, deploy=True)
def check_site_url(app_configs=None, **kwargs) -> list:
    """Links in e-mails are made from HUB_SITE_URL: unset (the development default) or local, they lead nowhere."""
    if settings.DEBUG:
        return []
    problem = site_url_problem(settings.HUB_SITE_URL)
    if problem is None:
        return []
    return [Error(
        f"HUB_SITE_URL is {settings.HUB_SITE_URL!r}: {problem}, so links in e-mails would lead nowhere.",
        hint="Set HUB_SITE_URL to the site's public address, e.g. https://hub.example.org (the development default "
             "http://127.0.0.1:8000 applies when it is unset).",
        id="hub.E001",
    )]
