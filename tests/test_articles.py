"""Articles: the front page, drafts and scheduling, Markdown, slugs and the admin."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from articles.models import Article
from comments.models import Comment
from tests.factories import make_article, make_comment, make_user
from tests.pages import page_of

pytestmark = pytest.mark.django_db


def test_front_page_lists_published_articles_newest_first_with_comment_counts(client):
    old = make_article(title="Old news", published_at=timezone.now() - timedelta(days=9))
    new = make_article(title="Fresh news", published_at=timezone.now() - timedelta(hours=1))
    middle = make_article(title="Middle news", published_at=timezone.now() - timedelta(days=2))
    for _ in range(6):
        make_comment(new)
    make_comment(middle)
    make_comment(middle, status=Comment.Status.SPAM)

    page = page_of(client.get("/"))
    assert page.index("Fresh news") < page.index("Middle news") < page.index("Old news")
    assert f'href="{new.get_absolute_url()}#comments">6 comments… add one' in page
    assert f'href="{middle.get_absolute_url()}#comments">1 comment… add one' in page
    assert f'href="{old.get_absolute_url()}#comments">No comments… add one' in page


def test_front_page_shows_title_author_date_and_excerpt(client):
    author = make_user(first_name="Ada", last_name="Byron", is_staff=True)
    make_article(title="On engines", author=author, body="First paragraph.\n\nSecond one.")
    make_article(title="With excerpt", excerpt="A hand-written teaser.", body="Long body")
    page = page_of(client.get("/"))
    author_link = f'<a href="/author/{author.username}/" rel="author">Ada Byron</a>'
    assert f"By {author_link}" in page and "<time datetime=" in page  # links to archives (#28)
    assert "<p>First paragraph.</p>\n\n<p>Second one.</p>" in page  # breaks kept (#24)
    assert "A hand-written teaser." in page and "Long body" not in page


def test_an_excerpt_keeps_its_headings_and_paragraphs_apart(client):
    make_article(body="The first point.\n\n## A heading\n\n- one item\n- another *item*")
    page = page_of(client.get("/"))
    excerpt = page.split('<div class="excerpt">', 1)[1].split("</div>", 1)[0]
    assert excerpt == (
        "<p>The first point.</p>\n\n<p>A heading</p>\n\n<p>one item</p>\n\n<p>another item</p>"
    )


def test_the_upgrade_stores_the_summaries_of_earlier_articles_with_their_breaks():
    upgrade = importlib.import_module("articles.migrations.0006_summaries_keep_breaks")
    older = make_article(body="The first point.\n\n## A heading")
    teaser = make_article(body="Long body", excerpt="A hand-written teaser.")
    Article.objects.filter(pk=older.pk).update(summary="The first point. A heading")  # as before

    upgrade.resummarise(apps, None)

    older.refresh_from_db()
    teaser.refresh_from_db()
    assert older.summary == "The first point.\n\nA heading"
    assert teaser.summary == "A hand-written teaser."


def test_an_article_says_how_many_comments_it_has_and_where_to_leave_one(client):
    article = make_article()
    make_comment(article)
    make_comment(article)
    page = page_of(client.get(article.get_absolute_url()))
    links = page.split('<p class="article-links">', 1)[1].split("</p>", 1)[0]
    assert links == '<a href="#comments">2 comments</a> · <a href="#respond">Leave a comment</a>'
    assert page.index("article-links") < page.index('class="article-body"')  # by the title
    assert '<a class="skip-link" href="#respond">Skip to the comment form</a>' in page

    closed = make_article(comments_open=False)
    page = page_of(client.get(closed.get_absolute_url()))
    assert '<a href="#comments">No comments</a></p>' in page
    assert "Leave a comment" not in page and "Skip to the comment form" not in page


def test_a_visible_subscribe_link_leads_to_a_page_of_feeds(client):
    article = make_article()
    page = page_of(client.get(article.get_absolute_url()))
    assert '<a href="/subscribe/">Subscribe</a>' in page  # in the footer of every page
    assert f'<a href="{article.get_absolute_url()}comments/feed/"' in page
    page = page_of(client.get("/subscribe/"))
    for feed in ("/feed/", "/feed/rss/", "/comments/feed/", "/comments/feed/rss/"):
        assert f'href="{feed}"' in page
    assert "http://testserver/feed/" in page  # the address to copy into a feed reader


def test_front_page_shows_twenty_articles_a_page(client):
    for _ in range(23):
        make_article()
    first, second = client.get("/"), client.get("/?page=2")
    assert page_of(first).count('class="article-summary"') == 20
    assert page_of(second).count('class="article-summary"') == 3
    assert client.get("/?page=99").status_code == 200  # out of range: the last page
    assert client.get("/?page=abc").status_code == 200


def test_drafts_and_future_articles_are_invisible_to_readers(client):
    draft = make_article(title="Secret draft", status=Article.Status.DRAFT, published_at=None)
    future = make_article(title="Tomorrow", published_at=timezone.now() + timedelta(days=1))
    page = page_of(client.get("/"))
    assert "Secret draft" not in page and "Tomorrow" not in page
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(future.get_absolute_url()).status_code == 404


def test_staff_see_drafts_and_scheduled_articles_with_a_banner(client):
    client.force_login(make_user(is_staff=True))
    draft = make_article(status=Article.Status.DRAFT, published_at=None)
    future = make_article(published_at=timezone.now() + timedelta(days=1))
    assert "Draft: only staff can see this article." in page_of(
        client.get(draft.get_absolute_url())
    )
    assert "Scheduled: readers will see" in page_of(client.get(future.get_absolute_url()))


def test_article_url_has_year_month_and_slug_and_a_wrong_date_redirects(client):
    article = make_article(title="Dates matter", published_at=timezone.now() - timedelta(days=1))
    date = timezone.localtime(article.published_at)
    assert article.get_absolute_url() == f"/{date.year}/{date.month}/dates-matter/"
    response = client.get("/1999/1/dates-matter/")
    assert response.status_code == 301 and response["Location"] == article.get_absolute_url()
    assert client.get("/1999/1/no-such-article/").status_code == 404


def test_slugs_are_made_from_the_title_and_kept_unique():
    first = make_article(title="Hello, World!")
    second = make_article(title="Hello World")
    chosen = make_article(title="Anything", slug="my-own-slug")
    assert (first.slug, second.slug, chosen.slug) == ("hello-world", "hello-world-2", "my-own-slug")


def test_markdown_body_is_rendered_once_and_sanitised():
    article = make_article(
        body="## Heading\n\n*em* [link](https://example.org) ![alt](https://example.org/a.png)\n\n"
        "> quote\n\n- item\n\n`code`\n\n<script>alert(1)</script> [x](javascript:alert(1))"
    )
    html = article.body_html
    assert "<h2>Heading</h2>" in html and "<em>em</em>" in html
    assert '<a href="https://example.org" rel="noopener">link</a>' in html
    assert '<img src="https://example.org/a.png" alt="alt">' in html
    assert "<blockquote>" in html and "<li>item</li>" in html and "<code>code</code>" in html
    assert "<script>" not in html and 'href="javascript:' not in html


def test_publishing_without_a_date_stamps_it_now():
    article = make_article(status=Article.Status.PUBLISHED, published_at=None)
    assert article.published_at is not None and article.is_published()


def test_admin_lists_searches_and_creates_articles_with_the_current_user_as_author(admin_client):
    make_article(title="Gardening notes")
    changelist = admin_client.get("/admin/articles/article/?q=Gardening")
    assert changelist.status_code == 200 and "Gardening notes" in page_of(changelist)
    assert admin_client.get("/admin/articles/article/?status__exact=draft").status_code == 200

    response = admin_client.post(
        "/admin/articles/article/add/",
        {"title": "From the admin", "slug": "", "body": "Hi **there**", "excerpt": "",
         "status": "published", "published_at_0": "", "published_at_1": "", "comments_open": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    article = Article.objects.get(title="From the admin")
    assert article.author.username == "admin" and article.slug == "from-the-admin"
    assert article.body_html == "<p>Hi <strong>there</strong></p>\n"
    change = page_of(admin_client.get(f"/admin/articles/article/{article.pk}/change/"))
    assert "View on site" in change


def test_a_closed_article_on_the_front_page_does_not_invite_comments(client):
    article = make_article()
    make_comment(article)
    Article.objects.filter(pk=article.pk).update(comments_open=False)
    page = page_of(client.get("/"))
    assert f'href="{article.get_absolute_url()}#comments">1 comment</a>' in page
