"""Long discussions (issue #5): pages of threads, sorting, permalinks into later pages, deep
threads continued on their own page, the preview, repeated comments, and the article's head.
"""

import html
import re
from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from comments.models import Comment
from comments.services import delete_comment, set_status
from tests.factories import draw, make_article, make_comment, make_user, set_rules
from tests.pages import bodies, form_errors, heading, page_of, submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rules")]


def page_number(page):
    """The numbers of "Page X of Y" under the comments, or None when there is one page."""
    found = re.search(r"<span>Page (\d+) of (\d+)</span>", page)
    return (int(found.group(1)), int(found.group(2))) if found else None


def page_link(page, rel):
    """The href of the "prev" or "next" page link, as the browser reads it; None if absent."""
    found = re.search(rf'<a href="([^"]*)" rel="{rel}">', page)
    return html.unescape(found.group(1)) if found else None


def hrefs(page, css_class):
    """The hrefs of every link with this class ("reply", "permalink"), as the browser reads them."""
    return [html.unescape(h) for h in re.findall(rf'<a class="{css_class}" href="([^"]*)"', page)]


def make_threads(article, count, replies=1):
    """``count`` threads "thread 0", "thread 1"... each with ``replies`` replies "reply N.M"."""
    threads = []
    for n in range(count):
        root = make_comment(article, body=f"thread {n}")
        for m in range(replies):
            make_comment(article, parent=root, body=f"reply {n}.{m}")
        threads.append(root)
    return threads


def by_body(body):
    return Comment.objects.get(body=body)


def make_chain(article, levels, parent=None):
    """Replies one under the other, ``levels`` deep below ``parent``: "depth 0", "depth 1"..."""
    chain = []
    for _ in range(levels):
        level = 0 if parent is None else parent.level + 1
        parent = make_comment(article, parent=parent, body=f"depth {level}")
        chain.append(parent)
    return chain


def thread_url(comment):
    return reverse("comments:thread", args=[comment.pk])


def permalink(comment):
    return reverse("comments:permalink", args=[comment.pk])


# Pages of threads


def test_threads_are_paginated_with_all_their_replies(client):
    set_rules(threads_per_page=2)
    article = make_article()
    make_threads(article, 5)
    make_comment(article, parent=by_body("reply 0.0"), body="reply to reply 0.0")
    url = article.get_absolute_url()

    page = page_of(client.get(url))
    assert bodies(page) == ["thread 0", "reply 0.0", "reply to reply 0.0", "thread 1", "reply 1.0"]
    assert page_number(page) == (1, 3)
    assert page_link(page, "prev") is None
    assert page_link(page, "next") == f"{url}?page=2#comments"
    assert "Next comments →</a>" in page

    page = page_of(client.get(f"{url}?page=2"))
    assert bodies(page) == ["thread 2", "reply 2.0", "thread 3", "reply 3.0"]
    assert page_number(page) == (2, 3)
    assert page_link(page, "prev") == f"{url}?page=1#comments"
    assert page_link(page, "next") == f"{url}?page=3#comments"
    assert "← Previous comments</a>" in page

    page = page_of(client.get(f"{url}?page=3"))
    assert bodies(page) == ["thread 4", "reply 4.0"]
    assert page_number(page) == (3, 3)
    assert page_link(page, "next") is None
    assert page_link(page, "prev") == f"{url}?page=2#comments"


def test_the_page_links_sit_under_the_comments_and_above_the_form(client):
    set_rules(threads_per_page=2)
    article = make_article()
    make_threads(article, 3)
    page = page_of(client.get(article.get_absolute_url()))
    last_comment = page.rindex('class="comment-body"')
    assert last_comment < page.index('<nav class="pagination"') < page.index('id="respond"')


def test_a_single_page_of_threads_has_no_page_links(client):
    set_rules(threads_per_page=3, comments_per_page=10_000)
    article = make_article()
    make_threads(article, 3, replies=4)
    page = page_of(client.get(article.get_absolute_url()))
    assert len(bodies(page)) == 15
    assert page_number(page) is None
    assert 'class="pagination"' not in page


def test_the_heading_counts_every_approved_comment_on_every_page(client):
    set_rules(threads_per_page=2)
    article = make_article()
    make_threads(article, 3, replies=2)  # 9 comments
    make_comment(article, body="spam", status=Comment.Status.SPAM)
    make_comment(article, body="held", status=Comment.Status.PENDING)
    url = article.get_absolute_url()
    for query in ("", "?page=2", "?sort=newest&page=2", "?sort=replies"):
        assert heading(page_of(client.get(url + query))) == "9 comments"


def test_an_empty_page_parameter_is_the_first_page(client):
    set_rules(threads_per_page=2)
    article = make_article()
    make_threads(article, 5)
    page = page_of(client.get(f"{article.get_absolute_url()}?page="))
    assert page_number(page) == (1, 3) and bodies(page)[0] == "thread 0"


@pytest.mark.parametrize(
    "query", ["page=abc", "page=1.5", "page=2%00", "page=4", "page=0", "page=-1",
              "page=99999999999999999999999", "sort=junk", "page=7&sort=replies"],
)  # fmt: skip
def test_a_page_or_order_that_does_not_exist_is_a_404_in_the_sites_layout(client, query):
    """Not the first or last page under an address of its own: such pages were kept in
    memory and pushed popular pages out (#23)."""
    set_rules(threads_per_page=2)
    article = make_article()
    make_threads(article, 5)
    response = client.get(f"{article.get_absolute_url()}?{query}")
    assert response.status_code == 404
    assert "Page not found" in page_of(response) or "not found" in page_of(response).lower()


def test_a_discussion_without_comments_has_its_first_page(client):
    article = make_article()
    response = client.get(f"{article.get_absolute_url()}?sort=replies")
    assert response.status_code == 200
    page = page_of(response)
    assert heading(page) == "No comments yet"
    assert page_number(page) is None and bodies(page) == []


# Sorting


def sorting_fixture(article):
    """Threads a (1 reply), b (3), c (0), d (3, later than b), created in that order."""
    for name, replies in (("a", 1), ("b", 3), ("c", 0), ("d", 3)):
        root = make_comment(article, body=f"thread {name}")
        parent = root
        for n in range(replies):
            reply = make_comment(article, parent=parent, body=f"{name}{n}")
            if name == "b":
                parent = reply  # b's replies nest, d's are siblings: both count in full


SORTED = {
    "": ["thread a", "a0", "thread b", "b0", "b1", "b2", "thread c", "thread d", "d0", "d1", "d2"],
    "?sort=oldest": [
        "thread a", "a0", "thread b", "b0", "b1", "b2", "thread c", "thread d", "d0", "d1", "d2",
    ],
    "?sort=newest": [
        "thread d", "d0", "d1", "d2", "thread c", "thread b", "b0", "b1", "b2", "thread a", "a0",
    ],
    "?sort=replies": [
        "thread b", "b0", "b1", "b2", "thread d", "d0", "d1", "d2", "thread a", "a0", "thread c",
    ],
}  # fmt: skip


@pytest.mark.parametrize("query", SORTED)
def test_threads_can_be_sorted_by_oldest_newest_or_most_replies(client, query):
    article = make_article()
    sorting_fixture(article)
    page = page_of(client.get(article.get_absolute_url() + query))
    assert bodies(page) == SORTED[query]
    label = {"?sort=newest": "Newest first", "?sort=replies": "Most replies"}.get(query)
    assert f'<strong aria-current="true">{label or "Oldest first"}</strong>' in page


@pytest.mark.parametrize("value", ["bogus", "NEWEST", "-created_at", "replies%00"])
def test_an_unknown_sort_is_a_404(client, value):
    article = make_article()
    make_threads(article, 3)
    assert client.get(f"{article.get_absolute_url()}?sort={value}").status_code == 404


def test_an_empty_sort_is_the_default_order(client):
    set_rules(threads_per_page=2)
    article = make_article()
    make_threads(article, 3)
    response = client.get(f"{article.get_absolute_url()}?sort=")
    assert response.status_code == 200
    page = page_of(response)
    assert bodies(page) == ["thread 0", "reply 0.0", "thread 1", "reply 1.0"]
    assert '<strong aria-current="true">Oldest first</strong>' in page
    assert page_link(page, "next") == f"{article.get_absolute_url()}?page=2#comments"
    assert "sort=" not in "".join(hrefs(page, "reply") + hrefs(page, "permalink"))


def test_the_sort_links_offer_the_other_orders(client):
    article = make_article()
    make_threads(article, 2)
    page = page_of(client.get(f"{article.get_absolute_url()}?sort=replies&page=1"))
    links = re.search(r'<nav class="sort".*?</nav>', page).group(0)
    url = article.get_absolute_url()
    assert f'<a href="{url}#comments" rel="nofollow">Oldest first</a>' in links
    assert f'<a href="{url}?sort=newest#comments" rel="nofollow">Newest first</a>' in links
    assert '<strong aria-current="true">Most replies</strong>' in links


def test_the_sort_is_kept_in_page_links_reply_links_and_permalinks(client):
    set_rules(threads_per_page=2)
    article = make_article()
    threads = make_threads(article, 5)  # newest first: 4 3 | 2 1 | 0
    url = article.get_absolute_url()

    page = page_of(client.get(f"{url}?sort=newest&page=2"))

    shown = [threads[2], by_body("reply 2.0"), threads[1], by_body("reply 1.0")]
    assert bodies(page) == ["thread 2", "reply 2.0", "thread 1", "reply 1.0"]
    assert page_link(page, "prev") == f"{url}?sort=newest&page=1#comments"
    assert page_link(page, "next") == f"{url}?sort=newest&page=3#comments"
    assert hrefs(page, "reply") == [
        f"{url}?sort=newest&page=2&replytocom={c.pk}#respond" for c in shown
    ]
    assert hrefs(page, "permalink") == [f"{url}?sort=newest&page=2#comment-{c.pk}" for c in shown]

    # following a Reply link keeps the reader on the same page, in the same order
    page = page_of(client.get(f"{url}?sort=newest&page=2&replytocom={threads[1].pk}"))
    assert bodies(page) == ["thread 2", "reply 2.0", "thread 1", "reply 1.0"]
    assert re.search(r'<h2 id="reply-title"[^>]*>Reply to ([^<]*)</h2>', page).group(1) == (
        threads[1].author_name
    )
    assert f'name="parent" value="{threads[1].pk}"' in page
    assert hrefs(page, "cancel-reply") == [f"{url}?sort=newest&page=2#respond"]


def test_the_first_page_in_oldest_order_keeps_plain_links(client):
    set_rules(threads_per_page=2)
    article = make_article()
    first, *_ = make_threads(article, 3)
    page = page_of(client.get(article.get_absolute_url()))
    url = article.get_absolute_url()
    assert hrefs(page, "reply")[0] == f"{url}?replytocom={first.pk}#respond"
    assert hrefs(page, "permalink")[0] == f"#comment-{first.pk}"

    page = page_of(client.get(f"{article.get_absolute_url()}?page=2"))
    third = Comment.objects.get(body="thread 2")
    assert hrefs(page, "permalink")[0] == f"{url}?page=2#comment-{third.pk}"
    assert hrefs(page, "reply")[0] == f"{url}?page=2&replytocom={third.pk}#respond"


@pytest.mark.parametrize("value", ["abc", "²", "٠", "99999999999999999999999", "-1", ""])
def test_a_junk_replytocom_offers_a_new_comment(client, value):
    article = make_article()
    make_threads(article, 1)
    response = client.get(f"{article.get_absolute_url()}?replytocom={value}")
    assert response.status_code == 200
    page = page_of(response)
    assert ">Leave a Comment</h2>" in page
    assert 'name="parent" value=""' in page


# Permalinks and posting into later pages


def test_a_permalink_to_a_comment_on_page_3_leads_to_page_3(client):
    set_rules(threads_per_page=2)
    article = make_article()
    threads = make_threads(article, 6)
    fifth = threads[4]
    reply = by_body("reply 4.0")
    deeper = make_comment(article, parent=reply, body="deeper")
    url = article.get_absolute_url()

    for comment in (fifth, reply, deeper):
        response = client.get(permalink(comment), follow=True)
        assert response.redirect_chain[-1:] == [(f"{url}?page=3#comment-{comment.pk}", 302)]
        page = page_of(response)
        assert f'id="comment-{comment.pk}"' in page
        assert page_number(page) == (3, 3)

    response = client.get(permalink(threads[1]))
    assert response["Location"] == f"{url}#comment-{threads[1].pk}"
    third_reply = by_body("reply 2.0")
    response = client.get(permalink(third_reply))
    assert response["Location"] == f"{url}?page=2#comment-{third_reply.pk}"


def test_a_permalink_counts_only_threads_a_reader_sees(client):
    set_rules(threads_per_page=2)
    article = make_article()
    make_comment(article, body="spam", status=Comment.Status.SPAM)
    make_comment(article, body="removed", status=Comment.Status.REMOVED)
    threads = make_threads(article, 3)
    response = client.get(permalink(threads[1]))
    assert response["Location"] == f"{article.get_absolute_url()}#comment-{threads[1].pk}"


def test_a_reply_posted_into_a_thread_on_page_3_leads_back_to_page_3(client):
    set_rules(threads_per_page=2)
    article = make_article()
    threads = make_threads(article, 6)
    url = article.get_absolute_url()

    response = submit(client, article, parent=str(threads[5].pk), body="late to the party")

    reply = Comment.objects.get(body="late to the party")
    assert reply.parent == threads[5]
    assert response.redirect_chain[-1:] == [(f"{url}?page=3#comment-{reply.pk}", 302)]
    page = page_of(response)
    assert bodies(page) == ["thread 4", "reply 4.0", "thread 5", "reply 5.0", "late to the party"]
    assert heading(page) == "13 comments"


def test_a_new_thread_leads_to_the_last_page(client):
    set_rules(threads_per_page=2)
    article = make_article()
    make_threads(article, 6)

    response = submit(client, article, body="a new thread")

    comment = Comment.objects.get(body="a new thread")
    url = article.get_absolute_url()
    assert response.redirect_chain[-1:] == [(f"{url}?page=4#comment-{comment.pk}", 302)]
    assert bodies(page_of(response)) == ["a new thread"]
    assert page_number(page_of(response)) == (4, 4)


def test_a_held_new_thread_is_on_a_page_only_its_writer_has(client):
    set_rules(hold_first_comment=True, threads_per_page=2)
    article = make_article()
    make_threads(article, 4)

    response = submit(client, article, body="please let me in")

    held = Comment.objects.get(body="please let me in")
    assert held.status == Comment.Status.PENDING
    url = article.get_absolute_url()
    assert response.redirect_chain[-1:] == [(f"{url}?page=3#comment-{held.pk}", 302)]
    page = page_of(response)
    assert page_number(page) == (3, 3)
    assert "Your comment is awaiting moderation." in page
    assert heading(page) == "8 comments"

    other = Client().get(f"{url}?page=3")
    assert other.status_code == 404  # no third page for anyone else
    assert "please let me in" not in page_of(other)


# Deep threads: "N more replies" under the comment at the last level shown


def deeper(comment, first, count):
    """The link under ``comment`` to its thread page, where its deeper replies show."""
    more = f"{count} more {'reply' if count == 1 else 'replies'}"
    return f'<a href="{thread_url(comment)}#comment-{first.pk}" rel="nofollow">{more}</a>'


def test_a_thread_deeper_than_six_levels_continues_on_its_own_page(client):
    set_rules(comments_per_page=10_000)  # every reply on the page of threads
    article = make_article()
    chain = make_chain(article, 8)  # levels 0 to 7
    make_comment(article, parent=chain[4], body="a depth 5 leaf")
    url = article.get_absolute_url()

    page = page_of(client.get(url))

    assert bodies(page) == [f"depth {n}" for n in range(6)] + ["a depth 5 leaf"]
    assert "depth 6" not in page and "depth 7" not in page
    assert f'id="comment-{chain[6].pk}"' not in page
    assert page.count("more-replies") == 1
    assert deeper(chain[5], chain[6], 2) in page
    assert heading(page) == "9 comments"  # replies shown elsewhere are still counted

    response = client.get(thread_url(chain[5]))

    assert response.status_code == 200
    page = page_of(response)
    assert bodies(page) == ["depth 5", "depth 6", "depth 7"]
    assert "more-replies" not in page
    assert f'<a href="{url}#comments">← Back to “{article.title}”</a>' in page
    assert f'<a href="{permalink(chain[4])}">Up to the parent comment</a>' in page
    assert f"A thread started by {chain[5].author_name}" in page

    # "Up to the parent comment" goes back to the article page, at the parent
    response = client.get(permalink(chain[4]), follow=True)
    assert response.redirect_chain[-1:] == [(f"{url}#comment-{chain[4].pk}", 302)]


def test_the_thread_page_of_a_top_level_comment_has_no_parent_link(client):
    article = make_article()
    chain = make_chain(article, 3)
    page = page_of(client.get(thread_url(chain[0])))
    assert bodies(page) == ["depth 0", "depth 1", "depth 2"]
    assert "Up to the parent comment" not in page
    assert f'<a class="permalink" href="#comment-{chain[1].pk}"' in page
    assert f'href="{thread_url(chain[0])}?replytocom={chain[1].pk}#respond"' in page


def test_the_thread_page_shows_six_levels_from_its_own_root_then_continues(client):
    set_rules(max_depth=15)
    article = make_article()
    chain = make_chain(article, 13)  # levels 0 to 12

    page = page_of(client.get(thread_url(chain[5])))

    assert bodies(page) == [f"depth {n}" for n in range(5, 11)]
    assert deeper(chain[10], chain[11], 2) in page
    assert page.count("more-replies") == 1

    page = page_of(client.get(thread_url(chain[10])))
    assert bodies(page) == ["depth 10", "depth 11", "depth 12"]
    assert f'<a href="{permalink(chain[9])}">Up to the parent comment</a>' in page
    response = client.get(permalink(chain[9]), follow=True)
    assert response.redirect_chain[-1:] == [(f"{thread_url(chain[5])}#comment-{chain[9].pk}", 302)]


def test_a_permalink_to_a_reply_below_the_sixth_level_leads_to_its_thread_page(client):
    set_rules(comments_per_page=10_000)  # every reply on the page of threads
    article = make_article()
    chain = make_chain(article, 8)

    response = client.get(permalink(chain[5]))
    assert response["Location"] == f"{article.get_absolute_url()}#comment-{chain[5].pk}"
    for comment in chain[6:]:
        response = client.get(permalink(comment), follow=True)
        assert response.redirect_chain[-1:] == [
            (f"{thread_url(chain[5])}#comment-{comment.pk}", 302)
        ]
        assert f'id="comment-{comment.pk}"' in page_of(response)


def test_a_permalink_below_a_thread_pages_own_cut_leads_to_the_deeper_thread_page(client):
    set_rules(max_depth=20)
    article = make_article()
    chain = make_chain(article, 17)  # levels 0 to 16

    expected = {6: 5, 10: 5, 11: 10, 15: 10, 16: 15}
    for level, shown_from in expected.items():
        response = client.get(permalink(chain[level]), follow=True)
        assert response.redirect_chain[-1:] == [
            (f"{thread_url(chain[shown_from])}#comment-{chain[level].pk}", 302)
        ]
        assert f'id="comment-{chain[level].pk}"' in page_of(response)


def test_a_reply_posted_below_the_sixth_level_leads_to_its_thread_page(client):
    article = make_article()
    chain = make_chain(article, 7)

    response = submit(client, article, parent=str(chain[6].pk), body="way down")

    reply = Comment.objects.get(body="way down")
    assert reply.level == 7
    assert response.redirect_chain[-1:] == [(f"{thread_url(chain[5])}#comment-{reply.pk}", 302)]
    assert bodies(page_of(response)) == ["depth 5", "depth 6", "way down"]


def test_a_deep_thread_on_a_later_page_continues_too(client):
    set_rules(threads_per_page=1, comments_per_page=10_000)
    article = make_article()
    make_threads(article, 1)
    chain = make_chain(article, 7)
    page = page_of(client.get(f"{article.get_absolute_url()}?page=2"))
    assert bodies(page) == [f"depth {n}" for n in range(6)]
    assert deeper(chain[5], chain[6], 1) in page


def test_the_thread_page_of_a_removed_comment_with_replies_shows_a_placeholder(client):
    article = make_article()
    removed = make_comment(article, author_name="Rude Person", body="rude words")
    make_comment(article, parent=removed, body="a calm answer")
    set_status(Comment.objects.filter(pk=removed.pk), Comment.Status.REMOVED)

    response = client.get(thread_url(removed))

    assert response.status_code == 200
    page = page_of(response)
    assert "This comment was removed." in page
    assert bodies(page) == ["a calm answer"]
    assert "rude words" not in page
    assert heading(page) == "A thread"  # not the removed comment's author


def removed_leaf(article):
    return make_comment(article, status=Comment.Status.REMOVED)


def spam_leaf(article):
    return make_comment(article, status=Comment.Status.SPAM)


def someone_elses_held_comment(article):
    return make_comment(article, status=Comment.Status.PENDING)


def removed_with_removed_replies(article):
    top = make_comment(article)
    make_comment(article, parent=top, status=Comment.Status.SPAM)
    set_status(Comment.objects.filter(pk=top.pk), Comment.Status.REMOVED)
    return top


@pytest.mark.parametrize(
    "make", [removed_leaf, spam_leaf, someone_elses_held_comment, removed_with_removed_replies]
)
def test_the_thread_page_of_a_comment_nobody_may_see_is_not_found(client, make):
    article = make_article()
    comment = make(article)
    assert client.get(thread_url(comment)).status_code == 404


def test_the_thread_page_on_a_draft_article_is_for_staff_only(client):
    article = make_article()
    chain = make_chain(article, 2)
    Article.objects.filter(pk=article.pk).update(status=Article.Status.DRAFT)

    assert client.get(thread_url(chain[0])).status_code == 404
    client.force_login(make_user())
    assert client.get(thread_url(chain[0])).status_code == 404
    client.force_login(make_user(is_staff=True))
    response = client.get(thread_url(chain[0]))
    assert response.status_code == 200
    assert bodies(page_of(response)) == ["depth 0", "depth 1"]


def test_the_thread_page_of_a_missing_comment_is_not_found(client):
    article = make_article()
    gone = make_comment(article)
    delete_comment(gone, by=None)
    assert client.get(thread_url(gone)).status_code == 404
    assert client.get("/comments/99999999999999999999/thread/").status_code == 404


@pytest.mark.parametrize("deep, broad", [(1, 1), (9, 50)])
def test_the_thread_page_makes_the_same_queries_whatever_its_size(
    client, django_assert_num_queries, deep, broad
):
    set_rules(max_depth=15)  # deep enough for replies past the thread page's own cut
    article = make_article()
    top = make_chain(article, 6)[-1]  # depth 5
    make_chain(article, deep, parent=top)  # down to depth 14 at most: 4 levels past the cut
    for n in range(broad):
        make_comment(article, parent=top, body=f"broad {n}")
    # the comment with its article, whether readers may see it, the discussion settings,
    # and the subtree: four queries whatever the size
    with django_assert_num_queries(4):
        response = client.get(thread_url(top))
    page = page_of(response)
    assert page.count('class="comment-body"') == 1 + min(deep, 5) + broad
    assert page.count("more-replies") == (1 if deep > 5 else 0)


# Preview


def preview(client, body, **extra):
    return client.post(reverse("comments:preview"), {"body": body}, **extra)


def test_the_preview_is_rendered_and_sanitised_like_a_posted_comment(client):
    body = (
        "*calm* and **bold** <script>alert(1)</script> see https://example.org/x and "
        "[bad](javascript:alert(1)) `code`"
    )
    response = preview(client, body)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    shown = response.json()["html"]
    assert "<em>calm</em>" in shown and "<strong>bold</strong>" in shown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown and "<script" not in shown
    assert '<a href="https://example.org/x" rel="nofollow ugc noopener">' in shown
    assert 'href="javascript:' not in shown
    assert not Comment.objects.exists()  # a preview stores nothing

    article = make_article()
    response = submit(client, article, body=body)
    assert Comment.objects.get().body_html == shown
    assert f'<div class="comment-body">{shown}</div>' in page_of(response)


def test_the_preview_works_for_logged_in_readers_too(client):
    client.force_login(make_user())
    response = preview(client, "_hi_")
    assert response.json() == {"html": "<p><em>hi</em></p>\n"}


@pytest.mark.parametrize(
    "body, error",
    [
        ("", "This field is required."),
        (" \n\t ", "This field is required."),
        ("y" * 10_001, "Ensure this value has at most 10000 characters (it has 10001)."),
        ("ring\x07ring", "Remove the control characters from this text."),
        ("\x1b[31mred", "Remove the control characters from this text."),
        ("before\x00after", "Null characters are not allowed."),
    ],
)
def test_a_bad_preview_body_gets_a_json_error(client, body, error):
    response = preview(client, body)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": error}


def test_a_preview_without_a_body_gets_a_json_error(client):
    response = client.post(reverse("comments:preview"), {})
    assert response.status_code == 400
    assert response.json() == {"error": "This field is required."}


def test_a_preview_of_exactly_ten_thousand_characters_is_rendered(client):
    response = preview(client, "x" * 10_000)
    assert response.status_code == 200
    assert response.json() == {"html": f"<p>{'x' * 10_000}</p>\n"}


def test_the_preview_only_answers_post(client):
    response = client.get(reverse("comments:preview"), {"body": "hello"})
    assert response.status_code == 405
    assert response["Allow"] == "POST"


def test_the_preview_is_protected_against_cross_site_requests():
    browser = Client(enforce_csrf_checks=True)
    assert preview(browser, "*hi*").status_code == 403  # no token, and no browser vouching
    assert preview(browser, "*hi*", HTTP_ORIGIN="https://evil.example").status_code == 403
    cross = preview(
        browser, "*hi*", HTTP_SEC_FETCH_SITE="cross-site", HTTP_ORIGIN="http://testserver"
    )
    assert cross.status_code == 403

    for header in ({"HTTP_ORIGIN": "http://testserver"}, {"HTTP_SEC_FETCH_SITE": "same-origin"}):
        response = preview(browser, "*hi*", **header)
        assert response.status_code == 200
        assert response.json() == {"html": "<p><em>hi</em></p>\n"}


# Repeated comments


ALREADY_SAID = "You have already said that."


def test_the_same_text_twice_from_the_same_email_is_refused(client):
    article = make_article()
    assert submit(client, article, follow=False, body="Me too.").status_code == 302

    response = submit(
        client,
        article,
        follow=False,
        body="Me too.",
        author_name="Sam again",
        author_email="SAM@Example.com",
    )

    assert response.status_code == 400
    page = page_of(response)
    assert form_errors(page) == [ALREADY_SAID]
    assert ">\nMe too.</textarea>" in page  # the text is kept
    assert draw(article) == [("Me too.", 0)]


def test_the_same_text_twice_from_the_same_user_is_refused(client):
    client.force_login(make_user())
    article = make_article()
    assert submit(client, article, follow=False, body="Me too.").status_code == 302
    first = Comment.objects.get()

    response = submit(client, article, follow=False, body="Me too.", parent=str(first.pk))

    assert response.status_code == 400
    assert form_errors(page_of(response)) == [ALREADY_SAID]
    assert draw(article) == [("Me too.", 0)]


def test_a_repeat_refused_as_a_reply_is_kept_as_a_reply(client):
    article = make_article()
    top = make_comment(article, author_name="Noor")
    submit(client, article, follow=False, body="Agreed.")
    response = submit(client, article, follow=False, body="Agreed.", parent=str(top.pk))
    page = page_of(response)
    assert response.status_code == 400
    assert "Reply to Noor" in page and f'name="parent" value="{top.pk}"' in page
    assert form_errors(page) == [ALREADY_SAID]


def another_article(article):
    return {"article": make_article()}


def another_text(article):
    return {"body": "Me three."}


def another_author(article):
    return {"author_email": "kim@example.com"}


@pytest.mark.parametrize("change", [another_article, another_text, another_author])
def test_a_repeat_on_another_article_with_another_text_or_by_another_author_is_accepted(
    client, change
):
    article = make_article()
    submit(client, article, follow=False, body="Me too.")
    fields = {"article": article, "body": "Me too.", **change(article)}

    response = submit(client, fields.pop("article"), follow=False, **fields)

    assert response.status_code == 302
    assert Comment.objects.count() == 2


def test_with_the_window_at_zero_repeats_are_accepted(client):
    set_rules(duplicate_window=0)
    article = make_article()
    submit(client, article, follow=False, body="Me too.")
    response = submit(client, article, body="Me too.")
    assert response.status_code == 200
    assert draw(article) == [("Me too.", 0), ("Me too.", 0)]
    assert heading(page_of(response)) == "2 comments"


def test_the_same_text_is_accepted_again_once_the_window_has_passed(client):
    article = make_article()
    submit(client, article, follow=False, body="Me too.")
    first = Comment.objects.get()

    Comment.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(seconds=290))
    assert submit(client, article, follow=False, body="Me too.").status_code == 400

    Comment.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(seconds=301))
    response = submit(client, article, body="Me too.")
    assert response.status_code == 200
    assert draw(article) == [("Me too.", 0), ("Me too.", 0)]


def test_a_refused_repeat_from_a_new_author_is_not_held_either(client):
    set_rules(hold_first_comment=True)
    article = make_article()
    submit(client, article, follow=False, body="Is this on?")
    response = submit(client, article, follow=False, body="Is this on?")
    assert response.status_code == 400
    assert form_errors(page_of(response)) == [ALREADY_SAID]
    assert list(Comment.objects.values_list("status", flat=True)) == [Comment.Status.PENDING]


# The article page's head


def head_of(page):
    return page[: page.index("</head>")]


def test_the_article_page_has_a_canonical_url_description_and_open_graph_tags(client):
    article = make_article(
        title='Trees & "Roots"',
        excerpt="Why <roots> & rings matter.",
        published_at=timezone.make_aware(datetime(2024, 3, 5, 12)),
    )
    page = page_of(client.get(article.get_absolute_url()))
    head = head_of(page)

    url = f"http://127.0.0.1:8000/2024/3/{article.slug}/"
    assert article.get_absolute_url() == f"/2024/3/{article.slug}/"
    assert f'<link rel="canonical" href="{url}">' in head
    summary = "Why &lt;roots&gt; &amp; rings matter."
    assert f'<meta name="description" content="{summary}">' in head
    assert '<meta property="og:title" content="Trees &amp; &quot;Roots&quot;">' in head
    assert f'<meta property="og:description" content="{summary}">' in head
    assert f'<meta property="og:url" content="{url}">' in head
    assert '<meta property="og:type" content="article">' in head


def test_the_canonical_url_is_the_same_on_every_page_and_follows_site_url(client, settings):
    settings.SITE_URL = "https://forum.example.org"
    set_rules(threads_per_page=1)
    article = make_article()
    make_threads(article, 2)
    url = f"https://forum.example.org{article.get_absolute_url()}"
    for query in ("", "?page=2", "?sort=newest"):
        head = head_of(page_of(client.get(article.get_absolute_url() + query)))
        assert f'<link rel="canonical" href="{url}">' in head
        assert f'<meta property="og:url" content="{url}">' in head


def test_a_long_summary_is_shortened_in_the_description(client):
    article = make_article(excerpt="word " * 100)
    head = head_of(page_of(client.get(article.get_absolute_url())))
    description = re.search(r'<meta name="description" content="([^"]*)">', head).group(1)
    assert len(description) <= 160 and description.endswith("…")
    og = re.search(r'<meta property="og:description" content="([^"]*)">', head).group(1)
    assert len(og) <= 200 and og.endswith("…")


@pytest.mark.parametrize("where", ["article", "thread"])
def test_pages_load_comments_js_deferred_and_have_no_inline_script(client, where):
    article = make_article()
    top = make_comment(article, body="<script>alert(1)</script> onclick=alert(1)")
    url = article.get_absolute_url() if where == "article" else thread_url(top)
    page = page_of(client.get(url))

    scripts = re.findall(r"<script[^>]*>.*?</script>", page, re.S)
    data = [s for s in scripts if s.startswith('<script type="application/ld+json">')]
    assert len(data) == (where == "article")  # structured data (#15): read, never run
    assert [s for s in scripts if s not in data] == [
        '<script src="/static/js/comments.js" defer></script>',
        '<script src="/static/js/compose.js" defer></script>',
    ]
    assert all("<" not in s.split(">", 1)[1].rsplit("</script>", 1)[0] for s in data)
    assert not re.search(r"<[^>]+\son[a-z]+=", page)  # no inline event handlers either
