"""The site's URLs plus views that fail on purpose, for tests/hub/test_error_pages.py."""
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import OperationalError
from django.conf.urls.i18n import i18n_patterns
from django.urls import path

from hub.urls import handler400, handler403, handler404, handler500, urlpatterns as site_patterns  # noqa: F401


def fails_with_the_database_down(request):
    raise OperationalError("connection to server at \"127.0.0.1\", port 5432 failed: Connection refused")


def fails_with_a_bug(request):
    raise ZeroDivisionError("a bug")


def loses_the_session_with_the_database(request):
    """What SessionMiddleware does when the database fails while it saves the session."""
    from django.contrib.sessions.backends.base import UpdateError
    from django.contrib.sessions.exceptions import SessionInterrupted

    try:
        try:
            raise OperationalError("terminating connection due to administrator command")
        except OperationalError:
            raise UpdateError
    except UpdateError:
        raise SessionInterrupted("The request's session was deleted before the request completed.")


def refuses(request):
    raise PermissionDenied("Only moderators may do this.")


def suspicious(request):
    raise SuspiciousOperation("odd request")


# Under the language prefix like every page (/test/… in English, /es/test/… in Spanish).
urlpatterns = [
    *i18n_patterns(
        path("test/db-down/", fails_with_the_database_down),
        path("test/bug/", fails_with_a_bug),
        path("test/session-lost/", loses_the_session_with_the_database),
        path("test/refused/", refuses),
        path("test/suspicious/", suspicious),
        prefix_default_language=False,
    ),
    *site_patterns,
]
