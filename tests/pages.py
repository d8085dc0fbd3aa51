"""Reading pages as a test sees them: post the form, find the heading, the counts, a comment."""

import re

from django.test import Client
from django.urls import reverse


def submit(client, article, *, remote_addr="127.0.0.1", **fields):
    """Post the comment form as a browser would and follow the redirect."""
    data = {
        "body": "Nice article.",
        "author_name": "Sam",
        "author_email": "sam@example.com",
        "author_url": "",
        "parent": "",
        **fields,
    }
    return client.post(
        reverse("comments:post", args=[article.pk]), data, follow=True, REMOTE_ADDR=remote_addr
    )


def page_of(response):
    """The page's HTML. Django's templates escape quotes as &#x27; and &quot;, Jinja2's (the
    list of comments) as &#39; and &#34;: the same characters, so tests see one spelling."""
    return response.content.decode().replace("&#39;", "&#x27;").replace("&#34;", "&quot;")


def heading(page):
    return re.search(r'<h2 id="comments-title">(.*?)</h2>', page).group(1)


def shows(page, comment):
    return f'id="comment-{comment.pk}"' in page


def front_page_count(article):
    """What a reader's front page says under ``article``, e.g. "1 comment… add one"."""
    page = Client().get("/").content.decode()
    url = re.escape(article.get_absolute_url())
    count = r'<p class="comment-count"><a [^>]*>(.*?)</a>'
    return re.search(rf'<h2><a href="{url}">.*?{count}', page, re.S).group(1)
