"""A throwaway production-shaped Hub on loopback, for bench/scale.py and bench/load.py.

Pieces, each started here and stopped at the end (nothing of the machine's own services is touched):
- PostgreSQL: the machine's server with a database of ours (default), or a cluster of our own made with initdb in a
  temporary folder (`own_postgres`, port 55432) that the fault tests may stop and restart;
- Redis for cache, sessions and rate limits: the machine's (one database number of ours) or our own redis-server on
  port 16379 that the fault tests may stop; the task broker stays on the machine's Redis (another database number);
- two (or more) gunicorn instances with deploy/gunicorn.conf.py, one Celery worker, all sharing one media folder;
- Debian's nginx, run with its own config file in the temporary folder, in front of the gunicorns.
Also: seeding the database (a workplan, discussions, stakeholders with ready-made sessions, a moderator) and a tiny
HTTP client (urllib, cookies, CSRF, multipart) that the scripts drive with threads.
"""
from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = str(ROOT / ".venv" / "bin" / "python")
BIN = ROOT / ".venv" / "bin"
PG_BIN = Path("/usr/lib/postgresql/15/bin")
MACHINE_PG = "postgres://postgres@127.0.0.1:5432"
MACHINE_REDIS = "redis://127.0.0.1:6379"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def wait_for(check, timeout: float, what: str, interval: float = 0.2) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            if check():
                return time.monotonic() - started
        except Exception:
            pass
        time.sleep(interval)
    raise RuntimeError(f"timed out after {timeout:.0f} s waiting for {what}")


def _as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


class OwnPostgres:
    """A PostgreSQL cluster of our own in `root`, on 127.0.0.1:`port`; stop()/start() for the fault tests."""

    def __init__(self, root: Path, port: int = 55432):
        self.root, self.port = root, port
        self.data, self.sock = root / "pgdata", root / "pgsock"

    def init(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.sock.mkdir(exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
            shutil.chown(self.sock, "postgres")
        subprocess.run(_as_postgres([str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                                     "--no-sync", "-E", "UTF8"]), check=True, capture_output=True)
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write("fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nmax_connections = 100\n")

    def start(self) -> None:
        subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "pg.log"),
                                     "-o", f"-p {self.port} -k {self.sock} -c listen_addresses=127.0.0.1",
                                     "-w", "start"]), check=True, capture_output=True)

    def stop(self, mode: str = "fast") -> None:
        subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"]),
                       capture_output=True)

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def base_url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}"


class OwnRedis:
    def __init__(self, root: Path, port: int = 16379):
        self.root, self.port, self.proc = root, port, None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.root), "--protected-mode", "yes"],
            stdout=open(self.root / f"redis-{self.port}.log", "a"), stderr=subprocess.STDOUT)
        import redis

        wait_for(lambda: redis.Redis(port=self.port, socket_connect_timeout=0.5).ping(), 10, "redis")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.proc = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"


def create_database(base_url: str, name: str) -> None:
    import psycopg2

    parts = urllib.parse.urlsplit(base_url)
    connection = psycopg2.connect(host=parts.hostname, port=parts.port, user="postgres", dbname="postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


class Stack:
    """The app servers, the worker and nginx for one run. `env` holds the settings they all share."""

    def __init__(self, *, root: Path, database_url: str, cache_url: str, broker_url: str, ports: list[int],
                 nginx_port: int, workers_per_server: int = 2, extra_env: dict | None = None):
        self.root = root
        self.media = root / "media"
        self.media.mkdir(parents=True, exist_ok=True)
        os.chmod(root, 0o755)
        self.ports, self.nginx_port = ports, nginx_port
        self.workers_per_server = workers_per_server
        self.servers: dict[int, subprocess.Popen] = {}
        self.worker = self.nginx = None
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "HUB_", "DATABASE_URL"))}
        self.env.update({
            "DJANGO_SETTINGS_MODULE": "hub.settings",
            "DJANGO_SECRET_KEY": "bench-" + uuid.uuid4().hex * 2,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": database_url,
            "HUB_CACHE_URL": cache_url,
            "HUB_BROKER_URL": broker_url,
            "HUB_MEDIA_ROOT": str(self.media),
            "HUB_STATIC_ROOT": str(root / "static"),
            "HUB_HTTPS": "0",  # plain HTTP on loopback; deploy/nginx-hub.conf does TLS in production
            "HUB_BEHIND_PROXY": "1",
            "HUB_ACCEL_REDIRECT_PREFIX": "/protected-media/",
            "HUB_SITE_URL": f"http://127.0.0.1:{nginx_port}",
            "HUB_LOG_LEVEL": "WARNING",
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        })
        self.env.update(extra_env or {})

    # --- preparing ---------------------------------------------------------------------------------------------
    def manage(self, *args: str, timeout: int = 600) -> str:
        result = subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True,
                                timeout=timeout)
        if result.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def prepare(self, *, stakeholders: int) -> dict:
        log("migrate, collectstatic")
        self.manage("migrate", "--noinput", "-v", "0")
        self.manage("collectstatic", "--noinput", "-v", "0")
        log(f"seeding {stakeholders} stakeholders")
        out = subprocess.run([PY, str(Path(__file__)), "seed", str(stakeholders)], cwd=ROOT, env=self.env,
                             capture_output=True, text=True, timeout=600)
        if out.returncode:
            raise RuntimeError(f"seeding failed:\n{out.stdout}\n{out.stderr}")
        return json.loads(out.stdout.strip().splitlines()[-1])

    def setup_django(self) -> None:
        """Django in this process too, with the stack's settings: for checks straight on the database."""
        os.environ.update(self.env)
        if str(ROOT) not in sys.path:
            sys.path.insert(0, str(ROOT))
        import django

        django.setup()

    # --- processes ---------------------------------------------------------------------------------------------
    def start_server(self, port: int) -> None:
        env = dict(self.env, HUB_WEB_BIND=f"127.0.0.1:{port}", HUB_WEB_WORKERS=str(self.workers_per_server),
                   HUB_GUNICORN_LOG_LEVEL="warning")
        self.servers[port] = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", str(ROOT / "deploy" / "gunicorn.conf.py")], cwd=ROOT, env=env,
            stdout=open(self.root / f"gunicorn-{port}.log", "a"), stderr=subprocess.STDOUT)

    def start(self) -> None:
        for port in self.ports:
            self.start_server(port)
        self.worker = subprocess.Popen(
            [str(BIN / "celery"), "-A", "hub", "worker", "--loglevel=INFO", "--concurrency=1",
             "-n", f"bench-{uuid.uuid4().hex[:8]}@%h"],
            cwd=ROOT, env=self.env, stdout=open(self.root / "worker.log", "a"), stderr=subprocess.STDOUT)
        self.start_nginx()
        for port in self.ports:
            wait_for(lambda port=port: urllib.request.urlopen(f"http://127.0.0.1:{port}/about/", timeout=5).status
                     == 200, 90, f"gunicorn on {port}")
        wait_for(lambda: urllib.request.urlopen(self.url("/about/"), timeout=5).status == 200, 30, "nginx")

    def start_nginx(self) -> None:
        conf = self.root / "nginx.conf"
        for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            path = self.root / "nginx-temp" / sub
            path.mkdir(parents=True, exist_ok=True)
            os.chmod(path, 0o777)
        upstreams = "\n".join(f"        server 127.0.0.1:{port} max_fails=0;" for port in self.ports)
        direct = "\n".join(
            f"    server {{ listen 127.0.0.1:{self.nginx_port + 1 + i}; include {self.root}/hub-locations.conf;"
            f" location / {{ proxy_pass http://127.0.0.1:{port}; include"
            f" {self.root}/hub-proxy.conf; }} }}" for i, port in enumerate(self.ports))
        (self.root / "hub-proxy.conf").write_text(
            "proxy_http_version 1.1; proxy_set_header Connection \"\"; proxy_set_header Host $host;\n"
            "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for; proxy_set_header X-Forwarded-Proto $scheme;\n"
            "proxy_set_header X-Request-ID $request_id; proxy_read_timeout 60s;\n"
            "proxy_next_upstream error timeout http_502; proxy_next_upstream_tries 2;\n")
        (self.root / "hub-locations.conf").write_text(
            f"client_max_body_size 32m;\n"
            f"location /static/ {{ alias {self.root}/static/; }}\n"
            f"location /protected-media/ {{ internal; alias {self.media}/; }}\n")
        conf.write_text(f"""
worker_processes 1;
pid {self.root}/nginx.pid;
error_log {self.root}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    access_log {self.root}/nginx-access.log;
    client_body_temp_path {self.root}/nginx-temp/client_body;
    proxy_temp_path {self.root}/nginx-temp/proxy;
    fastcgi_temp_path {self.root}/nginx-temp/fastcgi;
    uwsgi_temp_path {self.root}/nginx-temp/uwsgi;
    scgi_temp_path {self.root}/nginx-temp/scgi;
    upstream hub_app {{
{upstreams}
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{self.nginx_port};
        include {self.root}/hub-locations.conf;
        location / {{ proxy_pass http://hub_app; include {self.root}/hub-proxy.conf; }}
    }}
    # One address per app server, to prove that what one does the other sees.
{direct}
}}
""")
        self.nginx = subprocess.Popen(["/usr/sbin/nginx", "-p", str(self.root), "-c", str(conf), "-g", "daemon off;"],
                                      stdout=open(self.root / "nginx.out", "a"), stderr=subprocess.STDOUT)

    def server_url(self, index: int, path: str = "/") -> str:
        """The address of app server `index` alone (through nginx, so X-Accel-Redirect works there too)."""
        return f"http://127.0.0.1:{self.nginx_port + 1 + index}{path}"

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.nginx_port}{path}"

    def worker_pids(self, port: int) -> list[int]:
        master = self.servers[port].pid
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        return [int(pid) for pid in children]

    def stop(self) -> None:
        for proc in [*self.servers.values(), self.worker, self.nginx]:
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in [*self.servers.values(), self.worker, self.nginx]:
            if proc is not None:
                try:
                    proc.wait(20)
                except subprocess.TimeoutExpired:
                    proc.kill()


# --- a small HTTP client ---------------------------------------------------------------------------------------

class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Client:
    """One browser: its own cookies; `get`/`post` return (status, headers, body text, seconds)."""

    def __init__(self, session_key: str | None = None, host: str = "127.0.0.1"):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())
        if session_key:
            self.set_cookie("sessionid", session_key, host)

    def set_cookie(self, name: str, value: str, host: str = "127.0.0.1") -> None:
        self.jar.set_cookie(http.cookiejar.Cookie(
            0, name, value, None, False, host, False, False, "/", True, False, None, False, None, None, {}))

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)

    def request(self, method: str, url: str, data: bytes | None = None, headers: dict | None = None,
                timeout: float = 60) -> tuple[int, dict, str, float]:
        request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
        started = time.monotonic()
        try:
            with self.opener.open(request, timeout=timeout) as response:
                body = response.read()
                status, head = response.status, dict(response.headers)
        except urllib.error.HTTPError as exc:
            body = exc.read()
            status, head = exc.code, dict(exc.headers)
        return status, head, body.decode("utf-8", "replace"), time.monotonic() - started

    def get(self, url: str, **kwargs):
        return self.request("GET", url, **kwargs)

    def post(self, url: str, fields: dict | list, files: list[tuple[str, str, bytes, str]] = (), **kwargs):
        items = list(fields.items()) if isinstance(fields, dict) else list(fields)
        token = self.cookie("csrftoken")
        if token:
            items.append(("csrfmiddlewaretoken", token))
        boundary = uuid.uuid4().hex
        chunks = []
        for name, value in items:
            chunks.append(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                          .encode())
        for name, filename, data, content_type in files:
            chunks.append(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\""
                          f"\r\nContent-Type: {content_type}\r\n\r\n".encode() + data + b"\r\n")
        chunks.append(f"--{boundary}--\r\n".encode())
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", "Referer": url}
        return self.request("POST", url, data=b"".join(chunks), headers=headers, **kwargs)


def form_value(html: str, name: str) -> str | None:
    match = re.search(r'name="%s"[^>]*value="([^"]*)"' % re.escape(name), html) or \
        re.search(r'value="([^"]*)"[^>]*name="%s"' % re.escape(name), html)
    return match.group(1) if match else None


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


# --- seeding (run as `python bench/stack.py seed N` with the stack's environment) ----------------------------

def _seed(count: int) -> dict:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model

    from discussions.models import Discussion
    from hub.roles import MODERATORS
    from tests.factories import make_discussion, make_priority, make_question, make_user, make_workplan

    User = get_user_model()
    password = "bench-password-2026"
    hashed = User(username="x")
    hashed.set_password(password)
    workplan = make_workplan(slug=f"bench-{uuid.uuid4().hex[:6]}")
    priorities = [make_priority(workplan=workplan, kind="new") for _ in range(3)]
    moderator = make_user(email=f"moderator-{uuid.uuid4().hex[:6]}@bench.example", password=None, role=MODERATORS)
    load = make_discussion(workplan=workplan, moderation=Discussion.Moderation.POST, slug="load-" + uuid.uuid4().hex[:6])
    scale = make_discussion(workplan=workplan, moderation=Discussion.Moderation.PRE, slug="scale-" + uuid.uuid4().hex[:6],
                            moderators=[moderator])
    load_q, scale_q = make_question(discussion=load), make_question(discussion=scale)
    users = [make_user(email=f"stakeholder-{i}-{uuid.uuid4().hex[:6]}@bench.example", password=None)
             for i in range(count)]
    User.objects.filter(pk__in=[u.pk for u in [moderator, *users]]).update(password=hashed.password)
    store = import_module(settings.SESSION_ENGINE).SessionStore
    backend = settings.AUTHENTICATION_BACKENDS[0]
    sessions = []
    for user in User.objects.filter(pk__in=[u.pk for u in users]).order_by("pk"):
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = backend
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        session.save()
        sessions.append({"user": user.pk, "email": user.email, "session": session.session_key})
    return {"password": password, "moderator": moderator.email, "priorities": [p.pk for p in priorities],
            "load": {"slug": load.slug, "question": load_q.pk, "id": load.pk},
            "scale": {"slug": scale.slug, "question": scale_q.pk, "id": scale.pk}, "stakeholders": sessions}


if __name__ == "__main__" and len(sys.argv) == 3 and sys.argv[1] == "seed":
    print(json.dumps(_seed(int(sys.argv[2]))))
