"""The URLs of discussions, all in the "discussions" namespace: the public pages here, then moderation and the
secretariat, each included from its own URL module by dotted path (the top of the app never imports them)."""
from django.urls import include, path, register_converter

from discussions import views

app_name = "discussions"

# Words used by the app's own sections (moderation/, secretariat/, ...) are never discussion slugs, so that
# "/discussions/moderation/" reaches the moderation URLs included after the public ones.
RESERVED = ("moderation", "secretariat", "comments", "files", "documents", "unsubscribe", "export", "new")


class DiscussionSlugConverter:
    regex = r"(?!(?:%s)(?:/|$))[-a-zA-Z0-9_]+" % "|".join(RESERVED)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(DiscussionSlugConverter, "discussion_slug")

urlpatterns = [
    path("", views.discussion_list, name="discussion-list"),
    path("comments/<int:pk>/", views.comment_permalink, name="comment-detail"),
    path("comments/<int:pk>/edit/", views.comment_edit, name="comment-edit"),
    path("comments/<int:pk>/withdraw/", views.comment_withdraw, name="comment-withdraw"),
    path("files/<int:pk>/", views.attachment_download, name="attachment-download"),
    path("documents/<int:pk>/", views.document_download, name="document-download"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("<discussion_slug:slug>/", views.discussion_detail, name="discussion-detail"),
    path("<discussion_slug:slug>/post/", views.comment_create, name="comment-create"),
    path("<discussion_slug:slug>/follow/", views.discussion_follow, name="discussion-follow"),
    path("<discussion_slug:slug>/unfollow/", views.discussion_unfollow, name="discussion-unfollow"),
    path("moderation/", include("discussions.moderation.urls")),
    path("secretariat/", include("discussions.secretariat.urls")),
]
