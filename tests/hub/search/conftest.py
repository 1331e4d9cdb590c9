"""Search tests: the index is written when a transaction commits, so the tests run those on-commit callbacks."""
from __future__ import annotations

import pytest

from hub.search import selectors


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed(): ...` runs what the block schedules on commit (the reindexing), as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def found(text: str, **filters) -> list[tuple[str, int]]:
    """(kind, pk) of every hit for the words, best first (all pages)."""
    hits, page = [], 1
    while True:
        result = selectors.search(text=text, page=page, **filters)
        hits += [(hit.kind, hit.object_id) for hit in result.hits]
        if not result.has_next:
            return hits
        page += 1
