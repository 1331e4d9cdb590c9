"""The site's adjustments to django-allauth."""
from __future__ import annotations

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
