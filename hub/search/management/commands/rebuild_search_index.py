from django.core.management.base import BaseCommand, CommandError

from hub.search import indexing, registry


class Command(BaseCommand):
    help = ("Index again everything the apps offer to search (after loading data with QuerySet.update() or "
            "loaddata, or to repair the index). Attached files already read are not read again unless --reextract.")

    def add_arguments(self, parser):
        parser.add_argument("--kind", action="append", dest="kinds", metavar="KIND",
                            help="Only this kind (repeatable): " + ", ".join(k for k, _l in registry.kinds()))
        parser.add_argument("--reextract", action="store_true",
                            help="Forget the text extracted from attached files, and read them again.")

    def handle(self, *args, kinds=None, reextract=False, **options):
        known = {kind for kind, _label in registry.kinds()}
        unknown = sorted(set(kinds or []) - known)
        if unknown:
            raise CommandError(f"Unknown kind(s): {', '.join(unknown)}. Known: {', '.join(sorted(known))}.")
        if reextract:
            from hub.search.models import ExtractedText

            ExtractedText.objects.all().delete()
        counts = indexing.rebuild(kinds)
        for kind, count in counts.items():
            self.stdout.write(f"{kind}: {count}")
        self.stdout.write(self.style.SUCCESS(f"Indexed {sum(counts.values())} objects."))
