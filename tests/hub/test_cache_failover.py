"""The Redis cache falls back to process memory while Redis does not answer: pages and rate limits go on."""
from __future__ import annotations

import importlib
import logging

import pytest
from django.test import override_settings

from hub import cache as hub_cache
from hub.envconfig import parse_cache_url

pytestmark = pytest.mark.django_db

# Nothing listens on port 1: every connection is refused at once, as when Redis is stopped.
DEAD_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def dead_cache():
    from django.core.cache import caches

    with override_settings(CACHES={"default": parse_cache_url(DEAD_REDIS)}):
        yield caches["default"]


def test_with_redis_down_the_cache_answers_from_process_memory(dead_cache, caplog):
    with caplog.at_level(logging.WARNING, logger="hub.cache"):
        dead_cache.set("k", "v", 30)
        assert dead_cache.get("k") == "v"
        assert dead_cache.add("n", 0) is True and dead_cache.incr("n") == 1
        assert dead_cache.get_many(["k", "missing"]) == {"k": "v"}
        dead_cache.delete("k")
        assert dead_cache.get("k") is None
    # Logged once, then Redis is left alone until the retry period is over.
    assert [r.getMessage()[:17] for r in caplog.records] == ["cache unavailable"]
    assert dead_cache.is_down


def test_with_redis_down_rate_limits_still_count_in_each_process(dead_cache):
    from hub import ratelimit

    assert [ratelimit.allow("comment", "u1", "2/m") for _ in range(3)] == [True, True, False]


def test_redis_is_tried_again_after_the_retry_period(dead_cache, monkeypatch):
    dead_cache.get("k")
    assert dead_cache.is_down
    monkeypatch.setattr(hub_cache.time, "monotonic", lambda: dead_cache._down_until + 0.1)
    assert not dead_cache.is_down


def test_with_redis_down_pages_still_serve_to_signed_in_people(dead_cache, client, settings):
    """Sessions are cached_db: with the cache gone they come from the database, so nobody is signed out."""
    from tests.factories import make_user

    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    client.force_login(make_user(name="Amina Diallo"))
    response = client.get("/profile/")
    assert response.status_code == 200 and "Amina Diallo" in response.content.decode()


def test_sessions_are_cached_db_with_redis_and_database_only_without(monkeypatch):
    import hub.settings

    try:
        monkeypatch.setenv("HUB_CACHE_URL", "redis://127.0.0.1:6379/4")
        assert importlib.reload(hub.settings).SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"
        monkeypatch.delenv("HUB_CACHE_URL")
        assert importlib.reload(hub.settings).SESSION_ENGINE == "django.contrib.sessions.backends.db"
    finally:
        monkeypatch.undo()
        importlib.reload(hub.settings)
