from django.shortcuts import get_object_or_404, redirect

from articles.models import Article
from comments.models import Comment


def old_comment(request, article, source_id):
    """An imported comment by its id on the old site (``static/js/old-comments.js``, #28): to
    its permalink here, which finds its page; to the discussion if it was not imported."""
    article = get_object_or_404(Article.objects.published().exclude(source=""), pk=article)
    comment = (
        Comment.objects.filter(article=article, source_id=source_id).exclude(source="").first()
    )
    if comment is None:
        return redirect(f"{article.get_absolute_url()}#comments")
    return redirect(comment.get_absolute_url(), permanent=True)
