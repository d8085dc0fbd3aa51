from django.urls import path

from imports import views

app_name = "imports"
urlpatterns = [
    path("<int:article>/comments/<str:source_id>/", views.old_comment, name="old_comment"),
]
