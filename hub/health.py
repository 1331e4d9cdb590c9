"""Health checks for load balancers and orchestrators.

- /healthz: the process answers. No database, no session, no cache: a web process that is up says so even when
  something behind it is down (restarting it would not help).
- /readyz: the database, the cache and the task broker answer, each within READY_TIMEOUT seconds; 200 with a small
  JSON of each check, 503 when one fails (take the process out of rotation until it passes again).

Both are exempt from the HTTPS redirect (SECURE_REDIRECT_EXEMPT), since load balancers probe over plain HTTP, and
neither reads nor sets a cookie.
"""
from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

READY_TIMEOUT = 2.0  # seconds, for each check

# A few threads of its own, so that a check that hangs (a database behind a dead network) cannot hold the request
# beyond the timeout; they are reused, so probes do not start threads without bound.
_pool = ThreadPoolExecutor(max_workers=3, thread_name_prefix="readyz")


def _database() -> None:
    from django.db import connections

    connection = connections["default"]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        connection.close()  # this thread's own connection: never left open


def _cache() -> None:
    from django.core.cache import cache

    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("the cache did not keep a value")
    cache.delete(key)


def _broker() -> str | None:
    if not settings.HUB_BROKER_URL:
        return "no broker: tasks run in the web process"
    from hub.celery import app

    with app.connection_for_write(settings.HUB_BROKER_URL) as connection:
        connection.ensure_connection(max_retries=1, interval_start=0, timeout=READY_TIMEOUT)
    return None


CHECKS = {"database": _database, "cache": _cache, "broker": _broker}


def _run(check) -> dict:
    started = time.monotonic()
    future = _pool.submit(check)
    try:
        note = future.result(timeout=READY_TIMEOUT)
    except FutureTimeout:
        return {"ok": False, "error": f"no answer within {READY_TIMEOUT:g} s"}
    except Exception as exc:  # noqa: BLE001 - any failure makes the process not ready
        return {"ok": False, "error": f"{exc.__class__.__name__}: {str(exc)[:200]}"}
    result = {"ok": True, "ms": round((time.monotonic() - started) * 1000, 1)}
    if note:
        result["note"] = note
    return result


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    checks = {name: _run(check) for name, check in CHECKS.items()}
    ready = all(result["ok"] for result in checks.values())
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503)
