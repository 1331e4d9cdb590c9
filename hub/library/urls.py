from django.urls import path

from hub.library import views

app_name = "library"

urlpatterns = [
    path("", views.library_index, name="index"),
    path("<int:pk>/", views.resource_detail, name="resource-detail"),
    path("<int:pk>/file/", views.resource_file, name="resource-file"),
    path("<int:pk>/edit/", views.resource_edit, name="resource-edit"),
    path("submit/", views.resource_submit, name="submit"),
    path("criteria/", views.criteria_page, name="criteria"),
    path("mine/", views.my_submissions, name="my-submissions"),
    path("roster/apply/", views.roster_apply, name="roster-apply"),
    path("reviews/", views.reviewer_page, name="reviewer-page"),
    path("reviews/<int:pk>/", views.review, name="review"),
    path("reviews/<int:pk>/decline/", views.review_decline, name="review-decline"),
    # The secretariat's pages.
    path("manage/", views.review_queue, name="queue"),
    path("manage/<int:pk>/", views.manage_resource, name="manage-resource"),
    path("manage/<int:pk>/assign/", views.assign_reviewers, name="assign"),
    path("manage/<int:pk>/decide/", views.decide, name="decide"),
    path("manage/reviews/<int:pk>/withdraw/", views.review_cancel, name="review-cancel"),
    path("manage/roster/", views.roster, name="roster"),
    path("manage/roster/<int:pk>/decide/", views.roster_decide, name="roster-decide"),
    path("manage/roster/<int:pk>/retire/", views.roster_retire, name="roster-retire"),
    path("manage/criteria/", views.criteria_edit, name="criteria-edit"),
    path("manage/export.csv", views.export_csv, name="export-csv"),
    path("manage/export.xlsx", views.export_xlsx, name="export-xlsx"),
]
