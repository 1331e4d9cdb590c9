"""Send each moderator the digest of new items in their queue, if 15 minutes have passed since their last one.
Celery beat runs the same function every five minutes (discussions.tasks.send_moderation_digests); the command is
for a one-off run by hand."""
from __future__ import annotations

from django.core.management.base import BaseCommand

from discussions import notifications


class Command(BaseCommand):
    help = "E-mail moderators what is new in their review queue (at most one e-mail per moderator per 15 minutes)."

    def handle(self, *args, **options):
        sent = notifications.send_due_digests()
        self.stdout.write(f"{sent} moderation digest(s) sent.")
