from django.contrib import admin

from hub.jobs.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    """Jobs are written by their task only: the admin shows them, for support."""

    list_display = ["id", "kind", "owner", "status", "done", "total", "created_at", "finished_at", "expires_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["owner"]
    search_fields = ["owner__email", "kind"]
    readonly_fields = [f.name for f in Job._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
