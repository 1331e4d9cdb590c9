"""Whole public pages served to visitors from the cache, before the session or the database is touched.

What is stored: the complete response (status 200, body and every header: security headers, CSP,
Content-Language, Vary) of a GET to a view marked `@public_page`, made for a visitor: a request without a session
cookie. Never stored: a response that sets a cookie, used the CSRF token, carried messages or is not 200. A
request with a session cookie is never answered from the cache, so signed-in people always get a fresh page.

Keys: the scheme, host, path, query string and the language Django's LocaleMiddleware picks for the request (from
a URL prefix, the language cookie or Accept-Language), so the cache is right with or without i18n_patterns.

Invalidation: one generation token in the cache that every stored page carries. A page is served only if its token
is the current one, so replacing the token makes every stored page stale at once. `invalidate()` does that after the
transaction commits; `hub.audit.audit_log` calls it for every audited change (every service writes one), and the
few writes that bypass the services (the Django admin, demo data) call it themselves. The token is read before the
view runs, so a page rendered from data older than a change is stored under the old token and never served.

The cache failing (Redis down) only means pages are rendered again: every cache call here swallows its errors.
`HUB_PAGE_CACHE_SECONDS` (default 300; 0 turns the cache off) bounds how long a page is kept.
"""
from __future__ import annotations

import hashlib
import logging
import uuid
from functools import wraps
from typing import Any, Callable

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.core.cache import caches
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import get_urlconf
from django.utils import translation

logger = logging.getLogger(__name__)

GENERATION_KEY = "hub:pages:generation"
PAGE_KEY_PREFIX = "hub:pages:page:"
READ_KEY_PREFIX = "hub:pages:read:"
# Bump when the stored format changes.
FORMAT = 1
_ATTRIBUTE = "hub_public_page"


def _cache():
    return caches["default"]


def _seconds() -> int:
    return int(getattr(settings, "HUB_PAGE_CACHE_SECONDS", 0) or 0)


def enabled() -> bool:
    """Whether pages and reads are kept at all (HUB_PAGE_CACHE_SECONDS above 0)."""
    return _seconds() > 0


def public_page(view: Callable) -> Callable:
    """Mark a view whose GET, for a visitor, shows the same page to every visitor: it may be stored whole."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if request.method == "GET":
            setattr(response, _ATTRIBUTE, True)
        return response

    return wrapped


def keep_until(response: HttpResponse, when) -> HttpResponse:
    """The page changes by itself at `when` (a discussion opens or closes): never keep it past that moment."""
    if when is not None:
        from django.utils import timezone

        seconds = int((when - timezone.now()).total_seconds()) + 1
        current = getattr(response, "hub_page_max_seconds", None)
        response.hub_page_max_seconds = max(1, seconds if current is None else min(current, seconds))
    return response


def invalidate() -> None:
    """Make every stored page stale once the current transaction commits (at once outside one)."""
    transaction.on_commit(_new_generation)


def _new_generation() -> str | None:
    token = uuid.uuid4().hex
    try:
        _cache().set(GENERATION_KEY, token, timeout=None)
    except Exception:  # noqa: BLE001 - a cache that fails must never fail the write that was just committed
        logger.warning("Could not replace the page cache generation; stored pages expire on their own",
                       exc_info=True)
        return None
    return token


def cached_reads(builders: dict[str, Callable[[], Any]], also: tuple[str, ...] = ()) -> dict[str, Any]:
    """Reads that change only through audited writes, kept in the cache under the current generation: every value
    is read in one round trip with the generation, and those missing or older than it are built (and stored).
    Used for what signed-in pages share (a discussion's comments) and what a reader's permissions depend on.
    Off (always built) when HUB_PAGE_CACHE_SECONDS is 0; a failing cache means building, never an error.
    `also`: plain cache keys to read in the same round trip (no generation); their values, or None, are returned
    under the same keys."""
    seconds = _seconds()
    if seconds <= 0:
        return {key: build() for key, build in builders.items()}
    cache = _cache()
    keys = [READ_KEY_PREFIX + key for key in builders]
    try:
        found = cache.get_many([GENERATION_KEY, *keys, *also])
        generation = found.get(GENERATION_KEY)
        if generation is None:
            cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
            generation = cache.get(GENERATION_KEY)
    except Exception:  # noqa: BLE001
        logger.warning("Cache unavailable; reading from the database", exc_info=True)
        return {key: build() for key, build in builders.items()}
    values: dict[str, Any] = {key: found.get(key) for key in also}
    fresh = {}
    for (key, build), cache_key in zip(builders.items(), keys):
        stored = found.get(cache_key)
        if stored is not None and stored[0] == generation:
            values[key] = stored[1]
        else:
            # Built after the generation was read: if a change commits meanwhile, this is stored under the old
            # generation and never used.
            values[key] = build()
            fresh[cache_key] = (generation, values[key])
    if fresh and generation is not None:
        try:
            cache.set_many(fresh, timeout=seconds)
        except Exception:  # noqa: BLE001
            logger.warning("Could not keep reads in the cache", exc_info=True)
    return values


def _language(request: HttpRequest) -> str:
    """The language LocaleMiddleware will activate for this request (it never reads the session)."""
    urlconf = getattr(request, "urlconf", None) or get_urlconf() or settings.ROOT_URLCONF
    i18n_patterns_used, prefixed_default_language = is_language_prefix_patterns_used(urlconf)
    language = translation.get_language_from_request(request, check_path=i18n_patterns_used)
    if (not translation.get_language_from_path(request.path_info) and i18n_patterns_used
            and not prefixed_default_language):
        language = settings.LANGUAGE_CODE
    return language


def _page_key(request: HttpRequest) -> str:
    raw = "\n".join((request.scheme, request.get_host(), request.path, request.META.get("QUERY_STRING", ""),
                     _language(request)))
    return PAGE_KEY_PREFIX + hashlib.blake2b(raw.encode(), digest_size=20).hexdigest()


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    if not getattr(response, _ATTRIBUTE, False) or response.status_code != 200 or response.streaming:
        return False
    # get_token() (a form's {% csrf_token %}) sets this key: a page holding a token is its visitor's alone.
    if response.cookies or "CSRF_COOKIE_NEEDS_UPDATE" in request.META:
        return False
    if "private" in response.get("Cache-Control", "") or "no-store" in response.get("Cache-Control", ""):
        return False
    storage = getattr(request, "_messages", None)
    if storage is not None and (getattr(storage, "_queued_messages", None) or getattr(storage, "used", False)):
        return False
    session = getattr(request, "session", None)
    if session is not None and getattr(session, "modified", False):
        return False
    return True


class PageCacheMiddleware:
    """Serve visitors' GETs of public pages from the cache; store the ones that may be shared.

    Placed right after SecurityMiddleware and WhiteNoise, before the session, locale and authentication: a hit
    costs one cache round trip and no database query."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        seconds = _seconds()
        if (seconds <= 0 or request.method != "GET"
                or settings.SESSION_COOKIE_NAME in request.COOKIES):
            return self.get_response(request)
        try:
            key = _page_key(request)
        except Exception:  # noqa: BLE001 - a bad Host header: let the normal path answer it
            return self.get_response(request)
        generation, stored = self._read(key)
        if generation is not None and stored is not None and stored[0] == FORMAT and stored[1] == generation:
            return self._rebuild(stored)
        response = self.get_response(request)
        if generation is not None and _storable(request, response):
            self._write(key, generation, response, min(seconds, getattr(response, "hub_page_max_seconds", seconds)))
        return response

    def _read(self, key: str) -> tuple[str | None, tuple | None]:
        cache = _cache()
        try:
            found = cache.get_many([GENERATION_KEY, key])
            generation = found.get(GENERATION_KEY)
            if generation is None:
                # No generation yet (or evicted): start one, so nothing stored before can match it.
                token = uuid.uuid4().hex
                cache.add(GENERATION_KEY, token, timeout=None)
                generation = cache.get(GENERATION_KEY)
            return generation, found.get(key)
        except Exception:  # noqa: BLE001 - the cache being down means rendering, never an error
            logger.warning("Page cache unavailable; rendering", exc_info=True)
            return None, None

    def _write(self, key: str, generation: str, response: HttpResponse, seconds: int) -> None:
        headers = [(name, value) for name, value in response.items() if name.lower() != "set-cookie"]
        stored = (FORMAT, generation, response.status_code, headers, response.content,
                  response.charset)
        try:
            _cache().set(key, stored, timeout=seconds)
        except Exception:  # noqa: BLE001
            logger.warning("Could not store a page in the page cache", exc_info=True)

    @staticmethod
    def _rebuild(stored: tuple) -> HttpResponse:
        _, _, status, headers, content, charset = stored
        response = HttpResponse(content, status=status, charset=charset)
        for name, value in headers:
            response[name] = value
        response.hub_page_cache_hit = True
        return response
