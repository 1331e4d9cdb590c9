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
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
    # A request to /fr/… leaves French active in this thread (LocaleMiddleware activates, nothing resets), and
    # the next test's reverse() would then build /fr/ URLs.
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
