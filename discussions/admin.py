"""Django admin over discussions, for the secretariat and site admins. A discussion is saved through
`services.discussion_save` (its welcome text cleaned, the change audited). What moderators decide - a comment's
text and status, reports, notes - and the secretariat's responses are read-only here: the moderation and
secretariat pages act on them through the services, which keep versions and write the audit log."""
from django.contrib import admin

from discussions import services
from discussions.models import (
    Attachment, Comment, CommentVersion, Discussion, DiscussionDocument, Disposition, Flag, Milestone, ModeratorNote,
    Question, Subscription,
)


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 1


class DocumentInline(admin.TabularInline):
    model = DiscussionDocument
    extra = 0


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 0
    fields = ["order", "text", "posted_by", "posted_by_name", "posted_at", "locked"]
    raw_id_fields = ["posted_by"]


@admin.register(Discussion)
class DiscussionAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "opens_at", "closes_at", "moderation", "workplan"]
    list_filter = ["status", "moderation"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["moderators"]
    inlines = [MilestoneInline, DocumentInline, QuestionInline]

    def save_model(self, request, obj, form, change):
        services.discussion_save(actor=request.user, discussion=obj, changed=form.changed_data)


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ["original_name", "content_type", "size", "sha256"]
    readonly_fields = fields
    can_delete = False


class VersionInline(admin.TabularInline):
    model = CommentVersion
    extra = 0
    fields = ["created_at", "edited_by_name", "by_moderator", "reason", "body"]
    readonly_fields = fields
    can_delete = False


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["pk", "discussion", "author_name", "author_organisation", "status", "created_at", "highlighted"]
    list_filter = ["status", "discussion", "highlighted"]
    search_fields = ["author_name", "author_organisation", "body_text"]
    raw_id_fields = ["author", "parent"]
    list_select_related = ["discussion"]
    filter_horizontal = ["priorities", "working_groups"]
    date_hierarchy = "created_at"
    inlines = [AttachmentInline, VersionInline]
    readonly_fields = ["body", "body_text", "status", "published_at", "decline_reason", "hidden_reason",
                       "highlighted", "moderated_by", "moderated_at", "submission_key", "edit_count", "edited_at"]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "discussion", "order", "locked", "posted_at"]
    list_filter = ["discussion", "locked"]


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["user", "discussion", "created_at"]
    raw_id_fields = ["user"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, not edited: the moderation and secretariat pages change these through audited services."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Flag)
class FlagAdmin(ReadOnlyAdmin):
    list_display = ["comment", "reporter", "reason", "created_at", "resolved_at"]
    list_filter = ["reason"]
    list_select_related = ["comment", "reporter"]


@admin.register(Disposition)
class DispositionAdmin(ReadOnlyAdmin):
    list_display = ["comment", "outcome", "decided_at"]
    list_select_related = ["comment"]


@admin.register(ModeratorNote)
class ModeratorNoteAdmin(ReadOnlyAdmin):
    list_display = ["comment", "author_name", "created_at"]
    list_select_related = ["comment"]
