"""Who may do what in discussions. `can_*` answer for templates; `check_*` raise and guard every service."""
from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from discussions.models import Comment, Discussion
from hub.permissions import check_profile_complete, has_complete_profile, is_site_moderator
from hub.selectors import profile_for_user


# What importing a bundle writes: a workplan, a discussion and its comments (see check_import_consultation).
IMPORT_PERMISSIONS = ("discussions.export_feedback", "discussions.add_discussion", "workplan.manage_workplan")


def moderates_everything(user) -> bool:
    """Site moderators (the Moderators group, superusers, or the moderate_discussion permission) moderate every
    discussion."""
    if not getattr(user, "is_authenticated", False):
        return False
    return is_site_moderator(user) or user.has_perm("discussions.moderate_discussion")


def _listed_ids(user) -> set[int]:
    cache = getattr(user, "_hub_moderated_ids", None)
    if cache is None:
        cache = set(user.moderated_discussions.values_list("id", flat=True))
        user._hub_moderated_ids = cache
    return cache


def moderated_discussion_ids(user) -> set[int] | None:
    """The one scope rule of moderation: None for site moderators (every discussion), otherwise the ids of the
    discussions that list the user as moderator (empty for everyone else). Read once per request."""
    if not getattr(user, "is_authenticated", False):
        return set()
    if moderates_everything(user):
        return None
    return _listed_ids(user)


def in_moderation_scope(user, lookup: str = "discussion_id") -> Q:
    """The scope rule as a filter on `lookup`, a path to a discussion id ("discussion_id" on comments, "pk" on
    discussions): everything for site moderators, the discussions listing the user otherwise, nothing for others."""
    ids = moderated_discussion_ids(user)
    return Q() if ids is None else Q(**{f"{lookup}__in": ids})


def can_moderate_discussion(user, discussion: Discussion) -> bool:
    """Site moderators (group or permission) moderate everything; others only the discussions that list them."""
    ids = moderated_discussion_ids(user)
    return ids is None or discussion.pk in ids


def check_moderate_discussion(user, discussion: Discussion) -> None:
    if not can_moderate_discussion(user, discussion):
        raise PermissionDenied(_("Only this discussion's moderators can do that."))



def can_export_feedback(user) -> bool:
    """Exports, synthesis and responses belong to the secretariat (the export_feedback permission)."""
    return bool(getattr(user, "is_authenticated", False) and user.has_perm("discussions.export_feedback"))


def check_export_feedback(user) -> None:
    if not can_export_feedback(user):
        raise PermissionDenied(_("Only the secretariat can export feedback."))


def check_import_consultation(user, *, update_existing: bool = False, grant_moderators: bool = False) -> None:
    """Importing a consultation bundle is the secretariat's: it writes a workplan (workplan.manage_workplan) and a
    discussion with its feedback (discussions.export_feedback, add_discussion). Changing a discussion already on
    the site (update_existing) and making existing accounts its moderators (grant_moderators) also need the right
    to change discussions, whose moderators are part of them."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to import a consultation."))
    if not all(user.has_perm(perm) for perm in IMPORT_PERMISSIONS):
        raise PermissionDenied(_("Only the secretariat can import consultations."))
    if update_existing and not user.has_perm("discussions.change_discussion"):
        raise PermissionDenied(_("You may not update a discussion that already exists."))
    if grant_moderators and not user.has_perm("discussions.change_discussion"):
        raise PermissionDenied(_("You may not make accounts moderators of a discussion."))


def can_import_consultation(user) -> bool:
    try:
        check_import_consultation(user)
    except PermissionDenied:
        return False
    return True


def can_view_comment(user, comment: Comment) -> bool:
    """Nothing of a discussion the user may not see (a draft); there, published and hidden comments are public
    (hidden ones as a placeholder) and others only shown to their author and the moderators."""
    if not can_view_discussion(user, comment.discussion):
        return False
    if comment.status in (Comment.Status.PUBLISHED, Comment.Status.HIDDEN):
        return True
    if getattr(user, "is_authenticated", False) and comment.author_id == user.pk:
        return True
    return can_moderate_discussion(user, comment.discussion)


def check_view_comment(user, comment: Comment) -> None:
    """What a user may not see answers 404, not 403."""
    if not can_view_comment(user, comment):
        raise Http404


def can_comment_in(user, discussion: Discussion) -> bool:
    """Signed in, complete profile, and the discussion is open."""
    return bool(getattr(user, "is_authenticated", False) and has_complete_profile(user) and discussion.is_open)


def check_post_comment(user, discussion: Discussion, *, question=None, parent: Comment | None = None) -> None:
    """Posting needs a verified, complete account, an open discussion and an unlocked question; a reply needs a
    parent the user can see, in the same discussion, that is published."""
    from hub.permissions import check_profile_complete

    check_profile_complete(user)
    if not discussion.is_open:
        raise PermissionDenied(_("This discussion is closed: it no longer accepts comments."))
    if parent is not None:
        if parent.discussion_id != discussion.pk or parent.status != Comment.Status.PUBLISHED:
            raise PermissionDenied(_("You can only reply to a published comment of this discussion."))
        question = parent.question
    if question is not None:
        if question.discussion_id != discussion.pk:
            raise PermissionDenied(_("This question belongs to another discussion."))
        if question.locked:
            raise PermissionDenied(_("This question is locked: it no longer accepts answers."))


def can_edit_comment(user, comment: Comment) -> bool:
    """Authors edit their own comment while the discussion is open, unless it was declined, hidden or withdrawn."""
    return bool(
        getattr(user, "is_authenticated", False) and comment.author_id == user.pk
        and comment.status in (Comment.Status.PENDING, Comment.Status.PUBLISHED)
        and comment.discussion.is_open
    )


def check_edit_comment(user, comment: Comment) -> None:
    check_view_comment(user, comment)
    if not can_edit_comment(user, comment):
        raise PermissionDenied(_("You can edit your own comments only while the discussion is open."))


def can_withdraw_comment(user, comment: Comment) -> bool:
    """Authors may withdraw their own pending or published comment at any time."""
    return bool(
        getattr(user, "is_authenticated", False) and comment.author_id == user.pk
        and comment.status in (Comment.Status.PENDING, Comment.Status.PUBLISHED)
    )


def check_withdraw_comment(user, comment: Comment) -> None:
    check_view_comment(user, comment)
    if not can_withdraw_comment(user, comment):
        raise PermissionDenied(_("You can only withdraw your own comments."))


def check_post_question(user, discussion: Discussion) -> None:
    """Questions are posted by the discussion's moderators."""
    if not can_moderate_discussion(user, discussion):
        raise PermissionDenied(_("Only this discussion's moderators can post questions."))


def can_view_discussion(user, discussion: Discussion) -> bool:
    """Drafts are seen only by their moderators; every other discussion is public."""
    return discussion.status != Discussion.Status.DRAFT or can_moderate_discussion(user, discussion)


def publicly_visible(lookup: str = "discussion") -> Q:
    """can_view_discussion as a filter for pages that show the same to everyone (a priority page): rows whose
    `lookup` (a path to a discussion) is not a draft."""
    return ~Q(**{f"{lookup}__status" if lookup else "status": Discussion.Status.DRAFT})


def check_flag_comment(user, comment: Comment) -> None:
    """Reporting needs a signed-in reader with a complete profile (as posting does: a report names its reporter to
    the moderators), a comment they may see (404 otherwise), published, and written by someone else."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to report a comment."))
    check_view_comment(user, comment)
    if comment.author_id == user.pk:
        raise PermissionDenied(_("You cannot report your own comment."))
    if comment.status != Comment.Status.PUBLISHED:
        raise PermissionDenied(_("Only a published comment can be reported."))
    check_profile_complete(user)


def can_flag_comment(user, comment: Comment) -> bool:
    try:
        check_flag_comment(user, comment)
    except (PermissionDenied, Http404):
        return False
    return True


def flag_trusted_after_days() -> int:
    return settings.HUB_FLAG_TRUSTED_AFTER_DAYS


def counts_toward_auto_hide(user, *, now: datetime | None = None) -> bool:
    """Whether a report by this user counts toward hiding a comment before a moderator decides: only an
    established account's does, one at least HUB_FLAG_TRUSTED_AFTER_DAYS days old (default 7) with at least one
    published comment. Anyone can open accounts by the dozen in minutes; an account that is a week old and has had
    a comment published under its name (with a complete profile, and read by a moderator where comments are
    pre-moderated) is not a throwaway. Other reports still reach the moderators, marked "from a new account"."""
    joined = getattr(user, "date_joined", None)
    if joined is None or joined > (now or timezone.now()) - timedelta(days=flag_trusted_after_days()):
        return False
    return Comment.objects.filter(author=user, status=Comment.Status.PUBLISHED).exists()


# --- Moderation: who has a queue, who moderates a comment, who publishes without review ---------------------------

def check_moderate_anything(user) -> None:
    """The moderation list pages (queue, dashboard, audit log) are for users with a review queue at all: site-wide
    or for some discussion."""
    # The Moderators group holds moderate_discussion, so has_perm answers for site moderators and superusers
    # (and this runs on every page, for the menu: it skips the group lookup that moderates_everything makes).
    if not (getattr(user, "is_authenticated", False)
            and (user.has_perm("discussions.moderate_discussion") or _listed_ids(user))):
        raise PermissionDenied(_("Only moderators can see this page."))


def can_moderate_anything(user) -> bool:
    try:
        check_moderate_anything(user)
    except PermissionDenied:
        return False
    return True


def check_moderate_comment(user, comment: Comment) -> None:
    """Every moderation verb on a comment: 404 when the user may not even see the comment, 403 when they see it
    but do not moderate its discussion."""
    check_view_comment(user, comment)
    check_moderate_discussion(user, comment.discussion)


def can_publish_without_review(user, discussion: Discussion) -> bool:
    """Who is trusted: a new or edited comment skips the review queue under post-moderation, for the discussion's
    moderators, for confirmed members of verified organisations when the discussion trusts them (a declared,
    unconfirmed membership does not count), and for authors with enough published comments (on the whole site)
    when the discussion sets that number."""
    if discussion.moderation == Discussion.Moderation.POST:
        return True
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if can_moderate_discussion(user, discussion):
        return True
    if discussion.trust_verified_organisations:
        profile = profile_for_user(user)
        if profile is not None and profile.membership_confirmed and profile.organisation.verified:
            return True
    needed = discussion.trust_after_published
    if not needed:
        return False
    return Comment.objects.filter(author=user, status=Comment.Status.PUBLISHED)[:needed].count() >= needed


def initial_status_for(discussion: Discussion, author) -> str:
    """The status a new comment starts with: published for those trusted (can_publish_without_review), pending
    otherwise."""
    return Comment.Status.PUBLISHED if can_publish_without_review(author, discussion) else Comment.Status.PENDING


# --- The public side: replying, downloading a file, a discussion's settings ---------------------------------------


def can_reply_to_comment(user, comment: Comment) -> bool:
    """check_post_comment for a reply to `comment` (whose discussion and question are loaded)."""
    try:
        check_post_comment(user, comment.discussion, parent=comment)
    except PermissionDenied:
        return False
    return True


def check_view_discussion(user, discussion: Discussion) -> None:
    """A discussion the user may not see (someone else's draft) answers 404, not 403."""
    if not can_view_discussion(user, discussion):
        raise Http404


def check_download_attachment(user, attachment) -> None:
    """A file is served only with its comment: nothing of a discussion the user may not see (a draft); a published
    comment's files to everyone; files of any other comment (pending, hidden, declined) only to its author and the
    moderators, so a hidden comment's files are withheld from the public like its text. 404 otherwise."""
    comment = attachment.comment
    check_view_discussion(user, comment.discussion)
    if comment.status == Comment.Status.PUBLISHED:
        return
    if getattr(user, "is_authenticated", False) and comment.author_id == user.pk:
        return
    if not can_moderate_discussion(user, comment.discussion):
        raise Http404


def can_save_discussion(user, discussion: Discussion) -> bool:
    """The secretariat sets up discussions (add_discussion) and changes their settings (change_discussion)."""
    permission = "discussions.add_discussion" if discussion.pk is None else "discussions.change_discussion"
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(permission))


def check_save_discussion(user, discussion: Discussion) -> None:
    if not can_save_discussion(user, discussion):
        raise PermissionDenied(_("Only the secretariat can set up discussions."))
