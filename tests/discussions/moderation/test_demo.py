"""The moderation demo leaves something to see in the queue: waiting comments, a report, a hidden and a highlighted
comment - and running it twice changes nothing more."""
import io

import pytest
from django.core.management.color import no_style

from discussions.models import Comment, Flag
from hub.models import AuditEntry

pytestmark = pytest.mark.django_db


def load_everything():
    from discussions import demo
    from discussions.demo import moderation as demo_moderation
    from hub import demo as hub_demo
    from workplan import demo as workplan_demo

    out = io.StringIO()
    for module in (hub_demo, workplan_demo, demo, demo_moderation):
        module.load(out, no_style())
    return out.getvalue()


def test_the_moderation_demo_leaves_queue_items_a_report_a_hidden_and_a_highlighted_comment():
    output = load_everything()
    comments = Comment.objects.filter(discussion__slug="draft-network-workplan-2022-2024")
    assert comments.filter(status="pending").count() >= 2
    assert comments.filter(status="hidden").count() == 1
    assert comments.filter(highlighted=True).count() == 1
    assert Flag.objects.filter(comment__in=comments, resolved_at__isnull=True).count() == 1
    assert "Moderation demo" in output
    entries = AuditEntry.objects.count()
    load_everything()
    assert comments.filter(status="hidden").count() == 1
    assert comments.filter(highlighted=True).count() == 1
    assert AuditEntry.objects.filter(action__in=["comment.hide", "comment.highlight", "comment.flag"]).count() == 3
    assert AuditEntry.objects.count() >= entries


def test_without_the_demo_discussion_it_does_nothing():
    from discussions.demo import moderation as demo_moderation

    out = io.StringIO()
    demo_moderation.load(out, no_style())
    assert "skipped" in out.getvalue()
    assert not AuditEntry.objects.exists()
