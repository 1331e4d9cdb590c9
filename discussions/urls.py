from django.urls import include, path

app_name = "discussions"

# Each part of the app keeps its own URL module; all share the "discussions" namespace.
urlpatterns = [
    path("", include("discussions.urls_public")),
    path("moderation/", include("discussions.urls_moderation")),
    path("secretariat/", include("discussions.secretariat.urls")),
]
