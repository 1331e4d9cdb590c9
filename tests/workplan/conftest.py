"""Fixtures for the workplan tests: the feedback hook with no provider, or with a small fake one."""
from __future__ import annotations

from pathlib import Path

import pytest

from hub.models import ContactMessage
from workplan import feedback

TEST_TEMPLATES = Path(__file__).resolve().parent / "templates"


class FakeFeedbackProvider:
    """Stands in for discussions: 'comments' are contact messages whose subject is the priority's code."""

    item_template = "workplan_test/feedback_item.html"

    def published_counts(self, priority_ids):
        from django.db.models import Count

        from workplan.models import Priority

        codes = {p.code: p.pk for p in Priority.objects.filter(pk__in=priority_ids)}
        counts = ContactMessage.objects.filter(subject__in=codes).values("subject").annotate(n=Count("id"))
        return {codes[row["subject"]]: row["n"] for row in counts}

    def published_feedback(self, priority):
        return ContactMessage.objects.filter(subject=priority.code).order_by("-created_at", "-id")


def add_feedback(priority, n: int = 1, text: str = "Feedback") -> None:
    ContactMessage.objects.bulk_create([
        ContactMessage(name="Reader", email="reader@example.org", subject=priority.code, message=f"{text} {i}")
        for i in range(n)])


@pytest.fixture
def no_feedback_provider(monkeypatch):
    """As if discussions were not installed; the previous provider comes back after the test."""
    monkeypatch.setattr(feedback, "_provider", None)


@pytest.fixture
def fake_feedback_provider(monkeypatch, settings):
    provider = FakeFeedbackProvider()
    monkeypatch.setattr(feedback, "_provider", provider)
    templates = [dict(engine) for engine in settings.TEMPLATES]
    templates[0]["DIRS"] = [*templates[0]["DIRS"], TEST_TEMPLATES]
    settings.TEMPLATES = templates
    return provider
