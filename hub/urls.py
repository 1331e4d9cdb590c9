from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from hub import health, views

app_name = "hub"

# The site's error pages (hub/errors.py): 500 (and 503 when the database is down) render without the database.
handler400 = "hub.errors.bad_request"
handler403 = "hub.errors.permission_denied"
handler404 = "hub.errors.page_not_found"
handler500 = "hub.errors.server_error"

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
    path("accessibility/", views.page, {"name": "accessibility"}, name="accessibility"),
]

# Outside the language prefix: the JavaScript catalogue takes its language from the page that loads it
# (`?lang=` — see templates/base.html, so each language's catalogue is its own cacheable URL), and the admin
# is a tool for the site's staff, not a page in four languages.
urlpatterns = [
    # For load balancers: no trailing slash, no redirect, no session, no language (hub.health).
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("jsi18n/", views.javascript_catalog, name="javascript-catalog"),
    # Before the admin's own URLs, so that its login form is never served (see hub.views.admin_login).
    path("admin/login/", views.admin_login),
    path("admin/", admin.site.urls),
]

# Every page people read is under its language: English unprefixed as it always was, /fr/…, /es/…, /ar/….
urlpatterns += i18n_patterns(
    path("", include((hub_patterns, "hub"))),
    path("accounts/", include("allauth.urls")),
    path("workplan/", include("workplan.urls")),
    path("discussions/", include("discussions.urls")),
    path("library/", include("hub.library.urls")),
    path("search/", include("hub.search.urls")),
    path("jobs/", include("hub.jobs.urls")),
    prefix_default_language=False,
)
