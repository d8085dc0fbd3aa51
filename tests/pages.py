"""Reading pages as a test sees them: post the form, read the page, its heading, the counts, the
comments and the errors above the form."""

import html
import re

from django.test import Client
from django.urls import reverse


def form_data(**fields):
    """What an anonymous reader's browser sends for a valid new comment, ``fields`` changed."""
    data = {
        "body": "Nice article.",
        "author_name": "Sam",
        "author_email": "sam@example.com",
        "author_url": "",
        "parent": "",
    }
    return {**data, **fields}


def submit(client, article, *, follow=True, remote_addr="127.0.0.1", headers=None, **fields):
    """Post the comment form as a browser would from ``remote_addr`` and, unless told not to,
    follow the redirect. ``headers``: more request headers, such as X-Forwarded-For."""
    return client.post(
        reverse("comments:post", args=[article.pk]),
        form_data(**fields),
        follow=follow,
        REMOTE_ADDR=remote_addr,
        headers=headers,
    )


def page_of(response):
    """The page's HTML. Django's templates escape quotes as &#x27; and &quot;, Jinja2's (the
    list of comments) as &#39; and &#34;: the same characters, so tests see one spelling."""
    return response.content.decode().replace("&#39;", "&#x27;").replace("&#34;", "&quot;")


def heading(page):
    return re.search(r'<h2 id="comments-title">(.*?)</h2>', page).group(1)


def shows(page, comment):
    return f'id="comment-{comment.pk}"' in page


def bodies(page):
    """Comment bodies in the order the page shows them."""
    return re.findall(r'<div class="comment-body" dir="auto"><p>(.*?)</p>', page)


def value_in(page, name):
    """The value a form field shows, as the browser would read it; None if there is no field."""
    textarea = re.search(rf'<textarea name="{name}"[^>]*>\n(.*?)</textarea>', page, re.S)
    if textarea:
        return html.unescape(textarea.group(1))
    field = re.search(rf'<input [^>]*name="{name}"[^>]*>', page)
    if field is None:
        return None
    value = re.search(r'value="([^"]*)"', field.group(0))
    return html.unescape(value.group(1)) if value else ""


def form_errors(page):
    """Messages shown above the comment form, for input that has no visible field (the parent)."""
    return [html.unescape(m) for m in re.findall(r'<p class="form-error">(.*?)</p>', page)]


def front_page_count(article):
    """What a reader's front page says under ``article``, e.g. "1 comment… add one"."""
    page = page_of(Client().get("/"))
    url = re.escape(article.get_absolute_url())
    count = r'<p class="comment-count"><a [^>]*>(.*?)</a>'
    return re.search(rf'<h2><a href="{url}">.*?{count}', page, re.S).group(1)


def sitemap_files(client):
    """The files /sitemap.xml lists (it is an index, #29), each as served: [(path, XML)]."""
    index = client.get("/sitemap.xml").content.decode()
    paths = re.findall(r"<loc>https?://[^/]+(/[^<]*)</loc>", index)
    return [(path, client.get(html.unescape(path))) for path in paths]


def rendered_ids(sql):
    """The ids of the comments a query reads whole to render them (#29), in order: its last
    list of ids (a reader's own held comments come before it)."""
    ids = re.findall(r'"comments_comment"."id" IN \(([\d, ]+)\)', sql)[-1]
    return sorted(int(i) for i in ids.split(","))
