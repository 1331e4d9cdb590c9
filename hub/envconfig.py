"""Reading settings from the environment: small pure functions, unit-tested in tests/hub/test_envconfig.py."""
from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_bool(environ: dict, name: str, default: bool = False) -> bool:
    """An on/off variable; anything unrecognised is an error rather than a silent default."""
    raw = environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}")


def env_list(environ: dict, name: str, default: list[str] | None = None) -> list[str]:
    """A comma-separated list; blanks are dropped."""
    raw = environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_int(environ: dict, name: str, default: int) -> int:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a whole number; got {raw!r}") from exc


def env_networks(environ: dict, name: str, default: list[str] | None = None) -> list[str]:
    """A comma-separated list of IP addresses or networks (CIDR), normalised; a bad entry is an error."""
    networks = []
    for item in env_list(environ, name, default):
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError as exc:
            raise ValueError(f"{name} must list IP addresses or networks such as 10.0.0.0/8; got {item!r}") from exc
    return networks


_RATE = re.compile(r"^\d+/[smhd]$")


def env_rate(environ: dict, name: str, default: str) -> str:
    """A rate limit 'N/s', 'N/m', 'N/h' or 'N/d' (N per second, minute, hour, day); checked at start-up."""
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    rate = raw.strip().lower()
    if not _RATE.match(rate):
        raise ValueError(f"{name} must look like 10/h (a number, then /s, /m, /h or /d); got {raw!r}")
    return rate


def parse_database_url(url: str | None, base_dir: Path) -> dict:
    """Turn DATABASE_URL into a Django DATABASES entry.

    No URL means the embedded SQLite file in the project. Accepted: sqlite:///relative/or/absolute/path,
    sqlite:////absolute/path, sqlite://:memory:, postgres://, postgresql://, pgsql://.
    """
    if not url:
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(base_dir / "db.sqlite3")}
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        if parts.netloc == ":memory:" or parts.path in ("/:memory:", ":memory:"):
            name = ":memory:"
        else:
            path = unquote(parts.path)
            if path.startswith("//"):
                name = path[1:]  # sqlite:////abs/path
            else:
                raw = path.lstrip("/")
                if not raw:
                    raise ValueError("DATABASE_URL sqlite:/// needs a file path")
                candidate = Path(raw)
                name = str(candidate if candidate.is_absolute() else base_dir / candidate)
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": name}
    if scheme in ("postgres", "postgresql", "pgsql"):
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ValueError("DATABASE_URL for PostgreSQL must name a database: postgres://user@host:5432/NAME")
        options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        config = {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": int(options.pop("conn_max_age", 60)),
            "CONN_HEALTH_CHECKS": True,
        }
        if options:
            config["OPTIONS"] = options
        return config
    raise ValueError(f"DATABASE_URL scheme {scheme!r} is not supported; use sqlite:/// or postgres://")


def parse_cache_url(url: str | None) -> dict:
    """Turn HUB_CACHE_URL into a Django CACHES entry: none → local memory; redis:// or rediss:// → Redis (with a
    per-process fall-back while Redis does not answer)."""
    if not url or url.startswith("locmem:"):
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "hub",
                "OPTIONS": {"MAX_ENTRIES": 5000}}
    scheme = urlsplit(url).scheme.lower()
    if scheme in ("redis", "rediss"):
        # Django's Redis backend, falling back to this process's memory while Redis is away (hub/cache.py).
        return {"BACKEND": "hub.cache.FailoverRedisCache", "LOCATION": url, "KEY_PREFIX": "hub"}
    raise ValueError(f"HUB_CACHE_URL scheme {scheme!r} is not supported; use redis://host:6379/0")
