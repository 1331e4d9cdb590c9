"""A small fixed-window rate limiter on the cache, for forms that allauth does not cover (contact, comments)."""
from __future__ import annotations

import time

from django.core.cache import cache

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'5/h' -> (5, 3600)."""
    count, _, unit = rate.partition("/")
    return int(count), _UNITS[unit.strip().lower()[:1] or "m"]


def allow(scope: str, key: str, rate: str) -> bool:
    """Count one hit for (scope, key); False once the rate is exceeded within the current window."""
    limit, period = parse_rate(rate)
    window = int(time.time() // period)
    cache_key = f"rl:{scope}:{key}:{window}"
    cache.add(cache_key, 0, timeout=period + 5)
    try:
        hits = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=period + 5)
        hits = 1
    return hits <= limit


def client_key(request) -> str:
    """The user's id when signed in, otherwise the client address."""
    if request.user.is_authenticated:
        return f"u{request.user.pk}"
    return request.META.get("REMOTE_ADDR", "unknown")
