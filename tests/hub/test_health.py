"""/healthz answers without database or session; /readyz says whether the database, cache and broker answer."""
import time

import pytest

from hub import health


@pytest.fixture
def https_enforced(settings):
    settings.SECURE_SSL_REDIRECT = True  # production: everything else is redirected to https://


def test_healthz_answers_over_plain_http_without_database_or_session(client, https_enforced):
    # No django_db mark: any database access in the request would raise.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert not response.cookies
    assert "no-cache" in response["Cache-Control"]


def test_other_pages_are_still_redirected_to_https(client, https_enforced):
    assert client.get("/about/").status_code == 301


@pytest.mark.django_db
def test_readyz_reports_each_check_when_all_answer(client, https_enforced):
    response = client.get("/readyz")
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "ok"
    assert set(data["checks"]) == {"database", "cache", "broker"}
    assert all(check["ok"] for check in data["checks"].values())
    assert "no broker" in data["checks"]["broker"]["note"]
    assert not response.cookies


@pytest.mark.django_db
def test_readyz_answers_503_naming_the_check_that_failed(client, monkeypatch):
    def broken():
        raise ConnectionError("database unreachable")

    monkeypatch.setitem(health.CHECKS, "database", broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    data = response.json()
    assert data["status"] == "unavailable"
    assert data["checks"]["database"] == {"ok": False, "error": "ConnectionError: database unreachable"}
    assert data["checks"]["cache"]["ok"] is True


@pytest.mark.django_db
def test_a_check_that_hangs_is_cut_off_at_the_timeout(client, monkeypatch):
    monkeypatch.setattr(health, "READY_TIMEOUT", 0.2)
    monkeypatch.setitem(health.CHECKS, "cache", lambda: time.sleep(2))
    started = time.monotonic()
    response = client.get("/readyz")
    assert time.monotonic() - started < 1.5
    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == {"ok": False, "error": "no answer within 0.2 s"}


@pytest.mark.django_db
def test_readyz_fails_when_the_broker_does_not_answer(client, settings):
    settings.HUB_BROKER_URL = "redis://127.0.0.1:9/0"  # the discard port: nothing listens there
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False
