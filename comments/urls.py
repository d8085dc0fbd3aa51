from django.urls import path

from comments import feeds, views

app_name = "comments"
urlpatterns = [
    path("comments/post/<int:article_id>/", views.post, name="post"),
    path("comments/<int:pk>/", views.permalink, name="permalink"),
    path("comments/<int:pk>/report/", views.report, name="report"),
    path("comments/<int:pk>/thread/", views.thread, name="thread"),
    path("comments/<int:pk>/replies/", views.replies, name="replies"),
    path("comments/<int:pk>/edit/", views.edit, name="edit"),
    path("comments/<int:pk>/delete/", views.delete, name="delete"),
    path("comments/preview/", views.preview, name="preview"),
    path("comments/vote/", views.vote, name="vote"),
    path("comments/moderate/", views.moderate, name="moderate"),
    path("comments/votes/<int:article_id>/", views.my_votes, name="my_votes"),
    path("comments/live/<int:article_id>/", views.live, name="live"),
    path("comments/feed/", feeds.LatestComments(), name="feed"),
    path("comments/feed/rss/", feeds.LatestCommentsRss(), name="feed_rss"),
    path(
        "<int:year>/<int:month>/<slug:slug>/comments/feed/",
        feeds.ArticleComments(),
        name="article_feed",
    ),
    path(
        "<int:year>/<int:month>/<slug:slug>/comments/feed/rss/",
        feeds.ArticleCommentsRss(),
        name="article_feed_rss",
    ),
]
