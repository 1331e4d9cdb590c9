"""Against a real Celery worker (Redis) and a real SMTP server: a mail server that is down never fails the action,
and the mail arrives once it is back; a new question to many followers is one task and one mail each.

Select with `-m worker`. Without Redis these tests are skipped (they fail when CI is set)."""
import pytest
from django.urls import reverse

from discussions.models import Comment, Question, Subscription
from hub.models import ContactMessage
from tests.factories import make_comment, make_discussion, make_user

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

WAIT = 60  # seconds; the retries come after 1, 2, 4, ... seconds


def test_a_moderator_publishes_while_the_mail_server_is_down_and_the_author_hears_once_it_is_back(
        client, task_worker, smtp_server):
    moderator = make_user(email="mod@example.org")
    author = make_user(email="author@example.org")
    comment = make_comment(discussion=make_discussion(moderators=[moderator]), author=author, status="pending")
    client.force_login(moderator)

    response = client.post(reverse("discussions:moderation-publish", kwargs={"pk": comment.pk}))

    assert response.status_code == 302
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.PUBLISHED
    assert smtp_server.wait_for(1, timeout=2) == []  # down: nothing can have arrived
    smtp_server.start()
    smtp_server.wait_for(1, timeout=WAIT)
    [mail] = smtp_server.to("author@example.org") or [None]
    assert mail is not None, f"the author's mail never arrived; worker log:\n{task_worker.log()}"
    assert "Your comment is published" in mail.subject
    assert f"https://consult.example.org{comment.get_absolute_url()}" in mail.text


def test_the_contact_form_answers_at_once_while_the_mail_server_is_down_and_the_message_arrives_later(
        client, task_worker, smtp_server, settings):
    settings.HUB_CONTACT_EMAIL = "contact@hub.example.org"
    response = client.post("/contact/", {"name": "Amina Odhiambo", "email": "amina@example.org",
                                         "subject": "Annual meeting", "message": "Will it be streamed?",
                                         "website": ""})

    assert response.status_code == 302 and response["Location"] == "/contact/thanks/"
    assert ContactMessage.objects.get().subject == "Annual meeting"
    smtp_server.start()
    smtp_server.wait_for(1, timeout=WAIT)
    [mail] = smtp_server.to("contact@hub.example.org") or [None]
    assert mail is not None, f"the contact message never arrived; worker log:\n{task_worker.log()}"
    assert "Annual meeting" in mail.subject and "Will it be streamed?" in mail.text
    assert mail.message["Reply-To"] == "amina@example.org"


def test_a_new_question_is_one_task_and_every_follower_gets_one_mail(client, task_worker, smtp_server,
                                                                     monkeypatch):
    from celery.app.task import Task

    followers = 25
    moderator = make_user(email="mod@example.org")
    discussion = make_discussion(moderators=[moderator])
    addresses = [f"follower{n}@example.org" for n in range(followers)]
    for address in addresses:
        Subscription.objects.create(user=make_user(email=address), discussion=discussion)
    Subscription.objects.create(user=moderator, discussion=discussion)  # who posts it hears nothing
    queued = []
    real_apply_async = Task.apply_async

    def spy(self, *args, **kwargs):
        queued.append(self.name)
        return real_apply_async(self, *args, **kwargs)

    monkeypatch.setattr(Task, "apply_async", spy)
    smtp_server.start()
    client.force_login(moderator)

    response = client.post(reverse("discussions:moderation-question-add", kwargs={"slug": discussion.slug}),
                           {"text": "Which priority areas matter most to your entity?"})

    assert response.status_code == 302
    question = Question.objects.get(discussion=discussion)
    assert queued == ["discussions.tasks.notify_followers"]
    received = smtp_server.wait_for(followers, timeout=WAIT)
    recipients = sorted(address for mail in received for address in mail.recipients)
    assert recipients == sorted(addresses), f"worker log:\n{task_worker.log()}"
    smtp_server.wait_for(followers + 1, timeout=2)  # and nothing more comes
    assert len(smtp_server.mails()) == followers
    mail = smtp_server.to("follower0@example.org")[0]
    assert "New question in" in mail.subject
    assert f"https://consult.example.org{question.get_absolute_url()}" in mail.text
    unsubscribe = str(mail.message["List-Unsubscribe"]).strip()
    assert unsubscribe.startswith("<https://consult.example.org/discussions/unsubscribe/"), unsubscribe
