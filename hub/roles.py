"""Roles: their names and what each may do.

Roles are Django groups. Each app registers the permissions it gives a role in its AppConfig.ready(), so
`hub` never has to know about the apps that depend on it.
"""
from __future__ import annotations

MODERATORS = "Moderators"
SECRETARIAT = "Secretariat"

# What each role may do, filled in by each app's AppConfig.ready() through `register`. The data migrations
# create the groups on a fresh database; `ensure_roles` (run after every migrate and flush) keeps them whole,
# for example after a test that truncates tables.
ROLE_PERMISSIONS: dict[str, set[str]] = {MODERATORS: set(), SECRETARIAT: set()}


def register(role: str, perms: list[str]) -> None:
    """An app declares the permissions ('app_label.codename') a role gets."""
    ROLE_PERMISSIONS.setdefault(role, set()).update(perms)


def ensure_roles(**kwargs) -> None:
    """Create missing role groups and give them their registered permissions (a post_migrate receiver)."""
    from django.contrib.auth.models import Group, Permission

    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            found = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if found is not None:
                wanted.append(found)
        group.permissions.add(*wanted)
