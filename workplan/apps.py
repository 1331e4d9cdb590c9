from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkplanConfig(AppConfig):
    name = "workplan"
    verbose_name = _("Workplan")

    def ready(self) -> None:
        from hub import roles
        from workplan import search  # what we offer to the site search (hub never imports us)

        search.register()

        roles.register(roles.SECRETARIAT, [
            "workplan.manage_workplan", "workplan.view_workplan", "workplan.add_workplan", "workplan.change_workplan",
            "workplan.view_gcmobjective",
            "workplan.add_priority", "workplan.change_priority", "workplan.view_priority",
            "workplan.add_workinggroup", "workplan.change_workinggroup", "workplan.view_workinggroup",
            "workplan.view_interestexpression", "workplan.change_interestexpression",
        ])
