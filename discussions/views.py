"""Public pages of discussions: the list, the discussion page, posting, editing, files, following.

Views bind forms and call one service or selector; the rules live in services and permissions.
"""
from __future__ import annotations

import os
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from discussions import rendering, selectors, services, uploads
from discussions.forms import FILE_ACCEPT, CommentEditForm, CommentForm
from discussions.models import Comment, Discussion, DiscussionDocument, Question
from discussions.notifications import read_unsubscribe_token
from discussions.permissions import (
    can_comment_in,
    can_edit_comment,
    can_view_discussion,
    can_withdraw_comment,
)
from hub import ratelimit
from hub.selectors import profile_for_user


def discussion_list(request: HttpRequest) -> HttpResponse:
    discussions = selectors.discussion_list(user=request.user)
    return render(request, "discussions/discussion_list.html", {
        "open_discussions": [d for d in discussions if d.shown_status in (Discussion.Status.OPEN, Discussion.Status.DRAFT)],
        "past_discussions": [d for d in discussions if d.shown_status in (Discussion.Status.CLOSED, Discussion.Status.ARCHIVED)],
    })


def discussion_detail(request: HttpRequest, slug: str) -> HttpResponse:
    user = request.user
    discussion = selectors.discussion_for_page(slug=slug, user=user)
    questions = selectors.questions_for_discussion(discussion)
    thread = selectors.comment_tree_for_discussion(discussion, user=user, questions=questions)
    entries = list(thread.entries())
    rendering.render_entries(entries, discussion=discussion)
    rendering.add_reader_links(entries, discussion=discussion, user=user)
    for qt in thread.questions:
        qt.html = rendering.thread_html(qt.entries)
    profile = profile_for_user(user)
    return render(request, "discussions/discussion_detail.html", {
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


def comment_permalink(request: HttpRequest, pk: int) -> HttpResponse:
    """A stable address for any comment the reader may see: the discussion page at that comment."""
    comment = selectors.comment_for_user(pk=pk, user=request.user)
    return redirect(comment.get_absolute_url())


def _choices(discussion: Discussion):
    return selectors.workplan_choices(discussion)


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


def _staged(request: HttpRequest) -> list[uploads.CheckedFile]:
    return uploads.staged_files(request, request.POST.getlist("staged"))


def _collect_files(request: HttpRequest, form, *, already: int = 0) -> list[uploads.CheckedFile] | None:
    """Files kept from an earlier step plus new uploads, checked; None (with a form error) if one is refused or no
    longer kept. Accepted files are staged, so that an error elsewhere or a preview does not make people choose them
    again. Call it only once the person may post here and is within the rate limit: it reads and stores files."""
    kept, lost = uploads.kept_files(request, request.POST.getlist("staged"))
    new, errors = uploads.sort_files(request.FILES.getlist("files"), already=already + len(kept))
    staged = uploads.stage(request, kept + new)
    errors = lost + errors
    if errors:
        form.add_error(None, errors)
        request.staged_after_error = staged
        return None
    return staged


def _rate_limited(request: HttpRequest, form, scope: str, rate: str, message: str) -> bool:
    """Count this attempt against the account's limit; past it, the form carries `message` (it keeps what was
    typed, to be shown again with status 429) and True is returned."""
    if ratelimit.allow_request(request, scope, rate):
        return False
    if any(request.FILES.getlist("files")):
        # Files are read only once the person is within the limit, so the ones just chosen were not kept.
        message += " " + _("Files chosen just now were not kept: choose them again when you post.")
    form.add_error(None, message)
    return True


def _apply_service_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def comment_create(request: HttpRequest, slug: str) -> HttpResponse:
    discussion = selectors.discussion_for_page(slug=slug, user=request.user)
    source = request.POST if request.method == "POST" else request.GET
    question, parent = _target(discussion, source, request.user)
    priorities, groups = _choices(discussion)
    context = {"discussion": discussion, "question": question, "parent": parent, "file_accept": FILE_ACCEPT,
               "max_files": uploads.max_files(), "staged": [], "preview": None, "suggested": []}
    refusal = _refusal(request.user, discussion, question, parent)
    if request.method != "POST":
        form = CommentForm(priorities=priorities, working_groups=groups)
        return render(request, "discussions/comment_form.html", {**context, "form": form, "refusal": refusal},
                      status=403 if refusal else 200)
    form = CommentForm(request.POST, priorities=priorities, working_groups=groups)
    valid = form.is_valid()
    # Whether the person may post, and how often, is settled before any file sent is read or stored.
    if refusal:
        form.add_error(None, refusal)
        return render(request, "discussions/comment_form.html", {**context, "form": form}, status=403)
    if not valid:
        return render(request, "discussions/comment_form.html", {**context, "form": form,
                                                                 "staged": _staged(request)}, status=400)
    previewing = request.POST.get("action") == "preview"
    if not previewing and _rate_limited(
            request, form, "comment", settings.HUB_COMMENT_RATE_LIMIT,
            _("You have posted many comments in a short time. Please wait a while and try again; your text is still "
              "here.")):
        return render(request, "discussions/comment_form.html", {**context, "form": form,
                                                                 "staged": _staged(request)}, status=429)
    files = _collect_files(request, form) if discussion.attachments_allowed else []
    context["staged"] = files if files is not None else getattr(request, "staged_after_error", [])
    if files is None:
        return render(request, "discussions/comment_form.html", {**context, "form": form}, status=400)
    body, body_format = form.body_and_format()
    if previewing:
        return _preview(request, form, context, discussion, body, body_format, priorities)
    data = form.cleaned_data
    try:
        comment = services.comment_post(
            actor=request.user, discussion=discussion, body=body, body_format=body_format, question=question,
            parent=parent, priorities=data.get("priorities") or [], working_groups=data.get("working_groups") or [],
            files=files, submission_key=data.get("submission_key"), follow=bool(data.get("follow")),
        )
    except ValidationError as exc:
        _apply_service_errors(form, exc)
        return render(request, "discussions/comment_form.html", {**context, "form": form}, status=400)
    except PermissionDenied as exc:
        form.add_error(None, str(exc) or _("You cannot post here."))
        return render(request, "discussions/comment_form.html", {**context, "form": form}, status=403)
    uploads.unstage(request, [f.token for f in files])
    _posted_message(request, comment)
    return redirect(comment.get_absolute_url())


def _posted_message(request: HttpRequest, comment: Comment) -> None:
    if comment.status == Comment.Status.PENDING:
        messages.info(request, _("Thank you. Your comment is awaiting moderation: it is shown to you, marked as "
                                 "such, and to others once a moderator publishes it."))
    else:
        messages.success(request, _("Thank you. Your comment is published."))


def _refusal(user, discussion: Discussion, question, parent) -> str:
    """Why the user cannot post here, in words for them; '' when they can."""
    from discussions.permissions import check_post_comment

    try:
        check_post_comment(user, discussion, question=question, parent=parent)
    except PermissionDenied as exc:
        return str(exc)
    return ""


def _preview(request, form, context, discussion, body, body_format, priorities) -> HttpResponse:
    try:
        html, text = services.body_to_html(body, body_format=body_format)
    except ValidationError as exc:
        _apply_service_errors(form, exc)
        return render(request, "discussions/comment_form.html", {**context, "form": form}, status=400)
    suggested = []
    if discussion.workplan_id and priorities:
        from workplan.mentions import PriorityIndex, mentioned_priorities

        allowed = {p.pk for p in priorities}
        suggested = [p for p in mentioned_priorities(text, PriorityIndex(priorities)) if p.pk in allowed]
        if suggested and "priorities" in form.fields:
            chosen = {str(p.pk) for p in form.cleaned_data.get("priorities") or []}
            newly = [p for p in suggested if str(p.pk) not in chosen]
            if newly:
                data = request.POST.copy()
                data.setlist("priorities", sorted(chosen | {str(p.pk) for p in newly}))
                form = CommentForm(data, priorities=priorities, working_groups=_choices(discussion)[1])
                form.is_valid()
            suggested = newly
    preview = rendering.body_html(Comment(body=html), discussion)
    return render(request, "discussions/comment_form.html", {
        **context, "form": form, "preview": preview, "suggested": suggested,
    })


@login_required
def comment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    comment = selectors.comment_for_user(pk=pk, user=request.user)
    discussion = comment.discussion
    if not can_edit_comment(request.user, comment):
        messages.error(request, _("You can edit your own comments only while the discussion is open."))
        return redirect(comment.get_absolute_url())
    priorities, groups = _choices(discussion)
    attachments = list(comment.attachments.all())
    context = {"discussion": discussion, "comment": comment, "file_accept": FILE_ACCEPT, "staged": [],
               "max_files": uploads.max_files(), "attachments": attachments, "preview": None}
    if request.method != "POST":
        form = CommentEditForm(initial={
            "body": comment.body_text, "body_html": comment.body, "body_format": "text",
            "priorities": [p.pk for p in comment.priorities.all()],
            "working_groups": [g.pk for g in comment.working_groups.all()],
        }, priorities=priorities, working_groups=groups, attachments=attachments)
        return render(request, "discussions/comment_edit.html", {**context, "form": form})
    form = CommentEditForm(request.POST, priorities=priorities, working_groups=groups, attachments=attachments)
    # Every save stores a version of the comment, so saves and previews are counted before anything else is done.
    if _rate_limited(request, form, "comment-edit", settings.HUB_COMMENT_EDIT_RATE_LIMIT,
                     _("You have edited comments many times in a short time. Please wait a while and try again; "
                       "your text is still here.")):
        context["staged"] = _staged(request)
        return render(request, "discussions/comment_edit.html", {**context, "form": form}, status=429)
    if not form.is_valid():
        return render(request, "discussions/comment_edit.html", {**context, "form": form}, status=400)
    removing = form.cleaned_data.get("remove_attachments") or []
    previewing = request.POST.get("action") == "preview"
    # As when posting, the person may edit (checked above) and is within the edit limit before files are read.
    files = _collect_files(request, form, already=len(attachments) - len(removing)) if discussion.attachments_allowed else []
    context["staged"] = files if files is not None else getattr(request, "staged_after_error", [])
    if files is None:
        return render(request, "discussions/comment_edit.html", {**context, "form": form}, status=400)
    body, body_format = form.body_and_format()
    if previewing:
        try:
            html, _text = services.body_to_html(body, body_format=body_format)
        except ValidationError as exc:
            _apply_service_errors(form, exc)
            return render(request, "discussions/comment_edit.html", {**context, "form": form}, status=400)
        context["preview"] = rendering.body_html(Comment(body=html), discussion)
        return render(request, "discussions/comment_edit.html", {**context, "form": form})
    data = form.cleaned_data
    try:
        comment = services.comment_edit(
            actor=request.user, comment=comment, body=body, body_format=body_format,
            priorities=data.get("priorities") if "priorities" in form.fields else None,
            working_groups=data.get("working_groups") if "working_groups" in form.fields else None,
            files=files, remove_attachments=removing,
        )
    except ValidationError as exc:
        _apply_service_errors(form, exc)
        return render(request, "discussions/comment_edit.html", {**context, "form": form}, status=400)
    except PermissionDenied as exc:
        form.add_error(None, str(exc))
        return render(request, "discussions/comment_edit.html", {**context, "form": form}, status=403)
    uploads.unstage(request, [f.token for f in files])
    if comment.status == Comment.Status.PENDING:
        messages.info(request, _("Your changes are saved. Your comment is awaiting moderation again."))
    else:
        messages.success(request, _("Your changes are saved."))
    return redirect(comment.get_absolute_url())


@login_required
def comment_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    comment = selectors.comment_for_user(pk=pk, user=request.user)
    if not can_withdraw_comment(request.user, comment):
        messages.error(request, _("You can only withdraw your own comments."))
        return redirect(comment.discussion.get_absolute_url())
    if request.method == "POST":
        services.comment_withdraw(actor=request.user, comment=comment)
        messages.success(request, _("Your comment is withdrawn."))
        return redirect(comment.discussion.get_absolute_url())
    return render(request, "discussions/comment_withdraw.html", {"comment": comment, "discussion": comment.discussion})


def attachment_download(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = selectors.attachment_for_download(pk=pk, user=request.user)
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
    response["Content-Length"] = str(attachment.size)
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
    document = get_object_or_404(DiscussionDocument.objects.select_related("discussion"), pk=pk)
    if not can_view_discussion(request.user, document.discussion):
        raise Http404
    if not document.file:
        raise Http404
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404
    response = FileResponse(handle, as_attachment=True, filename=os.path.basename(document.file.name))
    response["X-Content-Type-Options"] = "nosniff"
    if document.discussion.status == Discussion.Status.DRAFT:
        response["Cache-Control"] = "private, no-store"
    return response
