"""Production settings pass `check --deploy` with no warnings, and development settings are flagged."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_check(extra_env: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "HUB_"))}
    env.update(extra_env)
    return subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_with_production_settings():
    result = run_check({
        "DJANGO_SECRET_KEY": "k3v9-prod-" + "x7Qp2LmZ8rT4wY6uN1bV5cE0aS3dF9gH" * 2,
        "DJANGO_ALLOWED_HOSTS": "hub.example.org",
        "DJANGO_CSRF_TRUSTED_ORIGINS": "https://hub.example.org",
        "HUB_SITE_URL": "https://hub.example.org",
    })
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


PRODUCTION = {
    "DJANGO_SECRET_KEY": "k3v9-prod-" + "x7Qp2LmZ8rT4wY6uN1bV5cE0aS3dF9gH" * 2,
    "DJANGO_ALLOWED_HOSTS": "hub.example.org",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://hub.example.org",
}


@pytest.mark.parametrize("site_url", [None, "http://localhost:8000", "http://127.0.0.1:8000", "https://[::1]/",
                                      "hub.example.org"])
def test_check_deploy_fails_when_the_site_url_is_unset_or_local(site_url):
    env = dict(PRODUCTION)
    if site_url is not None:
        env["HUB_SITE_URL"] = site_url
    result = run_check(env)
    assert result.returncode != 0
    assert "hub.E001" in result.stderr and "HUB_SITE_URL" in result.stderr


def test_check_deploy_flags_the_development_secret_key_and_debug():
    result = run_check({"DJANGO_DEBUG": "1"})
    assert result.returncode != 0
    assert "security.W009" in result.stderr  # the development secret key
    assert "security.W018" in result.stderr  # DEBUG on
