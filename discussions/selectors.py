"""Reads of discussions. Each returns what its page needs in a fixed number of queries, whatever the size."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404

from discussions.models import Attachment, Comment, Discussion, DiscussionDocument, Question, Subscription
from discussions.permissions import (
    _listed_ids,
    can_view_discussion,
    check_download_attachment,
    check_view_comment,
    check_view_discussion,
    publicly_visible,
)
from workplan.models import Priority, WorkingGroup, Workplan

# Past this depth replies stop moving right and say whom they answer instead.
MAX_INDENT = 3


def _count_subquery(model, **filters) -> Coalesce:
    counted = (model.objects.filter(discussion=OuterRef("pk"), **filters).order_by().values("discussion")
               .annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def discussion_list(*, user=None) -> list[Discussion]:
    """Discussions a user may see, open ones first, then closed and archived (drafts only for their moderators),
    each with `question_count` and `published_count`; one query."""
    discussions = list(
        Discussion.objects.annotate(
            question_count=_count_subquery(Question),
            published_count=_count_subquery(Comment, status=Comment.Status.PUBLISHED),
        ).order_by("-opens_at", "title")
    )
    visible = [d for d in discussions if can_view_discussion(user, d)]
    rank = {Discussion.Status.OPEN: 0, Discussion.Status.DRAFT: 1, Discussion.Status.CLOSED: 2,
            Discussion.Status.ARCHIVED: 3}
    for discussion in visible:
        discussion.shown_status = discussion.effective_status()
    # A discussion announced for later (open, not yet started) sorts with the open ones.
    return sorted(visible, key=lambda d: rank[d.shown_status] if d.status != Discussion.Status.OPEN else 0)


def _discussion_for_page(slug: str) -> Discussion:
    return get_object_or_404(
        Discussion.objects.select_related("workplan").prefetch_related(
            Prefetch("moderators", queryset=_user_model().objects.select_related("profile").order_by("pk")),
            "milestones", "documents",
        ),
        slug=slug,
    )


def discussion_for_page(*, slug: str, user=None) -> Discussion:
    """The discussion with its moderators' profiles, timeline and documents; 404 for drafts the user may not see."""
    discussion = _discussion_for_page(slug)
    check_view_discussion(user, discussion)
    return discussion


def _user_model():
    from django.contrib.auth import get_user_model

    return get_user_model()


def questions_for_discussion(discussion: Discussion) -> list[Question]:
    """The discussion's questions in their order."""
    return list(discussion.questions.order_by("order", "id"))


@dataclass
class Entry:
    """One comment as shown in a thread, in page order."""

    comment: Comment
    indent: int
    reply_to: Comment | None = None
    reply_to_name: str = ""  # '' when the comment replied to is itself only a placeholder
    # "" shows the comment; "hidden" a moderator's placeholder; "unavailable" keeps replies to a comment that
    # is no longer shown (withdrawn, declined, back in review) readable.
    placeholder: str = ""
    own: bool = False
    html: str = ""
    urls: dict = field(default_factory=dict)


@dataclass
class QuestionThread:
    question: Question
    entries: list[Entry]
    published_count: int = 0
    html: str = ""  # filled by the view (rendering.thread_html)


@dataclass
class Thread:
    questions: list[QuestionThread]
    general: list[Entry]
    published_count: int
    own_pending_count: int

    def entries(self):
        for qt in self.questions:
            yield from qt.entries
        yield from self.general


def comments_for_thread(discussion: Discussion) -> list[Comment]:
    """Every comment of the discussion (its `body_text` deferred), each with `priority_list`, `group_list` and
    `attachment_list`: four queries whatever the size. The related rows are grouped by hand rather than with prefetch_related, whose
    per-object querysets cost more than the queries themselves on a thread of a thousand comments. The queries run
    one after the other outside a transaction, so rows of a comment committed in between are skipped (bench/load.py
    found the KeyError this caused under load)."""
    # The plain-text copy of each body is as long as the body and the page never shows it.
    comments = list(Comment.objects.filter(discussion=discussion).select_related("disposition").defer("body_text")
                    .order_by("created_at", "id"))
    by_id = {c.pk: c for c in comments}
    for comment in comments:
        comment.priority_list, comment.group_list, comment.attachment_list = [], [], []
    workplans: dict = {discussion.workplan_id: discussion.workplan} if discussion.workplan_id else {}

    def workplan_of(workplan_id: int, slug: str) -> Workplan:
        if workplan_id not in workplans:
            workplans[workplan_id] = Workplan(pk=workplan_id, slug=slug)
        return workplans[workplan_id]

    # One row per (comment, priority): only the fields a chip shows, and one object per distinct priority.
    priorities: dict[int, Priority] = {}
    rows = (Comment.priorities.through.objects.filter(comment__discussion=discussion)
            .values_list("comment_id", "priority_id", "priority__kind", "priority__number", "priority__title",
                         "priority__workplan_id", "priority__workplan__slug")
            .order_by("priority__kind", "priority__number"))
    for comment_id, pk, kind, number, title, workplan_id, slug in rows:
        priority = priorities.get(pk)
        if priority is None:
            priority = priorities[pk] = Priority(pk=pk, kind=kind, number=number, title=title,
                                                 workplan=workplan_of(workplan_id, slug))
        if comment_id in by_id:  # a comment posted since the first query is not on this page; skip its rows
            by_id[comment_id].priority_list.append(priority)
    groups: dict[int, WorkingGroup] = {}
    rows = (Comment.working_groups.through.objects.filter(comment__discussion=discussion)
            .values_list("comment_id", "workinggroup_id", "workinggroup__name", "workinggroup__slug",
                         "workinggroup__workplan_id", "workinggroup__workplan__slug")
            .order_by("workinggroup__name"))
    for comment_id, pk, name, slug, workplan_id, workplan_slug in rows:
        group = groups.get(pk)
        if group is None:
            group = groups[pk] = WorkingGroup(pk=pk, name=name, slug=slug,
                                              workplan=workplan_of(workplan_id, workplan_slug))
        if comment_id in by_id:
            by_id[comment_id].group_list.append(group)
    for attachment in Attachment.objects.filter(comment__discussion=discussion).order_by("id"):
        if attachment.comment_id in by_id:
            by_id[attachment.comment_id].attachment_list.append(attachment)
    return comments


def _shown_to(comment: Comment, user_id: int | None) -> str | None:
    """How a comment appears to this reader: '' in full, 'hidden' as a placeholder, None not by itself."""
    if comment.status == Comment.Status.PUBLISHED:
        return ""
    if comment.status == Comment.Status.HIDDEN:
        return "hidden"
    if user_id is not None and comment.author_id == user_id and comment.status in (
            Comment.Status.PENDING, Comment.Status.DECLINED):
        return ""
    return None


def comment_tree_for_discussion(discussion: Discussion, *, user=None, questions: list[Question] | None = None,
                                comments: list[Comment] | None = None) -> Thread:
    """Every comment the reader may see, as threads under each question plus the general comments, built in Python
    from a fixed number of queries. Highlighted answers come first under their question; replies follow in time
    order, indented up to MAX_INDENT levels. A reader sees published comments, moderators' placeholders for
    hidden ones, and their own pending or declined comments; never anyone else's unpublished comment."""
    if questions is None:
        questions = questions_for_discussion(discussion)
    user_id = user.pk if getattr(user, "is_authenticated", False) else None
    if comments is None:
        comments = comments_for_thread(discussion)
    by_question = {q.pk: q for q in questions}
    for comment in comments:
        # Saves a query wherever get_absolute_url is used, and for each permission asked about a comment.
        comment.discussion = discussion
        comment.question = by_question.get(comment.question_id)
    tree = _Tree(comments, user_id=user_id)
    roots_by_question: dict[int | None, list[Comment]] = defaultdict(list)
    for root in tree.roots():
        roots_by_question[root.question_id if root.question_id in by_question else None].append(root)
    threads = []
    for question in questions:
        entries = tree.entries(roots_by_question.get(question.pk, []))
        count = sum(1 for e in entries if e.comment.status == Comment.Status.PUBLISHED)
        threads.append(QuestionThread(question=question, entries=entries, published_count=count))
    return Thread(
        questions=threads, general=tree.entries(roots_by_question.get(None, [])),
        published_count=sum(1 for c in comments if c.status == Comment.Status.PUBLISHED),
        own_pending_count=sum(1 for c in comments if user_id and c.author_id == user_id
                              and c.status == Comment.Status.PENDING),
    )


class _Tree:
    """The comments of one discussion as a reply tree, with what this reader is shown of each (`keep`: '' in full,
    'hidden' or 'unavailable' as a placeholder; an absent comment is not shown at all)."""

    def __init__(self, comments: list[Comment], *, user_id: int | None) -> None:
        self.user_id = user_id
        self.by_id = {c.pk: c for c in comments}
        self.children: dict[int | None, list[Comment]] = defaultdict(list)
        for comment in comments:
            self.children[comment.parent_id if comment.parent_id in self.by_id else None].append(comment)
        self.keep = self._kept({c.pk: _shown_to(c, user_id) for c in comments})

    def _kept(self, shown: dict[int, str | None]) -> dict[int, str]:
        """Keep an unshown comment only as a placeholder for shown replies below it."""
        order: list[Comment] = []
        stack = list(reversed(self.children[None]))
        while stack:  # iterative pre-order walk: reply chains can be deeper than Python's recursion allows
            node = stack.pop()
            order.append(node)
            stack.extend(reversed(self.children[node.pk]))
        keep: dict[int, str] = {}
        for node in reversed(order):  # children before parents
            state = shown[node.pk]
            if state is not None:
                keep[node.pk] = state
            elif any(child.pk in keep for child in self.children[node.pk]):
                keep[node.pk] = "unavailable"
        return keep

    def roots(self) -> list[Comment]:
        return [root for root in self.children[None] if root.pk in self.keep]

    def entries(self, roots: list[Comment]) -> list[Entry]:
        """The thread below `roots` in page order: highlighted roots first, then each reply after its parent."""
        keep = self.keep
        roots = sorted(roots, key=lambda c: (not (c.highlighted and keep[c.pk] == ""),))  # stable: time order kept
        entries: list[Entry] = []
        stack: list[tuple[Comment, int]] = [(root, 0) for root in reversed(roots)]
        while stack:
            node, level = stack.pop()
            parent = self.by_id.get(node.parent_id) if node.parent_id in keep else None
            entries.append(Entry(comment=node, indent=min(level, MAX_INDENT), reply_to=parent,
                                 reply_to_name=parent.shown_name if parent is not None and keep[parent.pk] == "" else "",
                                 placeholder=keep[node.pk],
                                 own=self.user_id is not None and node.author_id == self.user_id))
            stack.extend((child, level + 1) for child in reversed(self.children[node.pk]) if child.pk in keep)
        return entries


def is_following(user, discussion: Discussion) -> bool:
    """Whether the user follows the discussion (False for visitors, without a query)."""
    if not getattr(user, "is_authenticated", False):
        return False
    following = getattr(user, "_hub_following", None)
    if following is not None:  # filled by discussion_page from the reads it keeps
        return discussion.pk in following
    return Subscription.objects.filter(user=user, discussion=discussion).exists()


@dataclass
class DiscussionPage:
    discussion: Discussion
    questions: list[Question]
    comments: list[Comment]
    fragments: dict | None = None  # the thread's cached fragments, when read along (discussions.rendering)


def _shared_page_reads(slug: str) -> DiscussionPage:
    discussion = _discussion_for_page(slug)
    if discussion.workplan_id:
        from workplan.mentions import PriorityIndex

        PriorityIndex.for_workplan(discussion.workplan).signature  # kept with the workplan for the renders
    return DiscussionPage(discussion=discussion, questions=questions_for_discussion(discussion),
                          comments=comments_for_thread(discussion))


def _reader_reads(user) -> dict:
    from hub.selectors import reader_facts

    return {**reader_facts(user), "moderated": _listed_ids(user),
            "following": set(Subscription.objects.filter(user=user).values_list("discussion_id", flat=True))}


def discussion_page(*, slug: str, user) -> DiscussionPage:
    """What the discussion page reads: the discussion (404 for a draft the reader may not see), its questions and
    every comment (the reader's share is picked by comment_tree_for_discussion), plus what the permission checks
    ask about a signed-in reader. Both halves change only through audited writes, so they are kept in the cache
    under the page generation (hub.pagecache.cached_reads): a signed-in page then costs the session and the user."""
    from hub.pagecache import cached_reads, enabled
    from hub.selectors import apply_reader_facts

    builders = {f"discussions:page:{slug}": lambda: _shared_page_reads(slug)}
    # Without the cache the checks read what they need as they go (fewer queries than gathering everything).
    signed_in = getattr(user, "is_authenticated", False) and enabled()
    if signed_in:
        builders[f"discussions:reader:{user.pk}"] = lambda: _reader_reads(user)
    from discussions.rendering import thread_key

    fragments_key = thread_key(slug)
    values = cached_reads(builders, also=(fragments_key,))
    if signed_in:
        facts = values[f"discussions:reader:{user.pk}"]
        apply_reader_facts(user, facts)
        user._hub_moderated_ids = facts["moderated"]
        user._hub_following = facts["following"]
    page = values[f"discussions:page:{slug}"]
    check_view_discussion(user, page.discussion)
    page.fragments = values.get(fragments_key)
    return page


def comment_for_user(*, pk: int, user) -> Comment:
    """A comment the user may see, with its discussion; 404 otherwise."""
    comment = get_object_or_404(
        Comment.objects.select_related("discussion", "discussion__workplan", "question", "parent")
        .prefetch_related("priorities", "working_groups", "attachments"),
        pk=pk,
    )
    check_view_comment(user, comment)
    return comment


def attachment_for_download(*, pk: int, user) -> Attachment:
    """An attachment with its comment and discussion, if the user may download it (404 otherwise)."""
    attachment = get_object_or_404(Attachment.objects.select_related("comment__discussion"), pk=pk)
    check_download_attachment(user, attachment)
    return attachment


def document_for_download(*, pk: int, user) -> DiscussionDocument:
    """A document under discussion, public with its discussion (a draft's only to its moderators); 404 otherwise,
    and for a document that has no file."""
    document = get_object_or_404(DiscussionDocument.objects.select_related("discussion"), pk=pk)
    check_view_discussion(user, document.discussion)
    if not document.file:
        raise Http404
    return document


def workplan_choices(discussion: Discussion) -> tuple[list[Priority], list[WorkingGroup]]:
    """The priorities and working groups a comment in this discussion may name."""
    if not discussion.workplan_id:
        return [], []
    priorities = list(Priority.objects.filter(workplan_id=discussion.workplan_id, active=True)
                      .select_related("workplan").order_by("kind", "number"))
    groups = list(WorkingGroup.objects.filter(workplan_id=discussion.workplan_id).order_by("name"))
    return priorities, groups


class PublishedFeedback:
    """The workplan.feedback provider: published comments per priority, for workplan pages. Those pages are the
    same for everyone, so a draft discussion's comments are left out for everyone, its moderators included."""

    item_template = "discussions/_feedback_item.html"

    def published_counts(self, priority_ids: list[int]) -> dict[int, int]:
        """Published comments per priority id, in one query."""
        through = Comment.priorities.through
        rows = (through.objects.filter(publicly_visible("comment__discussion"), priority_id__in=priority_ids,
                                       comment__status=Comment.Status.PUBLISHED)
                .values("priority_id").annotate(n=Count("comment_id")).order_by())
        return {row["priority_id"]: row["n"] for row in rows}

    def published_feedback(self, priority) -> QuerySet:
        """Published comments of public discussions that name the priority, newest first, with discussion,
        question, priorities and attachments fetched in a fixed number of queries."""
        return (
            Comment.objects.filter(publicly_visible(), priorities=priority, status=Comment.Status.PUBLISHED)
            .select_related("discussion", "question")
            .prefetch_related(
                Prefetch("priorities", queryset=Priority.objects.select_related("workplan").order_by("kind", "number")),
                Prefetch("attachments", queryset=Attachment.objects.order_by("id")),
            )
            .order_by("-created_at", "-id")
        )


def my_comments(*, user, limit: int = 100) -> list[Comment]:
    """The user's own comments across discussions, newest first, with the outcome of moderation."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(Comment.objects.filter(author=user).select_related("discussion", "question")
                .only("id", "status", "created_at", "body_text", "decline_reason", "hidden_reason",
                      "discussion__slug", "discussion__title", "question__text")
                .order_by("-created_at", "-id")[:limit])
