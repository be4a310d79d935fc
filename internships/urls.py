from django.urls import path

from . import views

app_name = "internships"

urlpatterns = [
    path("internships/", views.placement_list, name="list"),
    path("internships/<int:pk>/", views.placement_detail, name="detail"),
    path("internships/<int:pk>/apply/", views.apply, name="apply"),
    # Members who host.
    path("internships/offer/", views.offer, name="offer"),
    path("internships/hosting/", views.host_list, name="host_list"),
    path("internships/hosting/<int:pk>/", views.host_placement, name="host_placement"),
    path("internships/hosting/<int:pk>/edit/", views.host_edit, name="host_edit"),
    # The PNCS of the placement's sector.
    path("internships/review/", views.review_list, name="review_list"),
    path("internships/review/<int:pk>/", views.review, name="review"),
    # Applications: the host and the PNCS only.
    path("internships/applications/<int:pk>/", views.application, name="application"),
    path("internships/applications/<int:pk>/cv/", views.application_cv, name="application_cv"),
    # Students.
    path("internships/student/", views.student_home, name="student_home"),
    path("internships/student/profile/", views.student_profile, name="student_profile"),
    path("internships/student/cv/", views.student_cv, name="student_cv"),
    path("internships/student/applications/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
]
