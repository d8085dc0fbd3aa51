from django.contrib import admin
from django.urls import include, path

from forum import views

article_patterns = [
    path("", views.index, name="index"),
    path("<int:year>/<int:month>/<slug:slug>/", views.article_detail, name="detail"),
]

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("comments/", include("comments.urls")),
    path("", include((article_patterns, "articles"))),
]
