"""Every write of the public side of discussions: posting, editing and withdrawing comments, following; and the
secretariat's saving of a discussion's settings (from the admin).

Each service takes keyword-only arguments and the acting user, checks permission first, runs in one transaction,
writes the audit log and sends mail only once the transaction has committed. Moderation (questions included) lives
in the `discussions/moderation/` package, one module per verb; it calls `notifications.notify_comment_published`
when it publishes a comment.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import get_language, gettext as _

from discussions import notifications
from discussions.models import Attachment, Comment, CommentVersion, Discussion, Question, Subscription
from discussions.permissions import (
    can_publish_without_review,
    check_edit_comment,
    check_post_comment,
    check_save_discussion,
    check_withdraw_comment,
    initial_status_for,
)
from discussions.rendering import display_copies
from discussions.uploads import CheckedFile, max_files
from hub.audit import audit_log
from hub.languages import content_language_choices
from hub.models import Attribution, Membership
from hub.selectors import profile_for_user
from hub.text import clean_html, html_to_text, linkify_and_clean, text_to_html
from workplan.models import Priority, WorkingGroup

MAX_BODY_CHARS = 20_000
# The most a comment may send, refused before any cleaning (everything after is linear in it). The editor's paste
# filter keeps only our tags and a link's href, so the markup of a real comment is a fraction of its text (a list of
# links about doubles it); five times the text limit leaves room for a comment full of long links.
MAX_RAW_CHARS = 5 * MAX_BODY_CHARS


class BodyFormat:
    HTML = "html"
    TEXT = "text"


def attribution_snapshot(user) -> dict:
    """How a comment by `user` is attributed, copied onto the comment so it survives profile changes. The
    organisation counts only once the membership is confirmed: until then it is shown as declared and marked
    unconfirmed, without badge, and the person's own name is always shown; a refused claim is not shown at all."""
    profile = profile_for_user(user)
    if profile is None:
        return {"author_name": "", "author_organisation": "", "author_stakeholder_group": "", "author_country": "",
                "author_badge": "", "author_organisation_confirmed": False, "show_personal_name": True}
    confirmed = profile.membership_confirmed
    organisation = profile.organisation if profile.membership != Membership.REFUSED else None
    return {
        "author_name": profile.display_name or user.get_username(),
        "author_organisation": organisation.name if organisation else "",
        "author_stakeholder_group": organisation.stakeholder_group if organisation else "",
        "author_country": profile.country or (organisation.country if organisation else ""),
        "author_badge": organisation.shown_badge if organisation and confirmed else "",
        "author_organisation_confirmed": bool(organisation and confirmed),
        "show_personal_name": not (confirmed and profile.attribution == Attribution.ORGANISATION),
    }


def body_to_html(body: str, *, body_format: str = BodyFormat.HTML) -> tuple[str, str]:
    """Clean HTML and its plain text from what the author typed (editor HTML, or plain text without the editor).
    Raises ValidationError when it is empty or longer than the limit."""
    body = body or ""
    if body_format == BodyFormat.TEXT:
        # Plain text keeps its length through cleaning but for runs of white space, which become one character:
        # an over-long text is refused before any work is done on it.
        _check_length(len(" ".join(body.split())))
    if len(body) > MAX_RAW_CHARS:
        raise ValidationError({"body": _("Your comment is too long: with its formatting it has %(count)s characters, "
                                         "and at most %(n)s can be sent. Shorten it, or attach the full text as a "
                                         "document.") % {"count": f"{len(body):,}", "n": f"{MAX_RAW_CHARS:,}"}})
    html = text_to_html(body) if body_format == BodyFormat.TEXT else linkify_and_clean(body)
    text = html_to_text(html)
    if not text.strip():
        raise ValidationError({"body": _("Write your comment before posting it.")})
    _check_length(len(text))
    return html, text


def _check_length(count: int) -> None:
    if count > MAX_BODY_CHARS:
        raise ValidationError({"body": _("Your comment has %(count)s characters; comments may have at most "
                                         "%(n)s. Shorten it, or attach the full text as a document.")
                               % {"count": f"{count:,}", "n": f"{MAX_BODY_CHARS:,}"}})


def _workplan_choices(discussion: Discussion, priorities: Iterable, working_groups: Iterable) -> tuple[list, list]:
    """Only the discussion's own workplan's priorities and working groups may be named."""
    priority_ids = {getattr(p, "pk", p) for p in priorities}
    group_ids = {getattr(g, "pk", g) for g in working_groups}
    if not discussion.workplan_id:
        if priority_ids or group_ids:
            raise ValidationError({"priorities": _("This discussion has no workplan to refer to.")})
        return [], []
    found_p = list(Priority.objects.filter(workplan_id=discussion.workplan_id, pk__in=priority_ids)) if priority_ids else []
    found_g = list(WorkingGroup.objects.filter(workplan_id=discussion.workplan_id, pk__in=group_ids)) if group_ids else []
    if len(found_p) != len(priority_ids):
        raise ValidationError({"priorities": _("Choose priorities of this discussion's workplan.")})
    if len(found_g) != len(group_ids):
        raise ValidationError({"working_groups": _("Choose working groups of this discussion's workplan.")})
    return found_p, found_g


def _attach(*, comment: Comment, files: list[CheckedFile]) -> list[Attachment]:
    created = []
    for checked in files:
        attachment = Attachment(comment=comment, original_name=checked.name, content_type=checked.content_type,
                                size=checked.size, sha256=checked.sha256)
        attachment.file.save(checked.name, checked.as_file(), save=False)
        attachment.save()
        created.append(attachment)
    return created


def comment_post(
    *, actor, discussion: Discussion, body: str, body_format: str = BodyFormat.HTML, question: Question | None = None,
    parent: Comment | None = None, priorities: Iterable = (), working_groups: Iterable = (),
    files: list[CheckedFile] = (), submission_key: uuid.UUID | str | None = None, follow: bool = False,
    language: str | None = None,
) -> Comment:
    """Post an answer (question), a reply (parent) or a general comment (neither). The same submission key always
    yields the same single comment, so a double click or a reload posts once."""
    if submission_key:
        submission_key = uuid.UUID(str(submission_key))
        existing = Comment.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            if existing.author_id != getattr(actor, "pk", None):
                raise PermissionDenied(_("This form was already used by someone else. Reload the page."))
            return existing
    try:
        with transaction.atomic():
            return _comment_post(actor=actor, discussion=discussion, body=body, body_format=body_format,
                                 question=question, parent=parent, priorities=priorities,
                                 working_groups=working_groups, files=list(files), submission_key=submission_key,
                                 follow=follow, language=language)
    except IntegrityError:
        # Two requests with the same key raced; the other one won and its comment is the answer.
        if submission_key:
            existing = Comment.objects.filter(submission_key=submission_key, author=actor).first()
            if existing is not None:
                return existing
        raise


def _comment_language(language: str | None) -> str:
    """What a comment is written in: one of the site's languages or "other"; by default the interface's."""
    if language is None or language == "":
        language = get_language() or settings.LANGUAGE_CODE
    if language not in dict(content_language_choices()):
        raise ValidationError({"language": _("Choose the language your comment is written in.")})
    return language


def _comment_post(*, actor, discussion, body, body_format, question, parent, priorities, working_groups, files,
                  submission_key, follow, language) -> Comment:
    check_post_comment(actor, discussion, question=question, parent=parent)
    language = _comment_language(language)
    if files and not discussion.attachments_allowed:
        raise ValidationError({"files": _("This discussion does not accept attachments.")})
    if len(files) > max_files():
        raise ValidationError({"files": _("You can attach at most %(n)d files to a comment.") % {"n": max_files()}})
    html, text = body_to_html(body, body_format=body_format)
    found_p, found_g = _workplan_choices(discussion, priorities, working_groups)
    if parent is not None:
        question = parent.question
    now = timezone.now()
    status = initial_status_for(discussion, actor)
    published = status == Comment.Status.PUBLISHED
    comment = Comment.objects.create(
        discussion=discussion, question=question, parent=parent, depth=(parent.depth + 1) if parent else 0,
        author=actor, body=html, body_text=text, body_display=display_copies(html, discussion), language=language,
        created_at=now, status=status,
        published_at=now if published else None, submission_key=submission_key,
        **attribution_snapshot(actor),
    )
    if found_p:
        comment.priorities.set(found_p)
    if found_g:
        comment.working_groups.set(found_g)
    attachments = _attach(comment=comment, files=files)
    if follow:
        Subscription.objects.get_or_create(user=actor, discussion=discussion)
    audit_log(actor=actor, action="comment.post", target=comment, after={
        "status": comment.status, "question": question.pk if question else None, "parent": parent.pk if parent else None,
        "priorities": [p.pk for p in found_p], "working_groups": [g.pk for g in found_g],
        "attachments": [a.original_name for a in attachments],
    })
    if published:
        notifications.notify_comment_published(comment)
    else:
        notifications.comment_awaits_review(comment)
    return comment


@transaction.atomic
def comment_edit(
    *, actor, comment: Comment, body: str, body_format: str = BodyFormat.HTML, priorities: Iterable | None = None,
    working_groups: Iterable | None = None, files: list[CheckedFile] = (), remove_attachments: Iterable[int] = (),
    language: str | None = None,
) -> Comment:
    """Authors edit their own comment while the discussion is open. The earlier text is kept as a version, and a
    published comment goes back to review under pre-moderation."""
    comment = Comment.objects.select_for_update().select_related("discussion").get(pk=comment.pk)
    check_edit_comment(actor, comment)
    html, text = body_to_html(body, body_format=body_format)
    discussion = comment.discussion
    remove_ids = {int(pk) for pk in remove_attachments}
    keep = [a for a in comment.attachments.all() if a.pk not in remove_ids]
    files = list(files)
    if files and not discussion.attachments_allowed:
        raise ValidationError({"files": _("This discussion does not accept attachments.")})
    if len(keep) + len(files) > max_files():
        raise ValidationError({"files": _("You can attach at most %(n)d files to a comment.") % {"n": max_files()}})
    before = {"status": comment.status, "body_text": comment.body_text}
    changed_text = html != comment.body
    now = timezone.now()
    if changed_text:
        # The version row keeps the text as it was before this edit, stamped with the time it was replaced.
        CommentVersion.objects.create(comment=comment, body=comment.body, edited_by=actor,
                                      edited_by_name=comment.author_name, created_at=now)
    fields = ["body", "body_text", "body_display", "edited_at", "edit_count"]
    if language is not None:
        comment.language = _comment_language(language)
        fields.append("language")
    comment.body, comment.body_text = html, text
    comment.body_display = display_copies(html, discussion)
    comment.edited_at = now
    comment.edit_count += 1
    back_to_review = (comment.status == Comment.Status.PUBLISHED and (changed_text or files)
                      and not can_publish_without_review(actor, discussion))
    if back_to_review:
        comment.status = Comment.Status.PENDING
        fields.append("status")
    comment.save(update_fields=fields)
    if priorities is not None or working_groups is not None:
        found_p, found_g = _workplan_choices(
            discussion, priorities if priorities is not None else comment.priorities.all(),
            working_groups if working_groups is not None else comment.working_groups.all())
        comment.priorities.set(found_p)
        comment.working_groups.set(found_g)
    removed = [a for a in comment.attachments.all() if a.pk in remove_ids]
    for attachment in removed:
        attachment.file.delete(save=False)
        attachment.delete()
    added = _attach(comment=comment, files=files)
    audit_log(actor=actor, action="comment.edit", target=comment, before=before, after={
        "status": comment.status, "body_text": comment.body_text, "edit_count": comment.edit_count,
        "attachments_added": [a.original_name for a in added],
        "attachments_removed": [a.original_name for a in removed],
    })
    if comment.status == Comment.Status.PENDING:
        notifications.comment_awaits_review(comment)
    return comment


@transaction.atomic
def comment_withdraw(*, actor, comment: Comment) -> Comment:
    """Authors may withdraw their own comment; it disappears from the page (replies to it keep a placeholder)."""
    comment = Comment.objects.select_for_update().select_related("discussion").get(pk=comment.pk)
    check_withdraw_comment(actor, comment)
    before = {"status": comment.status}
    comment.status = Comment.Status.WITHDRAWN
    comment.save(update_fields=["status"])
    audit_log(actor=actor, action="comment.withdraw", target=comment, before=before, after={"status": comment.status})
    return comment


@transaction.atomic
def discussion_follow(*, actor, discussion: Discussion) -> Subscription:
    """Any signed-in user may follow a discussion they can see."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to follow a discussion."))
    subscription, created = Subscription.objects.get_or_create(user=actor, discussion=discussion)
    if created:
        audit_log(actor=actor, action="discussion.follow", target=discussion)
    return subscription


@transaction.atomic
def discussion_unfollow(*, actor, user, discussion: Discussion) -> bool:
    """Users stop following for themselves (signed in, or through the signed link of an e-mail: actor is None)."""
    if actor is not None and getattr(actor, "is_authenticated", False) and actor.pk != user.pk:
        raise PermissionDenied(_("You can only stop following for yourself."))
    deleted, _rows = Subscription.objects.filter(user=user, discussion=discussion).delete()
    if deleted:
        audit_log(actor=actor if getattr(actor, "is_authenticated", False) else None, action="discussion.unfollow",
                  target=discussion, after={"user": user.pk})
    return bool(deleted)


@transaction.atomic
def discussion_save(*, actor, discussion: Discussion, changed: Iterable[str] = ()) -> Discussion:
    """The secretariat creates a discussion or changes its settings: the welcome text is cleaned like every stored
    HTML, and the change is audited with the names of the fields changed."""
    check_save_discussion(actor, discussion)
    created = discussion.pk is None
    discussion.welcome = clean_html(discussion.welcome or "")
    discussion.save()
    audit_log(actor=actor, action="discussion.create" if created else "discussion.update", target=discussion,
              after={"changed": sorted(changed)})
    return discussion
