"""Every kind of e-mail the site sends links to HUB_SITE_URL, whatever host the request that caused it came to:
the setting is overridden here and every link of every mail must start with it."""
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from discussions import notifications
from discussions.models import Subscription
from discussions.moderation import question_post
from hub.library import notifications as library
from hub.models import Membership
from hub.roles import SECRETARIAT
from hub.services import contact_message_send, membership_confirm, membership_request
from tests.factories import make_comment, make_discussion, make_organisation, make_user, make_working_group
from tests.library.factories import make_resource, make_review, make_roster_member
from workplan.services import interest_accept, interest_express

pytestmark = pytest.mark.django_db

SITE = "https://consult.example.org/hub"  # a path prefix too: links keep it
LINK = re.compile(r"https?://[^\s<>\"']+")


@pytest.fixture(autouse=True)
def _site(settings):
    settings.HUB_SITE_URL = SITE + "/"
    settings.ALLOWED_HOSTS = ["testserver", "elsewhere.example.net"]


def links(message) -> list[str]:
    texts = [message.body] + [content for content, _mimetype in getattr(message, "alternatives", [])]
    texts += [value for key, value in message.extra_headers.items() if key == "List-Unsubscribe"]
    return [link.rstrip(".,;:)>") for text in texts for link in LINK.findall(text)]


def assert_every_link_on_the_site(messages, *, expect_links=True):
    assert messages
    for message in messages:
        found = links(message)
        if expect_links:
            assert found, f"no link in {message.subject!r}"
        for link in found:
            assert link.startswith(SITE + "/"), f"{message.subject!r} links to {link}"


def run(callbacks, action):
    with callbacks(execute=True):
        action()
    sent = list(mail.outbox)
    mail.outbox.clear()
    return sent


def test_discussion_mails_link_to_the_site(django_capture_on_commit_callbacks):
    moderator = make_user(email="mod@example.org")
    discussion = make_discussion(moderators=[moderator], moderation="post",
                                 closes_at=timezone.now() + timedelta(days=2))
    author = make_user(email="author@example.org")
    Subscription.objects.create(user=author, discussion=discussion)
    comment = make_comment(discussion=discussion, author=author)
    callbacks = django_capture_on_commit_callbacks
    from discussions import services

    kinds = {
        "reply": run(callbacks, lambda: services.comment_post(actor=make_user(), discussion=discussion,
                                                              parent=comment, body="A reply.")),
        "question": run(callbacks, lambda: question_post(actor=moderator, discussion=discussion, text="Why?")),
        "published": run(callbacks, lambda: notifications.author_published(comment)),
        "declined": run(callbacks, lambda: notifications.author_declined(comment)),
        "edited": run(callbacks, lambda: notifications.author_edited(comment, "Typos")),
        "digest": run(callbacks, lambda: (make_comment(discussion=discussion, status="pending"),
                                          notifications.send_due_digests())),
        "dates": run(callbacks, notifications.send_discussion_date_notices),
    }
    for kind, messages in kinds.items():
        assert messages, kind
        assert_every_link_on_the_site(messages, expect_links=kind != "declined")  # a decline mail has no link
    assert any("closes in three days" in m.subject for m in kinds["dates"])


def test_people_and_workplan_mails_link_to_the_site(django_capture_on_commit_callbacks):
    secretariat = make_user(role=SECRETARIAT, email="secretariat@example.org")
    organisation = make_organisation(name="Migrant Forum")
    person = make_user(email="amina@example.org", membership=Membership.REQUESTED, organisation=organisation)
    callbacks = django_capture_on_commit_callbacks
    requested = run(callbacks, lambda: membership_request(actor=person, user=person, organisation=organisation))
    decided = run(callbacks, lambda: membership_confirm(actor=secretariat, profile=person.profile,
                                                        organisation=organisation))
    assert_every_link_on_the_site(requested + decided)
    expression = interest_express(actor=person, working_group=make_working_group(), role="member", message="Hi")
    assert_every_link_on_the_site(run(callbacks, lambda: interest_accept(actor=secretariat, expression=expression)))
    contact = run(callbacks, lambda: contact_message_send(actor=None, name="A", email="a@example.org",
                                                          subject="Hello", message="No links here."))
    assert_every_link_on_the_site(contact, expect_links=False)


def test_library_mails_link_to_the_site(django_capture_on_commit_callbacks):
    submitter = make_user(email="submitter@example.org")
    resource = make_resource(submitted_by=submitter, status="submitted")
    member = make_roster_member(user=make_user(email="expert@example.org"))
    review = make_review(resource=resource, reviewer=member)
    for send, pk in [(library.send_submission_received, resource.pk),
                     (library.send_submission_to_secretariat, resource.pk),
                     (library.send_review_assigned, review.pk), (library.send_review_declined, review.pk),
                     (library.send_review_submitted, review.pk), (library.send_roster_application, member.pk),
                     (library.send_roster_decided, member.pk)]:
        assert send(pk)
    resource.status = "published"
    resource.save()
    assert library.send_resource_decided(resource.pk)
    assert_every_link_on_the_site(list(mail.outbox))


def test_sign_up_and_password_reset_mails_link_to_the_site_whatever_host_was_asked(client):
    client.post("/accounts/signup/", {"email": "new.person@example.org", "password1": "a-long-pass-2026!",
                                      "password2": "a-long-pass-2026!"}, HTTP_HOST="elsewhere.example.net")
    make_user(email="forgetful@example.org")
    client.post("/accounts/password/reset/", {"email": "forgetful@example.org"}, HTTP_HOST="elsewhere.example.net")
    messages = list(mail.outbox)
    assert len(messages) == 2
    assert_every_link_on_the_site(messages)
