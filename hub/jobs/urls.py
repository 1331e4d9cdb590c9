"""Background jobs, under /jobs/."""
from django.urls import path

from hub.jobs import views

app_name = "jobs"

urlpatterns = [
    path("<int:pk>/", views.job_detail, name="detail"),
    path("<int:pk>/status", views.job_status, name="status"),
    path("<int:pk>/download", views.job_download, name="download"),
]
