from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("me/", views.edit_profile, name="edit"),
    path("me/comments/", views.my_comments, name="my_comments"),
    path("me/data.json", views.my_data, name="my_data"),
    path("me/delete/", views.delete_account, name="delete"),
    path("<str:username>/", views.profile, name="profile"),
]
