"""Who a rate limit counts: the account when signed in, otherwise the client's address - read from X-Forwarded-For
only when the request comes from one of HUB_TRUSTED_PROXIES, so the header cannot be forged to dodge a limit."""
import pytest
from django.test import RequestFactory

from hub.models import ContactMessage
from hub.ratelimit import client_ip, client_key
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db
CONTACT = "/contact/"
DATA = {"name": "Amina Odhiambo", "email": "amina@example.org", "subject": "Annual meeting",
        "message": "Will the October meeting be streamed?", "website": ""}


def request_from(remote_addr: str, forwarded: str | None = None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote_addr, **headers)


@pytest.mark.parametrize("forwarded", ["198.51.100.1", "198.51.100.1, 10.0.0.5", "garbage"])
def test_behind_no_proxy_x_forwarded_for_is_ignored(settings, forwarded):
    settings.HUB_TRUSTED_PROXIES = []
    assert client_ip(request_from("203.0.113.9", forwarded)) == "203.0.113.9"


@pytest.mark.parametrize("remote, forwarded, client", [
    ("10.0.0.5", "203.0.113.7", "203.0.113.7"),
    # Entries left of the first untrusted one were written by the client itself: never believed.
    ("10.0.0.5", "198.51.100.1, 203.0.113.7", "203.0.113.7"),
    # Two trusted hops (a load balancer, then the local proxy).
    ("127.0.0.1", "203.0.113.7, 10.0.0.9", "203.0.113.7"),
    ("10.0.0.5", " 203.0.113.7 ", "203.0.113.7"),
    ("10.0.0.5", "[2001:db8::1]:443", "2001:db8::1"),
    ("10.0.0.5", "203.0.113.7:5123", "203.0.113.7"),
    # Not an address: stop at the last address a trusted proxy wrote.
    ("10.0.0.5", "203.0.113.7, not-an-ip", "10.0.0.5"),
    ("10.0.0.5", "", "10.0.0.5"),
    ("10.0.0.5", None, "10.0.0.5"),
    # A request that does not come from a trusted proxy: its X-Forwarded-For counts for nothing.
    ("203.0.113.50", "198.51.100.1", "203.0.113.50"),
    ("::ffff:10.0.0.5", "203.0.113.7", "203.0.113.7"),
])
def test_behind_trusted_proxies_the_client_is_the_right_most_untrusted_forwarded_address(
        settings, remote, forwarded, client):
    settings.HUB_TRUSTED_PROXIES = ["10.0.0.0/8", "127.0.0.1"]
    assert client_ip(request_from(remote, forwarded)) == client


def test_a_very_long_forwarded_chain_is_read_only_at_its_end(settings):
    settings.HUB_TRUSTED_PROXIES = ["10.0.0.0/8"]
    chain = ", ".join(["10.0.0.1"] * 5000 + ["203.0.113.7"] + ["10.0.0.2"] * 3)
    assert client_ip(request_from("10.0.0.5", chain)) == "203.0.113.7"


def test_ipv6_visitors_are_counted_by_their_64_bit_network(settings):
    settings.HUB_TRUSTED_PROXIES = []
    from django.contrib.auth.models import AnonymousUser

    one, other = request_from("2001:db8:1:2::1"), request_from("2001:db8:1:2:ffff::9")
    one.user = other.user = AnonymousUser()
    assert client_key(one) == client_key(other) == "2001:db8:1:2::/64"


def test_a_forged_x_forwarded_for_does_not_reset_the_contact_limit(client, settings):
    settings.HUB_CONTACT_RATE_LIMIT = "1/h"
    settings.HUB_TRUSTED_PROXIES = []
    assert client.post(CONTACT, DATA, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 302
    response = client.post(CONTACT, DATA, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert response.status_code == 429
    assert ContactMessage.objects.count() == 1


def test_two_visitors_behind_a_trusted_proxy_have_separate_counts(client, settings):
    settings.HUB_CONTACT_RATE_LIMIT = "1/h"
    settings.HUB_TRUSTED_PROXIES = ["10.0.0.5"]
    via_proxy = {"REMOTE_ADDR": "10.0.0.5"}
    assert client.post(CONTACT, DATA, HTTP_X_FORWARDED_FOR="203.0.113.7", **via_proxy).status_code == 302
    assert client.post(CONTACT, DATA, HTTP_X_FORWARDED_FOR="203.0.113.8", **via_proxy).status_code == 302
    assert client.post(CONTACT, DATA, HTTP_X_FORWARDED_FOR="203.0.113.7", **via_proxy).status_code == 429
    # Prepending an address of one's own choosing does not make a new visitor.
    forged = "198.51.100.1, 203.0.113.8"
    assert client.post(CONTACT, DATA, HTTP_X_FORWARDED_FOR=forged, **via_proxy).status_code == 429
    assert ContactMessage.objects.count() == 2


def test_signed_in_people_are_counted_by_account_wherever_they_connect_from(client, settings):
    settings.HUB_CONTACT_RATE_LIMIT = "1/h"
    user = make_user()
    client.force_login(user)
    assert client.post(CONTACT, DATA, REMOTE_ADDR="203.0.113.1").status_code == 302
    assert client.post(CONTACT, DATA, REMOTE_ADDR="198.51.100.2").status_code == 429
    client.force_login(make_user())
    assert client.post(CONTACT, DATA, REMOTE_ADDR="203.0.113.1").status_code == 302


def test_allauths_login_limit_counts_the_same_client_address_behind_a_trusted_proxy(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login": "1/m/ip"}
    settings.HUB_TRUSTED_PROXIES = ["10.0.0.5"]
    user = make_user(email="lotte@example.org")
    login = {"login": user.email, "password": PASSWORD}

    def attempt(forwarded: str) -> int:
        client.logout()
        return client.post("/accounts/login/", login, REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=forwarded).status_code

    assert attempt("203.0.113.7") == 302
    assert attempt("203.0.113.7") == 429
    assert attempt("203.0.113.8") == 302
    assert attempt("198.51.100.1, 203.0.113.8") == 429


def test_allauths_login_limit_ignores_a_forged_x_forwarded_for_behind_no_proxy(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login": "1/m/ip"}
    settings.HUB_TRUSTED_PROXIES = []
    user = make_user()
    login = {"login": user.email, "password": PASSWORD}
    assert client.post("/accounts/login/", login, HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 302
    client.logout()
    assert client.post("/accounts/login/", login, HTTP_X_FORWARDED_FOR="203.0.113.8").status_code == 429
