"""Trusted contributors: which new comments skip the review queue."""
from __future__ import annotations

from discussions.models import Comment, Discussion
from discussions.permissions import can_moderate_discussion
from hub.selectors import profile_for_user


def initial_status_for(discussion: Discussion, author) -> str:
    """The status a new comment starts with: published under post-moderation, for the discussion's moderators,
    for confirmed members of verified organisations when the discussion trusts them (a declared, unconfirmed
    membership does not count), and for authors with enough published
    comments (on the whole site) when the discussion sets that number; pending otherwise."""
    if discussion.moderation == Discussion.Moderation.POST:
        return Comment.Status.PUBLISHED
    if author is None or not getattr(author, "is_authenticated", False):
        return Comment.Status.PENDING
    if can_moderate_discussion(author, discussion):
        return Comment.Status.PUBLISHED
    if discussion.trust_verified_organisations:
        profile = profile_for_user(author)
        if profile is not None and profile.membership_confirmed and profile.organisation.verified:
            return Comment.Status.PUBLISHED
    needed = discussion.trust_after_published
    if needed:
        published = Comment.objects.filter(author=author, status=Comment.Status.PUBLISHED)[:needed].count()
        if published >= needed:
            return Comment.Status.PUBLISHED
    return Comment.Status.PENDING
