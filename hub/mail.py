"""Sending e-mail safely: header values kept on one line, and a mail that cannot be sent logged rather than turned
into an error page for a request whose data is already saved."""
from __future__ import annotations

import logging
import unicodedata

from django.core.mail import EmailMessage
from django.db import transaction

log = logging.getLogger(__name__)

_BREAKING = {"Cc", "Zl", "Zp"}  # control characters (CR, LF, NUL, ...) and the Unicode line/paragraph separators


def header_text(value: str) -> str:
    """Text fit for a mail header such as a subject: line breaks and other control characters become spaces and
    runs of spaces one, so nothing typed is lost and nothing can start a header of its own."""
    spaced = "".join(" " if unicodedata.category(char) in _BREAKING else char for char in value)
    return " ".join(spaced.split())


def send_logged(mail: EmailMessage) -> bool:
    """Send now; on any failure (a refused header, the mail server down) log it and return False."""
    try:
        mail.send(fail_silently=False)
    except Exception:  # noqa: BLE001 - whatever the mail layer raises, the caller's work is already saved
        log.exception("E-mail not sent: %s", header_text(str(mail.subject))[:200])
        return False
    return True


def send_on_commit(mail: EmailMessage) -> None:
    """Send once the current transaction commits (at once outside one), never raising into the caller."""
    transaction.on_commit(lambda: send_logged(mail))
