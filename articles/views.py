from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from articles import pages
from articles.models import Article

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
    full row is read only to render.
    """
    visible = Article.objects.visible_to(request.user).defer("search_vector")
    shareable = pages.shareable(request)
    if shareable:  # no session: a reader who sees what every such reader sees
        versions = visible.only(*Article.VERSION_FIELDS).filter(slug=slug)
        article, read_at = pages.recent(("article", slug), versions.first)
        if article is None:
            raise Http404("No such article.")
    else:
        article = get_object_or_404(visible.select_related("author").with_terms(), slug=slug)
        read_at = pages.clock()
    date = timezone.localtime(article.published_at or article.created_at)
    if (date.year, date.month) != (year, month):
        return redirect(article, permanent=True)

    def page():
        whole = (
            visible.select_related("author").with_terms().get(pk=article.pk)
            if shareable else article
        )  # fmt: skip
        return render(request, "articles/article_detail.html", {"article": whole})

    return pages.serve(request, article.versions(), page, read_at)
