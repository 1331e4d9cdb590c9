#!/usr/bin/env python
"""Benchmark: the demo consultation page served by gunicorn (2 sync workers), PostgreSQL and Redis, production settings.

Starts gunicorn on 127.0.0.1 with the production settings (DEBUG off, HUB_HTTPS=0, a random secret key, PostgreSQL
database hub_s1_bench, Redis cache db 7), loads the demo data, and runs wrk (bounded: -t2 -c16 -d5s, 3 rounds by default)
in rounds (medians reported) against:
  - a bare Django view returning the same bytes as the anonymous discussion page (bench-only URLs, bench/bare/),
  - the anonymous discussion page (served from the visitors' page cache),
  - the same page signed in as a demo stakeholder (session cookie from a real sign-in),
  - the signed-in page of the code before (--before REV, default 21f36c8, the code before issue 12), exported to a
    temporary folder and served the same way (its own gunicorn) against the same database, in the same rounds.
Then the cold render of a 1,000-comment discussion (bench/thread.py). Prints the figures and the targets:
anonymous >= 70 % of the bare view, signed-in >= 3x before, cold render < 300 ms.

    .venv/bin/python bench/serve.py [--duration 5] [--rounds 3] [--connections 16] [--before REV | --no-before]
                                    [--no-cold]
"""
from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
DATABASE = "hub_s1_bench"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
CACHE_URL = "redis://127.0.0.1:6379/7"
PORT, BEFORE_PORT = 8210, 8211
PAGE = "/discussions/draft-network-workplan-2022-2024/"
STAKEHOLDER = ("amina@demo.hub.localhost", "demo-hub-2026")
BEFORE_REV = "21f36c8"
RATIO_TARGET, SPEEDUP_TARGET, COLD_TARGET_MS = 0.70, 3.0, 300


def environment(tmp: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "HUB_", "DATABASE_URL"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "bench.bare.settings", "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "HUB_HTTPS": "0", "DATABASE_URL": DATABASE_URL, "HUB_CACHE_URL": CACHE_URL,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1", "HUB_MEDIA_ROOT": str(tmp / "media"),
        "HUB_STATIC_ROOT": str(tmp / "static"), "HUB_BENCH_BARE_FILE": str(tmp / "page.html"),
        "HUB_LOG_LEVEL": "ERROR", "PYTHONPATH": str(ROOT),
    })
    return env


def prepare_database(env: dict) -> None:
    exists = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc",
                             f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'"],
                            capture_output=True, text=True, check=True).stdout.strip()
    if exists != "1":
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-c", f"CREATE DATABASE {DATABASE}"],
                       check=True, capture_output=True)
    for command in (["migrate", "--no-input", "-v", "0"], ["load_demo", "--force"]):
        subprocess.run([PY, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run(["redis-cli", "-n", "7", "flushdb"], check=True, capture_output=True)


class Server:
    """gunicorn with 2 sync workers on 127.0.0.1:port, run from `root`; stopped (only this process) on exit."""

    def __init__(self, root: Path, port: int, env: dict) -> None:
        self.url = f"http://127.0.0.1:{port}"
        env = {**env, "PYTHONPATH": f"{root}{os.pathsep}{ROOT}"}
        self.process = subprocess.Popen(
            [GUNICORN, "--workers", "2", "--worker-class", "sync", "--bind", f"127.0.0.1:{port}",
             "--chdir", str(root), "--log-level", "warning", "--timeout", "60", "hub.wsgi:application"],
            cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/about/", timeout=5).read()
                return
            except Exception:  # noqa: BLE001 - not up yet
                if self.process.poll() is not None:
                    raise SystemExit("gunicorn exited: " + self.process.stderr.read().decode()[-2000:])
                time.sleep(0.3)
        self.stop()
        raise SystemExit("gunicorn did not answer within 30 s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def sign_in(base: str) -> str:
    """A real sign-in through the login form; returns the Cookie header of the signed-in session."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = opener.open(base + "/accounts/login/", timeout=10).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    data = urllib.parse.urlencode({"login": STAKEHOLDER[0], "password": STAKEHOLDER[1],
                                   "csrfmiddlewaretoken": token}).encode()
    request = urllib.request.Request(base + "/accounts/login/", data=data, headers={"Referer": base + "/"})
    opener.open(request, timeout=10).read()
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies:
        raise SystemExit("Signing in as the demo stakeholder failed: no session cookie")
    page = opener.open(base + PAGE, timeout=10).read().decode()
    if "Amina" not in page:
        raise SystemExit("The signed-in page does not show the stakeholder's name")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def wrk(url: str, args, cookie: str = "") -> float:
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s", "--timeout", "10s"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(command + [url], capture_output=True, text=True, check=True,
                         timeout=args.duration + 30).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise SystemExit(f"{url}: {errors.group(1)} error responses\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def cold_render_ms(root: Path = ROOT) -> float:
    """The cold column of bench/thread.py (run from `root`) for 1,000 comments."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "HUB_", "DATABASE_URL"))}
    env["PYTHONPATH"] = str(root)
    out = subprocess.run([PY, str(root / "bench" / "thread.py"), "--runs", "2"], cwd=root, capture_output=True,
                         text=True, check=True, timeout=400, env=env).stdout
    row = next(line for line in out.splitlines() if line.split() and line.split()[0] == "1000")
    return float(row.split()[5])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run (5)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of all wrk runs, medians reported (3)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--before", default=BEFORE_REV, help=f"revision for the signed-in 'before' ({BEFORE_REV})")
    parser.add_argument("--no-before", action="store_true", help="skip the before revision")
    parser.add_argument("--no-cold", action="store_true", help="skip the cold render (bench/thread.py)")
    args = parser.parse_args()
    args.duration = min(max(args.duration, 1), 60)
    args.connections = min(max(args.connections, 1), 64)
    args.rounds = min(max(args.rounds, 1), 5)

    tmp = Path(tempfile.mkdtemp(prefix="hub-bench-serve-"))
    servers: list[Server] = []
    cold = cold_before = None
    try:
        env = environment(tmp)
        prepare_database(env)
        server = Server(ROOT, PORT, env)
        servers.append(server)
        page = urllib.request.urlopen(server.url + PAGE, timeout=10).read()
        (tmp / "page.html").write_bytes(page)
        bare_url = server.url + "/__bench__/bare/"
        if urllib.request.urlopen(bare_url, timeout=10).read() != page:
            raise SystemExit("The bare view does not return the page's bytes")
        cookie = sign_in(server.url)
        old = old_cookie = None
        if not args.no_before:
            source = tmp / "before"
            source.mkdir()
            archive = subprocess.run(["git", "archive", args.before], cwd=ROOT, capture_output=True, check=True)
            subprocess.run(["tar", "-x", "-C", str(source)], input=archive.stdout, check=True)
            shutil.copytree(ROOT / "bench" / "bare", source / "bench" / "bare", dirs_exist_ok=True)
            old = Server(source, BEFORE_PORT, {**env, "HUB_PAGE_CACHE_SECONDS": "0"})
            servers.append(old)
            old_cookie = sign_in(old.url)
        # Rounds of every measure in turn, medians reported: the machine is shared and its load moves, so each
        # figure and the one it is compared with are taken side by side, several times.
        runs: dict[str, list[float]] = {"bare": [], "anonymous": [], "signed_in": [], "before": []}
        for _ in range(args.rounds):
            runs["bare"].append(wrk(bare_url, args))
            runs["anonymous"].append(wrk(server.url + PAGE, args))
            runs["signed_in"].append(wrk(server.url + PAGE, args, cookie))
            if old is not None:
                runs["before"].append(wrk(old.url + PAGE, args, old_cookie))
        results = {name: statistics.median(values) for name, values in runs.items() if values}
        before = results.get("before")
        for running in servers:
            running.stop()
        cold = None if args.no_cold else cold_render_ms()
        # The same measure of the code before, in the same conditions (the machine is shared: absolute figures
        # move with its load, the ratio much less).
        cold_before = None if args.no_cold or args.no_before else cold_render_ms(tmp / "before")
    finally:
        for server in servers:
            server.stop()
        subprocess.run(["redis-cli", "-n", "7", "flushdb"], capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)

    ratio = results["anonymous"] / results["bare"]
    print(f"Demo discussion page ({len(page) / 1024:.0f} KB), gunicorn 2 sync workers, PostgreSQL, Redis; "
          f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s, median of {args.rounds} rounds")
    print("  rounds: " + "; ".join(f"{name} " + "/".join(f"{v:.0f}" for v in values)
                                  for name, values in runs.items() if values))
    print(f"  bare Django view, same bytes : {results['bare']:8.1f} req/s")
    print(f"  anonymous discussion page    : {results['anonymous']:8.1f} req/s = {ratio:.0%} of the bare view "
          f"(target >= {RATIO_TARGET:.0%}: {'met' if ratio >= RATIO_TARGET else 'MISSED'})")
    print(f"  signed-in discussion page    : {results['signed_in']:8.1f} req/s")
    if before:
        speedup = results["signed_in"] / before
        print(f"  signed-in, before ({args.before}) : {before:8.1f} req/s; after/before = {speedup:.2f}x "
              f"(target >= {SPEEDUP_TARGET:.0f}x: {'met' if speedup >= SPEEDUP_TARGET else 'MISSED'})")
    if cold is not None:
        print(f"  cold render, 1,000 comments  : {cold:8.0f} ms (target < {COLD_TARGET_MS} ms: "
              f"{'met' if cold < COLD_TARGET_MS else 'MISSED'})")
    if cold_before is not None:
        print(f"  cold render, before          : {cold_before:8.0f} ms ({cold_before / cold:.1f}x slower)")
    print(f"  load average at the end      : {os.getloadavg()[0]:8.1f} (2 cores, shared)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
