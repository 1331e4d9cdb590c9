"""Demo data of discussions for `manage.py load_demo`, which calls `load` of every app's `demo` module (hub's
accounts first, then the workplan): the consultation, then the moderators' marks on it (a report, a hidden and a
highlighted comment, and comments waiting in the queue)."""
from __future__ import annotations

from django.db import transaction

from discussions.demo import consultation, moderation
from discussions.models import Discussion


@transaction.atomic
def load(stdout, style) -> Discussion:
    """Create or refresh the demo consultation, then curate it as a moderator would."""
    discussion = consultation.load(stdout, style)
    moderation.load(stdout, style)
    return discussion
