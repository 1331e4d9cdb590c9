from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from hub.models import AuditEntry, ContactMessage, Organisation, Profile, User


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    autocomplete_fields = ["organisation"]


@admin.register(User)
class HubUserAdmin(UserAdmin):
    inlines = [ProfileInline]
    list_display = ["email", "username", "display_name", "is_staff", "is_active", "date_joined"]
    list_select_related = ["profile"]
    search_fields = ["email", "username", "profile__display_name"]

    @admin.display(description="name")
    def display_name(self, obj):
        profile = getattr(obj, "profile", None)
        return profile.display_name if profile else ""


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "acronym", "stakeholder_group", "country", "network_member", "verified"]
    list_filter = ["stakeholder_group", "network_member", "verified"]
    list_editable = ["verified", "network_member"]
    search_fields = ["name", "acronym", "country"]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["display_name", "user", "organisation", "country", "attribution"]
    list_filter = ["attribution", "organisation__stakeholder_group"]
    list_select_related = ["user", "organisation"]
    search_fields = ["display_name", "user__email", "organisation__name"]
    autocomplete_fields = ["organisation", "user"]


@admin.register(ContactMessage)
class ContactMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "subject", "name", "email", "handled"]
    list_filter = ["handled", "created_at"]
    list_editable = ["handled"]
    search_fields = ["subject", "name", "email", "message"]
    readonly_fields = ["name", "email", "subject", "message", "user", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit log is append-only: readable here, never added, changed or deleted."""

    list_display = ["created_at", "actor_name", "action", "target_repr", "reason"]
    list_filter = ["action", "target_type"]
    search_fields = ["actor_name", "target_repr", "reason", "action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
