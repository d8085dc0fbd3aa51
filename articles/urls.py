from django.urls import path

from articles import archives, feeds, views

app_name = "articles"

category_feed, category_rss = feeds.feeds_of(archives.find_category)
tag_feed, tag_rss = feeds.feeds_of(archives.find_tag)
author_feed, author_rss = feeds.feeds_of(archives.find_author)
date_feed, date_rss = feeds.feeds_of(archives.find_date)

urlpatterns = [
    path("", views.index, name="index"),
    # An article's page first, the most asked for: after the month's feeds alone, since "feed"
    # would also be a slug.
    path("<int:year>/<int:month>/feed/rss/", date_rss, name="month_feed_rss"),
    path("<int:year>/<int:month>/feed/", date_feed, name="month_feed"),
    path("<int:year>/<int:month>/<slug:slug>/", views.detail, name="detail"),
    # Archives (#28), in WordPress's scheme, so that most old addresses need no redirect. The
    # feeds come first: "feed" is a slug no category or article may take.
    path("category/<path:path>/feed/rss/", category_rss, name="category_feed_rss"),
    path("category/<path:path>/feed/", category_feed, name="category_feed"),
    path("category/<path:path>/", archives.category, name="category"),
    path("tag/<str:slug>/feed/rss/", tag_rss, name="tag_feed_rss"),
    path("tag/<str:slug>/feed/", tag_feed, name="tag_feed"),
    path("tag/<str:slug>/", archives.tag, name="tag"),
    path("author/<str:username>/feed/rss/", author_rss, name="author_feed_rss"),
    path("author/<str:username>/feed/", author_feed, name="author_feed"),
    path("author/<str:username>/", archives.author, name="author"),
    path("<int:year>/feed/rss/", date_rss, name="year_feed_rss"),
    path("<int:year>/feed/", date_feed, name="year_feed"),
    path("<int:year>/", archives.year, name="year"),
    path("<int:year>/<int:month>/", archives.month, name="month"),
    path("subscribe/", views.subscribe, name="subscribe"),
    path("feed/", feeds.LatestArticles(), name="feed"),
    path("feed/rss/", feeds.LatestArticlesRss(), name="feed_rss"),
]
