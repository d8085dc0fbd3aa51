from django.urls import path

from avatars import views

app_name = "avatars"
urlpatterns = [
    path("<slug:digest>.webp", views.picture, name="picture"),
]
