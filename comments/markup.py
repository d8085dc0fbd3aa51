"""The part of a comment's markup stored with it: its header (avatar, name, badge, date) (#11).

Every list of comments shows hundreds of them, so the header is rendered once, when the comment is
saved, from the ``header`` macro of ``templates/jinja2/comments/_comment.html`` (the one file that
holds a comment's markup), and stored with the MARKUP_VERSION (core/freshness.py) it was
rendered at. A page shows a
stored header only when its version is current, and renders the others afresh without storing
them (a read never writes); ``manage.py render_comments`` stores them again.
"""

from django.apps import apps as django_apps
from django.template import engines
from django.urls import reverse
from django.utils.crypto import salted_hmac

from avatars import services as avatars
from core import freshness

TEMPLATE = "comments/_comment.html"


def header_of(comment, *, pictures=None):
    """The header of a Comment as it would be stored now; a member's name links to their
    profile (the accounts app's page, found by its URL name), and their approved picture shows
    instead of the letter avatar (#28). ``pictures``: avatars.services.urls_for of the
    writers, when the caller looked them up for many comments at once."""
    macros = engines["jinja2"].env.get_template(TEMPLATE).module
    member = comment.user_id is not None
    if pictures is None:
        pictures = avatars.urls_for([comment.user_id])
    return str(macros.header(
        comment,
        by_author=member and comment.user_id == comment.article.author_id,
        profile_url=reverse("accounts:profile", args=[comment.user.username]) if member
        else "",
        hue=avatar_hue(comment.author_email),
        initials=initials(comment.author_name),
        pattern=avatar_pattern(comment.author_email),
        picture_url=pictures.get(comment.user_id),
    ))  # fmt: skip


def headers_of(comments):
    """{id: header} of ``comments`` (a list, with article and user selected): one query."""
    pictures = avatars.urls_for(c.user_id for c in comments)
    return {c.id: header_of(c, pictures=pictures) for c in comments}


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
        batch.append(comment)
        if len(batch) == batch_size:
            done += _store(comments.model, batch, progress)
            batch = []
    return done + _store(comments.model, batch, progress)


def _store(model, batch, progress):
    # A migration's historical model runs before the avatars table may exist: no pictures then.
    historical = model._meta.apps is not django_apps
    headers = {c.id: header_of(c, pictures={}) for c in batch} if historical else headers_of(batch)
    for comment in batch:
        comment.header_html = headers[comment.id]
        comment.markup_version = freshness.MARKUP_VERSION
    model.objects.bulk_update(batch, ["header_html", "markup_version"])
    if progress and batch:
        progress(len(batch))
    return len(batch)


def _avatar_key(email):
    # Keyed with the site's secret: a plain hash of the address would let anyone test guesses
    # of it (#23), and link the same person across sites (#28).
    return salted_hmac("comments.avatar", email.strip().lower(), algorithm="sha256").digest()


def avatar_hue(email):
    """A colour for the generated avatar, stable per email address."""
    return int.from_bytes(_avatar_key(email)[:2]) % 360


def avatar_pattern(email):
    """The SVG path of a symmetric 5 x 5 pattern of 6-unit cells under the initials, stable
    per email address, so that two writers with the same initials (and, rarely, colour) still
    look apart (#28)."""
    bits = int.from_bytes(_avatar_key(email)[2:4])
    cells = [(x, y) for y in range(5) for x in range(3) if bits >> (y * 3 + x) & 1]
    cells += [(4 - x, y) for x, y in cells if x < 2]
    # Each row's runs of cells as one horizontal line, stroked 6 wide by the stylesheet.
    runs, filled = [], set(cells)
    for y in range(5):
        for x in range(5):
            if (x, y) in filled and (x - 1, y) not in filled:
                length = next(n for n in range(1, 6) if (x + n, y) not in filled)
                runs.append(f"M{5 + 6 * x} {8 + 6 * y}h{6 * length}")
    return "".join(runs)


def initials(name):
    """Up to two letters for the generated avatar."""
    return "".join(word[0] for word in name.split()[:2]).upper() or "?"
