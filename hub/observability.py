"""What an operator reads: a request id on every log line and response, slow requests, and JSON log lines.

- `RequestIdMiddleware` (first in MIDDLEWARE) gives every request an id: the proxy's `X-Request-ID` when the request
  comes from a trusted proxy (HUB_TRUSTED_PROXIES) and the value is sane, otherwise a new one. It is answered in the
  `X-Request-ID` response header (gunicorn's access log prints it from there), kept in a context variable for the
  log filter, and a request slower than HUB_SLOW_REQUEST_MS is logged as a warning (`hub.request`, "slow request").
- `RequestIdFilter` puts `request_id` on every log record ("-" outside a request), so any format can print it.
- `JsonFormatter`: one JSON object per line when HUB_LOG_FORMAT=json. Our own thirty lines rather than
  python-json-logger: the fields are fixed and few, and it is one dependency less to keep up.
"""
from __future__ import annotations

import contextvars
import datetime
import ipaddress
import json
import logging
import re
import time
import traceback
import uuid
from typing import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

REQUEST_ID_HEADER = "X-Request-ID"
# What a proxy's id may look like: nginx's $request_id is 32 hex digits, others use UUIDs; nothing that could
# break a log line or a header.
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("hub_request_id", default="-")
slow_log = logging.getLogger("hub.request")


def new_request_id() -> str:
    return uuid.uuid4().hex


def incoming_request_id(request: HttpRequest) -> str | None:
    """The id a trusted proxy sent with this request, if it looks like one; None otherwise (anyone else's is
    ignored, so a client cannot write what it likes into our logs)."""
    value = request.META.get("HTTP_X_REQUEST_ID", "")
    if not value or not _SANE_ID.match(value):
        return None
    try:
        remote = ipaddress.ip_address(request.META.get("REMOTE_ADDR", "").strip())
    except ValueError:
        return None
    for entry in settings.HUB_TRUSTED_PROXIES:
        network = ipaddress.ip_network(entry, strict=False)
        if remote.version == network.version and remote in network:
            return value
    return None


class RequestIdMiddleware:
    """Give the request its id, answer it in a header, and log the request if it was slow."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = incoming_request_id(request) or new_request_id()
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            elapsed_ms = (time.monotonic() - started) * 1000
            if elapsed_ms >= settings.HUB_SLOW_REQUEST_MS:
                slow_log.warning("slow request %s %s %s %.0f ms", request.method, request.path, response.status_code,
                                 elapsed_ms, extra={"method": request.method, "path": request.path,
                                                    "status": response.status_code,
                                                    "duration_ms": round(elapsed_ms)})
            return response
        finally:
            request_id_var.reset(token)


class RequestIdFilter(logging.Filter):
    """Every record gets `request_id`: the current request's, or "-"."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            # Django logs a 4xx/5xx ("Not Found: /x") after the middleware has returned, passing the request.
            request = getattr(record, "request", None)
            record.request_id = getattr(request, "request_id", None) or request_id_var.get()
        return True


# Attributes every LogRecord has; anything else on a record came from `extra=` and goes into the JSON object.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "request_id"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id, the `extra` fields,
    and the traceback as `exc` when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", request_id_var.get()),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value if isinstance(value, (str, int, float, bool, type(None))) else str(value)
        if record.exc_info:
            entry["exc"] = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        elif record.exc_text:
            entry["exc"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def logging_config(*, level: str, log_format: str) -> dict:
    """The LOGGING setting: every line carries the request id; JSON or text; Django's request errors (500s,
    with traceback) and our slow-request warnings always reach the console."""
    formatter = {"()": "hub.observability.JsonFormatter"} if log_format == "json" else {"format": TEXT_FORMAT}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "hub.observability.RequestIdFilter"}},
        "formatters": {"hub": formatter},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "hub", "filters": ["request_id"]}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Server errors (and 503s) with their traceback, whatever the root level: "ERROR django.request";
            # refused requests (400, 403 with the CSRF reason, 404) as WARNING lines.
            "django.request": {"handlers": ["console"], "level": "WARNING", "propagate": False},
            "django.security": {"handlers": ["console"], "level": "WARNING", "propagate": False},
            "hub.request": {"handlers": ["console"], "level": "WARNING", "propagate": False},
            "hub.errors": {"handlers": ["console"], "level": "WARNING", "propagate": False},
            "hub.cache": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        },
    }
