from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiscussionsConfig(AppConfig):
    name = "discussions"
    verbose_name = _("Discussions")

    def ready(self) -> None:
        from discussions.selectors import PublishedFeedback
        from hub import roles
        from workplan import feedback

        # Workplan pages show the feedback on each priority through this provider (workplan never imports us).
        feedback.register(PublishedFeedback())
        from discussions import search  # what we offer to the site search (hub never imports us)
        search.register()
        from discussions.secretariat import jobs  # the exports, as a kind of background job (hub.jobs)
        jobs.register()

        from discussions.secretariat import imports  # the import job's kind, and its purge task

        imports.register()
        roles.register(roles.MODERATORS, [
            "discussions.moderate_discussion", "discussions.view_discussion", "discussions.view_comment",
        ])
        roles.register(roles.SECRETARIAT, [
            "discussions.export_feedback", "discussions.view_discussion", "discussions.view_comment",
            "discussions.add_discussion", "discussions.change_discussion",
        ])
