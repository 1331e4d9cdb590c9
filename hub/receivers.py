"""Signal receivers of the people layer. Each only hands over to a service."""
from __future__ import annotations


def email_confirmed(sender, request=None, email_address=None, **kwargs) -> None:
    """allauth verified an address: it may confirm a pending membership through the organisation's domains."""
    from hub.services import membership_confirm_by_domain

    if email_address is not None and email_address.user_id:
        membership_confirm_by_domain(actor=None, user=email_address.user)


def admin_logged(sender, instance=None, created=False, **kwargs) -> None:
    """The Django admin changed or deleted something (it logs every change): visitors' stored pages are stale.
    Most admin saves go through audited services already; deletions and inlines do not."""
    from hub import pagecache

    if created:
        pagecache.invalidate()
