"""A reader's own actions laid over the shared markup of a discussion (#25).

The cached markup of a thread is the same for every reader, so it carries no "Edit" or "Delete"
and shows vote buttons on every approved comment. For a reader who wrote some of the comments on
the page (``Reader.written``), ``own_actions`` changes just those comments, after the markup
comes from the cache: their <article> gets the class "own", their vote buttons go (nobody votes
on their own comment), and "Edit" (while the Discussion settings allow) and "Delete" join the
"More" menu, rendered by the ``own_actions`` macro of ``_comment.html``. No JavaScript is needed,
and the reader's pending comments, rendered for them alone, already carry theirs. For staff who
may moderate, every comment gets "Spam", "Remove" and "Edit" (in the admin) too, as in
WordPress (#26): the ``staff_actions`` macro, whose buttons post the page's one moderation form.
"""

import re

from django.template import engines
from django.urls import reverse
from markupsafe import Markup

OPENING = re.compile(r'<article id="comment-(\d+)" class="([^"]*)"')
VOTES = re.compile(r'<span class="vote">.*?<span class="score">[^<]*</span></span>')


def own_actions(listing, comments, editable, *, moderator=False):
    """``listing`` (safe markup) with the reader's actions on ``comments`` (the ids of their
    approved comments) shown; ``editable``: those they may still edit; ``moderator``: the staff's
    buttons on every comment. One pass."""
    comments = set(comments)
    if not (comments or moderator):
        return listing
    macros = engines["jinja2"].env.get_template("comments/_comment.html").module
    base = reverse("comments:permalink", args=[0]).removesuffix("0/")
    parts, done = [], 0
    for found in OPENING.finditer(listing):
        pk, classes = int(found[1]), found[2].split()
        own = pk in comments and "own" not in classes
        if not (own or moderator) or {"ping", "removed"} & set(classes):
            continue
        end = listing.find("</article>", found.end())
        body = listing[found.end() : end]
        actions = str(macros.staff_actions(pk)) if moderator else ""
        if own:
            body = VOTES.sub("", body, count=1)
            actions = str(macros.own_actions(pk, base, pk in editable)) + actions
            classes = [*classes, "own"]
        report = body.find(f'href="{base}{pk}/report/"')
        if report >= 0:
            after = body.find("</a>", report) + len("</a>")
            body = f"{body[:after]}\n      {actions}{body[after:]}"
        opening = f'<article id="comment-{pk}" class="{" ".join(classes)}"'
        parts += [listing[done : found.start()], opening, body]
        done = end
    parts.append(listing[done:])
    return Markup("".join(parts))
