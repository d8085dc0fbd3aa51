"""A viral article at memory speed (issue #17): the whole page kept for readers without a
session, per-thread fragments, conditional requests, compression and "N more replies"."""

import gzip
import re
import time

import brotli
import pytest
import zstandard
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from articles import pages
from comments import items, services
from comments.models import Comment
from tests.factories import make_article, make_comment, make_user, set_rules
from tests.pages import bodies, heading, page_of, rendered_ids, submit

pytestmark = pytest.mark.django_db

HERE = {"HTTP_ORIGIN": "http://testserver"}  # what a browser sends with a form of this site


def cache_control(response):
    return {part.strip() for part in response["Cache-Control"].split(",")}


def shown_at(page):
    return re.search(r'name="shown_at" value="([^"]+)"', page).group(1)


def thread_of(article, replies):
    root = make_comment(article, body="the root")
    return root, [make_comment(article, parent=root, body=f"reply {n}") for n in range(replies)]


# The page every reader without a session gets


def test_a_reader_without_a_session_gets_a_page_with_no_token_and_no_cookie():
    article = make_article()
    make_comment(article, body="first")
    response = Client().get(article.get_absolute_url())
    page = page_of(response)
    assert response.status_code == 200 and bodies(page) == ["first"]
    assert "csrfmiddlewaretoken" not in page
    assert not response.cookies
    assert cache_control(response) == {"public", "max-age=0", "s-maxage=10"}
    assert {"Cookie", "Accept-Encoding"} <= {v.strip() for v in response["Vary"].split(",")}
    assert response["ETag"].startswith('W/"')


def test_the_kept_page_costs_one_query_and_its_form_timestamp_is_fresh(monkeypatch):
    article = make_article()
    make_comment(article)
    url = article.get_absolute_url()
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now)
    first = page_of(Client().get(url))
    monkeypatch.setattr(time, "time", lambda: now + 1.1)  # a second later
    with CaptureQueriesContext(connection) as queries:
        second = page_of(Client().get(url))
    assert len(queries) == 1  # the article's row: its versions
    assert first.replace(shown_at(first), "") == second.replace(shown_at(second), "")
    assert shown_at(first) != shown_at(second)  # the bot trap's clock is a second old at most


def test_a_worker_reads_the_versions_once_a_second_and_then_shows_the_change(settings, monkeypatch):
    settings.PAGE_VERSION_SECONDS = 1
    now = [1000.0]
    monkeypatch.setattr(pages, "clock", lambda: now[0])
    article = make_article()
    url = article.get_absolute_url()
    Client().get(url)
    with CaptureQueriesContext(connection) as queries:
        Client().get(url)
    assert len(queries) == 0
    set_rules(hold_first_comment=False)
    writer = Client()
    writer.force_login(make_user())
    submit(writer, article, body="news")  # its writer sees it at once
    assert "news" in bodies(page_of(writer.get(url)))
    now[0] += 0.9
    assert bodies(page_of(Client().get(url))) == []  # what it read less than a second ago
    now[0] += 0.2
    assert bodies(page_of(Client().get(url))) == ["news"]


def test_a_post_from_the_kept_page_passes_on_the_browsers_origin():
    set_rules(min_fill_seconds=0)
    article = make_article()
    browser = Client(enforce_csrf_checks=True)
    stamp = shown_at(page_of(browser.get(article.get_absolute_url())))
    response = submit(
        browser, article, follow=False, shown_at=stamp, headers={"Origin": "http://testserver"}
    )
    assert response.status_code == 302
    assert Comment.objects.get(article=article).body == "Nice article."


@pytest.mark.parametrize(
    "headers",
    [{}, {"Origin": "https://evil.example"}, {"Origin": "null"},
     {"Sec-Fetch-Site": "cross-site", "Origin": "http://testserver"},
     {"Sec-Fetch-Site": "same-site"}],
    ids=["no header", "foreign origin", "null origin", "cross-site fetch", "sibling site"],
)  # fmt: skip
def test_a_post_from_anywhere_else_without_the_token_is_refused(headers):
    article = make_article()
    response = submit(Client(enforce_csrf_checks=True), article, follow=False, headers=headers)
    assert response.status_code == 403
    assert not Comment.objects.filter(article=article).exists()


def test_a_reader_with_a_session_gets_a_page_of_their_own():
    article = make_article()
    member = make_user()
    client = Client()
    client.force_login(member)
    response = client.get(article.get_absolute_url())
    assert "csrfmiddlewaretoken" in page_of(response)
    assert cache_control(response) == {"private", "no-cache"}
    assert "Content-Encoding" not in client.get(article.get_absolute_url(), headers={
        "Accept-Encoding": "gzip"}).headers  # fmt: skip


def test_a_reply_target_or_a_remembered_name_is_never_shared():
    article = make_article()
    root = make_comment(article, author_name="Noor")
    reply = page_of(Client().get(f"{article.get_absolute_url()}?replytocom={root.pk}"))
    assert ">Reply to Noor</h2>" in reply
    plain = Client().get(article.get_absolute_url())
    assert ">Reply to Noor</h2>" not in page_of(plain)
    client = Client()
    submit(client, article, author_name="Remembered Ruth", remember="on", body="hi")
    client.cookies.pop("sessionid", None)  # only the remembered-author cookie left
    assert 'value="Remembered Ruth"' in page_of(client.get(article.get_absolute_url()))
    assert 'value="Remembered Ruth"' not in page_of(Client().get(article.get_absolute_url()))


# Conditional requests


def test_revalidation_answers_304_until_the_discussion_changes():
    article = make_article()
    url = article.get_absolute_url()
    etag = Client().get(url)["ETag"]
    response = Client().get(url, headers={"If-None-Match": etag})
    assert response.status_code == 304 and response.content == b""
    assert response["ETag"] == etag and "public" in response["Cache-Control"]

    make_comment(article, body="news")
    response = Client().get(url, headers={"If-None-Match": etag})
    assert response.status_code == 200 and response["ETag"] != etag
    assert bodies(page_of(response)) == ["news"]


def test_the_discussion_settings_change_every_kept_page():
    article = make_article()
    root = make_comment(article)
    make_comment(article, parent=root)
    url = article.get_absolute_url()
    assert "Reply" in page_of(Client().get(url))
    set_rules(max_depth=1)  # no replies at all
    assert 'class="reply"' not in page_of(Client().get(url))


# Compression


@pytest.mark.parametrize(
    "encoding, decode",
    [("gzip", gzip.decompress), ("br", brotli.decompress),
     ("zstd", lambda b: zstandard.ZstdDecompressor().decompressobj().decompress(b))],
)  # fmt: skip
def test_the_page_is_compressed_as_the_client_accepts(encoding, decode):
    article = make_article()
    for n in range(20):
        make_comment(article, body=f"comment number {n} " * 20)
    url = article.get_absolute_url()
    plain = Client().get(url).content.decode()
    response = Client().get(url, headers={"Accept-Encoding": encoding})
    assert response["Content-Encoding"] == encoding
    assert len(response.content) < len(plain) / 3
    unpacked = decode(response.content).decode()
    # the same page, but for the form's timestamp, which a second later is a new one
    assert unpacked.replace(shown_at(unpacked), "") == plain.replace(shown_at(plain), "")


# Per-thread fragments


def test_a_reply_renders_its_own_thread_again_and_no_other():
    article = make_article()
    roots = [make_comment(article, body=f"thread {n}") for n in range(5)]
    url = article.get_absolute_url()
    Client().get(url)
    reply = make_comment(article, parent=roots[2], body="new reply")
    with CaptureQueriesContext(connection) as queries:
        page = page_of(Client().get(url))
    outline = [q["sql"] for q in queries if '"comments_comment"."tree_id" IN' in q["sql"]]
    assert len(outline) == 1 and f"IN ({roots[2].tree_id})" in outline[0]
    [read] = [q["sql"] for q in queries if '"comments_comment"."body_html"' in q["sql"]]
    assert rendered_ids(read) == [roots[2].pk, reply.pk]
    assert bodies(page) == ["thread 0", "thread 1", "thread 2", "new reply", "thread 3", "thread 4"]


# "N more replies"


MORE = (
    r'<li class="more-replies continue"><a href="([^"]+)" data-replies-url="([^"]+)"'
    r' rel="nofollow">(\d+) more repl(?:y|ies)</a></li>'
)


def test_a_thread_past_the_page_budget_shows_its_first_replies_and_how_many_more():
    set_rules(comments_per_page=4)
    article = make_article()
    root, replies = thread_of(article, 6)
    page = page_of(Client().get(article.get_absolute_url()))
    assert bodies(page) == ["the root", "reply 0", "reply 1", "reply 2"]
    link = re.search(MORE, page)
    assert link.group(3) == "3"
    assert link.group(1) == f"/comments/{root.pk}/thread/#comment-{replies[3].pk}"
    assert heading(page) == "7 comments"

    whole = Client().get(link.group(2))  # what the script puts in place of the thread
    assert whole.status_code == 200
    assert bodies(page_of(whole)) == ["the root", *[f"reply {n}" for n in range(6)]]
    assert page_of(whole).startswith('<li class="comment-item">')
    assert "more-replies" not in page_of(whole)

    thread_page = page_of(Client().get(link.group(1)))  # without the script
    assert f'id="comment-{replies[5].pk}"' in thread_page


def test_more_replies_sit_under_the_comment_they_continue_and_open_every_one():
    """One way to read the rest of a thread (#24): each "N more replies" sits in the list of
    replies it continues, and opening it shows exactly N more, in place."""
    set_rules(comments_per_page=3)  # the top-level comment and two replies
    article = make_article()
    root = make_comment(article, body="root")
    first = make_comment(article, parent=root, body="first")
    make_comment(article, parent=first, body="first a")
    later = make_comment(article, parent=first, body="first b")
    second = make_comment(article, parent=root, body="second")
    make_comment(article, parent=root, body="third")
    page = page_of(Client().get(article.get_absolute_url()))
    assert bodies(page) == ["root", "first", "first a"]
    folds = re.findall(MORE, page)
    assert [(url, int(n)) for url, _, n in folds] == [
        (f"/comments/{first.pk}/thread/#comment-{later.pk}", 1),  # in first's replies
        (f"/comments/{root.pk}/thread/#comment-{second.pk}", 2),  # in root's, after first's
    ]
    # each link is the last item of the list of replies it continues
    assert re.search(r"first a</p>.*?</article>\s*</li><li class=\"more-replies", page, re.S)
    assert re.search(r"1 more reply</a></li></ol>\s*</li><li class=\"more-replies", page)

    opened = [bodies(page_of(Client().get(replies))) for _, replies, _ in folds]
    assert opened == [["first", "first a", "first b"],
                      ["root", "first", "first a", "first b", "second", "third"]]  # fmt: skip
    whole = page_of(Client().get(folds[0][1]))
    assert whole.startswith('<li class="comment-item">') and "more-replies" not in whole
    thread = page_of(Client().get(folds[0][0]))  # without the script: the thread page
    assert bodies(thread) == ["first", "first a", "first b"]


def test_a_permalink_to_a_reply_behind_more_replies_lands_on_it():
    set_rules(comments_per_page=4)
    article = make_article()
    root, replies = thread_of(article, 5)
    response = Client().get(f"/comments/{replies[2].pk}/")
    assert response["Location"] == f"{article.get_absolute_url()}#comment-{replies[2].pk}"
    response = Client().get(f"/comments/{replies[4].pk}/", follow=True)
    assert response.redirect_chain[-1] == (
        f"/comments/{root.pk}/thread/#comment-{replies[4].pk}",
        302,
    )
    assert f'id="comment-{replies[4].pk}"' in page_of(response)


def test_the_replies_of_a_hidden_or_unknown_thread_are_not_found():
    article = make_article()
    root, _ = thread_of(article, 1)
    services.set_status(Comment.objects.filter(tree_id=root.tree_id), Comment.Status.SPAM, by=None)
    assert Client().get(f"/comments/{root.pk}/replies/").status_code == 404
    assert Client().get("/comments/999999999/replies/").status_code == 404


def test_a_writer_sees_their_held_reply_even_behind_more_replies():
    set_rules(hold_all=True, comments_per_page=4)
    article = make_article()
    root, _ = thread_of(article, 0)
    for n in range(4):
        services.set_status(
            Comment.objects.filter(pk=make_comment(article, parent=root, body=f"r{n}").pk),
            Comment.Status.APPROVED, by=None,
        )  # fmt: skip
    client = Client()
    response = submit(client, article, parent=str(root.pk), body="mine, held")
    assert "mine, held" in bodies(page_of(response))  # on the thread page it lands on
    assert "mine, held" in bodies(page_of(client.get(f"/comments/{root.pk}/replies/")))
    assert "mine, held" not in page_of(Client().get(f"/comments/{root.pk}/replies/"))


def test_a_small_discussion_shows_every_comment():
    """38 comments in 4 threads: nothing is folded while the page holds at most its budget."""
    article = make_article()
    for n in range(4):
        root, _ = thread_of(article, 8 if n < 2 else 9)
    page = page_of(Client().get(article.get_absolute_url()))
    assert len(bodies(page)) == 38 and "more-replies" not in page


def test_past_the_budget_the_largest_threads_are_folded_first():
    set_rules(comments_per_page=20)
    article = make_article()
    sizes = [2, 30, 4, 12]  # replies; 52 comments with the top-level ones
    roots = [thread_of(article, size)[0] for size in sizes]
    page = page_of(Client().get(article.get_absolute_url()))
    # 16 replies fit: the threads of 2 and 4 whole, the others 5 each (the most that fits)
    folded = [root.pk for root in roots if f'href="/comments/{root.pk}/thread/#' in page]
    assert folded == [roots[1].pk, roots[3].pk]
    assert len(bodies(page)) == 4 + 2 + 5 + 4 + 5 == 20
    assert [int(n) for *_, n in re.findall(MORE, page)] == [25, 7]


def test_the_budget_comes_from_stored_counts_with_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert items.replies_shown([1, 31, 5, 13], 20) == [None, 6, None, 6]
        assert items.replies_shown([1, 3, 6], 100) == [None, None, None]
        assert items.replies_shown([10, 10], 1) == [0, 0]  # top-level comments show


def test_the_first_page_of_a_long_discussion_stays_light():
    article = make_article()
    body = "A reply of some length, as people write them. " * 8
    for n in range(25):
        root = make_comment(article, body=f"thread {n} {body}")
        for m in range(30):
            make_comment(article, parent=root, body=f"reply {m} {body}")
    page = Client().get(article.get_absolute_url()).content
    # 20 threads of 31 comments: the default budget of 100 shows 4 replies of each
    assert page.count(b'class="comment-body"') == 20 * 5 == 100
    assert page.count(b"26 more replies") == 20
    assert len(page) < 250 * 1024


def test_query_values_without_end_never_grow_the_kept_pages_past_their_bound():
    from comments.discussion import cache

    article = make_article()
    make_comment(article, body="only")
    url = article.get_absolute_url()
    assert Client().get(url).status_code == 200  # the popular page, kept
    junk = [{"page": f"junk{n}"} for n in range(20)] + [{"page": n} for n in range(2, 22)]
    junk += [{"sort": f"junk{n}"} for n in range(20)] + [{"page": "0"}, {"page": "-1"}]
    for query in junk:
        assert Client().get(url, query).status_code == 404  # pages that do not exist
    for query in ({"page": "1"}, {"page": "01"}, {"page": " 1 "}, {"utm_source": "mail"}):
        response = Client().get(url, query)
        assert response.status_code == 200 and bodies(page_of(response)) == ["only"]
    assert len(pages._memory) == 1  # one page, kept once, never pushed out
    assert not [key for key in cache._cache if ":page:" in key]  # none in the shared cache
