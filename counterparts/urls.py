from django.urls import path

from . import views

app_name = "counterparts"

urlpatterns = [
    path("organizations/", views.organization_list, name="list"),
    # Fixed paths before the public page, which takes any slug.
    path("organizations/register/", views.register, name="register"),
    path("organizations/mine/", views.my_organizations, name="mine"),
    path("organizations/review/", views.review_list, name="review_list"),
    path("organizations/review/<int:pk>/", views.review, name="review"),
    path("organizations/invitations/<str:token>/", views.invitation, name="invitation"),
    path("organizations/manage/<int:pk>/", views.manage, name="manage"),
    path("organizations/manage/<int:pk>/edit/", views.edit, name="edit"),
    path(
        "organizations/manage/<int:pk>/people/<int:person_pk>/remove/",
        views.remove_person,
        name="remove_person",
    ),
    path("organizations/<slug:slug>/", views.organization_detail, name="detail"),
]
