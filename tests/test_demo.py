"""`manage.py demo`, which `make run` calls on every start, with the site's real default rules."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from articles.models import Article
from comments.models import Comment, DiscussionSettings
from tests.factories import draw
from tests.pages import page_of

pytestmark = pytest.mark.django_db

PRODUCTION_DEFAULTS = {
    "flood_seconds": 15,
    "new_author_flood_seconds": 30,
    "min_fill_seconds": 3,
    "login_failure_limit": 5,
    "login_lockout_minutes": 15,
}


@pytest.fixture(autouse=True)
def production_rules(settings):
    settings.DISCUSSION_DEFAULTS = PRODUCTION_DEFAULTS


def demo(**options):
    out = StringIO()
    call_command("demo", stdout=out, **options)
    return out.getvalue()


def test_the_demo_loads_articles_and_a_two_thread_discussion_under_the_real_rules(
    client, monkeypatch
):
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    output = demo()

    assert "Loaded 3 articles and 6 comments." in output
    assert "Admin login: user 'admin', password '" in output
    first = Article.objects.order_by("-published_at").first()
    assert [level for _, level in draw(first)] == [0, 1, 2, 0, 1, 2]
    assert set(Comment.objects.values_list("status", flat=True)) == {Comment.Status.APPROVED}
    author = get_user_model().objects.get(username="admin")
    assert Comment.objects.filter(user=author).count() == 2  # the author replies in both threads
    assert Comment.objects.exclude(author_url="").exists()
    assert Comment.objects.filter(author_url="", user=None).exists()
    assert "6 comments… add one" in page_of(client.get("/"))
    # The rules the demo switched off while writing are back as they were.
    rules = DiscussionSettings.load()
    assert (rules.flood_seconds, rules.new_author_flood_seconds) == (15, 30)


def test_running_the_demo_again_changes_nothing_and_prints_no_password(monkeypatch):
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    demo()
    again = demo()
    assert "Articles exist already" in again and "password" not in again
    assert (Article.objects.count(), Comment.objects.count()) == (3, 6)


def test_the_superuser_password_can_be_chosen(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a chosen passphrase")
    output = demo()
    assert "a chosen passphrase" not in output
    assert get_user_model().objects.get(username="admin").check_password("a chosen passphrase")


def test_each_demo_comment_shows_its_own_date_and_newest_first_is_in_date_order(client):
    demo()
    article = Article.objects.order_by("-published_at").first()
    comments = list(Comment.objects.filter(article=article).order_by("created_at"))

    page = page_of(client.get(article.get_absolute_url()))
    # The header stored when each was posted named the minute the demo ran (#24).
    for comment in comments:
        assert f'<time datetime="{comment.created_at.isoformat()}">' in page
    assert len({c.created_at for c in comments}) == len(comments)
    newest = page_of(client.get(article.get_absolute_url(), {"sort": "newest"}))
    roots = [c for c in comments if c.parent_id is None]
    assert newest.index(roots[1].body[:40]) < newest.index(roots[0].body[:40])
