from django.db import migrations

from hub.roles import MODERATORS, SECRETARIAT, grant_permissions


def create_roles(apps, schema_editor):
    grant_permissions(apps, schema_editor, {
        MODERATORS: ["hub.view_profile", "hub.view_organisation"],
        SECRETARIAT: ["hub.view_profile", "hub.view_organisation", "hub.change_organisation",
                      "hub.view_contactmessage", "hub.change_contactmessage", "hub.view_auditentry"],
    })


class Migration(migrations.Migration):
    dependencies = [("hub", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
