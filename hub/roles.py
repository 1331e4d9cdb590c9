"""Role names and the helper data migrations use to give roles their permissions.

Roles are Django groups; each app's own data migration grants its permissions to them, so `hub` never
has to know about the apps that depend on it.
"""
from __future__ import annotations

MODERATORS = "Moderators"
SECRETARIAT = "Secretariat"


def grant_permissions(apps, schema_editor, grants: dict[str, list[str]]) -> None:
    """Create the groups if needed and add 'app_label.codename' permissions to them (for RunPython)."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, perms in grants.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        for perm in perms:
            app_label, codename = perm.split(".")
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
