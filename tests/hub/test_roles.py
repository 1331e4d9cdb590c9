"""Roles are the groups Moderators and Secretariat, with the permissions each app registers for them."""
import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from hub.permissions import is_secretariat, is_site_moderator
from hub.roles import MODERATORS, ROLE_PERMISSIONS, SECRETARIAT, ensure_roles
from tests.factories import make_user


def granted(name: str) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}"
            for p in Group.objects.get(name=name).permissions.select_related("content_type")}


def assert_roles_complete():
    assert set(Group.objects.filter(name__in=[MODERATORS, SECRETARIAT]).values_list("name", flat=True)) == {
        MODERATORS, SECRETARIAT}
    for role in (MODERATORS, SECRETARIAT):
        assert ROLE_PERMISSIONS[role], f"{role} has no registered permissions"
        assert ROLE_PERMISSIONS[role] <= granted(role), ROLE_PERMISSIONS[role] - granted(role)


@pytest.mark.django_db
def test_both_groups_exist_after_migrate_with_every_registered_permission():
    assert_roles_complete()


@pytest.mark.django_db
def test_every_registered_permission_exists():
    for role, perms in ROLE_PERMISSIONS.items():
        for perm in perms:
            app_label, codename = perm.split(".")
            assert Permission.objects.filter(content_type__app_label=app_label, codename=codename).exists(), (role, perm)


@pytest.mark.django_db
def test_the_people_layer_permissions_go_to_the_right_roles():
    moderators, secretariat = granted(MODERATORS), granted(SECRETARIAT)
    assert {"hub.view_profile", "hub.view_organisation"} <= moderators
    assert {"hub.change_organisation", "hub.view_contactmessage", "hub.change_contactmessage",
            "hub.view_auditentry"} <= secretariat
    # Moderators read profiles; they do not edit organisations or read the contact inbox.
    assert "hub.change_organisation" not in moderators
    assert "hub.view_contactmessage" not in moderators


@pytest.mark.django_db
def test_ensure_roles_is_idempotent_and_repairs_a_stripped_group():
    Group.objects.get(name=SECRETARIAT).permissions.clear()
    Group.objects.filter(name=MODERATORS).delete()
    ensure_roles()
    ensure_roles()
    assert Group.objects.filter(name=MODERATORS).count() == 1
    assert_roles_complete()


@pytest.mark.django_db(transaction=True)
def test_roles_survive_a_flush():
    call_command("flush", interactive=False, verbosity=0)
    assert_roles_complete()


@pytest.mark.django_db
def test_group_membership_makes_a_moderator_or_secretariat_member():
    moderator, secretariat, stakeholder = make_user(role=MODERATORS), make_user(role=SECRETARIAT), make_user()
    superuser = make_user(is_superuser=True)
    assert (is_site_moderator(moderator), is_secretariat(moderator)) == (True, False)
    assert (is_site_moderator(secretariat), is_secretariat(secretariat)) == (False, True)
    assert (is_site_moderator(stakeholder), is_secretariat(stakeholder)) == (False, False)
    assert is_site_moderator(superuser) and is_secretariat(superuser)
    assert secretariat.has_perm("hub.view_contactmessage")
    assert not stakeholder.has_perm("hub.view_contactmessage")
