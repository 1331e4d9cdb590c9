"""The site's error pages: 400, 403, 404, CSRF failure, 500 and 503.

400, 403, 404 and the CSRF failure use the full layout (templates/base.html): the database is there, and the
person keeps their menu. 500 and 503 are rendered from `hub/errors/lean_base.html` without the request's context
processors, so they never touch the database or the session: they work while PostgreSQL is down.

A 500 caused by the database being unreachable (OperationalError, InterfaceError: refused connection, server
restarting) answers 503 with `Retry-After` instead: the site is not broken, it is waiting for its database, and
Django reconnects on the next request (CONN_HEALTH_CHECKS), so it recovers by itself.
"""
from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import requires_csrf_token

log = logging.getLogger("hub.errors")

RETRY_AFTER_SECONDS = 10
_DATABASE_DOWN = (OperationalError, InterfaceError)


def back_url(request: HttpRequest) -> str | None:
    """Where the person came from, when that is a page of this site (never another site's address)."""
    referer = request.META.get("HTTP_REFERER", "")
    if not referer:
        return None
    try:
        host = request.get_host()
    except Exception:  # the 400 for a disallowed Host header: no host to compare with
        return None
    if url_has_allowed_host_and_scheme(referer, {host}, require_https=request.is_secure()):
        return referer
    return None


def _render(request: HttpRequest, template: str, status: int, *, full_layout: bool, **context) -> HttpResponse:
    context["back_url"] = back_url(request) if request is not None else None
    context["request_id"] = getattr(request, "request_id", "")
    if full_layout:
        content = loader.render_to_string(template, context, request)
    else:
        from django.conf import settings

        context["site_name"] = settings.HUB_SITE_NAME
        context["contact_email"] = settings.HUB_CONTACT_EMAIL
        content = loader.get_template(template).render(context)  # no request: no context processors, no DB
    return HttpResponse(content, status=status)


@requires_csrf_token
def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    # Django turns a session it could not save into a 400 (SessionInterrupted); when the database is what failed,
    # the truth is 503: nothing was wrong with the request, and sending it again will work.
    if database_is_down(exception or sys.exc_info()[1]):
        return service_unavailable(request)
    return _render(request, "hub/errors/400.html", 400, full_layout=False)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    reason = str(exception) if exception is not None and str(exception) else ""
    return _render(request, "hub/errors/403.html", 403, full_layout=True, reason=reason)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return _render(request, "hub/errors/404.html", 404, full_layout=True)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _render(request, "hub/errors/csrf.html", 403, full_layout=True)


def database_is_down(exc: BaseException | None) -> bool:
    """True when `exc` (or what caused it) says the database cannot be reached."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, _DATABASE_DOWN):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def service_unavailable(request: HttpRequest | None) -> HttpResponse:
    response = _render(request, "hub/errors/503.html", 503, full_layout=False)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: Django calls it while handling the exception, so sys.exc_info() names the cause."""
    if database_is_down(sys.exc_info()[1]):
        return service_unavailable(request)
    return _render(request, "hub/errors/500.html", 500, full_layout=False)
