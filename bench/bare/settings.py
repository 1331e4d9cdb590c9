"""Bench-only settings (bench/serve.py, DJANGO_SETTINGS_MODULE=bench.bare.settings): the site's production settings with the bench's URLs added."""
from hub.settings import *  # noqa: F401,F403

ROOT_URLCONF = "bench.bare.urls"
