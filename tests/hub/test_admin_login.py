"""The Django admin has no password form of its own: /admin/login/ sends people to the site's login (allauth),
whose rate limits apply - so guessing an admin password there is as slow as anywhere else."""
import pytest
from django.contrib.auth import SESSION_KEY

from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db
SITE_LOGIN = "/accounts/login/"


@pytest.fixture
def admin_user():
    return make_user(email="admin@example.org", is_staff=True, is_superuser=True)


def test_the_admin_login_page_sends_people_to_the_site_login_with_where_they_were_going(client):
    response = client.get("/admin/login/?next=/admin/workplan/")
    assert response.status_code == 302
    assert response["Location"] == f"{SITE_LOGIN}?next=%2Fadmin%2Fworkplan%2F"
    assert client.get("/admin/login/")["Location"] == f"{SITE_LOGIN}?next=%2Fadmin%2F"


def test_an_outside_next_address_is_replaced_by_the_admin_index(client):
    assert client.get("/admin/login/?next=https://evil.example.org/")["Location"] == f"{SITE_LOGIN}?next=%2Fadmin%2F"
    assert client.get("/admin/login/?next=//evil.example.org/")["Location"] == f"{SITE_LOGIN}?next=%2Fadmin%2F"


def test_the_admin_login_never_checks_a_password_even_after_many_guesses(client, admin_user):
    for n in range(25):
        response = client.post("/admin/login/", {"username": admin_user.username, "password": f"guess-{n}"})
        assert response.status_code == 302 and response["Location"].startswith(SITE_LOGIN)
    response = client.post("/admin/login/?next=/admin/",
                           {"username": admin_user.username, "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == f"{SITE_LOGIN}?next=%2Fadmin%2F"
    assert SESSION_KEY not in client.session
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


def test_an_admin_signs_in_at_the_site_login_and_lands_in_the_admin(client, admin_user):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == f"{SITE_LOGIN}?next=%2Fadmin%2F"
    response = client.post(f"{SITE_LOGIN}?next=%2Fadmin%2F",
                           {"login": admin_user.email, "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_signed_in_admin_is_sent_on_to_the_admin(client, admin_user):
    client.force_login(admin_user)
    assert client.get("/admin/login/?next=/admin/hub/")["Location"] == "/admin/hub/"


def test_a_signed_in_person_without_admin_access_is_told_so_rather_than_sent_round_in_circles(client):
    client.force_login(make_user())
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 403
    assert "your account may not use the administration pages" in response.content.decode()


def test_after_repeated_failed_logins_even_the_right_password_is_refused_for_now(client, admin_user, settings):
    from allauth.account import app_settings

    limit = app_settings.RATE_LIMITS["login_failed"]
    assert limit == "10/m/ip,5/300s/key"  # allauth's default, which the settings keep
    for n in range(5):
        response = client.post(SITE_LOGIN, {"login": admin_user.email, "password": f"guess-{n}"})
        assert response.status_code == 200
    response = client.post(SITE_LOGIN, {"login": admin_user.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "Too many failed login attempts. Try again later." in response.content.decode()
    assert SESSION_KEY not in client.session
