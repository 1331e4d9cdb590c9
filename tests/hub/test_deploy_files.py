"""The files in deploy/ hold together: gunicorn's settings read the environment, nginx accepts the site, the
environment template names every variable the settings read."""
from __future__ import annotations

import os
import re
import runpy
import shutil
import subprocess
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
SETTINGS = Path(__file__).resolve().parents[2] / "hub" / "settings.py"


def gunicorn_settings(monkeypatch, **env) -> dict:
    for name in ("HUB_WEB_WORKERS", "HUB_WEB_BIND", "HUB_LOG_FORMAT", "HUB_WEB_CONTROL_SOCKET"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))


def test_gunicorn_takes_its_workers_and_address_from_the_environment(monkeypatch):
    config = gunicorn_settings(monkeypatch, HUB_WEB_WORKERS="3", HUB_WEB_BIND="127.0.0.1:8101")
    assert config["workers"] == 3 and config["bind"] == ["127.0.0.1:8101"]
    assert config["preload_app"] is False  # HUP reloads the code
    assert "%({x-request-id}o)s" in config["access_log_format"]
    assert config["control_socket_disable"] is True


def test_gunicorn_defaults_to_two_workers_per_core_plus_one_and_logs_json_when_asked(monkeypatch):
    config = gunicorn_settings(monkeypatch, HUB_LOG_FORMAT="json")
    assert config["workers"] == 2 * os.cpu_count() + 1
    formatter = config["logconfig_dict"]["formatters"]["json"]["()"]
    assert formatter == "hub.observability.JsonFormatter"


def test_the_environment_template_names_every_variable_the_settings_read():
    read = set(re.findall(r'(?:ENV\.get\(|env_\w+\(ENV, )"([A-Z_]+)"', SETTINGS.read_text()))
    template = (DEPLOY / "hub.env.example").read_text()
    assert read and not [name for name in read if f"{name}=" not in template]
    # systemd's EnvironmentFile takes no comment after a value.
    assert not [line for line in template.splitlines() if not line.startswith("#") and "#" in line]


@pytest.mark.skipif(not (Path("/usr/sbin/nginx").exists() and shutil.which("openssl")), reason="needs nginx, openssl")
def test_nginx_accepts_the_site(tmp_path):
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", tmp_path / "k.pem",
                    "-out", tmp_path / "c.pem", "-days", "1", "-subj", "/CN=hub.example.org"],
                   check=True, capture_output=True)
    site = (DEPLOY / "nginx-hub.conf").read_text()
    site = site.replace("/etc/letsencrypt/live/hub.example.org/fullchain.pem", str(tmp_path / "c.pem"))
    site = site.replace("/etc/letsencrypt/live/hub.example.org/privkey.pem", str(tmp_path / "k.pem"))
    site = site.replace("/var/log/nginx/", f"{tmp_path}/")
    (tmp_path / "site.conf").write_text(site)
    log_format = re.search(r"# (log_format combined_rid .*?;)\n", site.replace("\n#                         ", " "),
                           re.S).group(1)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log; events {{}}\n"
        f"http {{ include /etc/nginx/mime.types; {log_format} include {tmp_path}/site.conf; }}\n")
    result = subprocess.run(["/usr/sbin/nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
