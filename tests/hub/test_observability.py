"""Request ids on responses and log lines, JSON log lines, and the slow-request warning."""
from __future__ import annotations

import json
import logging

import pytest

from hub.observability import JsonFormatter, RequestIdFilter, logging_config, request_id_var

pytestmark = pytest.mark.django_db


def test_every_response_carries_a_fresh_request_id(client):
    first = client.get("/")["X-Request-ID"]
    second = client.get("/no-such-page/")["X-Request-ID"]
    assert len(first) == 32 and first != second


def test_a_redirect_carries_the_request_id_too(client):
    response = client.get("/profile/")
    assert response.status_code == 302 and response["X-Request-ID"]


def test_a_trusted_proxys_request_id_is_kept(client, settings):
    settings.HUB_TRUSTED_PROXIES = ["127.0.0.1/32"]
    response = client.get("/", HTTP_X_REQUEST_ID="5f2b9c0e1d7a4e3b8c6d9a0b1c2d3e4f", REMOTE_ADDR="127.0.0.1")
    assert response["X-Request-ID"] == "5f2b9c0e1d7a4e3b8c6d9a0b1c2d3e4f"


def test_anyone_elses_request_id_is_replaced(client, settings):
    settings.HUB_TRUSTED_PROXIES = ["127.0.0.1/32"]
    response = client.get("/", HTTP_X_REQUEST_ID="chosen-by-the-client-123", REMOTE_ADDR="203.0.113.9")
    assert response["X-Request-ID"] != "chosen-by-the-client-123"


@pytest.mark.parametrize("value", ["short", "a" * 65, "bad id with spaces", "x\r\nSet-Cookie: a=b", "ünïcode-12345"])
def test_a_request_id_that_is_not_sane_is_replaced_even_from_a_trusted_proxy(client, settings, value):
    settings.HUB_TRUSTED_PROXIES = ["127.0.0.1/32"]
    response = client.get("/", HTTP_X_REQUEST_ID=value, REMOTE_ADDR="127.0.0.1")
    assert response["X-Request-ID"] != value and len(response["X-Request-ID"]) == 32


def test_log_lines_during_a_request_carry_its_id(client, settings, caplog):
    settings.HUB_SLOW_REQUEST_MS = 0  # every request is "slow", so one is logged
    caplog.handler.addFilter(RequestIdFilter())
    with caplog.at_level(logging.WARNING, logger="hub.request"):
        response = client.get("/about/")
    [record] = [r for r in caplog.records if r.name == "hub.request"]
    assert record.request_id == response["X-Request-ID"]
    assert record.getMessage().startswith("slow request GET /about/ 200 ")
    assert record.status == 200 and record.path == "/about/" and record.duration_ms >= 0


def test_djangos_own_line_about_a_refused_request_carries_its_id(client, caplog):
    """Django logs "Not Found" after the middleware has answered; the id comes from the request it passes."""
    caplog.handler.addFilter(RequestIdFilter())
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/no-such-page/")
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.getMessage() == "Not Found: /no-such-page/"
    assert record.request_id == response["X-Request-ID"]


def test_a_fast_request_is_not_logged(client, settings, caplog):
    settings.HUB_SLOW_REQUEST_MS = 60_000
    with caplog.at_level(logging.WARNING, logger="hub.request"):
        client.get("/about/")
    assert not [r for r in caplog.records if r.name == "hub.request"]


def test_outside_a_request_the_id_is_a_dash():
    record = logging.LogRecord("hub", logging.INFO, __file__, 1, "hello", (), None)
    RequestIdFilter().filter(record)
    assert record.request_id == "-"


def test_the_json_formatter_writes_one_object_per_line_with_the_request_id_and_extras():
    token = request_id_var.set("abc123abc123")
    try:
        record = logging.LogRecord("hub.request", logging.WARNING, __file__, 1, "slow request %s", ("GET /",), None)
        record.status = 200
        RequestIdFilter().filter(record)
        line = JsonFormatter().format(record)
    finally:
        request_id_var.reset(token)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "slow request GET /" and entry["level"] == "WARNING"
    assert entry["logger"] == "hub.request" and entry["request_id"] == "abc123abc123" and entry["status"] == 200
    assert entry["time"].endswith("+00:00")


def test_the_json_formatter_keeps_the_traceback_in_one_line():
    try:
        raise ValueError("broken\nacross lines")
    except ValueError:
        import sys

        record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Internal Server Error", (),
                                   sys.exc_info())
    entry = json.loads(JsonFormatter().format(record))
    assert "ValueError: broken" in entry["exc"] and "Traceback" in entry["exc"]


def test_the_logging_setting_picks_the_json_formatter_and_the_request_id_filter():
    config = logging_config(level="INFO", log_format="json")
    assert config["formatters"]["hub"] == {"()": "hub.observability.JsonFormatter"}
    assert config["handlers"]["console"]["filters"] == ["request_id"]
    text = logging_config(level="INFO", log_format="text")
    assert "%(request_id)s" in text["formatters"]["hub"]["format"]


def test_a_server_error_is_logged_as_json_with_its_request_id():
    """The whole chain, in a fresh process: HUB_LOG_FORMAT=json, a 500, one JSON line an operator can grep."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    script = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='hub.settings'; django.setup();"
        "from django.test import Client;"
        "from django.conf import settings; settings.ROOT_URLCONF='tests.hub.error_urls';"
        "r=Client(raise_request_exception=False).get('/test/bug/', secure=True); print('RID', r['X-Request-ID'])"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "HUB_"))}
    env.update({"HUB_LOG_FORMAT": "json", "DATABASE_URL": "sqlite://:memory:", "DJANGO_ALLOWED_HOSTS": "testserver"})
    result = subprocess.run([sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True,
                            timeout=60)
    rid = result.stdout.split("RID ")[-1].strip()
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    errors = [e for e in lines if e["logger"] == "django.request"]
    assert errors, result.stderr
    assert errors[0]["level"] == "ERROR" and errors[0]["request_id"] == rid
    assert "ZeroDivisionError" in errors[0]["exc"] and errors[0]["status_code"] == 500
