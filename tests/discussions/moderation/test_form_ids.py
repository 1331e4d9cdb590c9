"""The moderator's comment page holds several forms: each has its own ids, so no label names two fields."""
import re
from collections import Counter

import pytest

from tests.factories import make_comment, make_discussion, make_question, make_user, make_workplan

pytestmark = pytest.mark.django_db


def test_the_hide_and_retag_forms_of_a_comment_have_their_own_ids_and_labels(client):
    moderator = make_user()
    discussion = make_discussion(workplan=make_workplan(), moderators=[moderator])
    comment = make_comment(discussion=discussion, question=make_question(discussion=discussion))
    client.force_login(moderator)
    body = client.get(f"/discussions/moderation/comments/{comment.pk}/").content.decode()
    ids = Counter(re.findall(r'\bid="([^"]+)"', body))
    assert [i for i, n in ids.items() if n > 1] == []
    assert 'id="id_hide_reason"' in body and 'for="id_hide_reason"' in body
    assert 'id="id_retag_reason"' in body and 'for="id_retag_reason"' in body
    assert 'id="id_reason"' not in body
    # The posted names stay as they were.
    assert body.count('name="reason"') == 2


def test_a_hide_form_sent_back_with_an_error_keeps_its_own_ids(client):
    moderator = make_user()
    discussion = make_discussion(moderators=[moderator])
    comment = make_comment(discussion=discussion)
    client.force_login(moderator)
    response = client.post(f"/discussions/moderation/comments/{comment.pk}/hide/", {"reason": ""})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_hide_reason"' in body and "This field is required." in body
    comment.refresh_from_db()
    assert comment.status == "published"
