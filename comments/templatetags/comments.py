"""``{% discussion article %}``: an article's comments and comment form, from one query."""

from django import template

from comments.forms import CommentForm
from comments.models import Comment, DiscussionSettings
from comments.services import comments_open
from comments.views import own_comment_ids, remembered_author

register = template.Library()


@register.inclusion_tag("comments/_discussion.html", takes_context=True)
def discussion(context, article):
    request = context["request"]
    rules = DiscussionSettings.load()
    own = own_comment_ids(request)
    comments = list(Comment.objects.for_article(article, own=own))
    form = context.get("comment_form")
    if form is None:
        form = CommentForm(
            article=article,
            user=request.user,
            own=own,
            initial={**remembered_author(request), "remember": bool(remembered_author(request))},
        )
        wanted = request.GET.get("replytocom", "")
    else:
        wanted = form.data.get("parent", "")
    by_pk = {str(c.pk): c for c in comments}
    reply_to = by_pk.get(wanted)
    # Past the deepest level a reply joins an ancestor: name the one it will really answer.
    while reply_to is not None and reply_to.level > rules.max_depth - 2:
        reply_to = by_pk.get(str(reply_to.parent_id))
    if reply_to is not None and not _replyable(reply_to, own):
        reply_to = None
    if reply_to is not None and not form.is_bound:
        form.initial["parent"] = reply_to.pk
    return {
        "article": article,
        "comments": comments,
        "form": form,
        "reply_to": reply_to,
        "reply_max_level": rules.max_depth - 2,
        "is_open": comments_open(article, rules),
        "own": own,
        "request": request,
        "user": request.user,
        "csrf_token": context.get("csrf_token"),
    }


def _replyable(comment, own):
    return comment.status == Comment.Status.APPROVED or (
        comment.status == Comment.Status.PENDING and comment.pk in own
    )
