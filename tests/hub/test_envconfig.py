from pathlib import Path

import pytest

from hub.envconfig import env_bool, env_int, env_list, env_networks, env_rate, parse_cache_url, parse_database_url

BASE = Path("/srv/hub")


def test_no_database_url_means_the_sqlite_file_in_the_project():
    assert parse_database_url(None, BASE) == {"ENGINE": "django.db.backends.sqlite3", "NAME": "/srv/hub/db.sqlite3"}


@pytest.mark.parametrize("url, name", [
    ("sqlite:///data/hub.db", "/srv/hub/data/hub.db"),
    ("sqlite:////var/lib/hub.db", "/var/lib/hub.db"),
    ("sqlite://:memory:", ":memory:"),
])
def test_sqlite_urls_accept_relative_absolute_and_memory_paths(url, name):
    config = parse_database_url(url, BASE)
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == name


def test_postgres_url_is_split_into_its_parts_with_quoted_characters_decoded():
    config = parse_database_url("postgres://hub:p%40ss@db.example.org:6543/hub_prod?sslmode=require", BASE)
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["USER"], config["PASSWORD"], config["HOST"], config["PORT"]) == (
        "hub_prod", "hub", "p@ss", "db.example.org", "6543")
    assert config["OPTIONS"] == {"sslmode": "require"}


def test_postgresql_scheme_without_password_or_port_works_with_trust_auth():
    config = parse_database_url("postgresql://postgres@127.0.0.1/hub_ci", BASE)
    assert (config["USER"], config["PASSWORD"], config["HOST"], config["PORT"]) == ("postgres", "", "127.0.0.1", "")


@pytest.mark.parametrize("url", ["mysql://root@localhost/hub", "postgres://localhost", "sqlite:///"])
def test_unsupported_or_incomplete_database_urls_are_refused_with_a_message(url):
    with pytest.raises(ValueError, match="DATABASE_URL"):
        parse_database_url(url, BASE)


@pytest.mark.parametrize("raw, expected", [("1", True), ("true", True), ("YES", True), ("on", True),
                                           ("0", False), ("false", False), ("no", False), ("", False)])
def test_env_bool_reads_the_usual_words(raw, expected):
    assert env_bool({"X": raw}, "X") is expected


def test_env_bool_refuses_a_word_it_does_not_know_instead_of_guessing():
    with pytest.raises(ValueError, match="X must be"):
        env_bool({"X": "maybe"}, "X")


def test_env_bool_and_list_fall_back_to_their_defaults_when_unset():
    assert env_bool({}, "X", default=True) is True
    assert env_list({}, "X", ["a"]) == ["a"]


def test_env_list_splits_on_commas_and_drops_blanks():
    assert env_list({"H": " hub.example.org, ,www.hub.example.org "}, "H") == ["hub.example.org", "www.hub.example.org"]


def test_env_int_names_the_variable_when_it_is_not_a_number():
    assert env_int({"N": "42"}, "N", 1) == 42
    with pytest.raises(ValueError, match="N must be a whole number"):
        env_int({"N": "many"}, "N", 1)


def test_no_cache_url_means_the_local_memory_cache():
    assert parse_cache_url(None)["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


def test_a_redis_cache_url_selects_the_redis_backend_with_that_location():
    config = parse_cache_url("redis://127.0.0.1:6379/2")
    assert config["BACKEND"] == "hub.cache.FailoverRedisCache"
    assert config["LOCATION"] == "redis://127.0.0.1:6379/2"


def test_an_unknown_cache_url_is_refused_with_a_message():
    with pytest.raises(ValueError, match="HUB_CACHE_URL"):
        parse_cache_url("memcached://localhost:11211")


def test_trusted_proxies_are_addresses_or_networks_normalised():
    environ = {"HUB_TRUSTED_PROXIES": "10.0.0.5, 172.16.0.0/12,::1, fd00::/8"}
    assert env_networks(environ, "HUB_TRUSTED_PROXIES") == ["10.0.0.5/32", "172.16.0.0/12", "::1/128", "fd00::/8"]
    assert env_networks({}, "HUB_TRUSTED_PROXIES", ["127.0.0.1"]) == ["127.0.0.1/32"]
    assert env_networks({}, "HUB_TRUSTED_PROXIES") == []


def test_a_trusted_proxy_that_is_not_an_address_is_refused_with_a_message():
    with pytest.raises(ValueError, match="HUB_TRUSTED_PROXIES .*'proxy.local'"):
        env_networks({"HUB_TRUSTED_PROXIES": "10.0.0.1,proxy.local"}, "HUB_TRUSTED_PROXIES")


@pytest.mark.parametrize("raw, rate", [(None, "5/h"), ("", "5/h"), ("10/m", "10/m"), (" 3/D ", "3/d")])
def test_rate_limits_read_as_a_count_per_unit(raw, rate):
    environ = {} if raw is None else {"HUB_CONTACT_RATE_LIMIT": raw}
    assert env_rate(environ, "HUB_CONTACT_RATE_LIMIT", "5/h") == rate


@pytest.mark.parametrize("raw", ["ten/h", "10", "10/hours", "10/w", "-1/h"])
def test_a_malformed_rate_limit_is_refused_at_start_up(raw):
    with pytest.raises(ValueError, match="HUB_COMMENT_EDIT_RATE_LIMIT"):
        env_rate({"HUB_COMMENT_EDIT_RATE_LIMIT": raw}, "HUB_COMMENT_EDIT_RATE_LIMIT", "20/h")


def test_behind_a_proxy_loopback_is_trusted_by_default_and_otherwise_nothing(monkeypatch):
    import importlib

    import hub.settings

    try:
        monkeypatch.delenv("HUB_TRUSTED_PROXIES", raising=False)
        monkeypatch.setenv("HUB_BEHIND_PROXY", "0")
        assert importlib.reload(hub.settings).HUB_TRUSTED_PROXIES == []
        monkeypatch.setenv("HUB_BEHIND_PROXY", "1")
        assert importlib.reload(hub.settings).HUB_TRUSTED_PROXIES == ["127.0.0.1/32", "::1/128"]
        monkeypatch.setenv("HUB_TRUSTED_PROXIES", "10.1.2.3")
        assert importlib.reload(hub.settings).HUB_TRUSTED_PROXIES == ["10.1.2.3/32"]
    finally:
        monkeypatch.undo()
        importlib.reload(hub.settings)


def test_rate_limits_work_against_the_real_redis_server_when_it_runs(settings):
    """The shared cache really is shared: two limiter calls through Redis count together."""
    import redis as redis_client

    try:
        redis_client.Redis.from_url("redis://127.0.0.1:6379/15", socket_connect_timeout=1).ping()
    except redis_client.exceptions.ConnectionError:
        pytest.skip("no Redis server on 127.0.0.1:6379")
    from django.core.cache import caches
    from django.test import override_settings

    with override_settings(CACHES={"default": parse_cache_url("redis://127.0.0.1:6379/15")}):
        caches["default"].clear()
        from hub import ratelimit

        assert ratelimit.allow("test", "k", "2/m") is True
        assert ratelimit.allow("test", "k", "2/m") is True
        assert ratelimit.allow("test", "k", "2/m") is False
        caches["default"].clear()
