"""The site's adjustments to django-allauth."""
from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from hub.ratelimit import client_ip


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
