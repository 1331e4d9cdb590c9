"""`make run` searches too: the demo data is indexed by load_demo's last step."""
from io import StringIO

import pytest
from django.core.management import call_command

from discussions.models import Comment
from tests.hub.search.conftest import found

pytestmark = pytest.mark.django_db


def test_the_demo_is_searchable_and_its_hidden_comment_is_not(settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "Search index:" in out.getvalue()
    assert any(kind == "priority" for kind, _pk in found("detention"))
    attached = Comment.objects.get(attachments__isnull=False)
    # A word of the demo's PDF only.
    assert ("comment", attached.pk) in found("demo", kind="comment")
    hidden = Comment.objects.get(status=Comment.Status.HIDDEN)  # hidden with QuerySet.update(): no signal
    assert all(pk != hidden.pk for kind, pk in found(hidden.body_text.split()[3]) if kind == "comment")
