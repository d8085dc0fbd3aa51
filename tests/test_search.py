"""Searching the site (issue #15): PostgreSQL full-text search over published articles and
approved comments, through HTTP, with any input answered by a normal page."""

import re
from types import SimpleNamespace

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import timezone

from articles.models import Article
from bench import build
from comments import services
from comments.models import Comment
from core import limits
from search import services as search
from search.forms import SearchForm
from tests.factories import make_article, make_comment, set_rules
from tests.pages import page_of

pytestmark = pytest.mark.django_db
Status = Comment.Status


def results(client, **params):
    response = client.get("/search/", params)
    assert response.status_code == 200, response.status_code
    page = page_of(response)
    return page, re.findall(r'<li class="search-result (\w+)">\s*<a href="([^"]+)">(.*?)</a>', page)


def test_articles_and_comments_are_found_with_the_exact_phrase_first(client):
    near = make_article(title="Allotments", body="A red squirrel ran past the old fox den.")
    make_comment(near, body="The fox chased a red ball across the lawn.")
    make_comment(near, body="We saw a red fox at dawn.")

    page, found = results(client, q="red fox")

    assert len(found) == 3 and "3 results" in page
    assert found[0][0] == "comment" and found[0][1].startswith("/comments/")  # its permalink
    assert found[0][2].endswith(" on “Allotments”")
    first = client.get(found[0][1], follow=True)
    assert "We saw a red fox at dawn." in page_of(first)


def test_only_published_articles_and_approved_comments_are_found(client):
    draft = make_article(title="Secret plans")
    make_comment(draft, body="plans on a draft")
    Article.objects.filter(pk=draft.pk).update(status=Article.Status.DRAFT)
    public = make_article(title="Open plans")
    for status in (Status.PENDING, Status.SPAM, Status.REMOVED):
        make_comment(public, body=f"hidden plans {status}", status=status)

    _, found = results(client, q="plans")

    assert [title for _, _, title in found] == ["Open plans"]


def test_snippets_highlight_the_words_and_never_carry_markup(client):
    article = make_article(title="Markup")
    make_comment(article, body="An <script>alert('owned')</script> word: **teapot** & more")

    page, found = results(client, q="teapot")

    snippet = re.search(r'<p class="snippet" dir="auto">(.*?)</p>', page, re.S).group(1)
    assert "<mark>teapot</mark>" in snippet
    assert "<script>" not in page.split('<main id="main">')[1]
    assert "&lt;" not in snippet or "<script" not in snippet


@pytest.mark.parametrize("kind, expected", [("articles", ["article"]), ("comments", ["comment"]),
                                            ("all", ["article", "comment"])])  # fmt: skip
def test_results_can_be_only_articles_or_only_comments(client, kind, expected):
    article = make_article(title="Beekeeping", body="Hives.")
    make_comment(article, body="My beekeeping diary.")

    _, found = results(client, q="beekeeping", type=kind)

    assert sorted(k for k, _, _ in found) == expected


def test_an_article_published_after_start_up_can_be_searched_alone(client):
    """ "Published" is judged when the search is made, not when the site started."""
    assert SearchForm  # its module was loaded before this article existed
    article = make_article(title="Fresh", published_at=timezone.now())
    make_comment(article, body="freshly written words")

    _, found = results(client, q="freshly", article=article.pk, type="comments")

    assert len(found) == 1


def test_one_discussion_can_be_searched_from_its_page(client):
    article = make_article(title="Kites")
    other = make_article(title="Boats")
    make_comment(article, body="kites need wind")
    make_comment(other, body="boats need wind")

    page = page_of(client.get(article.get_absolute_url()))
    assert "Search this discussion" in page
    listing, found = results(client, q="wind", article=article.pk, type="comments")

    assert len(found) == 1 and "Kites" in found[0][2]
    assert "Only this discussion." in listing


def test_articles_within_one_discussion_are_an_empty_result_not_an_error(client):
    article = make_article(title="Kites")
    make_comment(article, body="kites need wind")

    _, found = results(client, q="kites", article=article.pk, type="articles")

    assert found == []


def test_edits_erasures_and_moderation_keep_search_right(client):
    article = make_article()
    comment = make_comment(article, body="original wording")
    Comment.objects.filter(pk=comment.pk).update(body_html="<p>replaced wording</p>")
    assert not results(client, q="original")[1] and results(client, q="replaced")[1]

    services.set_status(Comment.objects.filter(pk=comment.pk), Status.SPAM)
    assert not results(client, q="replaced")[1]

    named = make_comment(article, author_name="Zebedee", body="hello")
    services.erase_writer(Comment.objects.filter(pk=named.pk))
    assert not results(client, q="Zebedee")[1]


def test_results_are_paginated_keeping_the_query(client):
    article = make_article(title="Many")
    set_rules(hold_first_comment=False)
    for n in range(25):
        make_comment(article, body=f"pagination test number {n}")

    page, found = results(client, q="pagination")

    assert len(found) == 20 and "Page 1 of 2" in page
    assert 'href="?q=pagination&amp;page=2"' in page
    assert len(results(client, q="pagination", page=2)[1]) == 5


@pytest.mark.parametrize("query", [
    "", "   ", "&", "!", ":*", "fox:*", '"unbalanced', "a & | ! ( )", "'; DROP TABLE x; --",
    "a\x00b", "<script>alert(1)</script>", "-", "or", "the", "x" * 200, "ü" * 150,
])  # fmt: skip
def test_hostile_queries_answer_a_normal_page(client, query):
    make_comment(make_article(), body="fox")

    response = client.get("/search/", {"q": query})

    assert response.status_code in (200, 400)
    page = page_of(response)
    assert "<script>alert(1)</script>" not in page
    if "\x00" in query:
        assert response.status_code == 400
        assert "Remove the invisible character U+0000 (a control character)" in page


def test_a_query_over_200_characters_is_explained(client):
    response = client.get("/search/", {"q": "x" * 201})

    assert response.status_code == 400
    assert "Search for at most 200 characters." in page_of(response)


def test_searches_are_rate_limited_per_ip_address(client):
    statuses = [client.get("/search/", {"q": "fox"}).status_code for _ in range(32)]

    assert statuses[:30] == [200] * 30 and statuses[30:] == [429, 429]


def test_one_ipv6_network_is_one_searcher(client, monkeypatch):
    # One moment for all 31: a window of the limit ending between them would start the count anew.
    moment = timezone.now()
    monkeypatch.setattr(limits, "timezone", SimpleNamespace(now=lambda: moment))
    statuses = [
        client.get("/search/", {"q": "fox"}, REMOTE_ADDR=f"2001:db8:5:7::{n:x}").status_code
        for n in range(31)
    ]
    other = client.get("/search/", {"q": "fox"}, REMOTE_ADDR="2001:db8:5:8::1")

    assert statuses[:30] == [200] * 30 and statuses[30] == 429
    assert other.status_code == 200  # the next /64 is another client


def test_searching_comments_uses_the_full_text_index():
    """As the page queries of issue #7: a discussion of 4,000 comments, analysed, and EXPLAIN."""
    rng = build.new_rng()
    built = build.build_discussion(4000, pools=build.make_pools(rng), rng=rng,
                                   max_depth=build.rules_for_benchmarks().max_depth)  # fmt: skip
    for n in range(3):
        make_comment(built.article, body=f"a quixotic zephyr, number {n}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE comments_comment")

    plan = search.matches("quixotic zephyr", kind="comments").explain()

    assert "comment_search_idx" in plan and "Seq Scan on comments_comment" not in plan


def test_the_search_language_is_a_setting_applied_to_stored_vectors(client):
    article = make_article(title="Running")
    make_comment(article, body="The runners were running quickly")
    assert len(results(client, q="run")[1]) == 2  # english stems: run, runners, running

    assert search.configure("simple")  # what `migrate` does when SEARCH_LANGUAGE changes
    assert not results(client, q="run")[1]  # "simple" keeps words as they are
    assert results(client, q="running")[1]
    assert not search.configure("simple")  # applied already: nothing to do

    with pytest.raises(ImproperlyConfigured, match="klingon"):
        search.configure("klingon")


def test_a_query_of_common_words_ranks_only_the_newest_matches(client, monkeypatch):
    monkeypatch.setattr(search, "CANDIDATES", 5)
    article = make_article(title="Busy")
    for n in range(8):
        make_comment(article, body=f"common words everywhere {n}")

    page, found = results(client, q="common words", type="comments")

    assert len(found) == 5 and "5+ results" in page and "the newest of them" in page


def test_a_search_without_results_says_nothing_was_found_and_what_to_try(client):
    make_comment(make_article(title="Kites"), body="kites need wind")

    page, found = results(client, q="submarine")

    assert found == []
    assert '<h2 id="results-title">Nothing found</h2>' in page
    assert "No article or comment holds these words. Try fewer or other words" in page


def test_nothing_found_in_one_discussion_offers_the_whole_site(client):
    article = make_article(title="Kites")
    make_comment(article, body="kites need wind")

    page, _ = results(client, q="submarine", article=article.pk, type="comments")

    assert "Nothing found" in page and "these words in this discussion" in page
    assert "search the whole site</a>" in page
