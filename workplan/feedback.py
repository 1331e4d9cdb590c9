"""How workplan pages show the feedback that comments give, without `workplan` importing `discussions`.

Dependencies point one way (discussions → workplan → hub). The discussions app registers a provider in its
AppConfig.ready(); workplan views ask this module. With no provider registered (discussions not installed),
priorities simply have no feedback.
"""
from __future__ import annotations

from typing import Protocol

from django.db.models import QuerySet


class FeedbackProvider(Protocol):
    #: Template rendered for one item of `published_feedback`, with the item in the context as `comment`.
    item_template: str

    def published_counts(self, priority_ids: list[int]) -> dict[int, int]:
        """Published comments per priority id, in one query: only what anyone may read (workplan pages are the
        same for every visitor), so nothing of a discussion that is not public yet."""

    def published_feedback(self, priority) -> QuerySet:
        """Published comments of public discussions that name the priority, newest first, with everything the
        item template needs fetched in a fixed number of queries per page."""


_provider: FeedbackProvider | None = None


def register(provider: FeedbackProvider) -> None:
    global _provider
    _provider = provider


def provider() -> FeedbackProvider | None:
    return _provider


def published_counts(priority_ids: list[int]) -> dict[int, int]:
    """Public, published comment counts per priority id; zero for all when no discussions app is installed."""
    if _provider is None or not priority_ids:
        return {}
    return _provider.published_counts(priority_ids)
