from django.urls import path

from alerts import views

app_name = "alerts"
urlpatterns = [path("moderate/<str:token>/", views.moderate, name="moderate")]
