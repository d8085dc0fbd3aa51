"""Votes and the "Best" order (issue #16): one vote per reader per comment, taken back by
voting again, never on one's own comment, limited per IP address; with or without JavaScript."""

import re
import threading

import pytest
from django.db import connection
from django.test import Client

from comments import freshness
from comments.discussion import cache
from comments.models import Comment, Vote
from comments.services import votes as vote_service
from tests.factories import make_article, make_comment, make_user, set_rules
from tests.pages import page_of, submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rules")]
JSON = {"Accept": "application/json"}


def vote(client, comment, value="up", *, ip="127.0.0.1", **headers):
    return client.post(
        "/comments/vote/", {"vote": f"{comment.pk}:{value}"}, headers=headers, REMOTE_ADDR=ip
    )


def score_on_page(client, comment):
    cache.clear()  # what the page shows once its scores refresh
    page = page_of(client.get(comment.article.get_absolute_url()))
    article = re.search(rf'<article id="comment-{comment.pk}".*?</article>', page, re.S).group(0)
    # "3 points", "1 point", or nothing at all for 0 (#24)
    shown = re.search(r'<span class="score"[^>]*>(?:(-?\d+) points?)?</span>', article).group(1)
    return int(shown or 0)


def test_a_guest_votes_without_javascript_and_comes_back_to_the_comment(client):
    comment = make_comment(make_article(), body="Worth a vote")

    response = vote(client, comment)

    assert response.status_code == 302
    assert response.url == f"{comment.article.get_absolute_url()}#comment-{comment.pk}"
    assert "Your vote was counted." in page_of(client.get(response.url, follow=True))
    assert score_on_page(client, comment) == 1
    assert "forum_voter" in response.cookies  # signed, long-lived, HttpOnly
    assert (
        response.cookies["forum_voter"]["httponly"] and response.cookies["forum_voter"]["max-age"]
    )


def test_voting_again_takes_the_vote_back_and_each_reader_counts_once(client):
    comment = make_comment(make_article())
    other = Client()

    vote(client, comment), vote(other, comment, ip="198.51.100.2")  # another reader elsewhere
    assert Comment.objects.get(pk=comment.pk).upvotes == 2
    vote(client, comment)  # the same reader again: taken back

    comment.refresh_from_db()
    assert (comment.upvotes, Vote.objects.count()) == (1, 1)


def test_a_member_votes_by_account_from_any_browser(client):
    member = make_user()
    comment = make_comment(make_article())
    client.force_login(member)
    vote(client, comment, **JSON)
    elsewhere = Client()
    elsewhere.force_login(member)

    answer = vote(elsewhere, comment, **JSON).json()

    assert answer == {"vote": 0, "score": 0}  # the same member: taken back, not doubled


def test_nobody_votes_on_their_own_comment(client):
    article = make_article()
    submit(client, article, body="Mine")  # this browser wrote it
    own = Comment.objects.get(body="Mine")
    member = make_user()
    theirs = make_comment(article, user=member, body="A member's")
    member_client = Client()
    member_client.force_login(member)

    assert vote(client, own, **JSON).json() == {"error": "You cannot vote on your own comment."}
    assert vote(member_client, theirs, **JSON).status_code == 400
    assert not Vote.objects.exists()
    page = page_of(client.get(article.get_absolute_url()))
    assert f'value="{own.pk}:up"' not in page  # no buttons on one's own


def test_downvotes_are_off_until_the_settings_switch_them_on(client):
    comment = make_comment(make_article())
    assert vote(client, comment, "down", **JSON).status_code == 400
    assert ':down"' not in page_of(client.get(comment.article.get_absolute_url()))

    set_rules(downvotes=True)
    cache.clear()
    assert vote(client, comment, "down", **JSON).json() == {"vote": -1, "score": -1}
    assert vote(client, comment, "up", **JSON).json() == {"vote": 1, "score": 1}  # changed
    assert ':down"' in page_of(client.get(comment.article.get_absolute_url()))


def test_votes_per_ip_address_are_limited_whatever_the_cookies(client):
    set_rules(votes_per_ip_per_hour=3)
    comments = [make_comment(make_article()) for _ in range(4)]

    statuses = [vote(Client(), c, **JSON).status_code for c in comments]  # new cookie each time

    assert statuses == [200, 200, 200, 429]
    assert sum(Comment.objects.values_list("upvotes", flat=True)) == 3


def test_a_guest_votes_once_per_comment_per_address_whatever_the_cookies(client):
    set_rules(votes_per_ip_per_hour=0)  # the address's hourly limit is tested above
    comment = make_comment(make_article())

    first = vote(Client(), comment, ip="2001:db8:1:2::10", **JSON)
    again = [vote(Client(), comment, ip=f"2001:db8:1:2::{n}", **JSON) for n in range(20, 80)]
    elsewhere = vote(Client(), comment, ip="2001:db8:1:3::10", **JSON)  # another /64

    assert first.json() == {"vote": 1, "score": 1}
    assert {r.status_code for r in again} == {400}
    assert "already counted" in again[0].json()["error"]
    assert elsewhere.json() == {"vote": 1, "score": 2}
    assert Comment.objects.get(pk=comment.pk).upvotes == Vote.objects.count() == 2


def test_members_behind_one_address_each_vote_and_each_account_is_limited(client):
    set_rules(votes_per_ip_per_hour=3)
    comments = [make_comment(make_article()) for _ in range(4)]
    ada, bo = Client(), Client()
    ada.force_login(make_user(username="ada"))
    bo.force_login(make_user(username="bo"))

    shared = [vote(ada, comments[0], **JSON).status_code, vote(bo, comments[0], **JSON).status_code]
    ada_elsewhere = [
        vote(ada, c, ip=f"203.0.113.{n}", **JSON).status_code for n, c in enumerate(comments[1:])
    ]

    assert shared == [200, 200]  # one address, two accounts: two votes
    assert ada_elsewhere == [200, 200, 429]  # an account's hourly limit, from any address


def test_held_comments_cannot_be_voted_on(client):
    held = make_comment(make_article(), status=Comment.Status.PENDING)

    assert vote(client, held, **JSON).status_code == 400


def test_the_reader_learns_their_own_votes_from_a_small_request(client):
    article = make_article()
    first, second = make_comment(article), make_comment(article)
    vote(client, second)

    votes = client.get(f"/comments/votes/{article.pk}/").json()["votes"]

    assert votes == {str(second.pk): 1} and first.pk
    assert Client().get(f"/comments/votes/{article.pk}/").json() == {"votes": {}}


def test_the_cached_page_is_not_rendered_anew_for_every_vote(client, monkeypatch):
    article = make_article()
    comments = [make_comment(article) for _ in range(5)]
    monkeypatch.setattr(freshness.time, "time", lambda: 1_000_000.0)  # one 10-second bucket

    versions = set()
    for comment in comments:
        vote(Client(), comment)
        article.refresh_from_db()
        versions.add(article.votes_version)

    assert versions == {100_000}  # one change of the cache key for five votes


def test_a_vote_needs_the_readers_token_or_a_browser_vouching_for_this_site(client):
    comment = make_comment(make_article())
    url = comment.article.get_absolute_url()
    strict = Client(enforce_csrf_checks=True)
    page = page_of(strict.get(url))  # the page every reader without a session gets: no token
    assert '<form id="votes" method="post" action="/comments/vote/"></form>' in page
    vote = {"vote": f"{comment.pk}:up"}
    assert strict.post("/comments/vote/", vote).status_code == 403
    assert (
        strict.post("/comments/vote/", vote, HTTP_ORIGIN="https://evil.example").status_code == 403
    )
    assert strict.post("/comments/vote/", vote, HTTP_ORIGIN="http://testserver").status_code == 302

    member = Client(enforce_csrf_checks=True)
    member.force_login(make_user())
    page = page_of(member.get(url))
    token = re.search(r'<form id="votes"[^>]*><input type="hidden" '
                      r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)  # fmt: skip
    assert member.post("/comments/vote/", vote).status_code == 403
    assert member.post("/comments/vote/", {**vote, "csrfmiddlewaretoken": token}).status_code == 302


def test_best_ranks_threads_by_the_wilson_lower_bound_of_their_first_comment(client):
    set_rules(downvotes=True)
    article = make_article()
    mixed, loved, new = (make_comment(article, body=b) for b in ("mixed", "loved", "new"))
    for n in range(6):
        vote(Client(), loved, ip=f"198.51.100.{n}")
    for n in range(8):
        vote(Client(), mixed, "up" if n < 5 else "down", ip=f"198.51.100.{n}")

    page = page_of(client.get(f"{article.get_absolute_url()}?sort=best"))

    bodies = re.findall(r'<div class="comment-body" dir="auto"><p>(\w+)</p>', page)
    assert bodies == ["loved", "mixed", "new"]
    assert '<strong aria-current="true">Best</strong>' in page
    assert vote_service.wilson(6, 0) > vote_service.wilson(5, 3) > vote_service.wilson(0, 0)


def test_the_default_order_is_a_setting_and_permalinks_still_find_their_page(client):
    set_rules(default_sort="best", threads_per_page=2)
    article = make_article()
    first, second, third = (make_comment(article, body=b) for b in ("first", "second", "third"))
    vote(Client(), third)

    page = page_of(client.get(article.get_absolute_url()))
    bodies = re.findall(r'<div class="comment-body" dir="auto"><p>(\w+)</p>', page)
    assert bodies == ["third", "first"]
    assert client.get(f"/comments/{third.pk}/").url.endswith(
        f"?sort=oldest&page=2#comment-{third.pk}"
    )


@pytest.mark.django_db(transaction=True)
def test_concurrent_voters_lose_no_vote():
    article = make_article()
    comment = make_comment(article)
    set_rules(votes_per_ip_per_hour=0, hold_first_comment=False)

    def voter(n):
        try:
            vote(Client(), comment, ip=f"198.51.100.{n}")
        finally:
            connection.close()

    threads = [threading.Thread(target=voter, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    comment.refresh_from_db()
    assert comment.upvotes == Vote.objects.filter(comment=comment).count() == 12


def test_staff_see_who_voted_in_the_admin(admin_client, client):
    comment = make_comment(make_article())
    vote(client, comment)

    page = page_of(admin_client.get(f"/admin/comments/comment/{comment.pk}/change/"))

    assert "127.0.0.1" in page and "Up" in page


# Featured comments.


def featured_box(page):
    box = re.search(r'<aside class="featured-box".*?</aside>', page, re.S)
    return re.findall(r'<a href="/comments/(\d+)/">', box.group(0)) if box else []


def test_moderators_feature_comments_into_a_box_above_the_threads(admin_client, client):
    article = make_article()
    comments = [make_comment(article, body=f"insight {n}") for n in range(5)]
    url = article.get_absolute_url()
    assert featured_box(page_of(client.get(url))) == []

    admin_client.post("/admin/comments/comment/?queue=all", {
        "action": "feature", "_selected_action": [c.pk for c in comments[:4]]})  # fmt: skip
    page = page_of(client.get(url))

    assert len(featured_box(page)) == 3  # at most three, the newest featured first
    assert page.count('<span class="badge featured-badge">Featured</span>') == 4  # in place


def test_unfeaturing_or_removing_takes_a_comment_out_of_the_box(admin_client, client):
    article = make_article()
    kept, dropped, removed = (make_comment(article, body=b) for b in ("kept", "dropped", "gone"))
    services_feature = __import__("comments.services", fromlist=["feature"]).feature
    services_feature(Comment.objects.filter(pk__in=[kept.pk, dropped.pk, removed.pk]))

    admin_client.post("/admin/comments/comment/?queue=all", {
        "action": "unfeature", "_selected_action": [dropped.pk]})  # fmt: skip
    admin_client.post("/admin/comments/comment/?queue=all", {
        "action": "remove", "_selected_action": [removed.pk]})  # fmt: skip

    assert featured_box(page_of(client.get(article.get_absolute_url()))) == [str(kept.pk)]
    article.refresh_from_db()
    assert article.featured_count == 1
