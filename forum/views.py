import sys

from django.conf import settings
from django.core.paginator import Paginator
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.cache import never_cache

from forum.middleware import database_unavailable_response
from forum.models import Article

ARTICLES_PER_PAGE = 20


def server_error(request):
    """handler500: a database failure outside a view (a session saved on the way out, say)
    is still the 503 page; anything else is the plain 500 page."""
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return database_unavailable_response()
    return HttpResponseServerError(render_to_string("500.html"))


@never_cache
def healthz(request):
    """200 "ok" when the database answers a trivial query, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


def index(request):
    paginator = Paginator(Article.objects.for_front_page(), ARTICLES_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "forum/index.html", {"page": page})


def article_detail(request, year, month, slug):
    article = get_object_or_404(
        Article.objects.visible_to(request.user).select_related("author"),
        slug=slug,
    )
    date = timezone.localtime(article.published_at or article.created_at)
    if (date.year, date.month) != (year, month):
        return redirect(article, permanent=True)
    return render(request, "forum/article_detail.html", article_context(article))


def article_context(article, **extra):
    """What the article page needs besides the discussion, which its template tag fetches."""
    return {
        "article": article,
        "canonical_url": settings.SITE_URL + article.get_absolute_url(),
        **extra,
    }
