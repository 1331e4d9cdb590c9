"""A small fixed-window rate limiter on the cache, for forms that allauth does not cover (contact, comments), and
the one rule for who the client is (`client_ip`, which allauth's own limits use too, through hub.adapters).
"""
from __future__ import annotations

import ipaddress
import time
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
# A longer X-Forwarded-For chain than this is not a real proxy chain; only its right-hand end is read.
_MAX_HOPS = 32
# One IPv6 subscriber holds a whole /64: counting single addresses there would let one client take many turns.
_IPV6_PREFIX = 64

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_rate(rate: str) -> tuple[int, int]:
    """'5/h' -> (5, 3600)."""
    count, _, unit = rate.partition("/")
    return int(count), _UNITS[unit.strip().lower()[:1] or "m"]


def allow(scope: str, key: str, rate: str) -> bool:
    """Count one hit for (scope, key); False once the rate is exceeded within the current window."""
    limit, period = parse_rate(rate)
    window = int(time.time() // period)
    cache_key = f"rl:{scope}:{key}:{window}"
    cache.add(cache_key, 0, timeout=period + 5)
    try:
        hits = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=period + 5)
        hits = 1
    return hits <= limit


def allow_request(request, scope: str, rate: str) -> bool:
    """Count one hit of this client (see client_key) in `scope`; False once it went past `rate`."""
    return allow(scope, client_key(request), rate)


def client_key(request) -> str:
    """Who a limit counts: the account when signed in (wherever it connects from), otherwise the client's address
    (its /64 network for IPv6)."""
    if request.user.is_authenticated:
        return f"u{request.user.pk}"
    address = _parse_ip(client_ip(request))
    if address is None:
        return "unknown"
    if address.version == 6:
        return str(ipaddress.IPv6Network((address, _IPV6_PREFIX), strict=False))
    return str(address)


def client_ip(request) -> str:
    """The address of the client that sent this request; '' when none is known.

    REMOTE_ADDR, unless it is one of the proxies in HUB_TRUSTED_PROXIES: then X-Forwarded-For is read from the
    right (each proxy appends the address it saw) and the first address that is not a trusted proxy is the
    client. Entries further left were written by the client itself and are never believed. With no trusted
    proxies (the default) X-Forwarded-For is ignored.
    """
    remote = _parse_ip(request.META.get("REMOTE_ADDR", ""))
    if remote is None:
        return ""
    networks = _networks(tuple(settings.HUB_TRUSTED_PROXIES))
    if not _is_trusted(remote, networks):
        return str(remote)
    client = remote
    for entry in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-_MAX_HOPS:]):
        address = _parse_ip(entry)
        if address is None:
            break  # not an address a proxy of ours wrote: keep the last one we can vouch for
        client = address
        if not _is_trusted(address, networks):
            break
    return str(client)


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _is_trusted(address: IPAddress, networks) -> bool:
    return any(address.version == network.version and address in network for network in networks)


def _parse_ip(value: str) -> IPAddress | None:
    """An address from REMOTE_ADDR or one X-Forwarded-For entry ('[v6]:port' and 'v4:port' accepted)."""
    value = value.strip()
    if value.startswith("["):
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:
        value = value.partition(":")[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address
