"""Every write of the workplan app. Each checks permission first, runs in one transaction, writes the audit log
and sends its mail only once the transaction has committed."""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
import dataclasses
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hub.audit import audit_log
from hub.http import absolute_url
from hub.languages import preferred_language
from hub.mail import header_text, send_on_commit
from hub.selectors import profile_for_user
from hub.services import organisation_get_or_create
from hub.text import clean_html
from workplan.models import GcmObjective, InterestExpression, Priority, WorkingGroup, Workplan
from workplan.permissions import check_express_interest, check_manage_workplan, check_withdraw_interest
from workplan.signals import priorities_changed

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
    if isinstance(instance, (Priority, Workplan)):
        _priorities_changed(instance.pk if isinstance(instance, Workplan) else instance.workplan_id)
    return instance


def _priorities_changed(workplan_id: int) -> None:
    """After commit, tell other apps that what the workplan's priority mentions link to may have changed."""
    transaction.on_commit(lambda: priorities_changed.send(sender=Workplan, workplan_id=workplan_id))


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


def _decide(*, actor, expression: InterestExpression, status: str, reply: str) -> InterestExpression:
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
    _mail_decision(expression)
    return expression


@transaction.atomic
def interest_accept(*, actor, expression: InterestExpression, reply: str = "") -> InterestExpression:
    """The secretariat accepts: the organisation joins the group (as co-lead if asked) and the submitter is told."""
    return _decide(actor=actor, expression=expression, status=InterestExpression.Status.ACCEPTED, reply=reply)


@transaction.atomic
def interest_decline(*, actor, expression: InterestExpression, reply: str = "") -> InterestExpression:
    """The secretariat declines, optionally saying why; the submitter is told."""
    return _decide(actor=actor, expression=expression, status=InterestExpression.Status.DECLINED, reply=reply)


def _mail_decision(expression: InterestExpression) -> None:
    recipient = expression.submitted_by.email if expression.submitted_by else ""
    if not recipient:
        return
    group = expression.working_group
    with translation.override(preferred_language(expression.submitted_by)):
        context = {
            "expression": expression, "group": group, "organisation": expression.organisation,
            "accepted": expression.status == InterestExpression.Status.ACCEPTED,
            "group_url": absolute_url(group.get_absolute_url()),
            "profile_url": absolute_url(reverse("hub:profile")),
            "site_name": settings.HUB_SITE_NAME,
        }
        subject = render_to_string("workplan/email/interest_decided_subject.txt", context).strip()
        body = render_to_string("workplan/email/interest_decided.txt", context)
    send_on_commit(EmailMessage(subject=header_text(subject), body=body, to=[recipient]))


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


# --- Imports: a workplan as a file states it (discussions.interchange) ----------------------------------------


@dataclass(frozen=True)
class PriorityFields:
    """A priority as an import states it; None leaves a field as it is on the site."""

    kind: str
    number: int
    title: str
    description: str | None = None  # HTML, cleaned on saving
    gcm_objectives: Sequence[int] | None = None  # the objectives' numbers


@dataclass(frozen=True)
class WorkingGroupFields:
    """A working group as an import states it; None leaves a field as it is on the site."""

    slug: str
    name: str
    kind: str | None = None
    description: str | None = None  # HTML, cleaned on saving
    priorities: Sequence[str] | None = None  # codes of the priorities imported with it
    co_leads: Sequence[str] | None = None  # organisation names, found whatever their case or created


@dataclass
class WorkplanImport:
    """What `workplan_import` wrote: the workplan, its priorities by code and working groups by slug, and how many
    rows of each kind ("workplan", "priority", "working group", "organisation") it created and updated."""

    workplan: Workplan
    priorities: dict[str, Priority] = dataclasses.field(default_factory=dict)
    working_groups: dict[str, WorkingGroup] = dataclasses.field(default_factory=dict)
    created: Counter = dataclasses.field(default_factory=Counter)
    updated: Counter = dataclasses.field(default_factory=Counter)

    def count(self, kind: str, created: bool) -> None:
        (self.created if created else self.updated)[kind] += 1


@transaction.atomic
def workplan_import(*, actor, slug: str, title: str, period_start: int | None = None, period_end: int | None = None,
                    status: str | None = None, priorities: Sequence[PriorityFields] = (),
                    working_groups: Sequence[WorkingGroupFields] = ()) -> WorkplanImport:
    """Create or update the workplan with this slug, its priorities (matched by kind and number) and working groups
    (by slug) as an import states them, audited once for the whole workplan. Only the secretariat imports; actor
    None is the site itself (the import command). Raises ValidationError naming the field, e.g.
    `priorities[0].gcm_objectives`, when the site lacks a GCM objective."""
    if actor is not None:
        check_manage_workplan(actor)
    workplan = Workplan.objects.filter(slug=slug).first()
    result = WorkplanImport(workplan=workplan or Workplan(slug=slug))
    result.count("workplan", workplan is None)
    if workplan is None:  # a new workplan needs both years: one stated year, or this one, stands for the other
        result.workplan.period_start = period_start or period_end or timezone.now().year
        result.workplan.period_end = period_end or result.workplan.period_start
    result.workplan.title = title
    for key, value in (("period_start", period_start), ("period_end", period_end), ("status", status)):
        if value is not None:
            setattr(result.workplan, key, value)
    result.workplan.save()
    _import_priorities(result, priorities)
    _import_working_groups(result, working_groups, actor=actor)
    audit_log(actor=actor, action="workplan.import", target=result.workplan,
              after={"created": dict(result.created), "updated": dict(result.updated)})
    _priorities_changed(result.workplan.pk)
    return result


def _import_priorities(result: WorkplanImport, rows: Sequence[PriorityFields]) -> None:
    existing = {(p.kind, p.number): p for p in result.workplan.priorities.all()}
    objectives = {o.number: o for o in GcmObjective.objects.all()}
    for index, row in enumerate(rows):
        priority = existing.get((row.kind, row.number))
        created = priority is None
        if created:
            priority = Priority(workplan=result.workplan, kind=row.kind, number=row.number, order=index)
        priority.title = row.title
        if row.description is not None:
            priority.description = clean_html(row.description)
        priority.save()
        if row.gcm_objectives is not None:
            missing = [n for n in row.gcm_objectives if n not in objectives]
            if missing:  # the reference data is loaded by a migration; without it, say so rather than drop them
                raise ValidationError({f"priorities[{index}].gcm_objectives": _(
                    "GCM objective %(number)s is not in this site's reference data") % {"number": missing[0]}})
            priority.gcm_objectives.set([objectives[n] for n in row.gcm_objectives])
        result.priorities[priority.code] = priority
        result.count("priority", created)


def _import_working_groups(result: WorkplanImport, rows: Sequence[WorkingGroupFields], *, actor) -> None:
    existing = {g.slug: g for g in result.workplan.working_groups.all()}
    for row in rows:
        group = existing.get(row.slug)
        created = group is None
        if created:
            group = WorkingGroup(workplan=result.workplan, slug=row.slug)
        group.name = row.name
        if row.kind is not None:
            group.kind = row.kind
        if row.description is not None:
            group.description = clean_html(row.description)
        group.save()
        if row.priorities is not None:
            group.priorities.set([result.priorities[code] for code in row.priorities])
        if row.co_leads is not None:
            group.co_leads.set([_co_lead(result, name, actor=actor) for name in row.co_leads])
        result.working_groups[group.slug] = group
        result.count("working group", created)


def _co_lead(result: WorkplanImport, name: str, *, actor):
    organisation, created = organisation_get_or_create(actor=actor, name=name)
    if created:
        result.created["organisation"] += 1
    return organisation
