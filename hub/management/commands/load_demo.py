"""Load demo data: accounts (hub) and whatever each app's `demo` module adds (workplan, discussions)."""
from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create demo organisations, accounts, workplan and discussion. Idempotent. Needs DEBUG or --force."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Load even when DEBUG is off.")

    def handle(self, *args, force: bool = False, **options):
        if not (settings.DEBUG or force):
            raise CommandError("Demo data is only loaded with DJANGO_DEBUG=1 or --force: it creates accounts "
                               "with published passwords.")
        from hub import demo as hub_demo

        accounts = hub_demo.load(self.stdout, self.style)
        # Each app may add its own demo data in <app>/demo.py, in INSTALLED_APPS order (hub first).
        for config in apps.get_app_configs():
            if config.name == "hub" or find_spec(f"{config.name}.demo") is None:
                continue
            import_module(f"{config.name}.demo").load(self.stdout, self.style)
        from hub import pagecache

        pagecache.invalidate()  # demo rows are written without the services: visitors' stored pages are stale
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Demo accounts (password for all: %s):"
                                             % hub_demo.DEMO_PASSWORD))
        for email, role in accounts:
            self.stdout.write(f"  {email:<36} {role}")
