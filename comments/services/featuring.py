"""Featured comments (issue #16): moderators choose the best; the article shows up to three in
a box above its threads while they stay approved."""

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from articles.models import Article
from comments import freshness
from comments.models import Comment


def feature(comments, *, on=True):
    """Feature (or un-feature) ``comments``; returns how many changed."""
    with transaction.atomic():
        changing = comments.exclude(featured=on)
        places = list(changing.values_list("article_id", "tree_id"))
        n = changing.update(featured=on, featured_at=timezone.now() if on else None)
        freshness.threads_changed(tree_id for _, tree_id in places)  # the badge is in them
        refresh_featured(article_id for article_id, _ in places)
    return n


def refresh_featured(article_ids):
    """Recount the articles' approved featured comments; their pages show the new box."""
    article_ids = sorted(set(article_ids))
    counts = dict(
        Comment.objects.approved()
        .filter(article_id__in=article_ids, featured=True)
        .values_list("article_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for article_id in article_ids:
        Article.objects.filter(pk=article_id).update(featured_count=counts.get(article_id, 0))
    freshness.discussion_changed(article_ids)  # the Featured box
