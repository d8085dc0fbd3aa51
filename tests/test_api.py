"""The public JSON API (issue #30): reads as the page shows them, writes through the site's
rules, tokens, moderation, errors as problem+json, ETags, limits and CORS."""

import json
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from api import services as tokens
from api.models import ApiToken, digest
from articles.models import Article
from comments.models import Ban, Comment, ModerationLog, Report
from tests.factories import make_article, make_comment, make_threads, make_user, set_rules
from tests.test_hostile_input import BODY, EMAIL, NAME, WEBSITE, active_markup

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rules")]
API = "/api/v1"
PROBLEM = "application/problem+json"


def get(client, path, **headers):
    return client.get(f"{API}{path}", headers=headers)


def send(client, method, path, body=None, *, token=None, ip="127.0.0.1", **headers):
    if token:
        headers["Authorization"] = f"Bearer {token}"
    call = getattr(client, method)
    data = json.dumps(body) if body is not None else ""
    return call(f"{API}{path}", data, content_type="application/json", headers=headers,
                REMOTE_ADDR=ip)  # fmt: skip


def post_comment(client, article, **fields):
    guest = {"author_name": "Ada", "author_email": "ada@example.com", "body": "Hello"}
    return send(client, "post", f"/articles/{article.pk}/comments", {**guest, **fields})


def make_token(user, scope=ApiToken.Scope.READ):
    return tokens.issue_token(ApiToken(user=user, name="client", scope=scope))


def make_moderator():
    user = make_user(is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="comments", codename__in=["view_comment", "change_comment"]
    ))  # fmt: skip
    return user


def bodies(page):
    return [[(c["body_html"].strip(), c["depth"]) for c in t["comments"]] for t in page["threads"]]


# Reading


def test_articles_list_shows_published_articles_newest_first_with_their_counts(client):
    older = make_article(title="Older")
    newer = make_article(title="Newer", published_at=timezone.now())
    make_article(title="Draft", status=Article.Status.DRAFT)
    make_comment(older)

    page = get(client, "/articles").json()

    assert [a["title"] for a in page["items"]] == ["Newer", "Older"]
    assert page["items"][1]["comment_count"] == 1
    assert page["items"][1]["url"] == older.canonical_url()
    assert page["items"][1]["comments"] == f"{API}/articles/{older.pk}/threads"
    assert page["links"]["next"] is None and page["count"] == 2
    assert get(client, f"/articles/{newer.pk}").json()["title"] == "Newer"


def test_a_draft_is_not_found_for_readers(client):
    draft = make_article(status=Article.Status.DRAFT)

    response = get(client, f"/articles/{draft.pk}")

    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert response.json()["type"].endswith("/no-such-article")


def test_threads_come_in_the_pages_order_with_replies_under_their_parent(client):
    article = make_article()
    first = make_comment(article, body="first")
    make_comment(article, parent=first, body="reply")
    make_comment(article, body="second")

    page = get(client, f"/articles/{article.pk}/threads").json()

    assert bodies(page) == [[("<p>first</p>", 0), ("<p>reply</p>", 1)], [("<p>second</p>", 0)]]
    reply = page["threads"][0]["comments"][1]
    assert reply["parent"] == first.pk and reply["status"] == "published"
    assert reply["permalink"].endswith(f"/comments/{reply['id']}/")
    newest = get(client, f"/articles/{article.pk}/threads?sort=newest").json()
    assert [t["comments"][0]["body_html"].strip() for t in newest["threads"]] == [
        "<p>second</p>", "<p>first</p>",
    ]  # fmt: skip


def test_threads_are_paginated_as_the_page_with_links(client):
    set_rules(threads_per_page=2)
    article = make_article()
    make_threads(article, 3, replies=0)

    first = get(client, f"/articles/{article.pk}/threads")
    second = get(client, first.json()["links"]["next"].removeprefix(API))

    assert first.json()["pages"] == 2 and first.json()["count"] == 3
    assert 'rel="next"' in first["Link"]
    assert [t["comments"][0]["body_html"].strip() for t in second.json()["threads"]] == [
        "<p>thread 2</p>"
    ]
    assert get(client, f"/articles/{article.pk}/threads?page=3").status_code == 404


def test_big_threads_fold_their_replies_as_the_page_does(client):
    set_rules(comments_per_page=3)
    article = make_article()
    root = make_threads(article, 1, replies=5)[0]

    thread = get(client, f"/articles/{article.pk}/threads").json()["threads"][0]["comments"]
    whole = get(client, f"/comments/{root.pk}/thread").json()["comments"]

    assert len(thread) == 3  # the top-level comment and two replies
    assert thread[0]["more_replies"] == 3
    assert len(whole) == 6 and whole[0]["id"] == root.pk


def queries_of_threads(client, article):
    caches["discussion"].clear()
    with CaptureQueriesContext(connection) as queries:
        assert get(client, f"/articles/{article.pk}/threads").status_code == 200
    return len(queries)


def test_a_page_of_threads_costs_the_same_queries_for_one_comment_or_fifty(client):
    small, large = make_article(), make_article()
    make_threads(small, 1, replies=0)
    make_threads(large, 10, replies=4)

    assert queries_of_threads(client, small) == queries_of_threads(client, large)


def test_a_page_of_threads_is_kept_until_the_discussion_changes(client):
    article = make_article()
    root = make_comment(article, body="kept")
    get(client, f"/articles/{article.pk}/threads")

    with CaptureQueriesContext(connection) as again:
        get(client, f"/articles/{article.pk}/threads")
    make_comment(article, parent=root, body="new reply")
    fresh = get(client, f"/articles/{article.pk}/threads").json()

    assert not any("comments_comment" in q["sql"] for q in again.captured_queries)
    assert len(fresh["threads"][0]["comments"]) == 2


def test_held_comments_are_shown_to_their_writer_alone(client):
    article = make_article()
    set_rules(hold_all=True)

    posted = post_comment(client, article)

    assert posted.status_code == 201 and posted.json()["status"] == "awaiting moderation"
    mine = get(client, f"/articles/{article.pk}/threads").json()
    assert mine["threads"][0]["comments"][0]["status"] == "awaiting moderation"
    assert get(Client(), f"/articles/{article.pk}/threads").json()["threads"] == []
    assert get(Client(), posted["Location"].removeprefix(API)).status_code == 404


def test_a_removed_comment_with_replies_stays_as_an_empty_placeholder(client):
    article = make_article()
    root = make_comment(article, body="gone", author_name="Zed")
    make_comment(article, parent=root, body="still here")
    Comment.objects.filter(pk=root.pk).update(status=Comment.Status.REMOVED)

    comments = get(client, f"/articles/{article.pk}/threads").json()["threads"][0]["comments"]

    assert comments[0]["status"] == "removed"
    assert comments[0]["body_html"] == "" and comments[0]["author_name"] == ""
    assert comments[1]["body_html"].strip() == "<p>still here</p>"


def test_a_comment_shows_its_author_mark_score_and_edit_time(client):
    article = make_article()
    comment = make_comment(article, user=article.author, author_name="The author",
                           author_email=article.author.email)  # fmt: skip
    Comment.objects.filter(pk=comment.pk).update(upvotes=3, downvotes=1)

    shown = get(client, f"/comments/{comment.pk}").json()

    assert shown["is_by_author"] is True and shown["score"] == 2
    assert shown["edited"] is None and shown["depth"] == 0


def test_recent_comments_come_newest_first_with_a_cursor(client):
    article = make_article()
    for n in range(3):
        made = make_comment(article, body=f"c{n}")
        Comment.objects.filter(pk=made.pk).update(
            created_at=timezone.now() - timedelta(minutes=9 - n)
        )
    drafted = make_comment(make_article(), body="in a draft").article
    Article.objects.filter(pk=drafted.pk).update(status=Article.Status.DRAFT)

    first = get(client, "/comments?limit=2").json()
    rest = get(client, first["links"]["next"].removeprefix(API)).json()

    assert [c["body_html"].strip() for c in first["items"]] == ["<p>c2</p>", "<p>c1</p>"]
    assert [c["body_html"].strip() for c in rest["items"]] == ["<p>c0</p>"]
    assert "next" not in rest["links"] or rest["links"]["next"] is None


def test_counts_of_many_articles_by_id_or_address_in_one_call(client):
    one, two = make_article(), make_article()
    make_comment(one), make_comment(one), make_comment(two)

    asked = f"/counts?article={one.pk}&url={two.canonical_url()}&article=999999"
    items = get(client, asked).json()["items"]

    assert [(i["article"], i["comment_count"]) for i in items] == [
        (one.pk, 2), (None, 0), (two.pk, 1),
    ]  # fmt: skip


def test_reads_answer_304_while_nothing_changed_and_200_after_a_change(client):
    article = make_article()
    make_comment(article)
    path = f"/articles/{article.pk}/threads"

    first = get(client, path)
    again = get(client, path, **{"If-None-Match": first["ETag"]})
    make_comment(article)
    changed = get(client, path, **{"If-None-Match": first["ETag"]})

    assert first["ETag"].startswith('W/"')
    assert again.status_code == 304 and again.content == b""
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]


def test_the_schema_and_the_docs_page_are_served_from_this_site(client):
    schema = get(client, "/openapi.json").json()
    docs = get(client, "/docs")

    assert schema["openapi"].startswith("3.1")
    assert f"{API}/articles/{{article_id}}/threads" in schema["paths"]
    assert docs.status_code == 200
    assert "https://" not in docs.content.decode()  # no CDN: our CSP allows scripts from us only
    assert "/static/ninja/swagger-ui-bundle.js" in docs.content.decode()
    assert "script-src 'self'" in docs["Content-Security-Policy"]


# Writing


def test_a_guest_posts_and_a_reply_through_the_same_rules(client):
    article = make_article()

    posted = post_comment(client, article, body="First!")
    reply = post_comment(client, article, body="Reply", parent=posted.json()["comment"]["id"])

    assert posted.status_code == 201 and posted.json()["status"] == "published"
    assert reply.json()["comment"]["parent"] == posted.json()["comment"]["id"]
    assert Comment.objects.get(pk=reply.json()["comment"]["id"]).ip_address == "127.0.0.1"


def test_the_forms_messages_come_back_per_field(client):
    article = make_article()

    refused = post_comment(client, article, body="", author_email="not an address",
                           parent=10**12)  # fmt: skip

    assert refused.status_code == 422 and refused["Content-Type"] == PROBLEM
    assert set(refused.json()["errors"]) >= {"body", "author_email", "parent"}
    assert not Comment.objects.exists()


def test_a_first_comment_is_held_as_on_the_site(client):
    set_rules(hold_first_comment=True)

    posted = post_comment(client, make_article())

    assert posted.json()["status"] == "awaiting moderation"
    assert Comment.objects.get().status_reason == "held: first comment"


def test_a_banned_author_and_closed_comments_are_refused(client):
    article = make_article()
    Ban.objects.create(email="ada@example.com")
    closed = make_article(comments_open=False)

    banned = post_comment(client, article)
    shut = post_comment(Client(), closed, author_email="bo@example.com")

    assert banned.status_code == 403 and "not accepting" in banned.json()["detail"]
    assert shut.status_code == 403 and shut.json()["type"].endswith("/closed")


def test_flooding_answers_429_with_retry_after(client):
    set_rules(flood_seconds=60, new_author_flood_seconds=60)
    article = make_article()

    post_comment(client, article, body="one")
    again = post_comment(client, article, body="two")

    assert again.status_code == 429 and int(again["Retry-After"]) > 0


def test_the_apis_write_limit_answers_429(client, settings):
    settings.API_WRITES_PER_MINUTE = 2
    article = make_article()

    answers = [post_comment(client, article, body=f"n{n}").status_code for n in range(3)]

    assert answers == [201, 201, 429]


def test_markup_and_script_in_a_body_come_back_inert(client):
    hostile = "<script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1))"

    posted = post_comment(client, make_article(), body=hostile, author_name="<b>Eve</b>")

    html = posted.json()["comment"]["body_html"]
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;" in html  # shown as text, not lost
    assert posted.json()["comment"]["author_name"] == "<b>Eve</b>"  # JSON: the client escapes


def test_a_member_posts_with_a_token_under_their_name_without_csrf():
    member = make_user(first_name="Grace")
    secret = make_token(member)
    article = make_article()
    browser = Client(enforce_csrf_checks=True)

    posted = send(browser, "post", f"/articles/{article.pk}/comments", {"body": "Hi"},
                  token=secret)  # fmt: skip

    assert posted.status_code == 201
    assert Comment.objects.get().user == member
    assert posted.json()["comment"]["author_name"] == "Grace"


def test_a_browsers_write_with_cookies_needs_csrf_or_its_origin():
    member = make_user()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    article = make_article()
    path = f"/articles/{article.pk}/comments"

    forged = send(browser, "post", path, {"body": "Hi"}, **{"Sec-Fetch-Site": "cross-site"})
    ours = send(browser, "post", path, {"body": "Hi"}, **{"Sec-Fetch-Site": "same-origin"})

    assert forged.status_code == 403 and forged.json()["type"].endswith("/csrf")
    assert ours.status_code == 201


def test_a_write_must_be_json(client):
    response = client.post(f"{API}/articles/{make_article().pk}/comments", {"body": "x"})

    assert response.status_code in (400, 415) and response["Content-Type"] == PROBLEM


def test_a_writer_edits_and_deletes_their_own_comment(client):
    article = make_article()
    posted = post_comment(client, article, body="tpyo").json()["comment"]

    edited = send(client, "patch", f"/comments/{posted['id']}", {"body": "typo"})
    others = send(Client(), "patch", f"/comments/{posted['id']}", {"body": "mine now"})
    deleted = send(client, "delete", f"/comments/{posted['id']}")

    assert edited.status_code == 200 and edited.json()["body_html"].strip() == "<p>typo</p>"
    assert edited.json()["edited"] is not None
    assert others.status_code == 404
    assert deleted.status_code == 204
    assert Comment.objects.get().status == Comment.Status.REMOVED


def test_editing_after_a_reply_is_refused(client):
    article = make_article()
    posted = post_comment(client, article).json()["comment"]
    make_comment(article, parent=Comment.objects.get(pk=posted["id"]))

    late = send(client, "patch", f"/comments/{posted['id']}", {"body": "changed"})

    assert late.status_code == 403 and late.json()["type"].endswith("/too-late")


def test_votes_count_once_and_the_same_vote_takes_it_back(client):
    comment = make_comment(make_article())

    up = send(client, "post", f"/comments/{comment.pk}/vote", {"value": "up"})
    again = send(client, "post", f"/comments/{comment.pk}/vote", {"value": "up"})
    wrong = send(client, "post", f"/comments/{comment.pk}/vote", {"value": "sideways"})

    assert up.json() == {"vote": 1, "score": 1}
    assert again.json() == {"vote": 0, "score": 0}
    assert wrong.status_code == 422 and "value" in wrong.json()["errors"]


def test_nobody_votes_on_their_own_comment(client):
    member = make_user()
    comment = make_comment(make_article(), user=member)

    own = send(client, "post", f"/comments/{comment.pk}/vote", {"value": "up"},
               token=make_token(member))  # fmt: skip

    assert own.status_code == 403


def test_a_report_is_recorded_once_per_reader(client):
    comment = make_comment(make_article())

    first = send(client, "post", f"/comments/{comment.pk}/report", {"reason": "spam"})
    twice = send(client, "post", f"/comments/{comment.pk}/report", {"reason": "spam"})
    bad = send(client, "post", f"/comments/{comment.pk}/report", {"reason": "boring"})

    assert first.status_code == 202 and twice.status_code == 409
    assert bad.status_code == 422
    assert Report.objects.get().reason == "spam"


# Tokens


def test_a_token_is_stored_only_as_its_hash(client):
    secret = make_token(make_user())
    token = ApiToken.objects.get()

    assert secret.startswith("fk_") and secret not in str(vars(token))
    assert token.key_hash == digest(secret) and len(token.key_hash) == 64
    assert secret.startswith(token.prefix)


def test_an_unknown_or_revoked_token_is_refused_and_use_is_recorded(client):
    member = make_user()
    secret = make_token(member)
    path = f"/articles/{make_article().pk}"

    ok = get(client, path, Authorization=f"Bearer {secret}")
    tokens.revoke(ApiToken.objects.all())
    revoked = get(client, path, Authorization=f"Bearer {secret}")
    junk = get(client, path, Authorization="Bearer fk_nothing")
    basic = get(client, path, Authorization="Basic YTpi")

    assert ok.status_code == 200 and ApiToken.objects.get().last_used_at is not None
    assert [r.status_code for r in (revoked, junk, basic)] == [401, 401, 401]
    assert revoked["WWW-Authenticate"].startswith("Bearer")


def test_the_admin_shows_a_new_tokens_secret_once(admin_client):
    member = make_user()

    response = admin_client.post(
        "/admin/api/apitoken/add/", {"user": member.pk, "name": "sync", "scope": "read"}
    )

    token = ApiToken.objects.get()
    secret = response.context["secret"]
    assert secret in response.content.decode() and "no-cache" in response["Cache-Control"]
    assert token.key_hash == digest(secret)
    assert (
        secret not in admin_client.get(f"/admin/api/apitoken/{token.pk}/change/").content.decode()
    )


# Moderation


def test_the_queue_lists_held_comments_oldest_first_for_moderators(client):
    article = make_article()
    make_comment(article, body="fine")
    held = make_comment(article, body="held", status=Comment.Status.PENDING)
    secret = make_token(make_moderator(), ApiToken.Scope.MODERATE)

    queue = get(client, "/moderation/queue", Authorization=f"Bearer {secret}").json()

    assert [item["id"] for item in queue["items"]] == [held.pk]


def test_moderation_needs_the_scope_staff_and_the_admins_permission(client):
    reader_token = make_token(make_user())
    staff_read = make_token(make_moderator())
    no_perms = make_token(make_user(is_staff=True), ApiToken.Scope.MODERATE)

    answers = [
        get(client, "/moderation/queue").status_code,
        get(client, "/moderation/queue", Authorization=f"Bearer {reader_token}").status_code,
        get(client, "/moderation/queue", Authorization=f"Bearer {staff_read}").status_code,
        get(client, "/moderation/queue", Authorization=f"Bearer {no_perms}").status_code,
    ]

    assert answers == [401, 403, 403, 403]


def test_a_moderator_approves_and_removes_and_each_move_is_logged(client):
    moderator = make_moderator()
    secret = make_token(moderator, ApiToken.Scope.MODERATE)
    held = make_comment(make_article(), status=Comment.Status.PENDING)
    path = f"/moderation/comments/{held.pk}"

    approved = send(client, "post", path, {"move": "approve"}, token=secret)
    removed = send(client, "post", path, {"move": "remove"}, token=secret)
    unknown = send(client, "post", path, {"move": "delete_everything"}, token=secret)

    assert approved.json() == {"changed": 1, "status": "approved"}
    assert removed.json()["status"] == "removed"
    assert unknown.status_code == 422
    log = ModerationLog.objects.filter(comment=held).order_by("pk")
    assert [(e.to_status, e.moderator) for e in log] == [
        ("approved", moderator), ("removed", moderator),
    ]  # fmt: skip


def test_a_moderator_bans_an_author_and_their_comments_go(client):
    secret = make_token(make_moderator(), ApiToken.Scope.MODERATE)
    article = make_article()
    one = make_comment(article, author_email="troll@example.com")
    make_comment(article, author_email="troll@example.com")

    banned = send(client, "post", f"/moderation/comments/{one.pk}/ban", {"reason": "trolling"},
                  token=secret)  # fmt: skip

    assert banned.json()["removed"] == 2
    assert Ban.objects.get().email == "troll@example.com"
    assert post_comment(Client(), article, author_email="troll@example.com").status_code == 403


# Errors and hostile input


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("get", "/articles/99999999999999999999999", None),
        ("get", "/articles/-1", None),
        ("get", "/articles/abc", None),
        ("get", "/articles?page=0", None),
        ("get", "/articles?page=99999999999999999999999", None),
        ("get", "/comments?cursor=not-a-cursor", None),
        ("get", "/comments?limit=100000", None),
        ("get", "/counts?url=%00", None),
        ("get", "/no/such/address", None),
        ("put", "/articles", None),
        ("post", "/articles/1/comments", {"body": 12}),
        ("post", "/articles/1/comments", {"body": "x", "parent": 10**30}),
        ("post", "/articles/1/comments", {"body": "x\x00", "author_name": "\x00"}),
        ("post", "/articles/1/comments", ["not", "an", "object"]),
        ("post", "/comments/1/vote", {"value": None}),
        ("patch", "/comments/1", {"body": {"nested": True}}),
    ],
)
def test_nothing_a_client_sends_answers_500(client, method, path, body):
    make_comment(make_article())

    response = send(client, method, path, body)

    assert 400 <= response.status_code < 500
    problem = response.json()
    assert response["Content-Type"] == PROBLEM
    assert set(problem) >= {"type", "title", "status", "detail"}
    assert problem["status"] == response.status_code


def test_malformed_json_is_a_400_problem(client):
    article = make_article()

    response = client.post(f"{API}/articles/{article.pk}/comments", "{not json",
                           content_type="application/json")  # fmt: skip

    assert response.status_code == 400 and response["Content-Type"] == PROBLEM


def test_a_body_over_the_size_limit_is_refused(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    article = make_article()

    response = post_comment(client, article, body="x" * 5000)

    assert response.status_code in (400, 413) and response["Content-Type"] == PROBLEM


# CORS


def test_cors_headers_go_only_to_the_listed_origins(client, settings):
    settings.API_CORS_ORIGINS = ["https://blog.example.com"]

    listed = get(client, "/articles", Origin="https://blog.example.com")
    other = get(client, "/articles", Origin="https://evil.example.net")
    preflight = client.options(f"{API}/articles/1/comments", headers={
        "Origin": "https://blog.example.com", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type",
    })  # fmt: skip

    assert listed["Access-Control-Allow-Origin"] == "https://blog.example.com"
    assert "Access-Control-Allow-Origin" not in other
    assert "Origin" in listed["Vary"]
    assert preflight.status_code == 204
    assert "Authorization" in preflight["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in listed  # tokens, never cookies


# The form's cases that JSON can carry (raw bytes cannot be a JSON string: see below).
AS_JSON = [case for case in BODY + NAME + EMAIL + WEBSITE if isinstance(case.values[1], str)]


@pytest.mark.parametrize(("field", "value", "expect"), AS_JSON)
def test_the_forms_hostile_inputs_are_refused_or_stored_and_answered_inert(
    client, field, value, expect
):
    article = make_article()
    guest = {"author_name": "Ada", "author_email": "ada@example.com", "body": "Hello"}

    response = send(client, "post", f"/articles/{article.pk}/comments", {**guest, field: value})

    if expect.refused:
        assert response.status_code == 422
        assert response.json()["errors"] == {field: [expect.refused]}
        assert not Comment.objects.exists()
        return
    assert response.status_code == 201, response.json()
    comment = Comment.objects.get()
    kept = value if expect.kept is None else expect.kept
    assert getattr(comment, field) == (kept.lower() if field == "author_email" else kept)
    shown = (
        get(client, f"/comments/{comment.pk}").json()
        if comment.status == "approved"
        else (response.json()["comment"])
    )
    assert active_markup(shown["body_html"]) == []
    assert shown["body_html"] == comment.body_html  # sanitised once, at save, as on the page
    assert shown["website"] in ("", comment.author_url)


@pytest.mark.parametrize("value", ["1 OR 1=1", "-1", "99999999999999999999", "<script>"])
def test_a_hostile_parent_is_refused_as_the_form_refuses_it(client, value):
    response = post_comment(client, make_article(), parent=value)

    assert response.status_code == 422 and "parent" in response.json()["errors"]
    assert not Comment.objects.exists()


def test_a_lone_surrogate_is_kept_as_a_replacement_character_as_the_form_keeps_it(client):
    article = make_article()
    raw = b'{"body": "a \\ud800 b", "author_name": "Sam\\udfff", "author_email": "s@example.com"}'

    response = client.post(f"{API}/articles/{article.pk}/comments", raw,
                           content_type="application/json")  # fmt: skip

    assert response.status_code == 201
    comment = Comment.objects.get()
    assert (comment.body, comment.author_name) == ("a \ufffd b", "Sam\ufffd")


def test_a_body_that_is_not_utf8_is_a_400_not_a_500(client):
    article = make_article()

    response = client.post(f"{API}/articles/{article.pk}/comments", b'{"body": "\xff\xfe"}',
                           content_type="application/json")  # fmt: skip

    assert response.status_code == 400 and response["Content-Type"] == PROBLEM
    assert not Comment.objects.exists()
