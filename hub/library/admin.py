"""The library in the Django admin: languages are edited here; everything else is read-only, because peer review,
the roster and the criteria are worked on the site's own pages (/library/manage/), whose services check
permissions, sanitize, audit and e-mail."""
from __future__ import annotations

from django.contrib import admin
from django.db import models

from hub.library.models import Criterion, CriteriaPage, Language, Resource, Review, ReviewScore, RosterMember


class ReadOnlyAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Language)
class LanguageAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "order"]
    list_editable = ["order"]
    search_fields = ["code", "name"]


class ReviewInline(admin.TabularInline):
    model = Review
    fields = ["round", "reviewer", "status", "due_date", "recommendation", "closed_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Resource)
class ResourceAdmin(ReadOnlyAdmin):
    list_display = ["title", "type", "scope", "status", "round", "submitter_name", "published_at"]
    list_filter = ["status", "type", "scope", "region", "imported"]
    search_fields = ["title", "publisher", "submitter_name"]
    date_hierarchy = "created_at"
    inlines = [ReviewInline]

    def view_on_site(self, obj):
        return obj.get_absolute_url()


class ReviewScoreInline(admin.TabularInline):
    model = ReviewScore
    fields = ["criterion", "score"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ["resource", "reviewer", "round", "status", "due_date", "recommendation", "closed_at"]
    list_filter = ["status", "recommendation"]
    search_fields = ["resource__title", "reviewer__name"]
    list_select_related = ["resource", "reviewer"]
    inlines = [ReviewScoreInline]


@admin.register(RosterMember)
class RosterMemberAdmin(ReadOnlyAdmin):
    list_display = ["name", "affiliation", "status", "created_at", "decided_at"]
    list_filter = ["status"]
    search_fields = ["name", "affiliation", "user__email"]


@admin.register(Criterion)
class CriterionAdmin(ReadOnlyAdmin):
    list_display = ["name", "order", "active"]


@admin.register(CriteriaPage)
class CriteriaPageAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "updated_at"]
