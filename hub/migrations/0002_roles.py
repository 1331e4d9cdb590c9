from django.db import migrations

from hub.roles import MODERATORS, SECRETARIAT


def create_roles(apps, schema_editor):
    # The groups' permissions are granted by hub.roles.ensure_roles after every migrate, from what each app
    # registers in its AppConfig.ready(), so one list per app says what a role may do.
    Group = apps.get_model("auth", "Group")
    for name in (MODERATORS, SECRETARIAT):
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("hub", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
