"""Django admin over discussions, for site admins. Everyday moderation happens in the moderation pages."""
from django.contrib import admin

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
    raw_id_fields = ["author", "parent", "moderated_by"]
    list_select_related = ["discussion"]
    filter_horizontal = ["priorities", "working_groups"]
    date_hierarchy = "created_at"
    inlines = [AttachmentInline, VersionInline]
    readonly_fields = ["submission_key", "edit_count", "edited_at"]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "discussion", "order", "locked", "posted_at"]
    list_filter = ["discussion", "locked"]


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["user", "discussion", "created_at"]
    raw_id_fields = ["user"]


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = ["comment", "reporter", "reason", "created_at", "resolved_at"]
    list_filter = ["reason"]
    raw_id_fields = ["comment", "reporter", "resolved_by"]


@admin.register(Disposition)
class DispositionAdmin(admin.ModelAdmin):
    list_display = ["comment", "outcome", "decided_at"]
    raw_id_fields = ["comment", "decided_by"]


admin.site.register(ModeratorNote)
