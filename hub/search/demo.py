"""`load_demo` runs this after every other app's demo step (hub.search comes last in INSTALLED_APPS): the demo data
is written partly with QuerySet.update(), which sends no signal, so the index is made again from scratch."""
from hub.search import indexing


def load(stdout, style) -> None:
    counts = indexing.rebuild()
    stdout.write(style.SUCCESS("Search index: " + ", ".join(f"{n} {kind}" for kind, n in counts.items()) + "."))
