"""A real task worker and a real mail server for tests and benchmarks that need both (tests/conftest.py: the
`task_worker` and `smtp_server` fixtures; bench/followers.py).

- `MailSink`: an aiosmtpd SMTP server on 127.0.0.1, started and stopped at will on a fixed port, so a test can let
  the worker meet a mail server that is down and then comes up.
- `Worker`: `celery -A hub worker` in a subprocess, consuming a queue of its own on the Redis broker
  (HUB_TEST_BROKER_URL, default redis://127.0.0.1:6379/1), with the database, mail server and site address given.
- `point_app_at_broker`: the test process's Celery app sends to that broker and queue instead of running tasks
  in-process.

Ports come from HUB_TEST_PORTS ("8300-8399") when set, else from the operating system.
"""
from __future__ import annotations

import contextlib
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from email import message_from_bytes, policy
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/1"


def broker_url() -> str:
    return os.environ.get("HUB_TEST_BROKER_URL") or DEFAULT_BROKER_URL


def broker_problem(url: str | None = None, timeout: float = 2.0) -> str | None:
    """Why the test broker cannot be used, or None when Redis answers."""
    url = url or broker_url()
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout).ping()
    except Exception as exc:  # noqa: BLE001 - any failure means: no broker
        return f"Redis at {url} is not reachable ({exc.__class__.__name__}: {exc})"
    return None


def free_port() -> int:
    """A port nobody listens on: from HUB_TEST_PORTS ("8300-8399") if set, else one the system picks."""
    spec = os.environ.get("HUB_TEST_PORTS", "").strip()
    candidates = [0]
    if spec:
        low, _, high = spec.partition("-")
        candidates = list(range(int(low), int(high or low) + 1))
        random.shuffle(candidates)
    for port in candidates:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise RuntimeError(f"No free port in HUB_TEST_PORTS={spec}")


# --- The mail server ----------------------------------------------------------------------------------------------

@dataclass
class ReceivedMail:
    sender: str
    recipients: list[str]
    message: object  # email.message.EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"] or "")

    @property
    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""


class MailSink:
    """An SMTP server that keeps what it receives; `start()` and `stop()` as often as needed, on one port."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.received: list[ReceivedMail] = []
        self._lock = threading.Lock()
        self._controller = None

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
                message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
                with sink._lock:
                    sink.received.append(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), message))
                return "250 Message accepted"

        self._controller = Controller(Handler(), hostname="127.0.0.1", port=self.port, ready_timeout=10)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def mails(self) -> list[ReceivedMail]:
        with self._lock:
            return list(self.received)

    def to(self, address: str) -> list[ReceivedMail]:
        return [m for m in self.mails() if address in m.recipients]

    def wait_for(self, count: int, timeout: float) -> list[ReceivedMail]:
        """Wait until at least `count` mails have arrived (or `timeout` seconds); returns what arrived."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.mails()) >= count:
                break
            time.sleep(0.05)
        return self.mails()


# --- The worker ---------------------------------------------------------------------------------------------------

def database_url_for(settings_dict: dict) -> str:
    """A DATABASE_URL (hub.envconfig) naming the database `settings_dict` uses now: the test database once the test
    run has created it. Query options of DATABASE_URL (sslmode, ...) are kept."""
    engine = settings_dict["ENGINE"]
    name = str(settings_dict["NAME"])
    if engine.endswith("sqlite3"):
        if name == ":memory:" or name.startswith("file:"):
            raise RuntimeError("A worker cannot share an in-memory SQLite database: the test database must be a file "
                               "(tests/conftest.py arranges it when tests marked `worker` are selected).")
        return f"sqlite:///{Path(name).resolve()}"
    original = os.environ.get("DATABASE_URL", "")
    if original:
        parts = urlsplit(original)
        return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))
    user = settings_dict.get("USER") or ""
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{auth}{settings_dict.get('HOST') or ''}{port}/{name}"


class Worker:
    """`celery -A hub worker` in a subprocess, on a queue of its own."""

    def __init__(self, *, database_url: str, smtp_port: int, site_url: str, broker: str | None = None,
                 extra_env: dict | None = None, concurrency: int = 1):
        self.broker = broker or broker_url()
        self.queue = f"hub-test-{uuid.uuid4().hex[:12]}"
        self.nodename = f"{self.queue}@127.0.0.1"
        self.log_path = Path(tempfile.mkstemp(prefix="hub-worker-", suffix=".log")[1])
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "HUB_", "EMAIL_"))}
        env.update({
            "DJANGO_SETTINGS_MODULE": "hub.settings",
            "DATABASE_URL": database_url,
            "HUB_BROKER_URL": self.broker,
            "HUB_TASK_QUEUE": self.queue,  # the tasks it queues itself (retries, batches) stay on its queue
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "HUB_SITE_URL": site_url,
            "HUB_HTTPS": "0",
            "HUB_MAIL_RETRY_DELAY": "1",  # 1, 2, 4, ... seconds: a test waits for a retry, not for half a minute
            "HUB_LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        })
        env.update(extra_env or {})
        self.env = env
        self.concurrency = concurrency
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> None:
        pool = ["--pool=solo"] if self.concurrency == 1 else ["--pool=prefork", f"--concurrency={self.concurrency}"]
        command = [sys.executable, "-m", "celery", "-A", "hub", "worker", *pool, "-Q", self.queue, "-n",
                   self.nodename, "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"]
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"The worker exited with {self.process.returncode}:\n{self.log()}")
            if b" ready." in self.log_path.read_bytes():
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"The worker was not ready within {timeout:.0f} s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-6000:]

    def stop(self, timeout: float = 15) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # warm shutdown: finishes the task in hand
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        if getattr(self, "_log", None):
            self._log.close()
        with contextlib.suppress(Exception):  # the run's queue (and any retry still waiting) goes with it
            from kombu import Connection

            with Connection(self.broker, connect_timeout=2) as connection:
                connection.default_channel.queue_delete(self.queue)
                with contextlib.suppress(Exception):
                    connection.default_channel.exchange_delete(self.queue)
        if self.broker.startswith(("redis://", "rediss://")):
            with contextlib.suppress(Exception):  # kombu's routing tables for the queue's exchange
                import redis

                client = redis.Redis.from_url(self.broker, socket_connect_timeout=2)
                for key in client.scan_iter(match=f"_kombu.binding*.{self.queue}"):
                    client.delete(key)
        self.log_path.unlink(missing_ok=True)


@contextlib.contextmanager
def point_app_at_broker(worker: Worker):
    """The test process's Celery app queues to the worker's broker and queue (instead of running tasks at once)."""
    from hub.celery import app

    keys = ("broker_url", "task_always_eager", "task_default_queue")
    saved = {key: app.conf[key] for key in keys}
    app.conf.update(broker_url=worker.broker, task_always_eager=False, task_default_queue=worker.queue)
    _forget_connections(app)
    try:
        yield app
    finally:
        app.conf.update(saved)
        _forget_connections(app)


def _forget_connections(app) -> None:
    """Forget the connection pool and queue declarations made for the previous configuration, so the next task
    is routed with the new one. (Neither `app.close()`, which unregisters the app so that tasks imported afterwards
    are not bound to it, nor closing the pool, which kombu keeps in a registry of its own and would hand out
    closed.)"""
    app._pool = None
    app.__dict__.pop("amqp", None)
