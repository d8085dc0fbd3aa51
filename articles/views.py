from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from articles import pages
from articles.models import Article
from core import writes

ARTICLES_PER_PAGE = 20


def index(request):
    paginator = Paginator(Article.objects.for_front_page(), ARTICLES_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "articles/index.html", {"page": page})


def subscribe(request):
    """What the feeds are and their addresses, for a reader who clicks "Subscribe": a feed
    itself is XML a browser shows as code or downloads (issue #24)."""
    return render(request, "articles/subscribe.html")


def detail(request, year, month, slug):
    """The article; its discussion comes from the comments app's ``{% discussion %}`` tag.

    Readers without a session get the page every such reader gets, kept whole (#17): for them
    one narrow query reads the article's versions (at most once a second per worker), and the
    full row is read only to render. Readers with a session (not staff) get its shell with their
    own parts filled in (#29), from the same versions, or read afresh for a reader who has just
    written (``core.writes``), who sees their write at once.
    """
    shareable = pages.shareable(request)
    kept = shareable or pages.in_shell(request)  # the page, or its shell, may be kept (#29)

    def visible():  # made only when read: a kept page costs no queryset at all
        return Article.objects.visible_to(request.user).defer("search_vector")

    def versions():
        return visible().only(*Article.VERSION_FIELDS).filter(slug=slug).first()

    if shareable or (kept and not writes.is_pinned(request)):  # what every reader sees
        article, read_at = pages.recent(("article", slug), versions)
    elif kept:  # a reader who has just written
        article, read_at = versions(), pages.clock()
    else:
        article = visible().select_related("author").with_terms().filter(slug=slug).first()
        read_at = pages.clock()
    if article is None:
        raise Http404("No such article.")
    date = timezone.localtime(article.published_at or article.created_at)
    if (date.year, date.month) != (year, month):
        return redirect(article, permanent=True)

    def page():
        whole = (
            visible().select_related("author").with_terms().get(pk=article.pk)
            if kept else article
        )  # fmt: skip
        return render(request, "articles/article_detail.html", {"article": whole})

    return pages.serve(request, article.versions(), page, read_at)
