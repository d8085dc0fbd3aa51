"""The embed's rules (#30): which sites may embed, and the article behind each of their pages.

The first visit of a page from an allowed site makes its article, once: under an advisory lock
keyed by the address, so that two first readers at once make one. An article imported from
WordPress or Disqus whose old address (``Article.source_url``) is the page's is used instead,
with its comments. New pages are rate-limited per site, so that a script asking for made-up
addresses cannot fill the site with empty articles.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import F
from django.utils.html import format_html
from django.utils.translation import gettext

from articles.models import Article
from core.limits import refuse_if_over_limit
from embed.addresses import clean_title, origin_of
from embed.models import EmbeddedPage, Site

NEW_PAGES_PER_HOUR = 200  # per site
SITE_ACCOUNT = "embedded-pages"  # writes the articles of sites without an author


def listed_origins():
    """The origins of ``settings.EMBED_SITES``, canonical."""
    return {origin_of(item) for item in settings.EMBED_SITES} - {""}


def site_for(origin):
    """The active Site of ``origin``, made on first use for one listed in EMBED_SITES; None
    for any other origin, and for a site staff deactivated."""
    site = Site.objects.filter(origin=origin).first()
    if site is None and origin and origin in listed_origins():
        site, _ = Site.objects.get_or_create(origin=origin, defaults={"name": origin})
    return site if site is not None and site.is_active else None


def page_for(site, url, title):
    """The EmbeddedPage of ``url`` on ``site``, its article made if it is new."""
    found = EmbeddedPage.objects.select_related("article").filter(site=site, url=url).first()
    if found is not None:
        return found
    refuse_if_over_limit(f"embed-new:{site.pk}", limit=NEW_PAGES_PER_HOUR, seconds=3600)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"embed:{url}"])
        found = EmbeddedPage.objects.select_related("article").filter(site=site, url=url).first()
        if found is not None:
            return found
        article = Article.objects.filter(source_url=url).order_by("pk").first()
        if article is None:
            article = new_article(site, url, clean_title(title, url))
        return EmbeddedPage.objects.create(site=site, url=url, article=article)


def new_article(site, url, title):
    """The published article that holds a page's discussion: its body links to the page."""
    text = gettext("The discussion of")
    body = format_html('<p>{} <a href="{}">{}</a>.</p>', text, url, title)
    article = Article(
        title=title, author=site.author or site_account(), body=body, markup="html",
        status=Article.Status.PUBLISHED,
    )  # fmt: skip
    article.save()
    return article


def site_account():
    """The account that writes the articles of sites without an author: it cannot sign in."""
    user, made = get_user_model().objects.get_or_create(
        username=SITE_ACCOUNT, defaults={"is_active": False}
    )
    if made:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def count_view(page):
    """One more showing of ``page``'s frame, for the admin's list (one UPDATE, no row read)."""
    EmbeddedPage.objects.filter(pk=page.pk).update(views=F("views") + 1)


def counts(site, urls):
    """{url: approved comments} of the pages of ``site`` among ``urls``; 0 for the others."""
    found = dict(EmbeddedPage.objects.for_counts(site, urls))
    missing = [url for url in urls if url not in found]
    if missing:  # imported, and not shown in a frame yet: its old address finds it
        found |= dict(
            Article.objects.published()
            .filter(source_url__in=missing)
            .values_list("source_url", "comment_count")
        )
    return {url: found.get(url, 0) for url in urls}
