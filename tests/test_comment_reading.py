"""Reading a discussion: the tree in order, who wrote what, placeholders, one query for it all."""

import pytest

from comments.models import Comment
from comments.services import set_status
from tests.factories import draw, make_article, make_comment, set_rules
from tests.pages import bodies, page_of

pytestmark = pytest.mark.django_db


def test_threads_are_in_order_of_creation_and_replies_under_their_parent(client):
    article = make_article()
    first = make_comment(article, body="first thread")
    second = make_comment(article, body="second thread")
    reply = make_comment(article, parent=first, body="reply to first")
    make_comment(article, parent=second, body="reply to second")
    make_comment(article, parent=reply, body="reply to the reply")
    make_comment(article, parent=first, body="later reply to first")

    assert draw(article) == [
        ("first thread", 0),
        ("reply to first", 1),
        ("reply to the reply", 2),
        ("later reply to first", 1),
        ("second thread", 0),
        ("reply to second", 1),
    ]
    response = client.get(article.get_absolute_url())
    assert bodies(page_of(response)) == [body for body, _ in draw(article)]
    assert "6 comments" in page_of(response)


def test_each_comment_shows_avatar_name_link_date_permalink_and_reply(client):
    article = make_article()
    comment = make_comment(
        article, author_name="Ines", author_url="https://ines.example.net/", body="Hello"
    )
    page = page_of(client.get(article.get_absolute_url()))

    assert f'id="comment-{comment.pk}"' in page
    assert '<a href="https://ines.example.net/" rel="nofollow ugc noopener">Ines</a>' in page
    assert f'<a class="permalink" href="#comment-{comment.pk}"' in page and ">Link</a>" in page
    # The article's own address, also where a refused comment's page is served (#24).
    assert f'href="{article.get_absolute_url()}?replytocom={comment.pk}#respond"' in page
    assert '<svg class="avatar"' in page and "<img" not in page  # no outside avatar service
    assert comment.author_email not in page  # email is never shown


def test_a_name_without_a_website_is_plain_text(client):
    article = make_article()
    make_comment(article, author_name="Quiet Reader")
    page = page_of(client.get(article.get_absolute_url()))
    assert '<span class="comment-author" dir="auto">Quiet Reader</span>' in page


def test_the_articles_author_gets_an_author_badge(client):
    article = make_article()
    make_comment(article, user=article.author, author_name="The Author", body="Thanks all")
    make_comment(article, author_name="Reader", body="Nice")
    page = page_of(client.get(article.get_absolute_url()))
    assert page.count('<span class="badge">Author</span>') == 1
    assert page.count("by-author") == 1


def test_a_removed_comment_with_replies_stays_as_a_placeholder(client):
    article = make_article()
    removed = make_comment(article, body="rude words", author_name="Rude Person")
    make_comment(article, parent=removed, body="a calm answer")
    make_comment(article, body="a removed leaf", status=Comment.Status.REMOVED)
    set_status(Comment.objects.filter(pk=removed.pk), Comment.Status.REMOVED)

    page = page_of(client.get(article.get_absolute_url()))
    assert "This comment was removed." in page
    assert "rude words" not in page and "a removed leaf" not in page
    assert "Rude Person" not in page  # not even in the placeholder's label
    assert "a calm answer" in page
    assert "1 comment" in page  # placeholders are not counted


def test_a_placeholder_deep_in_a_thread_keeps_every_level(client):
    article = make_article()
    top = make_comment(article, body="top")
    middle = make_comment(article, parent=top, body="middle")
    make_comment(article, parent=middle, body="bottom")
    set_status(Comment.objects.filter(pk=middle.pk), Comment.Status.SPAM)
    page = page_of(client.get(article.get_absolute_url()))
    # three nested lists: top > placeholder > bottom
    assert page.count('<ol class="comment-list">') == 3
    assert page.index("top") < page.index("This comment was removed.") < page.index("bottom")


def test_a_spam_comment_without_replies_is_not_shown(client):
    article = make_article()
    make_comment(article, body="buy now", status=Comment.Status.SPAM)
    page = page_of(client.get(article.get_absolute_url()))
    assert "buy now" not in page and "This comment was removed." not in page
    assert "No comments yet" in page


def test_comment_markup_is_rendered_and_made_safe(client):
    article = make_article()
    make_comment(
        article,
        body="*calm* <script>alert(1)</script> see https://example.org/x and "
        "[bad](javascript:alert(1)) `code`",
    )
    page = page_of(client.get(article.get_absolute_url()))
    assert "<em>calm</em>" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert '<a href="https://example.org/x" rel="nofollow ugc noopener">' in page
    assert 'href="javascript:' not in page  # left as plain text, not a link
    assert "<code>code</code>" in page


@pytest.mark.parametrize("size", [5, 500])
def test_the_article_page_makes_the_same_queries_for_5_and_500_comments(
    client, django_assert_num_queries, size
):
    article = make_article()
    set_rules(threads_per_page=1000, comments_per_page=10_000)  # the whole discussion on one page
    shallow = []
    for n in range(size):
        parent = shallow[n % len(shallow)] if n % 3 and shallow else None
        comment = make_comment(article, parent=parent, body=f"c{n}")
        if comment.level < 2:
            shallow.append(comment)
    # the article's versions (what a kept page needs, #17), the article with its stored counts,
    # the discussion settings, the page of threads, the outline of those threads and the
    # comments the page shows (#29): six queries whatever the size
    with django_assert_num_queries(6):
        response = client.get(article.get_absolute_url())
    assert page_of(response).count('class="comment-body"') == size


def test_the_first_page_of_threads_costs_the_same_queries_as_a_small_discussion(
    client, django_assert_num_queries
):
    article = make_article()
    for n in range(120):
        make_comment(article, parent=None, body=f"thread {n}")
    with django_assert_num_queries(6):
        response = client.get(article.get_absolute_url())
    assert page_of(response).count('class="comment-body"') == 20  # threads_per_page


def test_the_front_page_makes_the_same_queries_whatever_the_comment_count(
    client, django_assert_num_queries
):
    for n in range(3):
        article = make_article()
        for _ in range(n * 4):
            make_comment(article)
    with django_assert_num_queries(2):  # count for the paginator, then the page of articles
        client.get("/")


def test_the_permalink_redirects_to_the_comments_place_on_its_article(client):
    article = make_article()
    comment = make_comment(article)
    response = client.get(f"/comments/{comment.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"{article.get_absolute_url()}#comment-{comment.pk}"
    assert client.get("/comments/999999/").status_code == 404
