"""Moderation URLs, mounted at /discussions/moderation/ in the "discussions" namespace."""
from django.urls import path

from discussions.moderation import views

urlpatterns = [
    path("", views.queue, name="moderation-queue"),
    path("bulk/", views.bulk, name="moderation-bulk"),
    path("dashboard/", views.dashboard, name="moderation-dashboard"),
    path("audit/", views.audit_list, name="moderation-audit"),
    path("comments/<int:pk>/", views.comment_moderate, name="comment-moderate"),
    path("comments/<int:pk>/report/", views.comment_flag, name="comment-flag"),
    path("comments/<int:pk>/publish/", views.comment_publish, name="moderation-publish"),
    path("comments/<int:pk>/decline/", views.comment_decline, name="moderation-decline"),
    path("comments/<int:pk>/edit/", views.comment_edit, name="moderation-edit"),
    path("comments/<int:pk>/history/", views.comment_history, name="moderation-history"),
    path("comments/<int:pk>/audit/", views.comment_audit, name="moderation-comment-audit"),
    path("comments/<int:pk>/tags/", views.comment_retag, name="moderation-retag"),
    path("comments/<int:pk>/hide/", views.comment_hide, name="moderation-hide"),
    path("comments/<int:pk>/unhide/", views.comment_unhide, name="moderation-unhide"),
    path("comments/<int:pk>/highlight/", views.comment_highlight, name="moderation-highlight"),
    path("comments/<int:pk>/unhighlight/", views.comment_unhighlight, name="moderation-unhighlight"),
    path("comments/<int:pk>/notes/", views.comment_note, name="moderation-note"),
    path("comments/<int:pk>/dismiss-reports/", views.comment_dismiss_flags, name="moderation-dismiss-flags"),
    path("discussions/<slug:slug>/", views.discussion_moderate, name="moderation-discussion"),
    path("discussions/<slug:slug>/close/", views.discussion_close, name="moderation-discussion-close"),
    path("discussions/<slug:slug>/reopen/", views.discussion_reopen, name="moderation-discussion-reopen"),
    path("discussions/<slug:slug>/questions/add/", views.question_add, name="moderation-question-add"),
    path("questions/<int:pk>/edit/", views.question_edit, name="moderation-question-edit"),
    path("questions/<int:pk>/lock/", views.question_lock, name="moderation-question-lock"),
    path("questions/<int:pk>/unlock/", views.question_unlock, name="moderation-question-unlock"),
    path("questions/<int:pk>/move/", views.question_move, name="moderation-question-move"),
]
