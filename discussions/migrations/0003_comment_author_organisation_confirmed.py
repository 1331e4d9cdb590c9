"""Each comment records whether its author's organisation was confirmed when posted. Existing comments were
attributed from claims nobody checked, so they are marked unconfirmed (False); their names and organisation-only
choice are kept as they were shown. The demo loader re-takes its comments' snapshots from confirmed demo members."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('discussions', '0002_flag_counts_toward_auto_hide'),
    ]

    operations = [
        migrations.AddField(
            model_name='comment',
            name='author_organisation_confirmed',
            field=models.BooleanField(default=False, verbose_name='organisation confirmed'),
        ),
    ]
