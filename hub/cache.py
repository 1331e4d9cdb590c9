"""Django's Redis cache, made to survive Redis being away.

When Redis does not answer, each operation falls back to a small local-memory cache in this process, and Redis is
not tried again for a few seconds (so a dead Redis costs one failed connection per process every few seconds,
not one per cache call). What that means for the site while Redis is down:
- pages keep serving; cached fragments are recomputed per process;
- sessions (`cached_db`) are read from the database, so nobody is signed out;
- rate limits, allauth's included, count per process instead of across all of them. They "fail open" only that
  far: each process still enforces the limit, so a flood is held to (number of processes) x the limit. Failing
  closed would refuse every comment and sign-in for as long as the cache is down, which is worse for a
  consultation than a few more posts (which are moderated, need a verified account, and are idempotent).
Every fall-back is logged (logger `hub.cache`, at most once per retry period per process).
"""
from __future__ import annotations

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

log = logging.getLogger("hub.cache")

RETRY_SECONDS = 5.0


def _redis_errors() -> tuple[type[BaseException], ...]:
    import redis

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


class FailoverRedisCache(RedisCache):
    def __init__(self, server, params):
        options = params.setdefault("OPTIONS", {})
        # Loopback or LAN: an answer takes milliseconds; waiting longer only holds the request.
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 1.0)
        super().__init__(server, params)
        self._fallback = LocMemCache(f"hub-failover-{id(self)}", {"OPTIONS": {"MAX_ENTRIES": 5000}})
        self._down_until = 0.0
        self._errors = _redis_errors()

    @property
    def is_down(self) -> bool:
        return time.monotonic() < self._down_until

    def _call(self, name: str, *args, **kwargs):
        if not self.is_down:
            try:
                return getattr(super(), name)(*args, **kwargs)
            except self._errors as exc:
                self._down_until = time.monotonic() + RETRY_SECONDS
                log.warning("cache unavailable, using this process's memory for %.0f s: %s: %s", RETRY_SECONDS,
                            type(exc).__name__, exc, extra={"event": "cache_failover"})
        return getattr(self._fallback, name)(*args, **kwargs)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", key, version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", keys, version)

    def clear(self):
        self._fallback.clear()
        return self._call("clear")
