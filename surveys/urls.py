from django.urls import path

from . import views

app_name = "surveys"

urlpatterns = [
    path("surveys/", views.survey_list, name="list"),
    path("surveys/<int:pk>/", views.answer, name="answer"),
    # A recipient's personal link (surveys.mail_links): public, signed token.
    path("surveys/answer/<str:token>/", views.answer_link, name="answer_link"),
]
