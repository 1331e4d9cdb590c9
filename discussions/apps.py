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

        from discussions.tasks import queue_display_refresh
        from workplan.signals import priorities_changed

        # Comments store their mention-linked bodies; a change of the priorities they link to remakes them.
        priorities_changed.connect(queue_display_refresh, dispatch_uid="discussions.display_copies")

        roles.register(roles.MODERATORS, [
            "discussions.moderate_discussion", "discussions.view_discussion", "discussions.view_comment",
        ])
        roles.register(roles.SECRETARIAT, [
            "discussions.export_feedback", "discussions.view_discussion", "discussions.view_comment",
            "discussions.add_discussion", "discussions.change_discussion",
        ])
