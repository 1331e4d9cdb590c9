"""Moderation pages. Thin: find the object (404 when there is none), bind a form, call one service.

The service is the only guard of an action: it answers 404 when the user may not even see the comment and 403 when
they see it but do not moderate its discussion. A page that runs no service (the list pages, a comment's pages, a
form shown again with its errors) checks the same rule, from discussions.permissions, before it shows anything."""
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
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from discussions import moderation as mod
from discussions.forms import body_initial
from discussions.models import Comment, Discussion, Question
from discussions.moderation import audit, forms, selectors
from discussions.permissions import (check_flag_comment, check_moderate_anything, check_moderate_comment,
                                     check_moderate_discussion)
from hub.forms import parse_id
from hub.http import apply_errors, safe_next, with_query
from hub.models import stakeholder_group_label
from hub.permissions import has_complete_profile
from hub.text import clean_html_for_display

PAGE_SIZE = 50


def _decorate(comment: Comment) -> Comment:
    """What templates show but must not compute: the body re-cleaned for display, the stakeholder group's label."""
    comment.safe_body = clean_html_for_display(comment.body)
    comment.group_label = stakeholder_group_label(comment.author_stakeholder_group)
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
    """The comment with what moderation shows (404 when there is none); whether the user may act on it is the
    service's to say, whether they may see its pages the page's."""
    try:
        return _decorate(selectors.comment_for_moderation(pk, request.user))
    except Comment.DoesNotExist:
        raise Http404 from None


def _moderate_url(comment: Comment) -> str:
    return reverse("discussions:comment-moderate", kwargs={"pk": comment.pk})


def _discussion_url(discussion: Discussion) -> str:
    return reverse("discussions:moderation-discussion", kwargs={"slug": discussion.slug})


def _act(request: HttpRequest, back: str, run, done: str) -> HttpResponse:
    """Run a service and go back where the moderator came from (else `back`), with its outcome as a message."""
    try:
        run()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect(safe_next(request, back))


# --- The list pages: no service runs, so each checks that the user moderates something ---------------------------

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
        "refused": parse_id(request.GET.get("refused")), "refused_reason": request.GET.get("refused_reason", ""),
    })


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
                  {"form": form, "page": page, "entries": audit.describe(page.object_list)})


@login_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    """Publish or decline the comments ticked in the queue: all of them or none (the service checks each)."""
    ids = [pk for pk in map(parse_id, request.POST.getlist("comments")) if pk is not None]
    form = forms.BulkForm(request.POST, comment_ids=ids)
    back = safe_next(request, reverse("discussions:moderation-queue"))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    comments = list(Comment.objects.select_related("discussion").filter(pk__in=form.cleaned_data["comments"])
                    .order_by("created_at", "id"))
    data = form.cleaned_data
    if request.POST.get("confirm") != "1":
        return _bulk_confirm(request, comments, data, back)
    try:
        if data["action"] == "publish":
            mod.comments_publish(actor=request.user, comments=comments)
            messages.success(request, _("%(n)d comment(s) published.") % {"n": len(comments)})
        else:
            mod.comments_decline(actor=request.user, comments=comments, standard_reason=data["standard_reason"],
                                 details=data["details"])
            messages.success(request, _("%(n)d comment(s) declined.") % {"n": len(comments)})
    except ValidationError as exc:
        messages.error(request, _("Nothing was changed: %(error)s") % {"error": " ".join(exc.messages)})
    return redirect(back)


# --- One comment: its pages -----------------------------------------------------------------------------------------

def _comment_page(request: HttpRequest, comment: Comment, status: int = 200, **bound) -> HttpResponse:
    """The moderation page of a comment, with a form the moderator sent back with errors (`bound`) if any."""
    check_moderate_comment(request.user, comment)
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
    return _comment_page(request, _comment(request, pk))


@login_required
def comment_history(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment(request, pk)
    check_moderate_comment(request.user, comment)
    versions = selectors.comment_versions(comment)
    for version in versions:
        version.safe_body = clean_html_for_display(version.body)
    return render(request, "discussions/moderation/history.html", {"comment": comment, "versions": versions})


@login_required
def comment_audit(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment(request, pk)
    check_moderate_comment(request.user, comment)
    entries = selectors.audit_for_object(comment).select_related("target_type")
    return render(request, "discussions/moderation/comment_audit.html",
                  {"comment": comment, "entries": audit.describe(entries)})


@login_required
def comment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment(request, pk)
    form = forms.EditForm(request.POST or None, initial=body_initial(comment))
    if request.method == "POST" and form.is_valid():
        body, body_format = form.body_and_format()
        try:
            mod.comment_moderator_edit(actor=request.user, comment=comment, body=body, body_format=body_format,
                                       reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The comment is edited; its author is told and the earlier text is kept."))
            return redirect(_moderate_url(comment))
    check_moderate_comment(request.user, comment)  # the form page itself (no service answered)
    return render(request, "discussions/moderation/edit.html", {"comment": comment, "form": form},
                  status=400 if form.errors else 200)


# --- One comment: the verbs that take a form ------------------------------------------------------------------------

@login_required
@require_POST
def comment_decline(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment(request, pk)
    form = forms.DeclineForm(request.POST)
    if not form.is_valid():
        back = safe_next(request)
        if back:  # the queue's own decline form: say it there, naming the comment, and mark its card
            messages.error(request, _("Comment #%(pk)s by %(name)s was not declined: choose a reason or write one.")
                           % {"pk": comment.pk, "name": comment.shown_name})
            return redirect(with_query(back, drop=("refused", "refused_reason"), fragment=f"item-{comment.pk}",
                                       refused=str(comment.pk),
                                       refused_reason=form.data.get("standard_reason", "")[:40]))
        return _comment_page(request, comment, status=400, decline_form=form)
    return _act(request, _moderate_url(comment),
                lambda: mod.comment_decline(actor=request.user, comment=comment, **form.cleaned_data),
                _("The comment is declined and its author is told why."))


@login_required
@require_POST
def comment_retag(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment(request, pk)
    form = forms.RetagForm(request.POST, discussion=comment.discussion)
    if not form.is_valid():
        return _comment_page(request, comment, status=400, retag_form=form)
    data = form.cleaned_data
    return _act(request, _moderate_url(comment), lambda: mod.comment_retag(
        actor=request.user, comment=comment, priorities=list(data["priorities"]),
        working_groups=list(data["working_groups"]), reason=data["reason"]), _("Priorities and working groups saved."))


def _comment_form_action(form_class, form_name: str, service, done: str):
    """A POST view for a verb on a comment that takes one form: the form's data goes to the service as it is; a form
    with errors is shown again on the comment's moderation page."""
    @login_required
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        comment = _comment(request, pk)
        form = form_class(request.POST)
        if not form.is_valid():
            return _comment_page(request, comment, status=400, **{form_name: form})
        return _act(request, _moderate_url(comment),
                    lambda: service(actor=request.user, comment=comment, **form.cleaned_data), done)
    return view


comment_hide = _comment_form_action(forms.ReasonForm, "hide_form", mod.comment_hide,
                                    gettext_lazy("The comment is hidden; readers see the reason in its place."))
comment_note = _comment_form_action(forms.NoteForm, "note_form", mod.moderator_note_add, gettext_lazy("Note added."))


def _bulk_confirm(request: HttpRequest, comments: list[Comment], data: dict, back: str) -> HttpResponse:
    """The step before a bulk decision: what will happen to which comments, and one button to do it."""
    for comment in comments:  # the confirmation page itself names them (no service answered yet)
        check_moderate_comment(request.user, comment)
    n = len(comments)
    publish = data["action"] == "publish"
    if publish:
        title = ngettext("Publish %(n)d comment?", "Publish %(n)d comments?", n) % {"n": n}
        explanation = _("Everyone will be able to read them, and each author is told by e-mail.")
        button = ngettext("Yes, publish %(n)d comment", "Yes, publish %(n)d comments", n) % {"n": n}
    else:
        title = ngettext("Decline %(n)d comment?", "Decline %(n)d comments?", n) % {"n": n}
        explanation = _("They will not be published, and each author is told the reason by e-mail.")
        button = ngettext("Yes, decline %(n)d comment", "Yes, decline %(n)d comments", n) % {"n": n}
    reason = dict(mod.DeclineReason.choices).get(data["standard_reason"], "") if not publish else ""
    reason = " ".join(filter(None, [str(reason), data["details"]])) if not publish else ""
    fields = [("action", data["action"]), ("next", back), ("standard_reason", data["standard_reason"]),
              ("details", data["details"])] + [("comments", c.pk) for c in comments]
    return render(request, "discussions/moderation/confirm.html", {
        "title": title, "explanation": explanation, "items": comments, "reason": reason, "button": button,
        "button_class": "btn-success" if publish else "btn-danger", "fields": fields,
        "action": reverse("discussions:moderation-bulk"), "back": back})


# --- The verbs without a form: one view each, from one table-like helper ----------------------------------------------

def _comment_target(pk: int) -> tuple[dict, str]:
    comment = get_object_or_404(Comment.objects.select_related("discussion"), pk=pk)
    return {"comment": comment}, _moderate_url(comment)


def _question_target(pk: int) -> tuple[dict, str]:
    question = get_object_or_404(Question.objects.select_related("discussion"), pk=pk)
    return {"question": question}, _discussion_url(question.discussion)


def _discussion_target(slug: str) -> tuple[dict, str]:
    discussion = get_object_or_404(Discussion, slug=slug)
    return {"discussion": discussion}, _discussion_url(discussion)


def _posted_action(find, service, done: str, field: str | None = None):
    """A POST view that finds its object (404 when there is none), runs one service on it for the user - with the
    posted `field` (a reason, a direction) when named - and goes back with the outcome as a message."""
    @login_required
    @require_POST
    def view(request: HttpRequest, **url_kwargs) -> HttpResponse:
        target, back = find(**url_kwargs)
        extra = {field: request.POST.get(field, "")} if field else {}
        return _act(request, back, lambda: service(actor=request.user, **target, **extra), done)
    return view


comment_publish = _posted_action(_comment_target, mod.comment_publish, gettext_lazy("The comment is published."))
comment_unhide = _posted_action(_comment_target, mod.comment_unhide, gettext_lazy("The comment is shown again."),
                                "reason")
comment_highlight = _posted_action(_comment_target, mod.comment_highlight,
                                   gettext_lazy("The comment is highlighted."))
comment_unhighlight = _posted_action(_comment_target, mod.comment_unhighlight,
                                     gettext_lazy("The highlight is removed."))
comment_dismiss_flags = _posted_action(
    _comment_target, mod.comment_flags_dismiss,
    gettext_lazy("The reports are answered and the comment stays published."), "reason")
_discussion_close = _posted_action(_discussion_target, mod.discussion_close,
                                   gettext_lazy("The discussion is closed to new comments."), "reason")


@login_required
@require_POST
def discussion_close(request: HttpRequest, slug: str) -> HttpResponse:
    """Closing stops every new comment at once, so it asks first; the confirmed form closes it."""
    if request.POST.get("confirm") == "1":
        return _discussion_close(request, slug=slug)
    discussion = get_object_or_404(Discussion, slug=slug)
    check_moderate_discussion(request.user, discussion)  # the confirmation page itself (no service answered)
    back = _discussion_url(discussion)
    return render(request, "discussions/moderation/confirm.html", {
        "title": _("Close “%(title)s”?") % {"title": discussion.title},
        "explanation": _("Nobody will be able to post or reply until a moderator reopens it. Everything said so far "
                         "stays readable, and comments waiting for review can still be decided."),
        "reason": request.POST.get("reason", "")[:1000], "button": _("Yes, close the discussion"),
        "button_class": "btn-danger", "fields": [("reason", request.POST.get("reason", "")[:1000])],
        "action": reverse("discussions:moderation-discussion-close", kwargs={"slug": slug}), "back": back})
discussion_reopen = _posted_action(_discussion_target, mod.discussion_reopen,
                                   gettext_lazy("The discussion is open again."), "reason")
question_lock = _posted_action(_question_target, mod.question_lock,
                               gettext_lazy("The question is locked: it takes no new comments."), "reason")
question_unlock = _posted_action(_question_target, mod.question_unlock,
                                 gettext_lazy("The question is open for comments again."), "reason")
question_move = _posted_action(_question_target, mod.question_move,
                               gettext_lazy("The order of the questions is saved."), "direction")


# --- Reporting a comment (any signed-in reader) --------------------------------------------------------------------

@login_required
def comment_flag(request: HttpRequest, pk: int) -> HttpResponse:
    """A signed-in reader with a complete profile reports a published comment of someone else."""
    comment = _comment(request, pk)
    try:
        # The form page checks the rule itself (the service checks it again when the report is sent), so that a
        # refusal is said on the page, with the way forward (completing the profile), rather than a bare 403.
        check_flag_comment(request.user, comment)
    except PermissionDenied as exc:
        return render(request, "discussions/moderation/flag.html", {
            "comment": comment, "refusal": str(exc), "profile_incomplete": not has_complete_profile(request.user)},
            status=403)
    form = forms.FlagForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            mod.comment_flag(actor=request.user, comment=comment, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
            status = 429 if getattr(exc, "code", None) == "rate_limited" else 400
        else:
            messages.success(request, _("Thank you. The moderators will look at your report."))
            return redirect(comment.get_absolute_url())
    elif form.errors:
        status = 400
    return render(request, "discussions/moderation/flag.html", {"comment": comment, "form": form}, status=status)


# --- Discussions and questions ------------------------------------------------------------------------------------

@login_required
def discussion_moderate(request: HttpRequest, slug: str) -> HttpResponse:
    discussion = get_object_or_404(Discussion, slug=slug)
    check_moderate_discussion(request.user, discussion)
    return render(request, "discussions/moderation/discussion.html", {
        "discussion": discussion, "questions": list(discussion.questions.order_by("order", "id")),
        "question_form": forms.QuestionForm(), "reason_form": forms.OptionalReasonForm(),
    })


@login_required
@require_POST
def question_add(request: HttpRequest, slug: str) -> HttpResponse:
    discussion = get_object_or_404(Discussion, slug=slug)
    form = forms.QuestionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the question."))
        return redirect(_discussion_url(discussion))
    return _act(request, _discussion_url(discussion),
                lambda: mod.question_post(actor=request.user, discussion=discussion, text=form.cleaned_data["text"]),
                _("The question is posted."))


@login_required
def question_edit(request: HttpRequest, pk: int) -> HttpResponse:
    question = get_object_or_404(Question.objects.select_related("discussion"), pk=pk)
    form = forms.QuestionForm(request.POST or None, initial={"text": question.text})
    if request.method == "POST" and form.is_valid():
        try:
            mod.question_edit(actor=request.user, question=question, text=form.cleaned_data["text"],
                              reason=request.POST.get("reason", ""))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The question is saved."))
            return redirect(_discussion_url(question.discussion))
    check_moderate_discussion(request.user, question.discussion)  # the form page itself (no service answered)
    return render(request, "discussions/moderation/question_edit.html", {"question": question, "form": form},
                  status=400 if form.errors else 200)
