"""The project's own views: the health check, robots.txt and the error page."""

import sys

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, HttpResponseServerError
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache

from forum.context import site
from forum.middleware import database_unavailable_response


def server_error(request):
    """handler500: a database failure outside a view (a session saved on the way out, say)
    is still the 503 page; anything else is the plain 500 page."""
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return database_unavailable_response()
    return HttpResponseServerError(render_to_string("500.html", site(request)))


@never_cache
def healthz(request):
    """200 "ok" when the database answers a trivial query, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


ROBOTS = """User-agent: *
Disallow: /admin/
Disallow: /accounts/
Disallow: /users/
Disallow: /search/
Disallow: /mail/
Disallow: /comments/preview/
Disallow: /*?replytocom=
Disallow: /*&replytocom=

Sitemap: {site}/sitemap.xml
"""


def robots(request):
    """robots.txt (#15): crawlers read articles and discussions, not the admin, account pages,
    search results or the "reply to" copies of each page; the sitemap lists the articles."""
    text = ROBOTS.format(site=settings.SITE_URL.rstrip("/"))
    return HttpResponse(text, content_type="text/plain; charset=utf-8")
