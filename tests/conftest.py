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
    # A request to /fr/… leaves French active in this thread (LocaleMiddleware activates, nothing resets), and
    # the next test's reverse() would then build /fr/ URLs.
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


# --- Tests against a real task worker and mail server (marker `worker`) ------------------------------------------

def pytest_collection_modifyitems(config, items):
    """A worker runs in another process, so it cannot see an in-memory SQLite test database: when tests marked
    `worker` are selected, the SQLite test database becomes a file (in /dev/shm when there is one, so it stays
    fast) before pytest-django creates it. PostgreSQL needs nothing: the worker connects to the test database."""
    if not any(item.get_closest_marker("worker") for item in items):
        return
    from django.db import connections

    connection = connections["default"]
    test = connection.settings_dict.setdefault("TEST", {})
    if connection.vendor == "sqlite" and not test.get("NAME"):
        import tempfile
        from pathlib import Path

        folder = Path("/dev/shm") if Path("/dev/shm").is_dir() and os.access("/dev/shm", os.W_OK) else None
        handle, name = tempfile.mkstemp(prefix="hub-test-", suffix=".sqlite3", dir=folder)
        os.close(handle)
        test["NAME"] = name
        config._hub_sqlite_test_file = name


def pytest_unconfigure(config):
    name = getattr(config, "_hub_sqlite_test_file", None)
    if name:
        for suffix in ("", "-journal", "-wal", "-shm"):
            try:
                os.unlink(name + suffix)
            except FileNotFoundError:
                pass


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on a free port, not started: a test starts it when the mail server should be
    up (`smtp_server.start()`), so it can also show what happens while it is down."""
    from tests.worker import MailSink

    sink = MailSink()
    yield sink
    sink.stop()


@pytest.fixture
def task_worker(transactional_db, smtp_server, settings):
    """A real `celery -A hub worker` consuming from Redis, on the test database, sending to `smtp_server`; the test
    process queues its tasks there. Without Redis the test is skipped, or fails when CI is set."""
    from django.db import connection

    from tests.worker import Worker, broker_problem, database_url_for, point_app_at_broker

    problem = broker_problem()
    if problem:
        message = f"{problem}: the worker tests need it (start it with `redis-server --daemonize yes`)."
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    settings.HUB_SITE_URL = "https://consult.example.org"
    worker = Worker(database_url=database_url_for(connection.settings_dict), smtp_port=smtp_server.port,
                    site_url=settings.HUB_SITE_URL)
    worker.start()
    try:
        with point_app_at_broker(worker):
            yield worker
    finally:
        worker.stop()


@pytest.fixture
def page_cache(settings):
    """The visitors' page cache on, as in production."""
    settings.HUB_PAGE_CACHE_SECONDS = 300
    return settings
