"""The markup of each comment in a list, put together in Python (#7).

A page of threads shows hundreds of comments. Through the template language each cost about
0.3 ms (every ``{{ }}`` and ``{% if %}`` is a lookup); here it is a few string joins of parts
rendered once at save (``header_html``, ``body_html``) and a handful of escaped fields. Each
block also opens and closes the nested ``<ol>``s around it, as mptt's ``tree_info`` would (which
deep-copies its state for every comment), all in one flat loop.
"""

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from comments.models import DISPLAY_LEVELS, Comment

AWAITING = '<p class="awaiting" role="status">Your comment is awaiting moderation.</p>'


def list_html(comments, *, base_level, own, reply_max_level, keep):
    """The markup of the comments a page shows, in thread order, as one safe string.

    ``comments``: rows from ``CommentQuerySet.as_list_items()``. Replies nested deeper than the
    page shows are dropped; their ancestor links to them instead. ``keep``: the page's own query
    string (page, sort), kept in permalinks and Reply links.
    """
    links = {
        "report": reverse("comments:report", args=[0]).replace("/0/", "/{}/"),
        "thread": reverse("comments:thread", args=[0]).replace("/0/", "/{}/"),
        "permalink": f"?{keep}#comment-{{}}" if keep else "#comment-{}",
        "reply": f"?{keep}&amp;replytocom={{}}#respond" if keep else "?replytocom={}#respond",
    }
    shown, continued, last_shown = [], set(), None
    for comment in comments:
        depth = comment.level - base_level
        if depth >= DISPLAY_LEVELS:
            if last_shown is not None:
                continued.add(last_shown.id)
            continue
        shown.append(comment)
        last_shown = comment if depth == DISPLAY_LEVELS - 1 else last_shown
    parts = []
    for n, comment in enumerate(shown):
        before = shown[n - 1].level if n else None
        after = shown[n + 1].level if n + 1 < len(shown) else shown[0].level - 1
        parts.append(
            ('<ol class="comment-list">' if before is None or comment.level > before else "</li>")
            + '\n<li class="comment-item">\n'
            + block(comment, own, reply_max_level, links, continues=comment.id in continued)
            + "</li></ol>" * max(comment.level - after, 0)
        )
    return mark_safe("\n".join(parts))


def block(comment, own, reply_max_level, links, *, continues):
    """The comment's ``<article>`` (a placeholder when it is not shown), then any "Continue"."""
    pk, level = comment.id, comment.level + 1
    pending = comment.status == Comment.Status.PENDING and pk in own
    if comment.status != Comment.Status.APPROVED and not pending:
        html = (
            f'<article id="comment-{pk}" class="comment removed" aria-label="Removed comment, '
            f'level {level}">\n  <p class="placeholder">This comment was removed.</p>\n</article>'
        )
    else:
        name = escape(comment.author_name)
        classes = "comment" + (" by-author" if comment.is_by_author else "") + " pending" * pending
        actions = []
        if comment.level <= reply_max_level:
            actions.append(
                f'<a class="reply" href="{links["reply"].format(pk)}" rel="nofollow" '
                f'data-reply-to="{pk}" data-author="{name}" aria-label="Reply to {name}">Reply</a>'
            )
        if not pending:
            actions.append(
                f'<a class="report" href="{links["report"].format(pk)}" rel="nofollow" '
                f'aria-label="Report the comment by {name}">Report</a>'
            )
        # saved before headers were stored: store it now, once
        header = comment.header_html or Comment.stored_header(pk)
        html = (
            f'<article id="comment-{pk}" class="{classes}" '
            f'aria-label="Comment by {name}, level {level}">\n'
            f'  <header class="comment-meta">\n    {header}\n'
            f'    <a class="permalink" href="{links["permalink"].format(pk)}" '
            f'aria-label="Link to this comment">Link</a>\n  </header>\n'
            f"  {AWAITING if pending else ''}\n"
            f'  <div class="comment-body">{comment.body_html}</div>\n'
            f'  <p class="comment-actions">\n    {chr(10).join(actions)}\n  </p>\n</article>'
        )
    if continues:
        html += (
            f'\n<p class="continue"><a href="{links["thread"].format(pk)}">'
            "Continue this thread →</a></p>"
        )
    return html
