"""The contact page: stores the message for staff, e-mails the site's contact address, rate limited."""
import pytest

from hub.models import ContactMessage
from tests.factories import make_user

pytestmark = pytest.mark.django_db
URL = "/contact/"
DATA = {"name": "Amina Odhiambo", "email": "amina@example.org", "subject": "Annual meeting",
        "message": "Will the October meeting be streamed?\nThank you.", "website": ""}


@pytest.fixture(autouse=True)
def contact_address(settings):
    settings.HUB_CONTACT_EMAIL = "contact@hub.example.org"
    settings.HUB_SITE_NAME = "Migration Hub"


def test_the_form_is_shown_to_visitors(client):
    response = client.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    for field in ("name", "email", "subject", "message", "website"):
        assert f'name="{field}"' in body
    assert '<div class="hp-field" aria-hidden="true">' in body


def test_a_signed_in_user_finds_name_and_email_filled_in(client):
    user = make_user(name="Lotte Vermeulen", email="lotte@example.org")
    client.force_login(user)
    body = client.get(URL).content.decode()
    assert 'value="Lotte Vermeulen"' in body and 'value="lotte@example.org"' in body


def test_sending_stores_the_message_and_emails_the_contact_address(client, mailoutbox,
                                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, DATA)
    assert response.status_code == 302 and response["Location"] == "/contact/thanks/"
    stored = ContactMessage.objects.get()
    assert (stored.name, stored.email, stored.subject) == ("Amina Odhiambo", "amina@example.org", "Annual meeting")
    assert stored.message == DATA["message"]
    assert stored.user is None and stored.handled is False
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["contact@hub.example.org"]
    assert mail.reply_to == ["amina@example.org"]
    assert mail.subject == "[Migration Hub contact] Annual meeting"
    assert "Amina Odhiambo <amina@example.org>" in mail.body
    assert "Will the October meeting be streamed?" in mail.body


def test_a_signed_in_sender_is_linked_to_the_message(client, django_capture_on_commit_callbacks):
    user = make_user()
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, DATA)
    assert ContactMessage.objects.get().user == user


def test_the_thank_you_page_says_the_message_was_sent(client):
    response = client.get("/contact/thanks/")
    assert response.status_code == 200
    assert "Your message has been sent to the secretariat." in response.content.decode()


def test_a_filled_honeypot_is_silently_dropped(client, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {**DATA, "website": "https://spam.example.org"})
    assert response.status_code == 302 and response["Location"] == "/contact/thanks/"
    assert not ContactMessage.objects.exists()
    assert mailoutbox == []


def test_invalid_input_is_explained_and_kept(client, mailoutbox):
    response = client.post(URL, {**DATA, "email": "not-an-address"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Enter a valid email address." in body
    assert 'value="not-an-address"' in body
    assert "Will the October meeting be streamed?" in body
    assert not ContactMessage.objects.exists() and mailoutbox == []


def test_too_many_messages_answer_429_with_a_message_and_keep_the_text(client, settings, mailoutbox,
                                                                       django_capture_on_commit_callbacks):
    settings.HUB_CONTACT_RATE_LIMIT = "2/h"
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            assert client.post(URL, DATA).status_code == 302
        response = client.post(URL, {**DATA, "message": "A third message, kept for the sender."})
    assert response.status_code == 429
    body = response.content.decode()
    assert "You have sent several messages in a short time." in body
    assert "A third message, kept for the sender." in body
    assert 'value="Annual meeting"' in body
    assert ContactMessage.objects.count() == 2
    assert len(mailoutbox) == 2


def test_the_rate_limit_is_per_sender(client, settings, django_capture_on_commit_callbacks):
    settings.HUB_CONTACT_RATE_LIMIT = "1/h"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(URL, DATA, REMOTE_ADDR="10.0.0.1").status_code == 302
        assert client.post(URL, DATA, REMOTE_ADDR="10.0.0.1").status_code == 429
        assert client.post(URL, DATA, REMOTE_ADDR="10.0.0.2").status_code == 302
    assert ContactMessage.objects.count() == 2


def test_markup_in_a_message_is_escaped_on_the_form(client, settings):
    settings.HUB_CONTACT_RATE_LIMIT = "0/h"
    response = client.post(URL, {**DATA, "message": "<script>alert(1)</script>"})
    assert response.status_code == 429
    body = response.content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


HEADER_INJECTION = "Meeting\r\nBcc: everyone@example.org\r\n\r\nSpam body"


def test_a_line_break_in_the_subject_is_folded_into_spaces_and_the_mail_goes_out(
        client, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {**DATA, "subject": HEADER_INJECTION, "name": "Amina\nOdhiambo"})
    assert response.status_code == 302 and response["Location"] == "/contact/thanks/"
    stored = ContactMessage.objects.get()
    assert stored.subject == "Meeting Bcc: everyone@example.org Spam body"
    assert stored.name == "Amina Odhiambo"
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.subject == "[Migration Hub contact] Meeting Bcc: everyone@example.org Spam body"
    assert mail.bcc == [] and mail.recipients() == ["contact@hub.example.org"]
    raw = mail.message().as_string()
    assert "\nBcc:" not in raw and "\nSpam body" not in raw


@pytest.mark.parametrize("subject", ["Meeting\u2028Bcc: x@example.org", "Meeting\x0bnext", "Meeting\x85next"])
def test_other_line_breaking_characters_in_the_subject_are_folded_too(subject, client, mailoutbox,
                                                                    django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(URL, {**DATA, "subject": subject}).status_code == 302
    assert "\n" not in mailoutbox[0].message()["Subject"].replace("\n ", "")
    assert ContactMessage.objects.get().subject.startswith("Meeting ")


def test_a_subject_of_control_characters_only_is_asked_for_again(client, mailoutbox):
    response = client.post(URL, {**DATA, "subject": "\x01\x02\r\n"})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not ContactMessage.objects.exists()


def test_a_mail_that_cannot_be_sent_keeps_the_stored_message_and_thanks_the_sender(
        client, monkeypatch, django_capture_on_commit_callbacks, caplog):
    import smtplib

    def refuse(self, messages):
        raise smtplib.SMTPServerDisconnected("the mail server went away")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, DATA)
    assert response.status_code == 302 and response["Location"] == "/contact/thanks/"
    assert ContactMessage.objects.get().subject == "Annual meeting"
    assert "E-mail not sent: [Migration Hub contact] Annual meeting" in caplog.text


def test_the_service_folds_a_subject_given_to_it_directly(mailoutbox, django_capture_on_commit_callbacks):
    from hub.services import contact_message_send

    with django_capture_on_commit_callbacks(execute=True):
        contact_message_send(actor=None, name="A", email="a@example.org", subject=HEADER_INJECTION, message="Hi")
    assert mailoutbox[0].subject == "[Migration Hub contact] Meeting Bcc: everyone@example.org Spam body"
