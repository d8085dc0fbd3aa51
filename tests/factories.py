"""Plain factory functions with sensible defaults: override only what a test is about."""

from datetime import timedelta
from itertools import count

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.utils import timezone

from articles.models import Article
from comments import services
from comments.models import Comment, DiscussionSettings

_n = count(1)


def make_user(**overrides):
    n = next(_n)
    fields = {"username": f"user{n}", "email": f"user{n}@example.com", "first_name": f"User {n}"}
    return get_user_model().objects.create(**{**fields, **overrides})


def make_moderator():
    """A staff account with the admin's permissions on comments (the "Moderators" group's)."""
    user = make_user(is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="comments", codename__in=["view_comment", "change_comment"]
    ))  # fmt: skip
    return user


def make_token(user, scope="read"):
    """An API token of ``user`` (#30); returns its secret."""
    from api.models import ApiToken
    from api.services import issue_token

    return issue_token(ApiToken(user=user, name="client", scope=scope))


def make_article(**overrides):
    n = next(_n)
    fields = {
        "title": f"Article {n}",
        "body": f"Body of article {n}.",
        "status": Article.Status.PUBLISHED,
        "published_at": timezone.now() - timedelta(hours=n),
    }
    fields.update(overrides)
    if "author" not in fields:
        fields["author"] = make_user(is_staff=True)
    return Article.objects.create(**fields)


def make_comment(article, parent=None, status=Comment.Status.APPROVED, **overrides):
    """A comment posted through the service (so the tree is right), then given ``status``."""
    n = next(_n)
    fields = {
        "author_name": f"Reader {n}",
        "author_email": f"reader{n}@example.com",
        "body": f"Comment {n}",
    }
    comment = services.post_comment(article=article, parent=parent, **{**fields, **overrides})
    if status != comment.status:  # set directly, so that no moderator appears in its history
        Comment.objects.filter(pk=comment.pk).update(status=status)
        services.refresh_counts([comment.tree_id])
        comment.refresh_from_db()
    return comment


def draw(article):
    """The article's comments as [(body, level), ...] in thread order, every status included."""
    return list(
        Comment.objects.filter(article=article)
        .order_by("tree_id", "lft")
        .values_list("body", "level")
    )


def anchor(comment):
    """Where a comment on the first page of its article's threads is shown."""
    return f"{comment.article.get_absolute_url()}#comment-{comment.pk}"


def redirects_after_posting(comment):
    """A posted comment's redirects: to its permalink, and from there to its place on the page."""
    return [(comment.get_absolute_url(), 302), (anchor(comment), 302)]


def set_rules(**fields):
    """Change the Discussion settings as the admin page would: load the row, set, save."""
    rules = DiscussionSettings.load()
    for name, value in fields.items():
        assert hasattr(rules, name), f"the Discussion settings have no {name!r}"
        setattr(rules, name, value)
    rules.save()
    return rules


def make_threads(article, count, replies=1):
    """``count`` threads "thread 0", "thread 1"... each with ``replies`` replies "reply N.M"."""
    threads = []
    for n in range(count):
        root = make_comment(article, body=f"thread {n}")
        for m in range(replies):
            make_comment(article, parent=root, body=f"reply {n}.{m}")
        threads.append(root)
    return threads
