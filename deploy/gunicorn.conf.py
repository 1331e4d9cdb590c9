"""gunicorn settings for Hub: `gunicorn -c deploy/gunicorn.conf.py hub.wsgi` (what `make serve` runs).

Everything an operator changes comes from the environment (see deploy/hub.env.example):
HUB_WEB_BIND (default 127.0.0.1:8000), HUB_WEB_WORKERS (default 2 x cores + 1), HUB_WEB_TIMEOUT (30 s),
HUB_WEB_CONTROL_SOCKET (off), HUB_GUNICORN_LOG_LEVEL (info).
`kill -HUP <master pid>` (systemctl reload hub-web) starts new workers with the new code and settings and lets the
old ones finish their requests; `kill -TERM` stops gracefully.
"""
import multiprocessing
import os


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


wsgi_app = "hub.wsgi:application"
bind = os.environ.get("HUB_WEB_BIND", "127.0.0.1:8000").split(",")
workers = _int("HUB_WEB_WORKERS", 2 * multiprocessing.cpu_count() + 1)
worker_class = "sync"  # one request per process: a slow request never holds up another one's thread
timeout = _int("HUB_WEB_TIMEOUT", 30)  # a worker stuck longer is killed and replaced (its request answers 502)
graceful_timeout = 30
keepalive = 5  # behind nginx, which keeps its upstream connections short
# Recycle workers now and then, so a slow leak in any library can never grow without bound.
max_requests = 2000
max_requests_jitter = 200
# Heartbeat files in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# No preload: a HUP reload re-imports the code, so a deploy needs no restart.
preload_app = False
# gunicorn's control socket (gunicornc) lives at one per-user path by default, so two instances on one machine
# would fight over it: off unless HUB_WEB_CONTROL_SOCKET names a path of its own. HUP and TERM work without it.
_control = os.environ.get("HUB_WEB_CONTROL_SOCKET", "").strip()
control_socket_disable = not _control
if _control:
    control_socket = _control
# nginx is the only client; the app itself decides whom to believe (HUB_BEHIND_PROXY, HUB_TRUSTED_PROXIES).
forwarded_allow_ips = "127.0.0.1,::1"

# Access log on stdout (journald keeps it), one line per request with the request id the app answered, so a line
# of the app's own log ("[<id>]") and the access line of the same request share it.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("HUB_GUNICORN_LOG_LEVEL", "info")
access_log_format = ('%(h)s %(t)s "%(r)s" %(s)s %(B)s %(M)sms rid=%({x-request-id}o)s "%(f)s" "%(a)s"')

if os.environ.get("HUB_LOG_FORMAT", "text").strip().lower() == "json":
    # The same JSON lines as the app (hub/observability.py): the access line is the "message".
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "hub.observability.JsonFormatter"}},
        "filters": {"request_id": {"()": "hub.observability.RequestIdFilter"}},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request_id"],
                        "stream": "ext://sys.stdout"},
        },
        "loggers": {
            "gunicorn.error": {"handlers": ["console"], "level": loglevel.upper(), "propagate": False},
            "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
        },
    }
