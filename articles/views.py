from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from articles import pages
from articles.models import Article

ARTICLES_PER_PAGE = 20


def index(request):
    paginator = Paginator(Article.objects.for_front_page(), ARTICLES_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "articles/index.html", {"page": page})


def detail(request, year, month, slug):
    """The article; its discussion comes from the comments app's ``{% discussion %}`` tag.
    Readers without a session get the page every such reader gets, kept whole (#17)."""
    article = get_object_or_404(
        Article.objects.visible_to(request.user).select_related("author"), slug=slug
    )
    date = timezone.localtime(article.published_at or article.created_at)
    if (date.year, date.month) != (year, month):
        return redirect(article, permanent=True)
    return pages.serve(
        request,
        article.page_version(),
        lambda: render(request, "articles/article_detail.html", {"article": article}),
    )
