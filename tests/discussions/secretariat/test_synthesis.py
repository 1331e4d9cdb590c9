"""The per-priority synthesis: counts, the heatmap and timeline data, the page with its SVG and tables."""
from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from discussions.secretariat.synthesis import build_timeline, synthesis_for_discussion
from hub.models import StakeholderGroup
from tests.factories import make_priority

pytestmark = pytest.mark.django_db
UTC = datetime.timezone.utc


def test_the_synthesis_counts_comments_organisations_and_groups_per_priority(known):
    synthesis = synthesis_for_discussion(known.discussion)
    assert synthesis.comment_count == 5  # the declined comment is left out
    assert synthesis.organisation_count == 5
    by_code = {s.priority.code if s.priority else None: s for s in synthesis.priorities}
    assert list(by_code) == ["NP1", "OP3", None]
    assert [c.pk for c in by_code["NP1"].comments] == [known.chinese.pk, known.quoted.pk]
    assert by_code["NP1"].organisation_count == 2
    assert dict(by_code["OP3"].group_labels) == {"Migrant-led organisation": 1, "UN entity": 1}
    assert [c.pk for c in by_code["NP1"].highlighted] == [known.quoted.pk]
    assert [c.pk for c in by_code[None].comments] == [known.formula.pk, known.general.pk]


def test_the_heatmap_has_a_cell_per_priority_and_stakeholder_group(known):
    heat = synthesis_for_discussion(known.discussion).heatmap
    assert [r.code for r in heat.rows] == ["NP1", "OP3", "None"]
    assert heat.rows[-1].title == "No priority named" and heat.rows[0].title.startswith("NP1 ")
    assert all(r.code.strip() for r in heat.rows)
    assert [label for label, _ in heat.columns] == [str(label) for _, label in StakeholderGroup.choices]
    column = [value for value, _ in StakeholderGroup.choices].index(StakeholderGroup.UN_ENTITY)
    assert heat.rows[0].cells[column].count == 1
    assert sum(cell.count for row in heat.rows for cell in row.cells) == 6  # the quoted comment counts twice
    # The darkest cell takes white text; an empty one dark text on a light fill.
    assert all(cell.text_fill == "#1a1a1a" for row in heat.rows for cell in row.cells if cell.count == 0)


def test_the_timeline_counts_per_day_then_per_week_for_long_discussions():
    days = [datetime.datetime(2024, 9, d, 12, tzinfo=UTC) for d in (1, 1, 3)]
    timeline = build_timeline(days)
    assert timeline.unit == "day"
    assert [(b.start.day, b.count) for b in timeline.bars] == [(1, 2), (2, 0), (3, 1)]
    assert timeline.bars[0].height == timeline.plot_height
    long = [datetime.datetime(2024, 1, 1, tzinfo=UTC), datetime.datetime(2024, 6, 5, tzinfo=UTC)]
    weekly = build_timeline(long)
    assert weekly.unit == "week"
    assert weekly.bars[0].start == datetime.date(2024, 1, 1)
    assert weekly.bars[-1].start == datetime.date(2024, 6, 3)  # the Monday of its week
    assert build_timeline([]).bars == []


def test_the_synthesis_page_draws_accessible_svg_charts_with_tables(known, secretariat_client):
    response = secretariat_client.get(reverse("discussions:secretariat-synthesis", kwargs={"slug": "draft-workplan"}))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('role="img"') == 2
    assert 'aria-labelledby="heatmap-title heatmap-desc"' in html
    assert "<title>NP1 × UN entity: 1</title>" in html
    assert "heatmap-table" in html and "timeline-table" in html
    assert "style=" not in html  # the CSP forbids inline styles
    assert "NP1 — A limited set of indicators to review progress" in html
    assert "中文评论 🌍🚀" in html
    assert f'href="/discussions/draft-workplan/#comment-{known.quoted.pk}"' in html
    assert "Off topic" not in html


def test_the_synthesis_page_of_an_empty_discussion_says_so(secretariat_client, make_export_discussion):
    discussion = make_export_discussion()
    response = secretariat_client.get(reverse("discussions:secretariat-synthesis", kwargs={"slug": discussion.slug}))
    assert response.status_code == 200
    assert "role=\"img\"" not in response.content.decode()


# Session, user, two for permissions, profile (site context), the discussion with its workplan, its priorities,
# its published comments and their priorities.
SYNTHESIS_QUERIES = 10


@pytest.mark.parametrize("size", [1, 50])
def test_the_synthesis_page_takes_a_fixed_number_of_queries(secretariat_client, django_assert_num_queries, size,
                                                            make_export_discussion, make_comments):
    discussion = make_export_discussion()
    priorities = [make_priority(workplan=discussion.workplan), make_priority(workplan=discussion.workplan)]
    make_comments(discussion, size, priorities=priorities)
    url = reverse("discussions:secretariat-synthesis", kwargs={"slug": discussion.slug})
    with django_assert_num_queries(SYNTHESIS_QUERIES):
        response = secretariat_client.get(url)
    assert response.status_code == 200
