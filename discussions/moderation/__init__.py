"""Moderation and curation, one module per verb (as in Misago): every function here is a service that checks the
actor may moderate the comment's discussion (404 if they may not even see it), runs in one transaction, writes the
audit log and sends its e-mails after commit."""
from discussions.moderation.decline import DeclineReason, comment_decline, comments_decline
from discussions.moderation.edit import comment_moderator_edit, comment_retag
from discussions.moderation.flags import comment_flag, comment_flags_dismiss
from discussions.moderation.hide import comment_hide, comment_unhide
from discussions.moderation.highlight import comment_highlight, comment_unhighlight
from discussions.moderation.lock import discussion_close, discussion_reopen, question_lock, question_unlock
from discussions.moderation.notes import moderator_note_add
from discussions.moderation.publish import comment_publish, comments_publish
from discussions.moderation.questions import question_edit, question_move, question_post, question_reorder

__all__ = [
    "DeclineReason", "comment_decline", "comment_flag", "comment_flags_dismiss", "comment_hide", "comment_highlight",
    "comment_moderator_edit", "comment_publish", "comment_retag", "comment_unhide", "comment_unhighlight",
    "comments_decline", "comments_publish", "discussion_close", "discussion_reopen", "moderator_note_add",
    "question_edit", "question_lock", "question_move", "question_post", "question_reorder", "question_unlock",
]
