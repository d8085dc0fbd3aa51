"""Writing articles and their comments as a WordPress export (WXR 1.2), a piece at a time
(issue #14): WordPress's importer, or this site's, reads it back with every thread, status,
author and date."""

import html
from datetime import UTC
from email.utils import format_datetime
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from articles.models import Article
from comments.models import Comment
from taxonomy.models import Category, Tag

WP = "http://wordpress.org/export/1.2/"
COMMENT_STATUS = {"approved": "1", "pending": "0", "spam": "spam", "removed": "trash"}


def cdata(value):
    """``value`` as CDATA, which may hold anything but "]]>": that is split across two."""
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def html_cdata(value):
    """Plain text as WordPress keeps a term's name or description: HTML, in CDATA."""
    return cdata(html.escape(value, quote=False))


def tag(name, value, *, raw=False):
    return f"<{name}>{value if raw else escape(str(value))}</{name}>"


def local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def gmt(moment):
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def write(out, articles):
    """Write the export of ``articles`` (a queryset) to the text stream ``out``."""
    site = settings.SITE_URL.rstrip("/")
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(
        f'<rss version="2.0" xmlns:excerpt="{WP}excerpt/" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:wfw="http://wellformedweb.org/CommentAPI/" '
        f'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="{WP}">\n<channel>\n'
    )
    for line in (tag("title", "Forum"), tag("link", site), tag("description", ""),
                 tag("pubDate", format_datetime(timezone.now())), tag("language", "en"),
                 tag("wp:wxr_version", "1.2"), tag("wp:base_site_url", site),
                 tag("wp:base_blog_url", site)):  # fmt: skip
        out.write(f"{line}\n")
    users = (
        get_user_model()
        .objects.filter(Q(articles__in=articles) | Q(comments__article__in=articles))
        .distinct()
    )
    for user in users.order_by("pk").iterator():
        out.write(
            "<wp:author>" + tag("wp:author_id", user.pk)
            + tag("wp:author_login", cdata(user.get_username()), raw=True)
            + tag("wp:author_email", cdata(user.email), raw=True)
            + tag("wp:author_display_name", cdata(user.get_full_name()), raw=True)
            + "</wp:author>\n"
        )  # fmt: skip
    write_terms(out)
    articles = articles.select_related("author").prefetch_related("categories", "tags")
    for article in articles.order_by("pk").iterator(chunk_size=500):
        write_article(out, article)
    out.write("</channel>\n</rss>\n")


def write_terms(out):
    """Every category (parents first) and tag, those without articles too (#28)."""
    for c in Category.objects.select_related("parent").order_by("path").iterator():
        out.write(
            "<wp:category>" + tag("wp:term_id", c.pk)
            + tag("wp:category_nicename", c.slug)
            + tag("wp:category_parent", c.parent.slug if c.parent else "")
            + tag("wp:cat_name", html_cdata(c.name), raw=True)
            + tag("wp:category_description", html_cdata(c.description), raw=True)
            + "</wp:category>\n"
        )  # fmt: skip
    for t in Tag.objects.order_by("pk").iterator():
        out.write(
            "<wp:tag>" + tag("wp:term_id", t.pk) + tag("wp:tag_slug", t.slug)
            + tag("wp:tag_name", html_cdata(t.name), raw=True)
            + tag("wp:tag_description", html_cdata(t.description), raw=True)
            + "</wp:tag>\n"
        )  # fmt: skip


def write_article(out, article):
    if article.status == Article.Status.DRAFT:
        status = "draft"
    else:
        status = "publish" if article.is_published() else "future"
    date = article.published_at or article.created_at
    body = article.body if article.markup == "html" else article.body_html
    out.write("<item>\n")
    for line in (
        tag("title", html.escape(article.title, quote=False)),  # WordPress keeps HTML there
        tag("link", article.canonical_url()),
        tag("pubDate", format_datetime(date)),
        tag("dc:creator", cdata(article.author.get_username()), raw=True),
        f'<guid isPermaLink="false">{escape(article.canonical_url())}</guid>',
        tag("content:encoded", cdata(body), raw=True),
        tag("excerpt:encoded", cdata(article.excerpt), raw=True),
        tag("wp:post_id", article.pk),
        tag("wp:post_date", local(date)),
        tag("wp:post_date_gmt", gmt(article.published_at)),
        tag("wp:post_modified_gmt", gmt(article.updated_at)),
        tag("wp:comment_status", "open" if article.comments_open else "closed"),
        tag("wp:ping_status", "closed"),
        tag("wp:post_name", article.slug),
        tag("wp:status", status),
        tag("wp:post_parent", 0),
        tag("wp:menu_order", 0),
        tag("wp:post_type", "post"),
        tag("wp:post_password", ""),
        tag("wp:is_sticky", 0),
        *(term("category", c) for c in article.categories.all()),
        *(term("post_tag", t) for t in article.tags.all()),
    ):
        out.write(f"  {line}\n")
    comments = Comment.objects.filter(article=article).order_by("tree_id", "lft")
    for comment in comments.iterator(chunk_size=2000):
        write_comment(out, comment)
    out.write("</item>\n")


def term(domain, row):
    name = html_cdata(row.name)
    return f'<category domain="{domain}" nicename={quoteattr(row.slug)}>{name}</category>'


def write_comment(out, c):
    body = c.body if c.markup == "html" else c.body_html
    fields = (
        tag("wp:comment_id", c.pk),
        tag("wp:comment_author", cdata(html.escape(c.author_name, quote=False)), raw=True),
        tag("wp:comment_author_email", c.author_email),
        tag("wp:comment_author_url", c.author_url),
        tag("wp:comment_author_IP", c.ip_address or ""),
        tag("wp:comment_date", local(c.created_at)),
        tag("wp:comment_date_gmt", gmt(c.created_at)),
        tag("wp:comment_content", cdata(body), raw=True),
        tag("wp:comment_approved", COMMENT_STATUS[c.status]),
        tag("wp:comment_type", "" if c.kind == "comment" else c.kind),
        tag("wp:comment_parent", c.parent_id or 0),
        tag("wp:comment_user_id", c.user_id or 0),
    )
    out.write("  <wp:comment>" + "".join(fields) + "</wp:comment>\n")
