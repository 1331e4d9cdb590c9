from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _, ngettext

from hub.models import AuditEntry, ContactMessage, Organisation, Profile, User
from hub.permissions import CONFIRM_MEMBERSHIP

# Membership is decided through the services (hub:membership-queue or the actions below), which check, audit and
# e-mail; the admin shows it but never edits it directly.
MEMBERSHIP_READONLY = ["membership", "membership_requested_at", "membership_decided_by", "membership_decided_at",
                       "membership_reason", "organisation_contact"]


def _organisation_changed(request, profile: Profile, changed: list[str]) -> None:
    """A staff edit of the organisation is a new claim like the person's own: back to requested (or the domain)."""
    if "organisation" in changed:
        from hub.services import membership_request

        membership_request(actor=request.user, user=profile.user, organisation=profile.organisation)


class ProfileInline(admin.StackedInline):
    model = Profile
    fk_name = "user"
    can_delete = False
    autocomplete_fields = ["organisation"]
    readonly_fields = MEMBERSHIP_READONLY


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

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is Profile:
            for inline_form in formset.forms:
                if inline_form.instance.pk and inline_form.has_changed():
                    _organisation_changed(request, inline_form.instance, inline_form.changed_data)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "acronym", "stakeholder_group", "country", "network_member", "verified"]
    list_filter = ["stakeholder_group", "network_member", "verified"]
    list_editable = ["verified", "network_member"]
    search_fields = ["name", "acronym", "country", "email_domains"]

    def get_readonly_fields(self, request, obj=None):
        # Declared domains confirm members by themselves: only those who may confirm members may set them.
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.has_perm(CONFIRM_MEMBERSHIP):
            readonly.append("email_domains")
        return readonly

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "email_domains" in form.changed_data:
            from hub.audit import audit_log
            from hub.services import organisation_domains_apply

            audit_log(actor=request.user, action="organisation.email_domains", target=obj,
                      before={"email_domains": form.initial.get("email_domains", "")},
                      after={"email_domains": obj.email_domains})
            confirmed = organisation_domains_apply(actor=request.user, organisation=obj)
            if confirmed:
                self.message_user(request, ngettext(
                    "%(count)d pending membership request confirmed by the e-mail domain.",
                    "%(count)d pending membership requests confirmed by the e-mail domain.",
                    len(confirmed)) % {"count": len(confirmed)}, messages.SUCCESS)


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["display_name", "user", "organisation", "membership", "organisation_contact", "country",
                    "attribution"]
    list_filter = ["membership", "organisation_contact", "attribution", "organisation__stakeholder_group"]
    list_select_related = ["user", "organisation"]
    search_fields = ["display_name", "user__email", "organisation__name"]
    autocomplete_fields = ["organisation", "user"]
    readonly_fields = MEMBERSHIP_READONLY
    actions = ["confirm_memberships"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            _organisation_changed(request, obj, form.changed_data)

    def has_confirm_membership_permission(self, request) -> bool:
        return request.user.has_perm(CONFIRM_MEMBERSHIP)

    @admin.action(description=_("Confirm the selected people's membership"), permissions=["confirm_membership"])
    def confirm_memberships(self, request, queryset):
        from hub.services import membership_confirm

        done = 0
        for profile in queryset.exclude(organisation=None).exclude(membership="confirmed"):
            try:
                membership_confirm(actor=request.user, profile=profile, organisation=profile.organisation_id)
            except (PermissionDenied, ValidationError) as exc:
                self.message_user(request, f"{profile}: {' '.join(getattr(exc, 'messages', [str(exc)]))}",
                                  messages.WARNING)
            else:
                done += 1
        self.message_user(request, ngettext("%(count)d membership confirmed.", "%(count)d memberships confirmed.",
                                            done) % {"count": done}, messages.SUCCESS)


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
