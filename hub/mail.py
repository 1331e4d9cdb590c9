"""Every e-mail of the site leaves through here, as a task of the queue (hub.tasks.send_emails).

A message is built where it is decided (subject, bodies, recipients, headers), turned into plain JSON
(`message_to_payload`) and queued once the caller's transaction commits; the worker rebuilds it and sends it. A mail
server that is down or answers "try later" (4xx) is retried with exponential backoff (`HUB_MAIL_RETRY_DELAY` seconds
doubling each time up to an hour, `HUB_MAIL_MAX_TRIES` tries in all: about four hours with the defaults); a mail the
server refuses for good (5xx, a header that cannot be encoded) is logged and dropped. Nothing here ever raises into
the action that sent the mail: its data is already saved.

Without a broker (development, most tests) the task runs in the calling process at once and a failed send is logged,
as it always was.

Header values pass through `header_text`: line breaks and other control characters become spaces.
"""
from __future__ import annotations

import logging
import smtplib
import unicodedata
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.db import transaction

log = logging.getLogger(__name__)

_BREAKING = {"Cc", "Zl", "Zp"}  # control characters (CR, LF, NUL, ...) and the Unicode line/paragraph separators


def header_text(value: str) -> str:
    """Text fit for a mail header such as a subject: line breaks and other control characters become spaces and
    runs of spaces one, so nothing typed is lost and nothing can start a header of its own."""
    spaced = "".join(" " if unicodedata.category(char) in _BREAKING else char for char in value)
    return " ".join(spaced.split())


# --- A message as JSON ------------------------------------------------------------------------------------------

def message_to_payload(mail: EmailMessage) -> dict:
    """Everything needed to rebuild `mail` in another process, as JSON-safe values (attachments are not carried:
    no e-mail of the site has any)."""
    return {
        "subject": str(mail.subject),
        "body": str(mail.body),
        "from_email": str(mail.from_email or settings.DEFAULT_FROM_EMAIL),
        "to": [str(a) for a in mail.to],
        "cc": [str(a) for a in mail.cc],
        "bcc": [str(a) for a in mail.bcc],
        "reply_to": [str(a) for a in mail.reply_to],
        "headers": {str(k): str(v) for k, v in (mail.extra_headers or {}).items()},
        "alternatives": [[str(content), str(mimetype)]
                         for content, mimetype in getattr(mail, "alternatives", []) or []],
    }


def message_from_payload(payload: dict, *, connection=None) -> EmailMultiAlternatives:
    """The message `message_to_payload` described."""
    mail = EmailMultiAlternatives(
        subject=payload["subject"], body=payload["body"], from_email=payload.get("from_email") or None,
        to=payload.get("to") or [], cc=payload.get("cc") or [], bcc=payload.get("bcc") or [],
        reply_to=payload.get("reply_to") or [], headers=payload.get("headers") or {}, connection=connection,
    )
    for content, mimetype in payload.get("alternatives") or []:
        mail.attach_alternative(content, mimetype)
    return mail


def describe_payload(payload: dict) -> str:
    return f"{header_text(payload.get('subject', ''))[:200]} to {', '.join(payload.get('to') or [])[:200]}"


# --- Sending ----------------------------------------------------------------------------------------------------

def is_transient(exc: BaseException) -> bool:
    """Worth trying again later: the server could not be reached or answered 4xx ("try later"). A 5xx answer or a
    message that cannot be encoded will fail the same way every time."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return any(400 <= code < 500 for code, _message in exc.recipients.values())
    if isinstance(exc, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError)):
        return True
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPException):
        return False
    return isinstance(exc, OSError)  # refused connection, timeout, network unreachable, reset


def send_payloads(payloads: Iterable[dict]) -> list[dict]:
    """Send the messages over one connection to the mail server; returns those that failed for a reason that may
    pass (to be tried again). Messages refused for good are logged and not returned."""
    payloads = list(payloads)
    if not payloads:
        return []
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except Exception as exc:  # noqa: BLE001 - the server is unreachable: every message waits for the next try
        if is_transient(exc):
            log.warning("Mail server unreachable (%s): %d e-mail(s) wait for a retry", exc, len(payloads))
            return payloads
        log.exception("Mail server refused the connection: %d e-mail(s) not sent", len(payloads))
        return []
    retry: list[dict] = []
    try:
        for index, payload in enumerate(payloads):
            try:
                connection.send_messages([message_from_payload(payload, connection=connection)])
            except Exception as exc:  # noqa: BLE001 - one bad message must not stop the others
                if not is_transient(exc):
                    log.error("E-mail not sent: %s (%s)", describe_payload(payload), exc)
                    continue
                if isinstance(exc, smtplib.SMTPServerDisconnected) or not isinstance(exc, smtplib.SMTPException):
                    # The connection is gone: this and every later message wait for the next try.
                    log.warning("Mail server connection lost (%s): %d e-mail(s) wait for a retry", exc,
                                len(payloads) - index)
                    retry.extend(payloads[index:])
                    break
                retry.append(payload)
    finally:
        try:
            connection.close()
        except Exception:  # noqa: BLE001 - closing a broken connection may fail; nothing is lost
            pass
    return retry


def queue_payloads(payloads: list[dict]) -> None:
    """Hand messages to the task queue now (sent in-process at once without a broker, or if the broker cannot be
    reached, so they are not lost); nothing raises."""
    if not payloads:
        return
    from hub.tasks import enqueue, send_emails

    enqueue(send_emails, payloads)


def queue_mail(mail: EmailMessage) -> None:
    """Queue one message now (use `send_on_commit` inside a transaction)."""
    try:
        payload = message_to_payload(mail)
    except Exception:  # noqa: BLE001
        log.exception("E-mail not queued: %s", header_text(str(mail.subject))[:200])
        return
    queue_payloads([payload])


def send_logged(mail: EmailMessage) -> bool:
    """Queue the message now; a failure to send is logged by the task, never raised. Kept for callers that ran
    inside an on-commit callback already (the library's notices)."""
    queue_mail(mail)
    return True


def send_on_commit(mail: EmailMessage) -> None:
    """Queue the message once the current transaction commits (at once outside one), never raising into the
    caller."""
    payload = message_to_payload(mail)  # built now: the task carries text, not objects that may change
    transaction.on_commit(lambda: queue_payloads([payload]), robust=True)


def send_many_on_commit(mails: Iterable[EmailMessage]) -> None:
    """Several messages as one task, sent over one connection once the transaction commits."""
    payloads = [message_to_payload(mail) for mail in mails]
    transaction.on_commit(lambda: queue_payloads(payloads), robust=True)
