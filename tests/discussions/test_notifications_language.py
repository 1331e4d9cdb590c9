"""E-mails are written in the recipient's preferred language (their profile's), whatever language the person
acting was using: the links in them lead to the pages in that language too."""
from __future__ import annotations

import re

import pytest
from django.core import mail
from django.utils import translation

from discussions import moderation as mod
from discussions import notifications, services
from discussions.models import Subscription
from hub.models import Profile
from tests.factories import make_comment, make_discussion, make_user

pytestmark = pytest.mark.django_db

SITE = "https://hub.example.org"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.HUB_SITE_URL = SITE


def _prefers(user, code: str):
    Profile.objects.filter(user=user).update(language=code)
    user.refresh_from_db()
    return user


def _languages_while_sending(monkeypatch) -> list[str]:
    """The language active while each e-mail is written: to one person (`_send`) or to a follower."""
    seen: list[str] = []
    for name in ("_send", "_follower_message"):
        real = getattr(notifications, name)

        def spy(_real=real, **kwargs):
            seen.append(translation.get_language())
            return _real(**kwargs)

        monkeypatch.setattr(notifications, name, spy)
    return seen


def test_the_author_hears_of_publication_in_their_preferred_language(monkeypatch, django_capture_on_commit_callbacks):
    moderator = make_user()
    discussion = make_discussion(moderators=[moderator])
    author = _prefers(make_user(email="autora@example.org"), "es")
    comment = make_comment(discussion=discussion, author=author, status="pending")
    seen = _languages_while_sending(monkeypatch)
    with translation.override("ar"), django_capture_on_commit_callbacks(execute=True):
        mod.comment_publish(actor=moderator, comment=comment)
    assert seen == ["es"]
    [message] = [m for m in mail.outbox if m.to == ["autora@example.org"]]
    assert f"{SITE}/es/discussions/" in message.body


def test_a_follower_hears_of_a_reply_in_their_preferred_language(monkeypatch, django_capture_on_commit_callbacks):
    discussion = make_discussion(moderation="post")
    follower = _prefers(make_user(email="suiveuse@example.org"), "fr")
    parent = make_comment(discussion=discussion, author=follower)
    Subscription.objects.create(user=follower, discussion=discussion)
    seen = _languages_while_sending(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_post(actor=make_user(), discussion=discussion, parent=parent, body="A reply.")
    assert seen == ["fr"]
    [message] = [m for m in mail.outbox if m.to == ["suiveuse@example.org"]]
    links = re.findall(r"https?://\S+", message.body)
    assert any(link.startswith(f"{SITE}/fr/discussions/") for link in links)


def test_english_stays_the_default_for_e_mails(monkeypatch, django_capture_on_commit_callbacks):
    moderator = make_user()
    discussion = make_discussion(moderators=[moderator])
    comment = make_comment(discussion=discussion, author=make_user(email="author@example.org"), status="pending")
    seen = _languages_while_sending(monkeypatch)
    with translation.override("fr"), django_capture_on_commit_callbacks(execute=True):
        mod.comment_publish(actor=moderator, comment=comment)
    assert seen == ["en"]
