"""The secretariat edits workplans, priorities and working groups here. Saves go through the workplan services,
so HTML is sanitized and every change is audited. Decisions on expressions of interest are taken in the review
queue (/workplan/interest/), which e-mails the organisation; here they are read-only."""
from __future__ import annotations

from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from workplan.models import GcmObjective, InterestExpression, Priority, WorkingGroup, Workplan
from workplan.services import workplan_content_save


class AuditedSaveMixin:
    """Model and inline saves call `workplan_content_save` (sanitize, permission check, audit log)."""

    def save_model(self, request, obj, form, change):
        workplan_content_save(actor=request.user, instance=obj, changed=list(form.changed_data))

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for obj in instances:
            changed = next((f.changed_data for f in formset.forms if f.instance is obj), [])
            workplan_content_save(actor=request.user, instance=obj, changed=list(changed))
        formset.save_m2m()


class PriorityInline(admin.TabularInline):
    model = Priority
    fields = ["kind", "number", "title", "order", "active", "is_example"]
    extra = 0
    show_change_link = True


class WorkingGroupInline(admin.TabularInline):
    model = WorkingGroup
    fields = ["name", "slug", "kind", "open_for_interest"]
    prepopulated_fields = {"slug": ["name"]}
    extra = 0
    show_change_link = True


@admin.register(Workplan)
class WorkplanAdmin(AuditedSaveMixin, admin.ModelAdmin):
    list_display = ["title", "period", "status", "priority_count", "updated_at"]
    list_filter = ["status", "period_start"]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [PriorityInline, WorkingGroupInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", ("period_start", "period_end"), "status"]}),
        (_("Content"), {"fields": ["summary", "document"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_priority_count=Count("priorities"))

    @admin.display(description=_("priorities"), ordering="_priority_count")
    def priority_count(self, obj):
        return obj._priority_count

    def view_on_site(self, obj):
        return obj.get_absolute_url()


class WorkingGroupPriorityInline(admin.TabularInline):
    model = WorkingGroup.priorities.through
    verbose_name = _("working group carrying this priority")
    verbose_name_plural = _("working groups carrying this priority")
    extra = 0


@admin.register(Priority)
class PriorityAdmin(AuditedSaveMixin, admin.ModelAdmin):
    list_display = ["code_display", "title", "workplan", "kind", "number", "order", "active", "is_example"]
    list_display_links = ["code_display", "title"]
    list_filter = ["workplan", "kind", "active", "is_example", "gcm_objectives"]
    list_editable = ["order", "active"]
    list_select_related = ["workplan"]
    search_fields = ["title", "description", "pd_references"]
    filter_horizontal = ["gcm_objectives"]
    inlines = [WorkingGroupPriorityInline]
    fieldsets = [
        (None, {"fields": ["workplan", ("kind", "number"), "title", "description"]}),
        (_("Mandate"), {"fields": ["gcm_objectives", "pd_references"]}),
        (_("Display"), {"fields": [("order", "active"), "is_example"]}),
    ]

    @admin.display(description=_("code"), ordering="kind")
    def code_display(self, obj):
        return obj.code

    def view_on_site(self, obj):
        return obj.get_absolute_url()


class InterestExpressionInline(admin.TabularInline):
    model = InterestExpression
    fields = ["organisation", "role", "status", "created_at", "decided_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WorkingGroup)
class WorkingGroupAdmin(AuditedSaveMixin, admin.ModelAdmin):
    list_display = ["name", "workplan", "kind", "open_for_interest", "co_lead_names", "member_count"]
    list_filter = ["workplan", "kind", "open_for_interest", "priorities"]
    list_editable = ["open_for_interest"]
    list_select_related = ["workplan"]
    search_fields = ["name", "description", "co_leads__name", "co_leads__acronym", "members__name"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["priorities", "co_leads", "members"]
    inlines = [InterestExpressionInline]

    def get_queryset(self, request):
        return (super().get_queryset(request).prefetch_related("co_leads")
                .annotate(_member_count=Count("members", distinct=True)))

    @admin.display(description=_("co-leads"))
    def co_lead_names(self, obj):
        return ", ".join(org.acronym or org.name for org in obj.co_leads.all())

    @admin.display(description=_("members"), ordering="_member_count")
    def member_count(self, obj):
        return obj._member_count

    def view_on_site(self, obj):
        return obj.get_absolute_url()


@admin.register(InterestExpression)
class InterestExpressionAdmin(admin.ModelAdmin):
    """Read-only: deciding here would skip the e-mail to the organisation. The queue link is in the list."""

    list_display = ["created_at", "organisation", "working_group", "role", "status", "decided_at"]
    list_filter = ["status", "role", "working_group__workplan", "working_group",
                   "organisation__stakeholder_group"]
    list_select_related = ["organisation", "working_group"]
    search_fields = ["organisation__name", "organisation__acronym", "working_group__name", "message", "reply",
                     "submitted_by__email"]
    date_hierarchy = "created_at"
    readonly_fields = ["working_group", "organisation", "submitted_by", "role", "message", "status", "reply",
                       "decided_by", "decided_at", "created_at", "review_link"]

    @admin.display(description=_("decide"))
    def review_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("workplan:interest-queue"), _("Open the review queue"))

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(GcmObjective)
class GcmObjectiveAdmin(admin.ModelAdmin):
    """Reference data from the Global Compact; loaded by a migration, not edited."""

    list_display = ["number", "title"]
    search_fields = ["title"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
