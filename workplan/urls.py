from django.urls import path

from workplan import views

app_name = "workplan"

urlpatterns = [
    path("", views.workplan_index, name="index"),
    # Before the workplan slug: "interest" and "objectives" are reserved slugs (see models.RESERVED_SLUGS).
    path("interest/", views.interest_queue, name="interest-queue"),
    path("interest/export.csv", views.interest_csv, name="interest-csv"),
    path("interest/<int:pk>/decide/", views.interest_decide, name="interest-decide"),
    path("interest/<int:pk>/withdraw/", views.interest_withdraw_view, name="interest-withdraw"),
    path("objectives/<int:number>/", views.objective_detail, name="objective-detail"),
    path("<slug:slug>/", views.workplan_detail, name="workplan-detail"),
    path("<slug:slug>/document/", views.workplan_document, name="workplan-document"),
    path("<slug:slug>/priorities/<str:code>/", views.priority_detail, name="priority-detail"),
    path("<slug:slug>/groups/<slug:group>/", views.working_group_detail, name="working-group-detail"),
]
