from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LibraryConfig(AppConfig):
    name = "hub.library"
    label = "library"
    verbose_name = _("Library of resources")

    def ready(self) -> None:
        from hub import roles
        from hub.library.providers import LibraryResources
        from hub.library.search import register_search
        from workplan import resources

        # Priority and GCM objective pages list their resources through this provider (workplan never imports us).
        resources.register(LibraryResources())
        # Site search finds published resources (hub.search imports nothing from the library).
        register_search()

        roles.register(roles.SECRETARIAT, [
            "library.manage_library",
            "library.view_resource", "library.view_review", "library.view_reviewscore", "library.view_rostermember",
            "library.view_criterion", "library.view_criteriapage",
            "library.view_language", "library.add_language", "library.change_language",
        ])
