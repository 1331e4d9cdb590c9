"""The per-priority synthesis of a discussion, its participation statistics and its two charts.

Everything is read in a fixed number of queries (the discussion's priorities, its published comments, and their
priorities) and grouped in Python. The charts are plain data with their geometry worked out here; templates
draw them as SVG on the server, each with a title, a description and a table holding the same numbers, so no
chart service and no script is needed and screen readers get the table.
"""
from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext

from discussions.models import Comment, Discussion
from discussions.secretariat.selectors import priorities_of_discussion
from hub.models import StakeholderGroup, stakeholder_group_label
from workplan.models import Priority

# Light to dark blue; the darkest end takes white text (contrast above 4.5:1 at both ends).
_LIGHT = (239, 243, 255)
_DARK = (8, 48, 107)


def _shade(share: float) -> tuple[str, str]:
    """Cell colour for a share of the maximum (0..1), and a text colour readable on it."""
    rgb = tuple(round(a + (b - a) * share) for a, b in zip(_LIGHT, _DARK))
    return "#%02x%02x%02x" % rgb, ("#ffffff" if share > 0.45 else "#1a1a1a")


def _labelled_groups(groups: Counter) -> list[tuple[str, int]]:
    """Stakeholder groups with their counts, most first, each under its label ("—" for none given)."""
    return [(stakeholder_group_label(g) or "—", n) for g, n in sorted(groups.items(), key=lambda i: (-i[1], i[0]))]


@dataclass
class PrioritySummary:
    priority: Priority | None  # None: the comments that name no priority
    comments: list[Comment] = field(default_factory=list)
    organisations: set[str] = field(default_factory=set)
    groups: Counter = field(default_factory=Counter)

    @property
    def comment_count(self) -> int:
        return len(self.comments)

    @property
    def organisation_count(self) -> int:
        return len(self.organisations)

    @property
    def highlighted(self) -> list[Comment]:
        return [c for c in self.comments if c.highlighted]

    @property
    def group_labels(self) -> list[tuple[str, int]]:
        return _labelled_groups(self.groups)


@dataclass
class HeatCell:
    x: int
    y: int
    count: int
    fill: str
    text_fill: str
    label: str  # "NP5 × Civil society: 3 comments"


@dataclass
class HeatRow:
    code: str   # the short label beside the row in the chart
    title: str  # the row's full label, heading the row of the table
    y: int
    cells: list[HeatCell]


@dataclass
class Heatmap:
    columns: list[tuple[str, int]]  # (stakeholder group label, x of the column's centre)
    rows: list[HeatRow]
    width: int
    height: int
    cell_width: int = 64
    cell_height: int = 28
    left: int = 70
    top: int = 110


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    count: int
    start: datetime.date
    label: str


@dataclass
class Timeline:
    bars: list[Bar]
    unit: str  # "day" or "week"
    maximum: int
    width: int = 720
    height: int = 220
    left: int = 40
    bottom: int = 190
    plot_height: int = 160

    @property
    def first(self) -> datetime.date | None:
        return self.bars[0].start if self.bars else None

    @property
    def last(self) -> datetime.date | None:
        return self.bars[-1].start if self.bars else None


@dataclass
class Synthesis:
    discussion: Discussion
    comment_count: int
    organisation_count: int
    author_count: int
    groups: list[tuple[str, int]]
    priorities: list[PrioritySummary]
    heatmap: Heatmap
    timeline: Timeline


def synthesis_for_discussion(discussion: Discussion) -> Synthesis:
    """Published comments of a discussion grouped by the priorities they name (3 queries whatever the size)."""
    priorities = priorities_of_discussion(discussion)
    comments = _published_comments(discussion)
    ordered = _by_priority(priorities, comments)
    return Synthesis(
        discussion=discussion,
        comment_count=len(comments),
        organisation_count=len({c.author_organisation for c in comments if c.author_organisation}),
        author_count=len({(c.author_id or 0, c.author_name) for c in comments}),
        groups=_labelled_groups(Counter(c.author_stakeholder_group for c in comments)),
        priorities=ordered,
        heatmap=build_heatmap(ordered),
        timeline=build_timeline([c.created_at for c in comments]),
    )


def _published_comments(discussion: Discussion) -> list[Comment]:
    """The discussion's published comments, oldest first, with what the synthesis shows and their priorities' ids."""
    return list(
        Comment.objects.filter(discussion=discussion, status=Comment.Status.PUBLISHED)
        .only("id", "discussion_id", "question_id", "parent_id", "depth", "author_id", "author_name",
              "author_organisation", "author_stakeholder_group", "author_country", "author_badge",
              "author_organisation_confirmed", "show_personal_name", "body_text", "created_at", "highlighted")
        .prefetch_related(Prefetch("priorities", queryset=Priority.objects.only("id")))
        .order_by("created_at", "id")
    )


def _by_priority(priorities: list[Priority], comments: list[Comment]) -> list[PrioritySummary]:
    """A summary per priority of the workplan in its order, then one of the comments naming none (if any)."""
    summaries: dict[int | None, PrioritySummary] = {p.pk: PrioritySummary(priority=p) for p in priorities}
    for comment in comments:
        named = [p.pk for p in comment.priorities.all()] or [None]
        for pid in named:
            if pid not in summaries:
                if pid is None:
                    summaries[None] = PrioritySummary(priority=None)
                else:
                    continue  # a priority of another workplan: not part of this discussion's synthesis
            summary = summaries[pid]
            summary.comments.append(comment)
            if comment.author_organisation:
                summary.organisations.add(comment.author_organisation)
            summary.groups[comment.author_stakeholder_group] += 1
    ordered = [summaries[p.pk] for p in priorities]
    if None in summaries:
        ordered.append(summaries[None])
    return ordered


def build_heatmap(summaries: list[PrioritySummary]) -> Heatmap:
    """Priorities (rows) × stakeholder groups (columns), each cell the number of comments."""
    groups = list(StakeholderGroup.choices)
    maximum = max((s.groups.get(g, 0) for s in summaries for g, _ in groups), default=0) or 1
    heat = Heatmap(columns=[], rows=[], width=0, height=0)
    heat.columns = [(str(label), heat.left + c * heat.cell_width + heat.cell_width // 2)
                    for c, (_, label) in enumerate(groups)]
    for r, summary in enumerate(summaries):
        # Every row is labelled, the comments naming no priority too (a dash would be read as nothing at all).
        code = summary.priority.code if summary.priority else gettext("None")
        title = f"{code} {summary.priority.title}" if summary.priority else gettext("No priority named")
        row = []
        for c, (group, label) in enumerate(groups):
            count = summary.groups.get(group, 0)
            fill, text_fill = _shade(count / maximum)
            row.append(HeatCell(x=heat.left + c * heat.cell_width, y=heat.top + r * heat.cell_height, count=count,
                                fill=fill, text_fill=text_fill,
                                label=f"{code} × {label}: {count}"))
        heat.rows.append(HeatRow(code=code, title=title, y=heat.top + r * heat.cell_height, cells=row))
    heat.width = heat.left + len(groups) * heat.cell_width + 10
    heat.height = heat.top + len(summaries) * heat.cell_height + 10
    return heat


def build_timeline(times: list[datetime.datetime]) -> Timeline:
    """Comments per day, or per week (starting Monday) when the discussion ran longer than nine weeks."""
    if not times:
        return Timeline(bars=[], unit="day", maximum=0)
    days = [timezone.localtime(t).date() for t in times]
    first, last = min(days), max(days)
    unit = "day" if (last - first).days <= 63 else "week"
    if unit == "week":
        days = [d - datetime.timedelta(days=d.weekday()) for d in days]
        first = first - datetime.timedelta(days=first.weekday())
        last = last - datetime.timedelta(days=last.weekday())
    step = datetime.timedelta(days=1 if unit == "day" else 7)
    counts = Counter(days)
    starts = []
    current = first
    while current <= last:
        starts.append(current)
        current += step
    timeline = Timeline(bars=[], unit=unit, maximum=max(counts.values()))
    slot = (timeline.width - timeline.left - 10) / len(starts)
    for i, start in enumerate(starts):
        count = counts.get(start, 0)
        height = timeline.plot_height * count / timeline.maximum
        when = start.isoformat() if unit == "day" else gettext("week of %(date)s") % {"date": start.isoformat()}
        timeline.bars.append(Bar(x=round(timeline.left + i * slot + slot * 0.1, 1),
                                 y=round(timeline.bottom - height, 1), width=round(max(slot * 0.8, 1), 1),
                                 height=round(height, 1), count=count, start=start,
                                 label=f"{when}: {count}"))
    return timeline

