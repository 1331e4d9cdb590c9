"""hub.mail and hub.tasks: a message travels as JSON, is sent over one connection, and a mail server that is down
or answers 4xx is tried again later with a growing delay; one that refuses for good is logged, never retried."""
import json
import smtplib

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.locmem import EmailBackend

from hub import tasks
from hub.mail import is_transient, message_from_payload, message_to_payload, send_payloads


def payload(to="amina@example.org", subject="Hello"):
    return message_to_payload(EmailMultiAlternatives(subject=subject, body="Text", to=[to]))


def test_a_message_survives_the_trip_through_json():
    original = EmailMultiAlternatives(subject="Subject é", body="Plain", from_email="Hub <noreply@hub.example.org>",
                                      to=["a@example.org"], cc=["b@example.org"], reply_to=["c@example.org"],
                                      headers={"List-Unsubscribe": "<https://hub.example.org/u/1/>"})
    original.attach_alternative("<p>HTML</p>", "text/html")
    rebuilt = message_from_payload(json.loads(json.dumps(message_to_payload(original))))
    assert (rebuilt.subject, rebuilt.body, rebuilt.from_email) == ("Subject é", "Plain", original.from_email)
    assert (rebuilt.to, rebuilt.cc, rebuilt.reply_to) == (["a@example.org"], ["b@example.org"], ["c@example.org"])
    assert rebuilt.extra_headers == {"List-Unsubscribe": "<https://hub.example.org/u/1/>"}
    assert rebuilt.alternatives[0][:2] == ("<p>HTML</p>", "text/html")


@pytest.mark.parametrize("exc, transient", [
    (ConnectionRefusedError(), True),
    (TimeoutError(), True),
    (smtplib.SMTPServerDisconnected("gone"), True),
    (smtplib.SMTPResponseException(421, b"try later"), True),
    (smtplib.SMTPResponseException(554, b"rejected"), False),
    (smtplib.SMTPRecipientsRefused({"a@example.org": (450, b"mailbox busy")}), True),
    (smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"no such user")}), False),
    (smtplib.SMTPAuthenticationError(535, b"bad password"), False),
    (ValueError("header"), False),
])
def test_what_is_worth_another_try(exc, transient):
    assert is_transient(exc) is transient


def test_a_batch_goes_over_one_connection(monkeypatch, mailoutbox):
    opened = []
    real_open = EmailBackend.open

    def count_open(self):
        opened.append(self)
        return real_open(self)

    monkeypatch.setattr(EmailBackend, "open", count_open)
    assert send_payloads([payload(f"p{n}@example.org") for n in range(5)]) == []
    assert len(mailoutbox) == 5 and len(opened) == 1


def test_a_refused_recipient_is_dropped_and_a_busy_one_kept_for_later(monkeypatch, mailoutbox, caplog):
    real_send = EmailBackend.send_messages

    def send_messages(self, messages):
        to = messages[0].to[0]
        if to == "gone@example.org":
            raise smtplib.SMTPRecipientsRefused({to: (550, b"no such user")})
        if to == "busy@example.org":
            raise smtplib.SMTPRecipientsRefused({to: (451, b"try later")})
        return real_send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", send_messages)
    busy = payload("busy@example.org")
    left = send_payloads([payload("gone@example.org"), busy, payload("ok@example.org")])
    assert left == [busy]
    assert [m.to for m in mailoutbox] == [["ok@example.org"]]
    assert "E-mail not sent: Hello to gone@example.org" in caplog.text


def test_a_server_that_is_down_keeps_every_message_for_the_next_try(monkeypatch):
    def refuse(self):
        raise ConnectionRefusedError("connection refused")

    monkeypatch.setattr(EmailBackend, "open", refuse)
    batch = [payload("a@example.org"), payload("b@example.org")]
    assert send_payloads(batch) == batch


def test_the_task_retries_only_the_unsent_messages_with_a_growing_delay(monkeypatch, settings):
    settings.HUB_MAIL_RETRY_DELAY = 30
    settings.HUB_MAIL_MAX_TRIES = 10
    waiting = payload("busy@example.org")
    monkeypatch.setattr(tasks, "send_payloads", lambda payloads: [waiting])
    calls = []

    def retry(**kwargs):
        calls.append(kwargs)
        return Retry()

    monkeypatch.setattr(tasks.send_emails, "retry", retry)
    for retries in (0, 3, 8):
        tasks.send_emails.push_request(retries=retries, is_eager=False)
        try:
            with pytest.raises(Retry):
                tasks.send_emails.run([payload("ok@example.org"), waiting])
        finally:
            tasks.send_emails.pop_request()
    assert [call["args"] for call in calls] == [([waiting],)] * 3
    assert 30 <= calls[0]["countdown"] <= 33
    assert 240 <= calls[1]["countdown"] <= 264
    assert 3600 <= calls[2]["countdown"] <= 3960  # at most an hour (and a little jitter)
    assert {call["max_retries"] for call in calls} == {9}


def test_the_task_gives_up_after_the_last_try_and_logs_it(monkeypatch, settings, caplog):
    settings.HUB_MAIL_MAX_TRIES = 10
    monkeypatch.setattr(tasks, "send_payloads", lambda payloads: payloads)
    tasks.send_emails.push_request(retries=9, is_eager=False)
    try:
        assert tasks.send_emails.run([payload("busy@example.org")]) == 0
    finally:
        tasks.send_emails.pop_request()
    assert "E-mail not sent: Hello to busy@example.org (gave up after 10 tries)" in caplog.text


def test_without_a_broker_a_failed_mail_is_logged_not_raised(monkeypatch, caplog):
    monkeypatch.setattr(EmailBackend, "open", lambda self: (_ for _ in ()).throw(ConnectionRefusedError()))
    from hub.mail import queue_mail

    queue_mail(EmailMultiAlternatives(subject="Hello", body="Text", to=["a@example.org"]))
    assert mail.outbox == []
    assert "E-mail not sent: Hello to a@example.org (gave up after 1 try)" in caplog.text


def test_a_broker_that_cannot_be_reached_sends_from_the_web_process(monkeypatch, settings, mailoutbox, caplog):
    from hub.celery import app
    from hub.mail import queue_mail

    monkeypatch.setitem(app.conf, "task_always_eager", False)

    def unreachable(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(tasks.send_emails, "apply_async", unreachable)
    queue_mail(EmailMultiAlternatives(subject="Hello", body="Text", to=["a@example.org"]))
    assert [m.to for m in mailoutbox] == [["a@example.org"]]
    assert "Task queue unreachable" in caplog.text
