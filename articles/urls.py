from django.urls import path

from articles import feeds, views

app_name = "articles"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:year>/<int:month>/<slug:slug>/", views.detail, name="detail"),
    path("subscribe/", views.subscribe, name="subscribe"),
    path("feed/", feeds.LatestArticles(), name="feed"),
    path("feed/rss/", feeds.LatestArticlesRss(), name="feed_rss"),
]
