"""Public pages of discussions: the list, the discussion page, posting, editing, files, following.

Views bind forms and call one service or selector; the rules live in services and permissions.
"""
from __future__ import annotations

import os
from functools import wraps
from typing import NoReturn
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from discussions import rendering, selectors, services, uploads
from discussions.forms import FILE_ACCEPT, CommentEditForm, CommentForm, body_initial
from discussions.models import Comment, Discussion, Question
from discussions.notifications import read_unsubscribe_token
from discussions.permissions import (
    can_comment_in,
    check_edit_comment,
    check_post_comment,
    check_withdraw_comment,
)
from hub.pagecache import keep_until, public_page
from hub import ratelimit
from hub.http import apply_errors
from hub.selectors import profile_for_user


@public_page
def discussion_list(request: HttpRequest) -> HttpResponse:
    discussions = selectors.discussion_list(user=request.user)
    response = render(request, "discussions/discussion_list.html", {
        "open_discussions": [d for d in discussions if d.shown_status in (Discussion.Status.OPEN, Discussion.Status.DRAFT)],
        "past_discussions": [d for d in discussions if d.shown_status in (Discussion.Status.CLOSED, Discussion.Status.ARCHIVED)],
    })
    return keep_until(response, min((t for t in (d.next_status_change() for d in discussions) if t), default=None))


@public_page
def discussion_detail(request: HttpRequest, slug: str) -> HttpResponse:
    user = request.user
    page = selectors.discussion_page(slug=slug, user=user)
    discussion = page.discussion
    thread = selectors.comment_tree_for_discussion(discussion, user=user, questions=page.questions,
                                                   comments=page.comments)
    entries = list(thread.entries())
    rendering.render_entries(entries, discussion=discussion, stored=page.fragments)
    rendering.add_reader_links(entries, discussion=discussion, user=user)
    for qt in thread.questions:
        qt.html = rendering.thread_html(qt.entries)
    profile = profile_for_user(user)
    response = render(request, "discussions/discussion_detail.html", {
        "discussion": discussion,
        "status": discussion.effective_status(),
        "thread": thread,
        "general_html": rendering.thread_html(thread.general) if thread.general else "",
        "may_post": can_comment_in(user, discussion),
        "profile_incomplete": user.is_authenticated and not (profile and profile.is_complete),
        "following": selectors.is_following(user, discussion),
        "post_url": reverse("discussions:comment-create", kwargs={"slug": discussion.slug}),
        "moderators": [m.profile.display_name if hasattr(m, "profile") else m.get_username()
                       for m in discussion.moderators.all()],
    })
    return keep_until(response, discussion.next_status_change())


def comment_permalink(request: HttpRequest, pk: int) -> HttpResponse:
    """A stable address for any comment the reader may see: the discussion page at that comment."""
    comment = selectors.comment_for_user(pk=pk, user=request.user)
    return redirect(comment.get_absolute_url())


def _target(discussion: Discussion, data, user) -> tuple[Question | None, Comment | None]:
    """The question answered or the comment replied to, from ?question= / ?parent= (or the same POST fields)."""
    question = parent = None
    parent_id = data.get("parent")
    question_id = data.get("question")
    if parent_id:
        try:
            parent = selectors.comment_for_user(pk=int(parent_id), user=user)
        except (ValueError, TypeError):
            raise Http404
        if parent.discussion_id != discussion.pk:
            raise Http404
        question = parent.question
    elif question_id:
        try:
            question = get_object_or_404(Question, pk=int(question_id), discussion=discussion)
        except (ValueError, TypeError):
            raise Http404
    return question, parent


def _refusal(check, *args, **kwargs) -> str:
    """Why the user may not do this, in words for them ('' when they may). Asked before a form is shown and before
    any file sent is read or stored; the service asks the same check again when it acts."""
    try:
        check(*args, **kwargs)
    except PermissionDenied as exc:
        return str(exc)
    return ""


def _draft_key(user, *, discussion: Discussion | None = None, question: Question | None = None,
               parent: Comment | None = None, comment: Comment | None = None) -> str:
    """The name under which the browser keeps an unsent draft of this form (static/discussions/draft.js): one per
    person and form target. The page after a successful post names it again so that the browser forgets it."""
    if comment is not None:
        target = f"edit-{comment.pk}"
    elif parent is not None:
        target = f"d{discussion.pk}-reply-{parent.pk}"
    elif question is not None:
        target = f"d{discussion.pk}-question-{question.pk}"
    else:
        target = f"d{discussion.pk}-general"
    return f"hub-draft:{user.pk}:{target}"


class _Stop(Exception):
    """Ends a comment form view early with this response: a refusal, an invalid form, files refused."""

    def __init__(self, response: HttpResponse) -> None:
        self.response = response


def _stops(view):
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except _Stop as stop:
            return stop.response
    return wrapped


class _FormPage:
    """The comment form page being answered (posting or editing): its template and what it always shows."""

    def __init__(self, request: HttpRequest, template: str, **context) -> None:
        self.request, self.template = request, template
        self.context = {"file_accept": FILE_ACCEPT, "max_files": uploads.max_files(), "staged": [], "preview": None,
                        **context}

    def render(self, form, status: int = 200, **extra) -> HttpResponse:
        return render(self.request, self.template, {**self.context, "form": form, **extra}, status=status)

    def stop(self, form, status: int, **extra) -> NoReturn:
        raise _Stop(self.render(form, status, **extra))

    def staged(self) -> list[uploads.CheckedFile]:
        """Files kept from an earlier step, shown again without reading anything new."""
        return uploads.staged_files(self.request, self.request.POST.getlist("staged"))

    def check_rate(self, form, scope: str, rate: str, message: str) -> None:
        """Count this attempt against the account's limit; past it, stop with `message` on the form (which keeps
        what was typed) and status 429."""
        if ratelimit.allow_request(self.request, scope, rate):
            return
        if any(self.request.FILES.getlist("files")):
            # Files are read only once the person is within the limit, so the ones just chosen were not kept.
            message += " " + _("Files chosen just now were not kept: choose them again when you post.")
        form.add_error(None, message)
        self.stop(form, 429, staged=self.staged())

    def collect_files(self, form, *, allowed: bool, already: int = 0, attached=()) -> list[uploads.CheckedFile]:
        """Files kept from an earlier step plus new uploads, checked and staged, so that an error elsewhere or a
        preview does not make people choose them again; stops with the form if one is refused or no longer kept.
        A file chosen again (the same name and content as one kept or already `attached`) is left out, and the
        person told. The kept file named by the "Remove" button pressed (`remove_staged`) is dropped.
        Call it only once the person may act here and is within the rate limit: it reads and stores files."""
        if not allowed:
            return []
        kept, lost = uploads.kept_files(self.request, self.request.POST.getlist("staged"))
        kept = uploads.distinct_files(kept)
        notices = self.context.setdefault("file_notices", [])
        removed = self.request.POST.get("remove_staged")
        if removed:
            notices += [_("“%(name)s” is no longer attached.") % {"name": f.name} for f in kept if f.token == removed]
            uploads.unstage(self.request, [f.token for f in kept if f.token == removed])
            kept = [f for f in kept if f.token != removed]
        new, errors, repeated = uploads.sort_files(self.request.FILES.getlist("files"), already=already + len(kept),
                                                   present=[*kept, *attached])
        notices += repeated
        self.context["staged"] = staged = uploads.stage(self.request, kept + new)
        if lost + errors:
            form.add_error(None, lost + errors)
            self.stop(form, 400)
        return staged

    def file_notices_as_messages(self) -> None:
        """What collect_files had to say about the files, for the page shown after a successful post."""
        for notice in self.context.get("file_notices", []):
            messages.info(self.request, notice)

    def preview(self, form, discussion: Discussion) -> tuple[str, str]:
        """The comment as it will be shown, and its plain text; stops with the form if the body is refused."""
        body, body_format = form.body_and_format()
        try:
            html, text = services.body_to_html(body, body_format=body_format)
        except ValidationError as exc:
            apply_errors(form, exc)
            self.stop(form, 400)
        return rendering.body_html(Comment(body=html), discussion), text

    def save(self, form, service, *, refused: str = "", **kwargs):
        """Call the service; its refusal goes on the form (400 for what was sent, 403 for who sent it)."""
        try:
            return service(**kwargs)
        except ValidationError as exc:
            apply_errors(form, exc)
            self.stop(form, 400)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or refused)
            self.stop(form, 403)


@login_required
@_stops
def comment_create(request: HttpRequest, slug: str) -> HttpResponse:
    discussion = selectors.discussion_for_page(slug=slug, user=request.user)
    question, parent = _target(discussion, request.POST if request.method == "POST" else request.GET, request.user)
    priorities, groups = selectors.workplan_choices(discussion)
    draft_key = _draft_key(request.user, discussion=discussion, question=question, parent=parent)
    page = _FormPage(request, "discussions/comment_form.html", discussion=discussion, question=question,
                     parent=parent, suggested=[], draft_key=draft_key,
                     parent_body=rendering.body_html(parent, discussion) if parent else "")
    refusal = _refusal(check_post_comment, request.user, discussion, question=question, parent=parent)
    if request.method != "POST":
        form = CommentForm(priorities=priorities, working_groups=groups)
        return page.render(form, status=403 if refusal else 200, refusal=refusal)
    form = CommentForm(request.POST, priorities=priorities, working_groups=groups)
    valid = form.is_valid()
    # Whether the person may post, and how often, is settled before any file sent is read or stored.
    if refusal:
        form.add_error(None, refusal)
        page.stop(form, 403)
    if not valid:
        page.stop(form, 400, staged=page.staged())
    removing_file = bool(request.POST.get("remove_staged"))
    previewing = request.POST.get("action") == "preview"
    if not (previewing or removing_file):
        page.check_rate(form, "comment", settings.HUB_COMMENT_RATE_LIMIT, _(
            "You have posted many comments in a short time. Please wait a while and try again; your text is still "
            "here."))
    files = page.collect_files(form, allowed=discussion.attachments_allowed)
    if removing_file:
        return page.render(form)
    if previewing:
        return _preview_with_suggestions(page, form, discussion, priorities, groups)
    body, body_format = form.body_and_format()
    data = form.cleaned_data
    comment = page.save(
        form, services.comment_post, refused=_("You cannot post here."),
        actor=request.user, discussion=discussion, body=body, body_format=body_format, question=question,
        parent=parent, priorities=data.get("priorities") or [], working_groups=data.get("working_groups") or [],
        files=files, submission_key=data.get("submission_key"), follow=bool(data.get("follow")),
        language=data.get("language") or None,
    )
    uploads.unstage(request, [f.token for f in files])
    if comment.status == Comment.Status.PENDING:
        messages.info(request, _("Thank you. Your comment is awaiting moderation: it is shown to you, marked as "
                                 "such, and to others once a moderator publishes it."), extra_tags=draft_key)
    else:
        messages.success(request, _("Thank you. Your comment is published."), extra_tags=draft_key)
    page.file_notices_as_messages()
    return redirect(comment.get_absolute_url())


def _preview_with_suggestions(page: _FormPage, form, discussion: Discussion, priorities, groups) -> HttpResponse:
    """The preview of a new comment, with the priorities its text mentions ticked and named."""
    preview, text = page.preview(form, discussion)
    suggested = []
    if discussion.workplan_id and priorities:
        from workplan.mentions import PriorityIndex, mentioned_priorities

        allowed = {p.pk for p in priorities}
        suggested = [p for p in mentioned_priorities(text, PriorityIndex(priorities)) if p.pk in allowed]
        if suggested and "priorities" in form.fields:
            chosen = {str(p.pk) for p in form.cleaned_data.get("priorities") or []}
            newly = [p for p in suggested if str(p.pk) not in chosen]
            if newly:
                data = page.request.POST.copy()
                data.setlist("priorities", sorted(chosen | {str(p.pk) for p in newly}))
                form = CommentForm(data, priorities=priorities, working_groups=groups)
                form.is_valid()
            suggested = newly
    return page.render(form, preview=preview, suggested=suggested)


@login_required
@_stops
def comment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    comment = selectors.comment_for_user(pk=pk, user=request.user)
    discussion = comment.discussion
    refusal = _refusal(check_edit_comment, request.user, comment)
    if refusal:
        messages.error(request, refusal)
        return redirect(comment.get_absolute_url())
    priorities, groups = selectors.workplan_choices(discussion)
    attachments = list(comment.attachments.all())
    draft_key = _draft_key(request.user, comment=comment)
    page = _FormPage(request, "discussions/comment_edit.html", discussion=discussion, comment=comment,
                     attachments=attachments, draft_key=draft_key)
    choices = {"priorities": priorities, "working_groups": groups, "attachments": attachments}
    if request.method != "POST":
        return page.render(CommentEditForm(initial=_edit_initial(comment), **choices))
    form = CommentEditForm(request.POST, **choices)
    # Every save stores a version of the comment, so saves and previews are counted before anything else is done.
    page.check_rate(form, "comment-edit", settings.HUB_COMMENT_EDIT_RATE_LIMIT, _(
        "You have edited comments many times in a short time. Please wait a while and try again; your text is still "
        "here."))
    if not form.is_valid():
        page.stop(form, 400)
    removing = form.cleaned_data.get("remove_attachments") or []
    # As when posting, the person may edit (checked above) and is within the edit limit before files are read.
    staying = [a for a in attachments if str(a.pk) not in removing]
    files = page.collect_files(form, allowed=discussion.attachments_allowed, already=len(staying), attached=staying)
    if request.POST.get("remove_staged"):
        return page.render(form)
    if request.POST.get("action") == "preview":
        return page.render(form, preview=page.preview(form, discussion)[0])
    body, body_format = form.body_and_format()
    data = form.cleaned_data
    comment = page.save(
        form, services.comment_edit, actor=request.user, comment=comment, body=body, body_format=body_format,
        priorities=data.get("priorities") if "priorities" in form.fields else None,
        working_groups=data.get("working_groups") if "working_groups" in form.fields else None,
        files=files, remove_attachments=removing, language=data.get("language") or None,
    )
    uploads.unstage(request, [f.token for f in files])
    if comment.status == Comment.Status.PENDING:
        messages.info(request, _("Your changes are saved. Your comment is awaiting moderation again."),
                      extra_tags=draft_key)
    else:
        messages.success(request, _("Your changes are saved."), extra_tags=draft_key)
    page.file_notices_as_messages()
    return redirect(comment.get_absolute_url())


def _edit_initial(comment: Comment) -> dict:
    return {**body_initial(comment), "language": comment.language or get_language(),
            "priorities": [p.pk for p in comment.priorities.all()],
            "working_groups": [g.pk for g in comment.working_groups.all()]}


@login_required
def comment_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    comment = selectors.comment_for_user(pk=pk, user=request.user)
    refusal = _refusal(check_withdraw_comment, request.user, comment)
    if refusal:
        messages.error(request, refusal)
        return redirect(comment.discussion.get_absolute_url())
    if request.method == "POST":
        services.comment_withdraw(actor=request.user, comment=comment)
        messages.success(request, _("Your comment is withdrawn."))
        return redirect(comment.discussion.get_absolute_url())
    return render(request, "discussions/comment_withdraw.html", {"comment": comment, "discussion": comment.discussion})


def attachment_download(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = selectors.attachment_for_download(pk=pk, user=request.user)
    if settings.HUB_ACCEL_REDIRECT_PREFIX:
        # Behind nginx: permission is checked here, nginx sends the bytes (deploy/nginx-hub.conf, internal location)
        # and the worker is free at once instead of streaming a 10 MB file to a slow client.
        if not attachment.file.storage.exists(attachment.file.name):
            raise Http404
        response = HttpResponse(content_type=attachment.content_type)
        response["X-Accel-Redirect"] = settings.HUB_ACCEL_REDIRECT_PREFIX + quote(attachment.file.name)
    else:
        try:
            handle = attachment.file.open("rb")
        except (FileNotFoundError, OSError):
            raise Http404
        response = FileResponse(handle, content_type=attachment.content_type)
    # Without control characters: a CR/LF in a stored name (an older import) cannot be sent in a header.
    name = "".join(char for char in attachment.original_name if char.isprintable()) or "attachment"
    ascii_name = name.encode("ascii", "ignore").decode().replace('"', "").replace("\\", "") or "attachment" + os.path.splitext(name)[1]
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    response["X-Content-Type-Options"] = "nosniff"
    if not settings.HUB_ACCEL_REDIRECT_PREFIX:
        response["Content-Length"] = str(attachment.size)  # nginx sets its own from the file
    comment = attachment.comment
    if comment.status != Comment.Status.PUBLISHED or comment.discussion.status == Discussion.Status.DRAFT:
        response["Cache-Control"] = "private, no-store"  # not for shared caches: only some users may fetch it
    return response


@require_POST
@login_required
def discussion_follow(request: HttpRequest, slug: str) -> HttpResponse:
    discussion = selectors.discussion_for_page(slug=slug, user=request.user)
    services.discussion_follow(actor=request.user, discussion=discussion)
    messages.success(request, _("You follow this discussion: we e-mail you when someone replies to your comments "
                                "and when a new question is posted."))
    return redirect(discussion.get_absolute_url())


@require_POST
@login_required
def discussion_unfollow(request: HttpRequest, slug: str) -> HttpResponse:
    discussion = selectors.discussion_for_page(slug=slug, user=request.user)
    services.discussion_unfollow(actor=request.user, user=request.user, discussion=discussion)
    messages.success(request, _("You no longer follow this discussion."))
    return redirect(discussion.get_absolute_url())


# No CSRF token: mail clients POST here for RFC 8058 one-click unsubscribe, with no page or cookie of ours. That is
# safe because the signed token in the URL is the credential: a forged POST needs the token, and whoever holds it
# may unsubscribe anyway. The token allows nothing but stopping these e-mails.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The link in a follower's e-mail. Opening it (GET - as mail scanners and link previews do) only asks; the
    button on that page, or a mail client's one-click POST, stops the e-mails. No login needed."""
    found = read_unsubscribe_token(token)
    user = discussion = None
    if found is not None:
        user = get_user_model().objects.filter(pk=found[0]).first()
        discussion = Discussion.objects.filter(pk=found[1]).first()
    if user is None or discussion is None:
        return render(request, "discussions/unsubscribe.html", {"invalid": True}, status=400)
    if request.method == "POST":
        services.discussion_unfollow(actor=None, user=user, discussion=discussion)
        return render(request, "discussions/unsubscribe.html", {"discussion": discussion, "done": True})
    return render(request, "discussions/unsubscribe.html", {
        "discussion": discussion, "following": selectors.is_following(user, discussion),
    })


def document_download(request: HttpRequest, pk: int) -> HttpResponse:
    """A document under discussion, public with its discussion (a draft's only to its moderators, 404 otherwise)."""
    document = selectors.document_for_download(pk=pk, user=request.user)
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404
    response = FileResponse(handle, as_attachment=True, filename=os.path.basename(document.file.name))
    response["X-Content-Type-Options"] = "nosniff"
    if document.discussion.status == Discussion.Status.DRAFT:
        response["Cache-Control"] = "private, no-store"
    return response
