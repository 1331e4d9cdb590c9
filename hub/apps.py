from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HubConfig(AppConfig):
    name = "hub"
    verbose_name = _("Hub: people and site")

    def ready(self) -> None:
        from allauth.account.signals import email_confirmed
        from django.db.models.signals import post_migrate

        from hub import checks, receivers, roles  # noqa: F401 - checks registers the system checks

        roles.register(roles.MODERATORS, ["hub.view_profile", "hub.view_organisation"])
        roles.register(roles.SECRETARIAT, [
            "hub.view_profile", "hub.view_organisation", "hub.change_organisation",
            "hub.view_contactmessage", "hub.change_contactmessage", "hub.view_auditentry", "hub.confirm_membership"])
        # Runs after every app's own post_migrate (permissions exist by then) because hub is listed after auth.
        post_migrate.connect(roles.ensure_roles, dispatch_uid="hub.ensure_roles")
        email_confirmed.connect(receivers.email_confirmed, dispatch_uid="hub.membership_by_email_domain")
        from django.db.models.signals import post_save

        post_save.connect(receivers.admin_logged, sender="admin.LogEntry", dispatch_uid="hub.page_cache_admin")
