"""The secretariat's pages (feedback export, synthesis, responses, imports), under /discussions/secretariat/."""
from django.urls import path

from discussions.secretariat import views

urlpatterns = [
    path("", views.index, name="secretariat"),
    path("export/", views.export_page, name="secretariat-export"),
    path("export/count/", views.export_count, name="secretariat-export-count"),
    path("export/start/", views.export_start, name="secretariat-export-start"),
    path("import/", views.import_upload, name="secretariat-import"),
    path("import/<str:token>/", views.import_review, name="secretariat-import-review"),
    path("import/<str:token>/cancel/", views.import_cancel, name="secretariat-import-cancel"),
    path("comments/<int:pk>/response/", views.response_record, name="secretariat-response-record"),
    path("<slug:slug>/synthesis/", views.synthesis, name="secretariat-synthesis"),
    path("<slug:slug>/responses/", views.response_table, name="secretariat-responses"),
    path("<slug:slug>/responses/publish/", views.responses_publish, name="secretariat-responses-publish"),
]
