from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from hub import views

app_name = "hub"

hub_patterns = [
    path("", views.home, name="home"),
    path("profile/", views.profile, name="profile"),
    path("memberships/", views.membership_queue, name="membership-queue"),
    path("memberships/<int:pk>/decide/", views.membership_decide, name="membership-decide"),
    path("memberships/<int:pk>/contact/", views.membership_contact, name="membership-contact"),
    path("contact/", views.contact, name="contact"),
    path("contact/thanks/", views.contact_thanks, name="contact-thanks"),
    path("about/", views.page, {"name": "about"}, name="about"),
    path("disclaimer/", views.page, {"name": "disclaimer"}, name="disclaimer"),
]

urlpatterns = [
    path("", include((hub_patterns, "hub"))),
    path("accounts/", include("allauth.urls")),
    # The language form is on every page, and a page holding a CSRF token can never be shared from the visitors'
    # page cache (hub/pagecache.py). Choosing a language changes a cookie and nothing else, so it needs no token.
    # (A bridge: the language switcher is becoming plain links to /fr/, /es/, /ar/ on the i18n branch.)
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    # Before the admin's own URLs, so that its login form is never served (see hub.views.admin_login).
    path("admin/login/", views.admin_login),
    path("admin/", admin.site.urls),
    path("workplan/", include("workplan.urls")),
    path("discussions/", include("discussions.urls")),
    path("library/", include("hub.library.urls")),
    path("search/", include("hub.search.urls")),
]
