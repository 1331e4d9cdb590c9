"""What discussions offer to the site search (hub.search): published comments with the text of their attachments,
questions, and the discussions themselves. Registered in DiscussionsConfig.ready().

Only what anybody may read is offered: published comments of discussions that are not drafts, the questions of
those discussions, and those discussions. A comment that is pending, declined, hidden or withdrawn, and everything
in a draft discussion, is absent from the index, so nobody — its author and moderators included — finds it there.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from discussions.models import Attachment, Comment, Discussion, Question
from hub.search import extraction, indexing
from hub.search.normalize import guess_language
from hub.search.registry import SearchDoc
from hub.text import html_to_text

BATCH = 500


def _in_batches(queryset: QuerySet, pks: list[int] | None) -> Iterator[list]:
    """The rows of `queryset` for these pks (all rows when None), a batch at a time, in pk order."""
    if pks is not None:
        for start in range(0, len(pks), BATCH):
            yield list(queryset.filter(pk__in=pks[start:start + BATCH]).order_by("pk"))
        return
    last = 0
    while True:
        batch = list(queryset.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not batch:
            return
        yield batch
        last = batch[-1].pk


class _Urls:
    """Discussion addresses, reversed once per discussion rather than once per comment."""

    def __init__(self) -> None:
        self.by_slug: dict[str, str] = {}

    def discussion(self, slug: str) -> str:
        if slug not in self.by_slug:
            self.by_slug[slug] = reverse("discussions:discussion-detail", kwargs={"slug": slug})
        return self.by_slug[slug]


def _name_words(file_name: str) -> str:
    """A file's name as words: PostgreSQL would read "position-paper.pdf" as one token, not as "position paper"."""
    return re.sub(r"[._\-]+", " ", file_name).strip()


class CommentSearch:
    kind = "comment"
    label = _("Comments")
    models = [Comment, Attachment, Discussion, Comment.priorities.through]

    def owner_pks(self, instance) -> list[int]:
        if isinstance(instance, Comment):
            return [instance.pk]
        if isinstance(instance, Attachment):
            return [instance.comment_id]
        # A discussion: when it goes back to draft its comments leave the index; when it leaves draft they return.
        # Other edits change nothing in its comments' entries, so nothing else is reindexed.
        indexed = set(indexing.indexed_pks(self.kind, discussion_id=instance.pk))
        if instance.status == Discussion.Status.DRAFT:
            return sorted(indexed)
        published = Comment.objects.filter(discussion_id=instance.pk, status=Comment.Status.PUBLISHED)
        return sorted(set(published.values_list("pk", flat=True)) - indexed)

    def documents(self, pks: list[int] | None) -> Iterable[SearchDoc]:
        comments = (Comment.objects.filter(status=Comment.Status.PUBLISHED)
                    .exclude(discussion__status=Discussion.Status.DRAFT)
                    .select_related("discussion")
                    .only("pk", "discussion_id", "discussion__slug", "status", "author_name", "author_organisation",
                          "show_personal_name", "body_text", "published_at", "created_at"))
        urls = _Urls()
        for batch in _in_batches(comments, pks):
            ids = [c.pk for c in batch]
            priorities = defaultdict(list)
            for comment_id, priority_id in (Comment.priorities.through.objects.filter(comment_id__in=ids)
                                            .values_list("comment_id", "priority_id")):
                priorities[comment_id].append(priority_id)
            files = defaultdict(list)
            for attachment in (Attachment.objects.filter(comment_id__in=ids).order_by("id")
                               .only("comment_id", "file", "original_name", "content_type", "sha256")):
                files[attachment.comment_id].append(attachment)
            texts = extraction.texts_for(extraction.FileRef(a.sha256, a.file.name, a.content_type)
                                         for attached in files.values() for a in attached)
            for comment in batch:
                attached = files.get(comment.pk, [])
                extra = "\n\n".join(part for a in attached
                                    for part in (_name_words(a.original_name), texts.get(a.sha256, "")) if part)
                yield SearchDoc(
                    kind=self.kind, pk=comment.pk, title=self._title(comment), body=comment.body_text,
                    extra_text=extra, language=guess_language(comment.body_text or extra),
                    url=f"{urls.discussion(comment.discussion.slug)}#comment-{comment.pk}",
                    date=comment.published_at or comment.created_at, discussion_id=comment.discussion_id,
                    priority_ids=priorities.get(comment.pk, []),
                )

    @staticmethod
    def _title(comment: Comment) -> str:
        """Who said it, as the thread shows it: an author who chose organisation only is not named."""
        name = comment.shown_name
        if comment.show_personal_name and comment.author_name and comment.author_organisation:
            return f"{name}, {comment.author_organisation}"
        return name or "-"


class QuestionSearch:
    kind = "question"
    label = _("Questions")
    models = [Question, Discussion]

    def owner_pks(self, instance) -> list[int]:
        if isinstance(instance, Question):
            return [instance.pk]
        return list(Question.objects.filter(discussion_id=instance.pk).values_list("pk", flat=True))

    def documents(self, pks: list[int] | None) -> Iterable[SearchDoc]:
        questions = (Question.objects.exclude(discussion__status=Discussion.Status.DRAFT).select_related("discussion")
                     .only("pk", "text", "posted_at", "discussion_id", "discussion__slug"))
        urls = _Urls()
        for batch in _in_batches(questions, pks):
            for question in batch:
                text = question.text.strip()
                yield SearchDoc(
                    kind=self.kind, pk=question.pk, title=text if len(text) <= 160 else text[:159] + "…", body=text,
                    language=guess_language(text),
                    url=f"{urls.discussion(question.discussion.slug)}#question-{question.pk}",
                    date=question.posted_at, discussion_id=question.discussion_id,
                )


class DiscussionSearch:
    kind = "discussion"  # hub.search names a hit's discussion from these entries
    label = _("Discussions")
    models = [Discussion]

    def owner_pks(self, instance) -> list[int]:
        return [instance.pk]

    def documents(self, pks: list[int] | None) -> Iterable[SearchDoc]:
        discussions = Discussion.objects.filter(~Q(status=Discussion.Status.DRAFT)).only(
            "pk", "slug", "title", "welcome", "expected_audience", "opens_at", "created_at")
        urls = _Urls()
        for batch in _in_batches(discussions, pks):
            for discussion in batch:
                body = "\n\n".join(part for part in (html_to_text(discussion.welcome), discussion.expected_audience)
                                   if part)
                yield SearchDoc(
                    kind=self.kind, pk=discussion.pk, title=discussion.title, body=body,
                    language=guess_language(f"{discussion.title} {body}"), url=urls.discussion(discussion.slug),
                    date=discussion.opens_at or discussion.created_at, discussion_id=discussion.pk,
                )


def register() -> None:
    from hub.search import registry

    for provider in (CommentSearch(), QuestionSearch(), DiscussionSearch()):
        registry.register(provider)
