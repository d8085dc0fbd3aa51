"""A page of discussion as schema.org JSON-LD, and the Featured box's short texts (#15, #16)."""

import html
import json
import re

from django.conf import settings
from django.utils.text import Truncator
from markupsafe import Markup

from comments.models import Comment
from core.text import display_name


def structured_rows(items):
    """The approved comments of a thread's Items, as ``structured_data`` takes them."""
    return [
        (c.id, c.parent_id, c.author_name, c.author_url, c.created_at.isoformat(),
         plain_text(c.body_html))
        for c in (item.comment for item in items if item.readable)
        if c.status == Comment.Status.APPROVED
    ][:STRUCTURED_COMMENTS]  # fmt: skip


STRUCTURED_COMMENTS = 20
STRUCTURED_TEXT = 300
TAG = re.compile(r"<[^>]*>")  # stored HTML is sanitised: a tag is never split by a ">" in text


def plain_text(body_html):
    """A comment's stored HTML as text, for the Featured box and the JSON-LD."""
    return html.unescape(TAG.sub("", body_html)).strip()


def featured_box(article):
    """The Featured box's comments: name, a short text and the link to each one's place."""
    rows = Comment.objects.featured_on(article).values_list("id", "author_name", "body_html")
    return [
        {"id": pk, "name": name, "text": Truncator(plain_text(body)).chars(160)}
        for pk, name, body in rows
    ]


JSON_IN_HTML = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def structured_data(article, rows, keep):
    """The page as schema.org JSON-LD (#15): the article as a DiscussionForumPosting, and the
    approved comments shown on this page (``rows``, from ``structured_rows``) as its Comments,
    replies naming their parentItem. Held, spam and removed comments never appear, not even to
    their writer. Safe in a <script>: <, > and & are escaped inside the JSON strings.

    The first STRUCTURED_COMMENTS of them, each text up to STRUCTURED_TEXT characters: the
    data repeats the page's text, and must not double its weight or its rendering time.
    """
    page_url = article.canonical_url() + (f"?{keep}" if keep else "")
    shown = rows[:STRUCTURED_COMMENTS]
    included = {row[0] for row in shown}
    comments = []
    for pk, parent_id, name, url, date, text in shown:
        comment = {
            "@type": "Comment", "@id": f"{page_url}#comment-{pk}",
            "url": f"{page_url}#comment-{pk}",
            "author": {"@type": "Person", "name": name, **({"url": url} if url else {})},
            "datePublished": date,
            "text": text if len(text) <= STRUCTURED_TEXT else text[:STRUCTURED_TEXT - 1] + "…",
        }  # fmt: skip
        if parent_id in included:
            comment["parentItem"] = {"@id": f"{page_url}#comment-{parent_id}"}
        comments.append(comment)
    author = article.author
    categories, tags = article.terms()
    data = {
        "@context": "https://schema.org", "@type": "DiscussionForumPosting",
        "@id": article.canonical_url(), "url": article.canonical_url(),
        "headline": article.title, "text": article.summary,
        "datePublished": (article.published_at or article.created_at).isoformat(),
        "dateModified": article.updated_at.isoformat(),
        "author": {"@type": "Person", "name": display_name(author)},
        "articleSection": [c["name"] for c in categories],  # #28
        "keywords": [t["name"] for t in tags],
        "isPartOf": {"@type": "WebSite", "name": settings.SITE_NAME, "url": settings.SITE_URL},
        "commentCount": article.comment_count,
        "comment": comments,
    }  # fmt: skip
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.translate(JSON_IN_HTML))
