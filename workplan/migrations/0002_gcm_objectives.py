import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "gcm_objectives.json"


def load_objectives(apps, schema_editor):
    GcmObjective = apps.get_model("workplan", "GcmObjective")
    for item in json.loads(DATA.read_text(encoding="utf-8")):
        GcmObjective.objects.update_or_create(number=item["number"], defaults={"title": item["title"]})


class Migration(migrations.Migration):
    dependencies = [("workplan", "0001_initial")]
    operations = [migrations.RunPython(load_objectives, migrations.RunPython.noop)]
