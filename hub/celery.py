"""The task queue: one Celery app for the whole site.

With ``HUB_BROKER_URL`` unset (development, ``make run``, most tests) every task runs in the calling process at
once, so nothing but the web process is needed. With it set (``redis://127.0.0.1:6379/1`` or
``amqp://guest:guest@127.0.0.1:5672//``) tasks go to the broker and ``make worker`` / ``make beat`` run them.
"""
from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings")

app = Celery("hub")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
