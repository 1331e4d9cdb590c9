"""`manage.py load_demo`: demo organisations and accounts, idempotent, refused on production settings."""
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from hub import demo
from hub.models import Organisation, Profile
from hub.roles import MODERATORS, SECRETARIAT

pytestmark = pytest.mark.django_db


def load(*args) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def test_it_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG=1 or --force"):
        load()
    assert not get_user_model().objects.exists()


def test_force_loads_without_debug_and_prints_the_accounts(settings):
    settings.DEBUG = False
    output = load("--force")
    assert demo.DEMO_PASSWORD in output
    for email, *_rest in demo.ACCOUNTS:
        assert email in output
    assert get_user_model().objects.count() == len(demo.ACCOUNTS)


def test_loading_twice_changes_nothing(settings):
    settings.DEBUG = True
    load()
    User = get_user_model()
    counts = (User.objects.count(), Organisation.objects.count(), Profile.objects.count())
    groups = sorted(User.objects.values_list("email", "groups__name"))
    load()
    assert (User.objects.count(), Organisation.objects.count(), Profile.objects.count()) == counts
    assert sorted(User.objects.values_list("email", "groups__name")) == groups
    assert counts == (len(demo.ACCOUNTS), len(demo.ORGANISATIONS), len(demo.ACCOUNTS))


def test_the_accounts_have_the_promised_roles_and_complete_profiles(settings):
    settings.DEBUG = True
    load()
    User = get_user_model()
    stakeholders = [u for u in User.objects.all() if not u.groups.exists() and not u.is_superuser]
    assert len({u.profile.organisation_id for u in stakeholders}) == 3
    assert User.objects.filter(groups__name=MODERATORS).count() == 1
    assert User.objects.filter(groups__name=SECRETARIAT).count() == 1
    assert User.objects.filter(is_superuser=True, is_staff=True).count() == 1
    assert all(p.is_complete for p in Profile.objects.all())


@pytest.mark.parametrize("email", [account[0] for account in demo.ACCOUNTS])
def test_every_demo_account_can_log_in_with_the_printed_password(client, settings, email):
    settings.DEBUG = True
    load()
    response = client.post("/accounts/login/", {"login": email, "password": demo.DEMO_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert int(client.session["_auth_user_id"]) == get_user_model().objects.get(email=email).pk
