"""Moderation pages. Thin: find the object (404 if the user may not see it), bind a form, call one service.
Services raise PermissionDenied (403) for users who see the object but do not moderate its discussion."""
from __future__ import annotations

from datetime import datetime, time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from discussions import moderation as mod
from discussions.moderation import forms
from discussions.models import Comment, Discussion, Question
from discussions.moderation import selectors
from discussions.permissions import (check_flag_comment, check_moderate_anything, check_moderate_discussion,
                                     check_view_comment)
from hub.models import StakeholderGroup
from hub.permissions import has_complete_profile
from hub.text import clean_html_for_display

PAGE_SIZE = 50
_GROUP_LABELS = dict(StakeholderGroup.choices)


def _decorate(comment):
    """What templates show but must not compute: the body re-cleaned for display, the stakeholder group's label."""
    comment.safe_body = clean_html_for_display(comment.body)
    comment.group_label = _GROUP_LABELS.get(comment.author_stakeholder_group, comment.author_stakeholder_group)
    return comment


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    minutes = int(seconds // 60)
    if minutes < 60:
        return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    hours = minutes / 60
    if hours < 48:
        return _("%(n).1f hours") % {"n": hours}
    return _("%(n).1f days") % {"n": hours / 24}


def _comment(request: HttpRequest, pk: int) -> Comment:
    """The comment with what moderation shows; 404 when the user may not see it at all."""
    try:
        comment = selectors.comment_for_moderation(pk, request.user)
    except Comment.DoesNotExist:
        raise Http404 from None
    check_view_comment(request.user, comment)
    return _decorate(comment)


def _next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


def _moderate_url(comment: Comment) -> str:
    return reverse("discussions:comment-moderate", kwargs={"pk": comment.pk})


def _error_text(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


def _act(request: HttpRequest, comment: Comment, run, done: str) -> HttpResponse:
    """Run a service and go back where the moderator came from, with its outcome as a message."""
    try:
        run()
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, done)
    return redirect(_next(request, _moderate_url(comment)))


# --- The queue ---------------------------------------------------------------------------------------------------

@login_required
def queue(request: HttpRequest) -> HttpResponse:
    check_moderate_anything(request.user)
    options = selectors.queue_filter_options(request.user)
    filter_form = forms.QueueFilterForm(request.GET or None, options=options)
    filters = selectors.QueueFilters()
    if filter_form.is_bound and filter_form.is_valid():
        filters = selectors.QueueFilters(**filter_form.cleaned_data)
    page = Paginator(selectors.review_queue(request.user, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "discussions/moderation/queue.html", {
        "filter_form": filter_form, "page": page, "items": [_decorate(c) for c in page.object_list],
        "counts": selectors.queue_counts(request.user), "decline_form": forms.DeclineForm(),
        "decline_reasons": mod.DeclineReason.choices, "here": request.get_full_path(),
    })


@login_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    check_moderate_anything(request.user)
    ids = [int(v) for v in request.POST.getlist("comments") if v.isdigit()]
    form = forms.BulkForm(request.POST, comment_ids=ids)
    back = _next(request, reverse("discussions:moderation-queue"))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    comments = list(Comment.objects.select_related("discussion").filter(pk__in=form.cleaned_data["comments"])
                    .order_by("created_at", "id"))
    for comment in comments:
        check_view_comment(request.user, comment)
    data = form.cleaned_data
    try:
        if data["action"] == "publish":
            mod.comments_publish(actor=request.user, comments=comments)
            messages.success(request, _("%(n)d comment(s) published.") % {"n": len(comments)})
        else:
            mod.comments_decline(actor=request.user, comments=comments, standard_reason=data["standard_reason"],
                                 details=data["details"])
            messages.success(request, _("%(n)d comment(s) declined.") % {"n": len(comments)})
    except ValidationError as exc:
        messages.error(request, _("Nothing was changed: %(error)s") % {"error": _error_text(exc)})
    return redirect(back)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    check_moderate_anything(request.user)
    board = selectors.moderation_dashboard(request.user)
    board.median_human = _duration(board.median_seconds)
    return render(request, "discussions/moderation/dashboard.html", {"dashboard": board})


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    check_moderate_anything(request.user)
    discussions = list(selectors.moderated_discussions(request.user).only("pk", "title"))
    form = forms.AuditFilterForm(request.GET or None, discussions=discussions)
    filters = selectors.AuditFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        tz = timezone.get_current_timezone()
        filters = selectors.AuditFilters(
            discussion=data["discussion"], action=data["action"], actor=data["actor"].strip(), comment=data["comment"],
            since=datetime.combine(data["since"], time.min, tz) if data["since"] else None,
            until=datetime.combine(data["until"], time.max, tz) if data["until"] else None)
    page = Paginator(selectors.audit_entries(request.user, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "discussions/moderation/audit_list.html",
                  {"form": form, "page": page, "entries": list(page.object_list)})


# --- One comment -------------------------------------------------------------------------------------------------

def _comment_page(request: HttpRequest, comment: Comment, status: int = 200, **bound) -> HttpResponse:
    extra = selectors.comment_moderation_context(comment, request.user)
    context = {
        "comment": comment, **extra, "open_flags": [f for f in extra["flags"] if f.resolved_at is None],
        "decline_form": bound.get("decline_form") or forms.DeclineForm(),
        "hide_form": bound.get("hide_form") or forms.ReasonForm(),
        "note_form": bound.get("note_form") or forms.NoteForm(),
        "retag_form": bound.get("retag_form") or forms.RetagForm(discussion=comment.discussion, initial={
            "priorities": list(comment.priorities.all()), "working_groups": list(comment.working_groups.all())}),
    }
    return render(request, "discussions/moderation/comment.html", context, status=status)


@login_required
def comment_moderate(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment(request, pk)
    check_moderate_discussion(request.user, comment.discussion)
    return _comment_page(request, comment)


@login_required
@require_POST
def comment_publish(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment(request, pk)
    return _act(request, comment, lambda: mod.comment_publish(actor=request.user, comment=comment),
                _("The comment is published."))


@login_required
@require_POST
def comment_decline(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment(request, pk)
    check_moderate_discussion(request.user, comment.discussion)
    form = forms.DeclineForm(request.POST)
    if not form.is_valid():
        if request.POST.get("next"):
            messages.error(request, _("Give a reason to decline the comment."))
            return redirect(_next(request, _moderate_url(comment)))
        return _comment_page(request, comment, status=400, decline_form=form)
    return _act(request, comment, lambda: mod.comment_decline(actor=request.user, comment=comment, **form.cleaned_data),
                _("The comment is declined and its author is told why."))


@login_required
def comment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment(request, pk)
    check_moderate_discussion(request.user, comment.discussion)
    form = forms.EditForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        try:
            mod.comment_moderator_edit(actor=request.user, comment=comment, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The comment is edited; its author is told and the earlier text is kept."))
            return redirect(_moderate_url(comment))
    return render(request, "discussions/moderation/edit.html", {"comment": comment, "form": form},
                  status=400 if form.errors else 200)


@login_required
def comment_history(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment(request, pk)
    check_moderate_discussion(request.user, comment.discussion)
    versions = selectors.comment_versions(comment)
    for version in versions:
        version.safe_body = clean_html_for_display(version.body)
    return render(request, "discussions/moderation/history.html", {"comment": comment, "versions": versions})


@login_required
def comment_audit(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment(request, pk)
    check_moderate_discussion(request.user, comment.discussion)
    return render(request, "discussions/moderation/comment_audit.html",
                  {"comment": comment, "entries": list(selectors.audit_for_object(comment).select_related("target_type"))})


@login_required
@require_POST
def comment_retag(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment(request, pk)
    check_moderate_discussion(request.user, comment.discussion)
    form = forms.RetagForm(request.POST, discussion=comment.discussion)
    if not form.is_valid():
        return _comment_page(request, comment, status=400, retag_form=form)
    data = form.cleaned_data
    return _act(request, comment, lambda: mod.comment_retag(
        actor=request.user, comment=comment, priorities=list(data["priorities"]),
        working_groups=list(data["working_groups"]), reason=data["reason"]), _("Priorities and working groups saved."))


@login_required
@require_POST
def comment_hide(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment(request, pk)
    check_moderate_discussion(request.user, comment.discussion)
    form = forms.ReasonForm(request.POST)
    if not form.is_valid():
        return _comment_page(request, comment, status=400, hide_form=form)
    return _act(request, comment, lambda: mod.comment_hide(actor=request.user, comment=comment, **form.cleaned_data),
                _("The comment is hidden; readers see the reason in its place."))


@login_required
@require_POST
def comment_unhide(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment(request, pk)
    return _act(request, comment, lambda: mod.comment_unhide(actor=request.user, comment=comment,
                                                             reason=request.POST.get("reason", "")),
                _("The comment is shown again."))


@login_required
@require_POST
def comment_highlight(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment(request, pk)
    return _act(request, comment, lambda: mod.comment_highlight(actor=request.user, comment=comment),
                _("The comment is highlighted."))


@login_required
@require_POST
def comment_unhighlight(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment(request, pk)
    return _act(request, comment, lambda: mod.comment_unhighlight(actor=request.user, comment=comment),
                _("The highlight is removed."))


@login_required
@require_POST
def comment_note(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment(request, pk)
    check_moderate_discussion(request.user, comment.discussion)
    form = forms.NoteForm(request.POST)
    if not form.is_valid():
        return _comment_page(request, comment, status=400, note_form=form)
    return _act(request, comment, lambda: mod.moderator_note_add(actor=request.user, comment=comment,
                                                                 **form.cleaned_data), _("Note added."))


@login_required
@require_POST
def comment_dismiss_flags(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment(request, pk)
    return _act(request, comment, lambda: mod.comment_flags_dismiss(actor=request.user, comment=comment,
                                                                    reason=request.POST.get("reason", "")),
                _("The reports are answered and the comment stays published."))


@login_required
def comment_flag(request: HttpRequest, pk: int) -> HttpResponse:
    """A signed-in reader with a complete profile reports a published comment of someone else."""
    comment = _comment(request, pk)
    try:
        check_flag_comment(request.user, comment)
    except PermissionDenied as exc:
        # Said on the page, with the way forward (completing the profile), rather than a bare 403.
        return render(request, "discussions/moderation/flag.html", {
            "comment": comment, "refusal": str(exc), "profile_incomplete": not has_complete_profile(request.user)},
            status=403)
    form = forms.FlagForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            mod.comment_flag(actor=request.user, comment=comment, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
            status = 429 if getattr(exc, "code", None) == "rate_limited" else 400
        else:
            messages.success(request, _("Thank you. The moderators will look at your report."))
            return redirect(comment.get_absolute_url())
    elif form.errors:
        status = 400
    return render(request, "discussions/moderation/flag.html", {"comment": comment, "form": form}, status=status)


# --- Discussions and questions -----------------------------------------------------------------------------------

def _discussion(request: HttpRequest, slug: str) -> Discussion:
    discussion = get_object_or_404(Discussion, slug=slug)
    check_moderate_discussion(request.user, discussion)
    return discussion


@login_required
def discussion_moderate(request: HttpRequest, slug: str) -> HttpResponse:
    discussion = _discussion(request, slug)
    return render(request, "discussions/moderation/discussion.html", {
        "discussion": discussion, "questions": list(discussion.questions.order_by("order", "id")),
        "question_form": forms.QuestionForm(), "reason_form": forms.OptionalReasonForm(),
    })


def _discussion_url(discussion: Discussion) -> str:
    return reverse("discussions:moderation-discussion", kwargs={"slug": discussion.slug})


def _act_on(request: HttpRequest, discussion: Discussion, run, done: str) -> HttpResponse:
    try:
        run()
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, done)
    return redirect(_next(request, _discussion_url(discussion)))


@login_required
@require_POST
def discussion_close(request: HttpRequest, slug: str) -> HttpResponse:
    discussion = _discussion(request, slug)
    return _act_on(request, discussion, lambda: mod.discussion_close(
        actor=request.user, discussion=discussion, reason=request.POST.get("reason", "")),
        _("The discussion is closed to new comments."))


@login_required
@require_POST
def discussion_reopen(request: HttpRequest, slug: str) -> HttpResponse:
    discussion = _discussion(request, slug)
    return _act_on(request, discussion, lambda: mod.discussion_reopen(
        actor=request.user, discussion=discussion, reason=request.POST.get("reason", "")),
        _("The discussion is open again."))


@login_required
@require_POST
def question_add(request: HttpRequest, slug: str) -> HttpResponse:
    discussion = _discussion(request, slug)
    form = forms.QuestionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the question."))
        return redirect(_discussion_url(discussion))
    return _act_on(request, discussion, lambda: mod.question_post(actor=request.user, discussion=discussion,
                                                                  text=form.cleaned_data["text"]),
                   _("The question is posted."))


def _question(request: HttpRequest, pk: int) -> Question:
    question = get_object_or_404(Question.objects.select_related("discussion"), pk=pk)
    check_moderate_discussion(request.user, question.discussion)
    return question


@login_required
def question_edit(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question(request, pk)
    form = forms.QuestionForm(request.POST or None, initial={"text": question.text})
    if request.method == "POST" and form.is_valid():
        try:
            mod.question_edit(actor=request.user, question=question, text=form.cleaned_data["text"],
                              reason=request.POST.get("reason", ""))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The question is saved."))
            return redirect(_discussion_url(question.discussion))
    return render(request, "discussions/moderation/question_edit.html", {"question": question, "form": form},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def question_lock(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question(request, pk)
    return _act_on(request, question.discussion, lambda: mod.question_lock(
        actor=request.user, question=question, reason=request.POST.get("reason", "")),
        _("The question is locked: it takes no new comments."))


@login_required
@require_POST
def question_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question(request, pk)
    return _act_on(request, question.discussion, lambda: mod.question_unlock(
        actor=request.user, question=question, reason=request.POST.get("reason", "")),
        _("The question is open for comments again."))


@login_required
@require_POST
def question_move(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question(request, pk)
    return _act_on(request, question.discussion, lambda: mod.question_move(
        actor=request.user, question=question, direction=request.POST.get("direction", "")),
        _("The order of the questions is saved."))


