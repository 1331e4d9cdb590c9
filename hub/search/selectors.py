"""Reads of the search index: a page of results in one query, and the filters' choices in another."""
from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.safestring import SafeString

from hub.search import backends, query as query_syntax, registry
from hub.search.highlight import has_mark, snippet_html
from hub.search.models import SearchEntry

PER_PAGE = 20
PRIORITY_KIND = "priority"  # its entries name the priorities of the priority filter
# Nobody reads past page 50 of a search; a deeper page number is treated as the last one.
MAX_PAGE = 50


@dataclass
class Hit:
    kind: str
    object_id: int
    kind_label: str
    title: str
    url: str
    date: datetime.datetime | None
    language: str
    snippet: SafeString
    in_attachment: bool  # the snippet comes from an attached file
    discussion_title: str | None
    discussion_url: str | None


@dataclass
class ResultPage:
    """One page of hits, with what a pager needs."""

    query: str
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    number: int = 1
    per_page: int = PER_PAGE

    @property
    def capped(self) -> bool:
        """More hits than are ranked (see backends.CANDIDATES): the page says "more than", not the count."""
        return self.total >= backends.CANDIDATES

    @property
    def cap(self) -> int:
        return backends.CANDIDATES

    @property
    def num_pages(self) -> int:
        return min(MAX_PAGE, max(1, math.ceil(self.total / self.per_page)))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.hits else 0

    @property
    def end_index(self) -> int:
        return self.start_index + len(self.hits) - 1 if self.hits else 0


def _hit(row: backends.Row, labels: dict[str, str]) -> Hit:
    if has_mark(row.body_snippet) or not has_mark(row.extra_snippet):
        marked, in_attachment = row.body_snippet or row.extra_snippet, not row.body_snippet and bool(row.extra_snippet)
    else:
        marked, in_attachment = row.extra_snippet, True
    return Hit(kind=row.kind, object_id=row.object_id, kind_label=labels.get(row.kind, row.kind), title=row.title, url=row.url, date=row.date,
               language=row.language, snippet=snippet_html(marked), in_attachment=in_attachment,
               discussion_title=row.discussion_title if row.kind != backends.DISCUSSION_KIND else None,
               discussion_url=row.discussion_url)


def search(*, text: str, kind: str | None = None, discussion_id: int | None = None, priority_id: int | None = None,
           language: str | None = None, date_from: datetime.date | None = None, date_to: datetime.date | None = None,
           page: int = 1, per_page: int = PER_PAGE) -> ResultPage:
    """Published things matching the words, best first: one query (two when the page asked for is past the end).
    Everything in the index is public, so the answer is the same for every user."""
    parsed = query_syntax.parse(text)
    result = ResultPage(query=text, per_page=per_page)
    labels = dict(registry.kinds())
    kinds = [kind] if kind in labels else list(labels)
    if not parsed or not kinds:
        return result
    tz = timezone.get_current_timezone()
    filters = backends.Filters(
        kinds=kinds, discussion_id=discussion_id, priority_id=priority_id, language=language,
        date_from=datetime.datetime.combine(date_from, datetime.time.min, tz) if date_from else None,
        date_before=(datetime.datetime.combine(date_to + datetime.timedelta(days=1), datetime.time.min, tz)
                     if date_to else None),
    )
    number = min(max(1, page), MAX_PAGE)
    rows = backends.search(parsed, filters, limit=per_page, offset=(number - 1) * per_page)
    if not rows and number > 1:
        # Past the end: count from the first page, then show the last one.
        first = backends.search(parsed, filters, limit=1, offset=0)
        if not first:
            return result
        number = min(math.ceil(first[0].total / per_page), MAX_PAGE)
        rows = backends.search(parsed, filters, limit=per_page, offset=(number - 1) * per_page)
    if rows:
        result.total = rows[0].total
    result.number = number
    result.hits = [_hit(row, labels) for row in rows]
    return result


@dataclass
class FilterChoices:
    kinds: list[tuple[str, str]]
    discussions: list[tuple[int, str]]
    priorities: list[tuple[int, str]]


def filter_choices() -> FilterChoices:
    """The kinds on offer, and the discussions and priorities that are in the index (so only public ones): one
    query."""
    discussions, priorities = [], []
    rows = (SearchEntry.objects.filter(kind__in=[backends.DISCUSSION_KIND, PRIORITY_KIND])
            .order_by("title", "object_id").values_list("kind", "object_id", "title"))
    for kind, object_id, title in rows:
        (discussions if kind == backends.DISCUSSION_KIND else priorities).append((object_id, title))
    return FilterChoices(kinds=registry.kinds(), discussions=discussions, priorities=priorities)

