"""Background tasks of the comments app (issue #13), run by `manage.py db_worker`."""

from django_tasks import task

from articles.models import Article
from comments.models import Comment
from comments.services import notifying


@task()
def announce_comments(comment_ids):
    """Queue the mail newly shown comments cause, for those still shown."""
    comments = Comment.objects.approved().select_related("article__author", "parent", "user")
    for comment in comments.filter(pk__in=comment_ids).order_by("pk"):
        notifying.announce(comment)


@task()
def send_new_comments(article_id):
    article = Article.objects.select_related("author").filter(pk=article_id).first()
    return notifying.send_new_comments(article) if article else 0


@task()
def tell_moderators(comment_id):
    comment = Comment.objects.select_related("article").filter(pk=comment_id).first()
    if comment is not None:
        notifying.tell_moderators(comment)


@task()
def send_moderator_digest():
    return notifying.send_moderator_digest()
