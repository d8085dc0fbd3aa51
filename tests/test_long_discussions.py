"""Long discussions (issue #5): pages of threads, sorting, permalinks into later pages, and deep
threads continued on their own page."""

import html
import re

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Article
from comments.models import Comment
from comments.services import delete_comment, set_status
from tests.factories import make_article, make_comment, make_threads, make_user, set_rules
from tests.pages import bodies, heading, page_of, submit

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
    # the comment with its article, whether readers may see it, the discussion settings, the
    # subtree's outline and the comments it shows: five queries whatever the size
    with django_assert_num_queries(5):
        response = client.get(thread_url(top))
    page = page_of(response)
    assert page.count('class="comment-body"') == 1 + min(deep, 5) + broad
    assert page.count("more-replies") == (1 if deep > 5 else 0)
