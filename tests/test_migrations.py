"""Migrations: every model change has one, and a site made before the articles app (#11)
upgrades with every row, id, tree, permission and URL kept."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from articles.models import Article
from comments import trees
from comments.models import Ban, Comment, DiscussionSettings, ModerationLog, Report
from core import freshness
from tests.pages import page_of, shows

# The newest migrations of the code before the articles app, the moment of the upgrade.
BEFORE = [("forum", "0002_comment_counts"), ("comments", "0006_counts_and_rendered_html")]


@pytest.mark.django_db
def test_every_model_change_has_a_migration():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out)
    except SystemExit:
        pytest.fail(
            f"A model change has no migration: run manage.py makemigrations\n{out.getvalue()}"
        )


@pytest.fixture
def old_schema(transactional_db):
    """The database as the code before #11 left it; migrated forward again afterwards."""
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate([*BEFORE, ("articles", None)])
    yield MigrationExecutor(connection).loader.project_state(BEFORE).apps
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes() or latest)


def make_old_site(apps):
    """Articles, a thread with a reply, a ban, a report, a log entry and a staff member who may
    edit articles, written with the models as they were."""
    User = apps.get_model("auth", "User")
    Permission = apps.get_model("auth", "Permission")
    OldArticle = apps.get_model("forum", "Article")
    OldComment = apps.get_model("comments", "Comment")
    now = timezone.now()
    editor = User.objects.create(username="editor", email="editor@example.com", is_staff=True)
    editor.user_permissions.add(
        Permission.objects.get(content_type__app_label="forum", codename="change_article")
    )
    article = OldArticle.objects.create(
        title="Before the move", slug="before-the-move", author=editor, body="Old *text*.",
        body_html="<p>Old <em>text</em>.</p>", summary="Old text.", status="published",
        published_at=now, comment_count=2, thread_count=1, comments_version=3,
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('comments_comment_tree_id_seq')")
        tree_id = cursor.fetchone()[0]
    common = {"article": article, "author_email": "ann@example.com", "created_at": now,
              "tree_id": tree_id, "status": "approved"}  # fmt: skip
    root = OldComment.objects.create(
        author_name="Ann", body="First!", body_html="<p>First!</p>", lft=1, rght=4, level=0,
        thread_comment_count=2, header_html="<span>old header</span>", **common,
    )  # fmt: skip
    reply = OldComment.objects.create(
        author_name="Ben", body="A reply.", body_html="<p>A reply.</p>", parent=root, lft=2,
        rght=3, level=1, **common,
    )  # fmt: skip
    apps.get_model("comments", "Ban").objects.create(email="spam@example.com", reason="spam")
    apps.get_model("comments", "Report").objects.create(
        comment=reply, reason="off-topic", reporter="session:abc"
    )
    apps.get_model("comments", "ModerationLog").objects.create(
        comment=reply, from_status="pending", to_status="approved", reason="looks fine"
    )
    apps.get_model("comments", "DiscussionSettings").objects.create(pk=1, max_links=7)
    return article.pk, root.pk, reply.pk


def test_a_site_made_before_the_articles_app_upgrades_with_nothing_lost(old_schema, client):
    article_id, root_id, reply_id = make_old_site(old_schema)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    article = Article.objects.get()
    assert (article.pk, article.slug, article.comment_count, article.thread_count) == (
        article_id, "before-the-move", 2, 1,
    )  # fmt: skip
    assert list(Comment.objects.order_by("lft").values_list("pk", "parent_id", "level")) == [
        (root_id, None, 0),
        (reply_id, root_id, 1),
    ]
    assert trees.tree_errors() == []
    # Headers are rendered again from today's template, at today's markup version.
    for comment in Comment.objects.all():
        assert comment.markup_version == freshness.MARKUP_VERSION
        author = f'<span class="comment-author" dir="auto">{comment.author_name}</span>'
        assert author in comment.header_html
    assert Ban.objects.get().email == "spam@example.com"
    assert Report.objects.get().comment_id == reply_id
    assert ModerationLog.objects.get().reason == "looks fine"
    assert DiscussionSettings.load().max_links == 7
    editor = get_user_model().objects.get(username="editor")
    assert editor.has_perm("articles.change_article")

    # The old URLs answer the same pages.
    page = page_of(client.get(article.get_absolute_url()))
    assert "2 comments" in page and shows(page, Comment(pk=root_id)) and "A reply." in page
    assert client.get(f"/comments/{reply_id}/").url == (
        f"{article.get_absolute_url()}#comment-{reply_id}"
    )
    client.force_login(get_user_model().objects.create(username="boss", is_staff=True,
                                                        is_superuser=True))  # fmt: skip
    assert client.get(f"/admin/forum/article/{article_id}/change/").url == (
        f"/admin/articles/article/{article_id}/change/"
    )
    assert "Before the move" in page_of(client.get(f"/admin/articles/article/{article_id}/change/"))
    # New posts go on from the old ids.
    assert Article.objects.create(title="After", author=editor, body="x").pk > article_id


def test_an_upgraded_site_folds_none_of_the_comments_it_showed(transactional_db):
    """#24: "replies shown per thread" becomes a page budget of at least what a page of
    threads could show before, so each thread still shows at least as many replies."""
    from importlib import import_module

    upgrade = import_module("comments.migrations.0019_comments_per_page").Migration
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(upgrade.dependencies)
    apps = MigrationExecutor(connection).loader.project_state(upgrade.dependencies).apps
    old = apps.get_model("comments", "DiscussionSettings")
    old.objects.update_or_create(pk=1, defaults={"threads_per_page": 50, "replies_shown": 5})
    try:
        MigrationExecutor(connection).migrate(latest)
        assert DiscussionSettings.load().comments_per_page == 50 * (5 + 1)
    finally:
        MigrationExecutor(connection).migrate(latest)
