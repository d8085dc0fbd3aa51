from django.contrib import admin
from django.urls import include, path

from forum import feeds, views

article_patterns = [
    path("", views.index, name="index"),
    path("<int:year>/<int:month>/<slug:slug>/", views.article_detail, name="detail"),
    path("feed/", feeds.LatestArticles(), name="feed"),
    path(
        "<int:year>/<int:month>/<slug:slug>/comments/feed/",
        feeds.ArticleComments(),
        name="comments_feed",
    ),
]

admin.site.site_header = "Forum administration"
admin.site.site_title = "Forum"
admin.site.index_title = "Articles, discussions and moderation"

handler500 = "forum.views.server_error"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("comments/", include("comments.urls")),
    path("", include((article_patterns, "articles"))),
]
