"""Every write of the workplan app. Each checks permission first, runs in one transaction, writes the audit log
and sends its mail only once the transaction has committed."""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.audit import audit_log
from hub.selectors import profile_for_user
from hub.text import clean_html
from workplan.models import InterestExpression, Priority, WorkingGroup, Workplan
from workplan.permissions import check_express_interest, check_manage_workplan, check_withdraw_interest

MESSAGE_MAX_LENGTH = 2000

# The fields of each model that hold user HTML, cleaned on every save.
HTML_FIELDS: dict[type[models.Model], tuple[str, ...]] = {
    Workplan: ("summary",),
    Priority: ("description",),
    WorkingGroup: ("description",),
}


@transaction.atomic
def workplan_content_save(*, actor, instance: Workplan | Priority | WorkingGroup, changed: list[str] | None = None,
                          ) -> Workplan | Priority | WorkingGroup:
    """Secretariat edits of a workplan, priority or working group: HTML is sanitized and the change audited."""
    check_manage_workplan(actor)
    created = instance.pk is None
    for field in HTML_FIELDS.get(type(instance), ()):
        setattr(instance, field, clean_html(getattr(instance, field)))
    instance.save()
    label = type(instance)._meta.model_name
    audit_log(actor=actor, action=f"{label}.{'create' if created else 'update'}", target=instance,
              after={"changed": sorted(changed or [])})
    return instance


@transaction.atomic
def interest_express(*, actor, working_group: WorkingGroup, role: str, message: str = "") -> InterestExpression:
    """A confirmed member asks for their organisation to join a group; one open expression per organisation and
    group."""
    check_express_interest(actor, working_group)
    organisation = profile_for_user(actor).confirmed_organisation
    errors: dict[str, str] = {}
    if role not in InterestExpression.Role.values:
        errors["role"] = _("Choose whether your organisation would join as member, co-lead or observer.")
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX_LENGTH:
        errors["message"] = _("Keep the message to %(max)d characters (it has %(length)d).") % {
            "max": MESSAGE_MAX_LENGTH, "length": len(message)}
    if errors:
        raise ValidationError(errors)
    already = working_group.co_leads if role == InterestExpression.Role.CO_LEAD else working_group.members
    if already.filter(pk=organisation.pk).exists():
        raise ValidationError(_("%(organisation)s is already %(role)s of this group.") % {
            "organisation": organisation.name, "role": _("a co-lead") if role == InterestExpression.Role.CO_LEAD else _("a member")})
    duplicate = _(
        "%(organisation)s already has an expression of interest waiting for the secretariat's decision for "
        "this group. You will be e-mailed when it is decided."
    ) % {"organisation": organisation.name}
    pending = InterestExpression.objects.filter(organisation=organisation, working_group=working_group,
                                                status=InterestExpression.Status.PENDING)
    if pending.exists():
        raise ValidationError(duplicate, code="duplicate")
    try:
        # A savepoint: two colleagues submitting at the same moment meet the database constraint, not a 500.
        with transaction.atomic():
            expression = InterestExpression.objects.create(
                working_group=working_group, organisation=organisation, submitted_by=actor, role=role,
                message=message)
    except IntegrityError:
        raise ValidationError(duplicate, code="duplicate") from None
    audit_log(actor=actor, action="interest.express", target=expression,
              after={"working_group": working_group.pk, "organisation": organisation.pk, "role": role})
    return expression


def _decide(*, actor, expression: InterestExpression, status: str, reply: str, site_url: str) -> InterestExpression:
    check_manage_workplan(actor)
    reply = (reply or "").strip()
    if len(reply) > MESSAGE_MAX_LENGTH:
        raise ValidationError({"reply": _("Keep the reply to %(max)d characters.") % {"max": MESSAGE_MAX_LENGTH}})
    # Lock the row: two secretariat members deciding at once must not both succeed.
    expression = (InterestExpression.objects.select_for_update(of=("self",))
                  .select_related("working_group__workplan", "organisation", "submitted_by").get(pk=expression.pk))
    if expression.status != InterestExpression.Status.PENDING:
        raise ValidationError(_("This expression of interest was already decided (%(status)s).") % {
            "status": expression.get_status_display().lower()})
    before = {"status": expression.status}
    expression.status = status
    expression.reply = reply
    expression.decided_by = actor
    expression.decided_at = timezone.now()
    expression.save(update_fields=["status", "reply", "decided_by", "decided_at"])
    group = expression.working_group
    if status == InterestExpression.Status.ACCEPTED:
        if expression.role == InterestExpression.Role.CO_LEAD:
            group.co_leads.add(expression.organisation)
        else:
            group.members.add(expression.organisation)
    audit_log(actor=actor, action=f"interest.{status}", target=expression, before=before,
              after={"status": status, "role": expression.role}, reason=reply)
    _mail_decision(expression, site_url=site_url)
    return expression


@transaction.atomic
def interest_accept(*, actor, expression: InterestExpression, reply: str = "", site_url: str = "") -> InterestExpression:
    """The secretariat accepts: the organisation joins the group (as co-lead if asked) and the submitter is told."""
    return _decide(actor=actor, expression=expression, status=InterestExpression.Status.ACCEPTED, reply=reply,
                   site_url=site_url)


@transaction.atomic
def interest_decline(*, actor, expression: InterestExpression, reply: str = "", site_url: str = "") -> InterestExpression:
    """The secretariat declines, optionally saying why; the submitter is told."""
    return _decide(actor=actor, expression=expression, status=InterestExpression.Status.DECLINED, reply=reply,
                   site_url=site_url)


def _mail_decision(expression: InterestExpression, *, site_url: str) -> None:
    recipient = expression.submitted_by.email if expression.submitted_by else ""
    if not recipient:
        return
    group = expression.working_group
    # E-mail links must be absolute: the request's address when there is one, otherwise HUB_SITE_URL.
    base = (site_url or settings.HUB_SITE_URL).rstrip("/")
    context = {
        "expression": expression, "group": group, "organisation": expression.organisation,
        "accepted": expression.status == InterestExpression.Status.ACCEPTED,
        "group_url": f"{base}{group.get_absolute_url()}",
        "profile_url": f"{base}{reverse('hub:profile')}",
        "site_name": settings.HUB_SITE_NAME,
    }
    subject = render_to_string("workplan/email/interest_decided_subject.txt", context).strip()
    body = render_to_string("workplan/email/interest_decided.txt", context)
    mail = EmailMessage(subject=subject, body=body, to=[recipient])
    transaction.on_commit(lambda: mail.send(fail_silently=False))


@transaction.atomic
def interest_withdraw(*, actor, expression: InterestExpression) -> InterestExpression:
    """A confirmed member of the organisation takes back its pending expression before the secretariat decides."""
    expression = InterestExpression.objects.select_for_update(of=("self",)).select_related(
        "working_group", "organisation").get(pk=expression.pk)
    check_withdraw_interest(actor, expression)
    if expression.status != InterestExpression.Status.PENDING:
        raise ValidationError(_("This expression of interest was already decided (%(status)s).") % {
            "status": expression.get_status_display().lower()})
    expression.status = InterestExpression.Status.WITHDRAWN
    expression.decided_at = timezone.now()
    expression.save(update_fields=["status", "decided_at"])
    audit_log(actor=actor, action="interest.withdraw", target=expression,
              before={"status": InterestExpression.Status.PENDING}, after={"status": expression.status})
    return expression


@transaction.atomic
def interest_export(*, actor, expressions) -> list[InterestExpression]:
    """Downloading expressions of interest (names and e-mails) is for the secretariat and is logged."""
    check_manage_workplan(actor)
    rows = list(expressions)
    audit_log(actor=actor, action="interest.export", after={"rows": len(rows)})
    return rows
