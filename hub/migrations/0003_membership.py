"""Membership of an organisation becomes a state (requested / confirmed / refused).

Existing claims were never checked, so every existing profile that names an organisation starts as *requested*
(the field's default) and waits in the secretariat's queue from the moment of this migration; the demo loader
confirms its own demo accounts. Existing comments keep their snapshot but are marked unconfirmed
(discussions 0002).
"""
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def existing_claims_are_requests(apps, schema_editor):
    Profile = apps.get_model("hub", "Profile")
    Profile.objects.filter(organisation__isnull=False).update(membership="requested",
                                                              membership_requested_at=timezone.now())


class Migration(migrations.Migration):

    dependencies = [
        ('hub', '0002_roles'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='profile',
            options={'permissions': [('confirm_membership', 'Can confirm or refuse membership of organisations')], 'verbose_name': 'profile', 'verbose_name_plural': 'profiles'},
        ),
        migrations.AddField(
            model_name='organisation',
            name='email_domains',
            field=models.TextField(blank=True, help_text='One per line, e.g. iom.int. A person whose verified e-mail address is at exactly one of these domains (not a subdomain) is confirmed as a member at once. Leave empty to confirm every member by hand.', max_length=2000, verbose_name='e-mail domains'),
        ),
        migrations.AddField(
            model_name='profile',
            name='membership',
            field=models.CharField(choices=[('requested', 'Awaiting confirmation'), ('confirmed', 'Confirmed'), ('refused', 'Refused')], default='requested', max_length=10, verbose_name='membership'),
        ),
        migrations.AddField(
            model_name='profile',
            name='membership_decided_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='membership decided at'),
        ),
        migrations.AddField(
            model_name='profile',
            name='membership_decided_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='membership decided by'),
        ),
        migrations.AddField(
            model_name='profile',
            name='membership_reason',
            field=models.TextField(blank=True, max_length=1000, verbose_name='reason for refusing the membership'),
        ),
        migrations.AddField(
            model_name='profile',
            name='membership_requested_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='membership requested at'),
        ),
        migrations.AddField(
            model_name='profile',
            name='organisation_contact',
            field=models.BooleanField(default=False, help_text="Set by the secretariat: a confirmed member who confirms or refuses colleagues' requests.", verbose_name='organisation contact'),
        ),
        migrations.AddIndex(
            model_name='profile',
            index=models.Index(fields=['membership', 'membership_requested_at'], name='profile_membership_idx'),
        ),
        migrations.RunPython(existing_claims_are_requests, migrations.RunPython.noop),
    ]
