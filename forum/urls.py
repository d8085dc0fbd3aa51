from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import index, sitemap
from django.urls import include, path, re_path
from django.views.decorators.cache import cache_control
from django.views.generic import RedirectView
from django.views.i18n import JavaScriptCatalog

from accounts import views as accounts_views
from articles.sitemaps import SITEMAPS
from forum import views

admin.site.site_header = f"{settings.SITE_NAME} administration"
admin.site.site_title = settings.SITE_NAME
admin.site.index_title = "Articles, discussions and moderation"

handler500 = "forum.views.server_error"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # Articles first: their pages are most requests, found here without trying every other
    # address (#29); none of theirs (dates, category/, tag/, author/, feed/) looks like another's.
    path("", include("articles.urls")),
    path("robots.txt", views.robots, name="robots"),
    # An index of one file per section, each in pages of at most 2,500 or 5,000 addresses (#29).
    path(
        "sitemap.xml",
        index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"},
        name="sitemap",
    ),  # fmt: skip
    path(
        "sitemap-<section>.xml",
        sitemap,
        {"sitemaps": SITEMAPS, "template_name": "sitemaps/urlset.xml"},
        name="sitemap_section",
    ),  # fmt: skip
    # Articles moved from the forum app to their own (#11): old admin bookmarks still work.
    re_path(
        r"^admin/forum/article/(?P<rest>.*)$",
        RedirectView.as_view(url="/admin/articles/article/%(rest)s", query_string=True),
    ),
    path("admin/", admin.site.urls),
    # The footer's language switcher (#27): Django's set_language, which keeps the choice in a
    # cookie; a member's choice is also kept on their profile, for their mail.
    path("language/", accounts_views.set_language, name="set_language"),
    # The scripts' words in the reader's language (#27): a script, not inline, for the CSP.
    # Every article page loads it, so browsers and proxies keep it an hour (it varies by
    # Accept-Language and Cookie like the pages); new words reach them that much later.
    path(
        "jsi18n/",
        cache_control(public=True, max_age=3600)(JavaScriptCatalog.as_view()),
        name="javascript-catalog",
    ),
    path("accounts/", include("allauth.urls")),  # reader accounts (issue #12)
    path("users/", include("accounts.urls")),
    path("", include("notifications.urls")),  # confirm an address, unsubscribe (issue #13)
    path("", include("search.urls")),  # issue #15
    path("alerts/", include("alerts.urls")),  # a chat alert's approve / spam links (#26)
    path("avatars/", include("avatars.urls")),  # members' pictures, from our origin (#28)
    path("imported/", include("imports.urls")),  # imported comments' old ids (#28)
    path("api/v1/", include("api.urls")),  # the public JSON API (#30)
    path("", include("embed.urls")),  # discussions in other sites' pages (issue #30)
    path("", include("comments.urls")),
]
