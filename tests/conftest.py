"""Shared fixtures. Browser fixtures live in tests/browser/conftest.py."""
import os

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from the test body are
# still synchronous and safe there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    """Plain HTTP in tests (production settings force HTTPS), uploads in a throwaway folder, empty caches."""
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Most tests change rows directly (factories), not through audited services: the visitors' page cache is off
    # unless a test asks for it (the `page_cache` fixture, tests/hub/test_pagecache.py).
    settings.HUB_PAGE_CACHE_SECONDS = 0
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def page_cache(settings):
    """The visitors' page cache on, as in production."""
    settings.HUB_PAGE_CACHE_SECONDS = 300
    return settings
