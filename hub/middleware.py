"""Response headers that Django has no setting for."""
from __future__ import annotations

from typing import Callable

from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware

PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"


class PermissionsPolicyMiddleware:
    """Deny powerful browser features the site never uses."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's LocaleMiddleware, without `Vary: Accept-Language` on unprefixed pages.

    With `i18n_patterns(prefix_default_language=False)` an unprefixed URL is always English (the middleware sets
    LANGUAGE_CODE whatever the browser asks), yet Django still marks the response as varying by Accept-Language, so
    a shared cache would keep one copy of each page per browser language. The URL alone says the language."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        response = super().process_response(request, response)
        vary = [v.strip() for v in response.headers.get("Vary", "").split(",") if v.strip()]
        if any(v.lower() == "accept-language" for v in vary):
            kept = [v for v in vary if v.lower() != "accept-language"]
            if kept:
                response.headers["Vary"] = ", ".join(kept)
            else:
                del response.headers["Vary"]
        return response
