"""Bench-only URLs (bench/serve.py selects them with bench.bare.settings): the site's own, plus one bare view that
returns the bytes of a saved page, to measure what the server and Django cost with no work of ours."""
import os

from django.http import HttpResponse
from django.urls import path

from hub.urls import urlpatterns as site_urlpatterns

_BYTES: bytes | None = None


def bare(request):
    global _BYTES
    if _BYTES is None:
        with open(os.environ["HUB_BENCH_BARE_FILE"], "rb") as page:
            _BYTES = page.read()
    return HttpResponse(_BYTES, content_type="text/html; charset=utf-8")


urlpatterns = [path("__bench__/bare/", bare), *site_urlpatterns]
