"""The part of a comment's markup stored with it: its header (avatar, name, badge, date) (#11).

Every list of comments shows hundreds of them, so the header is rendered once, when the comment is
saved, from the ``header`` macro of ``templates/jinja2/comments/_comment.html`` (the one file that
holds a comment's markup), and stored with the MARKUP_VERSION (core/freshness.py) it was
rendered at. A page shows a
stored header only when its version is current, and renders the others afresh without storing
them (a read never writes); ``manage.py render_comments`` stores them again.
"""

from django.template import engines
from django.urls import reverse
from django.utils.crypto import salted_hmac

from core import freshness

TEMPLATE = "comments/_comment.html"


def header_of(comment):
    """The header of a Comment as it would be stored now; a member's name links to their
    profile (the accounts app's page, found by its URL name)."""
    macros = engines["jinja2"].env.get_template(TEMPLATE).module
    member = comment.user_id is not None
    return str(macros.header(
        comment,
        by_author=member and comment.user_id == comment.article.author_id,
        profile_url=reverse("accounts:profile", args=[comment.user.username]) if member
        else "",
        hue=avatar_hue(comment.author_email),
        initials=initials(comment.author_name),
    ))  # fmt: skip


def render_header(comment):
    """Set the stored header of a Comment about to be saved."""
    comment.header_html = header_of(comment)
    comment.markup_version = freshness.MARKUP_VERSION


def store_headers(comments, *, batch_size=2000, progress=None):
    """Render and store the headers of ``comments`` (a queryset, in batches); return how many.

    ``progress``: called with the size of each stored batch.
    """
    rows = comments.select_related("article", "user").order_by("pk")
    rows = rows.iterator(chunk_size=batch_size)
    batch, done = [], 0
    for comment in rows:
        render_header(comment)
        batch.append(comment)
        if len(batch) == batch_size:
            done += _store(comments.model, batch, progress)
            batch = []
    return done + _store(comments.model, batch, progress)


def _store(model, batch, progress):
    model.objects.bulk_update(batch, ["header_html", "markup_version"])
    if progress and batch:
        progress(len(batch))
    return len(batch)


def avatar_hue(email):
    """A colour for the generated avatar, stable per email address. Keyed with the site's
    secret: a plain hash of the address would let anyone test guesses of it (#23)."""
    digest = salted_hmac("comments.avatar", email.strip().lower(), algorithm="sha256")
    return int(digest.hexdigest()[:4], 16) % 360


def initials(name):
    """Up to two letters for the generated avatar."""
    return "".join(word[0] for word in name.split()[:2]).upper() or "?"
