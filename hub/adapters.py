"""The site's adjustments to django-allauth."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from hub.http import absolute_url
from hub.mail import queue_mail
from hub.ratelimit import client_ip


def _on_site_url(value, host: str | None):
    """A link allauth built from the request's host, moved onto HUB_SITE_URL (the address people are told to use,
    whatever Host header reached the server); anything else unchanged."""
    if not host or not isinstance(value, str) or not value.startswith(("http://", "https://")):
        return value
    parts = urlsplit(value)
    if parts.netloc != host:
        return value
    return absolute_url(parts.path + (f"?{parts.query}" if parts.query else "")
                        + (f"#{parts.fragment}" if parts.fragment else ""))


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request: HttpRequest) -> str:
        """allauth's rate limits key on the same client address as the site's own (HUB_TRUSTED_PROXIES), rather
        than its separate ALLAUTH_TRUSTED_PROXY_COUNT setting."""
        address = client_ip(request)
        if not address:
            raise PermissionDenied("Unable to determine client IP address")
        return address

    def add_message(self, request: HttpRequest, level: int, message_template: str | None = None,
                    message_context: dict[str, Any] | None = None, extra_tags: str = "",
                    message: str | None = None) -> None:
        """The "signed out" message tells the browser to forget unsent comment drafts kept on this device
        (static/discussions/draft.js reads the marker), so nothing personal stays after signing out."""
        if message_template == "account/messages/logged_out.txt":
            extra_tags = "hub-signed-out"
        super().add_message(request, level, message_template, message_context, extra_tags, message)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's mails (verification, password reset, notices) go through the task queue like every other
        mail (hub.mail), with their links on HUB_SITE_URL. Queued at once: allauth has saved what the mail refers
        to before it calls this, outside any transaction of ours (so on_commit would run at once too), and the
        task carries the finished text."""
        request = allauth_context.request
        try:
            host = request.get_host() if request is not None else None
        except Exception:  # noqa: BLE001 - a disallowed host: nothing of it is in the links then
            host = None
        ctx = {"request": request, "email": email, "current_site": get_current_site(request)}
        ctx.update(context)
        ctx = {key: _on_site_url(value, host) for key, value in ctx.items()}
        queue_mail(self.render_mail(template_prefix, email, ctx))
