from django.urls import path

from comments import views

app_name = "comments"
urlpatterns = [
    path("post/<int:article_id>/", views.post, name="post"),
    path("<int:pk>/", views.permalink, name="permalink"),
    path("<int:pk>/report/", views.report, name="report"),
    path("<int:pk>/thread/", views.thread, name="thread"),
    path("preview/", views.preview, name="preview"),
]
