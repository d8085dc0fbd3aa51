"""The embed (#30): sites that may frame a page's discussion, the frame itself, posting from it,
the counts for a host's lists, and what a hostile host page cannot do."""

import re
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from bench.measure import embed_script
from comments.models import Comment
from embed import signins
from embed.checks import embed_sites_are_origins
from embed.models import EmbeddedPage, SignIn, Site
from tests.factories import make_article, make_comment, make_user, set_rules
from tests.pages import form_data, page_of

pytestmark = pytest.mark.django_db

BLOG = "https://blog.example.com"
POST = f"{BLOG}/2026/12/a-post/"


@pytest.fixture(autouse=True)
def _listed_site(settings):
    settings.EMBED_SITES = [BLOG]


def frame(client, page=POST, **params):
    """The frame as the host's script asks for it, its redirect followed."""
    params = {"page": page, "title": "A post", **params}
    return client.get(reverse("embed:thread"), params, follow=True)


def frame_address(page):
    return reverse("embed:frame", args=[page.pk, "auto"])


def csp(response):
    return dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )


# Sites and their pages


def test_first_visit_from_a_listed_site_makes_one_article_for_the_page(client):
    assert frame(client).status_code == 200
    again = frame(client, page=f"{POST}?utm_source=feed#comments", title="Another title")
    assert again.status_code == 200
    page = EmbeddedPage.objects.get()
    assert (page.url, page.site.origin, page.views) == (POST, BLOG, 2)
    article = Article.objects.get()
    assert (article.title, article.is_published(), article.comments_open) == ("A post", True, True)
    assert f'<a href="{POST}" rel="noopener">A post</a>' in article.body_html
    assert article.author.has_usable_password() is False
    assert not article.author.is_active


def test_a_site_added_in_the_admin_may_embed_and_a_deactivated_one_may_not(client, settings):
    settings.EMBED_SITES = []
    site = Site.objects.create(origin="https://notes.example.org", name="Notes")
    assert frame(client, page="https://notes.example.org/one/").status_code == 200
    Site.objects.filter(pk=site.pk).update(is_active=False)
    assert frame(client, page="https://notes.example.org/two/").status_code == 403
    assert list(EmbeddedPage.objects.values_list("url", flat=True)) == [
        "https://notes.example.org/one/"
    ]


def test_a_listed_site_deactivated_by_staff_stays_refused(client):
    Site.objects.create(origin=BLOG, name="Blog", is_active=False)
    assert frame(client).status_code == 403
    assert not Article.objects.exists()


def test_an_unknown_origin_gets_a_refusal_inside_the_frame_and_nothing_else(client):
    response = frame(client, page="https://elsewhere.example.net/post/")
    assert response.status_code == 403
    assert "This site may not show these comments." in page_of(response)
    assert csp(response)["frame-ancestors"] == "*"  # the refusal shows, and holds nothing
    assert "X-Frame-Options" not in response
    assert not Article.objects.exists() and not Site.objects.exists()


def test_an_imported_article_is_found_by_its_old_address(client):
    imported = make_article(title="From WordPress", source_url=POST)
    make_comment(imported, body="An old comment")
    response = frame(client)
    assert "An old comment" in page_of(response)
    assert EmbeddedPage.objects.get().article == imported
    assert Article.objects.count() == 1


def test_pages_of_two_sites_are_two_discussions(client, settings):
    settings.EMBED_SITES = [BLOG, "http://localhost:8080"]
    frame(client)
    frame(client, page="http://localhost:8080/2026/12/a-post/")
    assert Article.objects.count() == 2


def test_the_origin_is_written_one_way(client, settings):
    settings.EMBED_SITES = ["HTTPS://Blog.Example.com:443/"]
    assert frame(client, page="https://BLOG.example.com:443/2026/12/a-post/").status_code == 200
    assert EmbeddedPage.objects.get().url == POST


# Hostile page addresses and titles


@pytest.mark.parametrize(
    "page",
    [
        "",
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "https://user:pass@blog.example.com/post/",
        "https://blog.example.com:99999/post/",
        "http://[::1/post/",
        "https://blog.example.com/\u202epost/",
        "https://blog.example.com/ post/",
        f"{BLOG}/{'a' * 600}/",
        "//blog.example.com/post/",
    ],
)
def test_a_page_address_that_is_not_a_web_page_is_refused_with_a_message(client, page):
    response = frame(client, page=page)
    assert response.status_code == 400
    assert "page" in page_of(response).lower()
    assert not Article.objects.exists()


def test_a_hostile_title_is_one_line_without_invisible_characters_cut_to_fit(client):
    title = "<script>alert(1)</script>\n\u202eevil\u200b " + "long " * 100
    response = frame(client, title=title)
    article = Article.objects.get()
    assert "\n" not in article.title and "\u202e" not in article.title
    assert "\u200b" not in article.title
    assert article.title.startswith("<script>alert(1)</script> evil long")
    assert len(article.title) == 200
    assert "<script>alert(1)" not in page_of(response)
    assert "<script>" not in article.body_html


def test_a_page_without_a_title_is_named_by_its_address(client):
    client.get(reverse("embed:thread"), {"page": POST, "title": " \u200b "})
    assert Article.objects.get().title == POST


def test_new_pages_are_limited_per_site(client, monkeypatch):
    monkeypatch.setattr("embed.services.NEW_PAGES_PER_HOUR", 2)
    statuses = [frame(client, page=f"{BLOG}/{n}/").status_code for n in range(3)]
    assert statuses == [200, 200, 429]
    assert frame(client, page=f"{BLOG}/0/").status_code == 200  # a known page still shows
    assert Article.objects.count() == 2


# The frame


def test_the_frame_may_be_framed_by_its_site_alone(client):
    response = frame(client)
    assert csp(response)["frame-ancestors"] == BLOG
    assert "X-Frame-Options" not in response
    assert "private" in response["Cache-Control"]
    elsewhere = client.get("/")
    assert elsewhere["X-Frame-Options"] == "DENY"
    assert csp(elsewhere)["frame-ancestors"] == "'none'"


def test_the_frames_links_and_form_stay_in_the_frame(client):
    article = make_article()
    page = EmbeddedPage.objects.create(
        site=Site.objects.create(origin=BLOG, name="Blog"), url=POST, article=article
    )
    make_comment(article, body="First!")
    html = page_of(client.get(frame_address(page)))
    address = frame_address(page)
    assert f'action="{address}post/#form-errors"' in html
    assert f'href="{address}?replytocom=' in html
    assert 'data-host-origin="https://blog.example.com"' in html
    assert "First!" in html
    # The site's own article page keeps its own addresses.
    own = page_of(client.get(article.get_absolute_url()))
    assert f'action="{reverse("comments:post", args=[article.pk])}#form-errors"' in own
    assert "/embed/" not in own


@pytest.mark.parametrize(
    ("params", "look"),
    [
        ({"theme": "dark", "accent": "#F60"}, ('class="embed theme-dark"', "--accent: #f60")),
        ({"theme": "light", "accent": "#1f5b8f"}, ('theme-light"', "--accent: #1f5b8f")),
        ({}, ('theme-auto"', None)),
    ],
)
def test_the_host_chooses_the_theme_and_accent(client, params, look):
    html = page_of(frame(client, **params))
    assert look[0] in html
    if look[1]:
        assert look[1] in html
    else:
        assert "--accent" not in html


ACCENT_REFUSED = "The accent colour must be #rgb or #rrggbb."


@pytest.mark.parametrize(
    ("params", "said"),
    [
        ({"theme": "neon"}, "Select a valid choice."),
        ({"accent": "red"}, ACCENT_REFUSED),
        ({"accent": "#12345"}, ACCENT_REFUSED),
        ({"accent": "#fff; background: url(x)"}, "at most 20 characters"),
        ({"accent": "#fff;x"}, ACCENT_REFUSED),
        ({"accent": "#ffg"}, ACCENT_REFUSED),
    ],
)
def test_a_theme_or_accent_that_is_not_ours_is_refused_with_a_message(client, params, said):
    response = frame(client, **params)
    assert response.status_code == 400
    assert said in page_of(response)
    assert not Article.objects.exists()


def test_a_look_the_frame_address_does_not_know_is_not_found(client):
    frame(client)
    page = EmbeddedPage.objects.get()
    assert client.get(f"/embed/{page.pk}/neon/").status_code == 404
    assert client.get(f"/embed/{page.pk}/dark-zzz/").status_code == 404


def test_a_closed_or_unpublished_article_in_the_frame(client):
    frame(client)
    page = EmbeddedPage.objects.get()
    Article.objects.filter(pk=page.article_id).update(comments_open=False)
    assert "Comments are closed." in page_of(client.get(frame_address(page)))
    Article.objects.filter(pk=page.article_id).update(status=Article.Status.DRAFT)
    assert client.get(frame_address(page)).status_code == 404


# Posting from the frame, without third-party cookies


def post_in_frame(client, page, **fields):
    return client.post(
        f"{frame_address(page)}post/", form_data(**fields),
        headers={"Origin": "http://testserver", "Referer": f"http://testserver{frame_address(page)}"},
    )  # fmt: skip


def test_a_guest_posts_in_the_frame_without_a_csrf_cookie_and_comes_back_to_it():
    client = Client(enforce_csrf_checks=True)  # no token and no cookie: the Origin is ours
    frame(client)
    page = EmbeddedPage.objects.get()
    client.cookies.clear()  # a third-party frame keeps none of ours
    response = post_in_frame(client, page, body="Posted from the frame.")
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{frame_address(page)}#comment-{comment.pk}"
    assert (comment.body, comment.article_id) == ("Posted from the frame.", page.article_id)


def test_a_post_from_another_site_is_refused():
    client = Client(enforce_csrf_checks=True)
    frame(client)
    page = EmbeddedPage.objects.get()
    response = client.post(
        f"{frame_address(page)}post/", form_data(), headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_a_held_comment_shows_to_its_writer_in_the_frame_through_partitioned_cookies(client):
    set_rules(hold_all=True)
    frame(client)
    page = EmbeddedPage.objects.get()
    response = post_in_frame(client, page, remember="on")
    for name in ("sessionid", "comment_author"):
        cookie = response.cookies[name]
        assert cookie["samesite"] == "None; Partitioned"
        assert cookie["secure"] is True
        assert "SameSite=None; Partitioned" in cookie.output()
    html = page_of(client.get(response["Location"]))
    assert "Your comment is awaiting moderation." in html
    assert 'value="Sam"' in html  # remembered, in the frame's own jar
    assert Client().get(frame_address(page)).content.count(b"awaiting moderation") == 0


def test_the_sites_own_cookies_stay_lax(client):
    article = make_article()
    response = client.post(reverse("comments:post", args=[article.pk]), form_data(remember="on"))
    assert response.cookies["sessionid"]["samesite"] == "Lax"
    assert "Partitioned" not in response.cookies["comment_author"].output()


def test_a_refused_comment_is_shown_again_in_the_frame(client):
    frame(client)
    page = EmbeddedPage.objects.get()
    response = post_in_frame(client, page, body="", author_name="Sam")
    html = page_of(response)
    assert response.status_code == 400
    assert 'class="embed theme-auto"' in html and 'id="form-errors"' in html
    assert csp(response)["frame-ancestors"] == BLOG


def test_a_reply_posted_in_the_frame_hangs_under_its_comment(client):
    frame(client)
    page = EmbeddedPage.objects.get()
    first = make_comment(page.article, body="First")
    post_in_frame(client, page, body="A reply", parent=str(first.pk))
    reply = Comment.objects.get(body="A reply")
    assert reply.parent == first


# Counts for a host's lists


def test_counts_of_many_pages_come_in_one_request_for_their_site_alone(
    client, django_assert_max_num_queries
):
    pages = [f"{BLOG}/{n}/" for n in range(3)]
    for url in pages[:2]:
        frame(client, page=url)
    first = EmbeddedPage.objects.get(url=pages[0])
    make_comment(first.article)
    make_comment(first.article)
    query = [("page", url) for url in [*pages, f"{pages[1]}#comments"]]
    with django_assert_max_num_queries(4):
        response = client.get(reverse("embed:counts"), query_params=query, headers={"Origin": BLOG})
    assert response.status_code == 200
    assert response.json()["pages"] == {
        pages[0]: {"count": 2, "text": "2 comments"},
        pages[1]: {"count": 0, "text": "0 comments"},
        pages[2]: {"count": 0, "text": "0 comments"},
        f"{pages[1]}#comments": {"count": 0, "text": "0 comments"},
    }
    assert response["Access-Control-Allow-Origin"] == BLOG
    assert "Origin" in response["Vary"]


def test_counts_read_by_another_origin_get_no_cors_permission(client):
    response = client.get(
        reverse("embed:counts"), {"page": POST}, headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response


def test_counts_of_an_imported_article_are_found_by_its_old_address(client):
    make_comment(make_article(source_url=POST))
    response = client.get(reverse("embed:counts"), {"page": POST})
    assert response.json()["pages"][POST]["count"] == 1


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ([], 400),
        ([("page", "javascript:alert(1)")], 400),
        ([("page", POST), ("page", "https://other.example/post/")], 400),
        ([("page", f"{BLOG}/{n}/") for n in range(101)], 400),
        ([("page", "https://unknown.example/post/")], 403),
    ],
)
def test_counts_refuse_what_they_cannot_answer_with_a_message(client, query, status):
    response = client.get(
        reverse("embed:counts"), query_params=query, headers={"Origin": "https://unknown.example"}
    )
    assert response.status_code == status
    assert response.json()["error"]
    assert "Access-Control-Allow-Origin" not in response


# The link for readers without JavaScript


def test_the_noscript_link_leads_to_the_discussion_on_the_site(client):
    response = client.get(reverse("embed:go"), {"page": POST, "title": "A post"})
    article = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == article.get_absolute_url()
    assert client.get(reverse("embed:go"), {"page": "https://x.example/"}).status_code == 403


def test_the_frame_page_has_no_inline_script(client):
    html = page_of(frame(client))
    assert not re.search(r"<script(?![^>]*\b(src=|type=\"application/ld\+json))", html)
    assert "embed-frame.js" in html


def test_the_host_script_stays_under_ten_kilobytes_compressed(settings):
    sizes = embed_script(settings.BASE_DIR / "static" / "js" / "embed.js")
    assert 0 < max(v for k, v in sizes.items() if k != "plain_kb") <= 10


# What the operator and staff see


@pytest.mark.parametrize(
    ("listed", "errors"),
    [
        ([BLOG, "http://localhost:8080"], []),
        (["https://blog.example.com/posts/"], ["embed.E001"]),
        (["blog.example.com"], ["embed.E001"]),
        (["ftp://blog.example.com"], ["embed.E001"]),
    ],
)
def test_every_listed_site_must_be_an_origin(settings, listed, errors):
    settings.EMBED_SITES = listed
    assert [error.id for error in embed_sites_are_origins(None)] == errors


def test_the_admin_lists_sites_with_their_pages_and_traffic(admin_client, client):
    frame(client)
    frame(client)
    frame(client, page=f"{BLOG}/other/")
    html = page_of(admin_client.get(reverse("admin:embed_site_changelist")))
    assert BLOG in html
    assert re.search(
        r'<td class="field-page_count">2</td><td class="field-frames_shown">3</td>', html
    )
    pages = page_of(admin_client.get(reverse("admin:embed_embeddedpage_changelist")))
    assert POST in pages and f"{BLOG}/other/" in pages


def test_staff_merge_two_pages_by_pointing_one_at_the_others_article(admin_client, client):
    frame(client)
    frame(client, page=f"{BLOG}/copy/")
    first, copy = EmbeddedPage.objects.order_by("pk")
    make_comment(first.article, body="Said on the first page")
    response = admin_client.post(
        reverse("admin:embed_embeddedpage_change", args=[copy.pk]),
        {"site": copy.site_id, "url": copy.url, "article": first.article_id},
    )
    assert response.status_code == 302
    assert "Said on the first page" in page_of(client.get(frame_address(copy)))


@pytest.mark.parametrize("comments", [0, 1, 20])
def test_the_frame_costs_the_same_queries_whatever_the_discussion(
    client, comments, django_assert_num_queries
):
    frame(client)
    page = EmbeddedPage.objects.get()
    for n in range(comments):
        make_comment(page.article, body=f"Comment {n}")
    client.get(frame_address(page))  # the discussion's cache filled
    # The page with its site and article, the view counted, the Discussion settings.
    with django_assert_num_queries(3):
        client.get(frame_address(page))


# Editing and deleting one's own comment, inside the frame


def test_a_guest_edits_and_deletes_their_comment_inside_the_frame(client):
    frame(client)
    page = EmbeddedPage.objects.get()
    post_in_frame(client, page, body="Frist!")
    comment = Comment.objects.get()
    edit = reverse("embed:edit", args=[page.pk, "auto", comment.pk])
    shown = client.get(edit)
    assert shown.status_code == 200
    assert 'class="embed theme-auto"' in page_of(shown)
    assert f'href="{frame_address(page)}#comment-{comment.pk}">Cancel' in page_of(shown)
    assert csp(shown)["frame-ancestors"] == BLOG and "X-Frame-Options" not in shown
    changed = client.post(edit, {"body": "First!"}, headers={"Origin": "http://testserver"})
    assert changed["Location"] == f"{frame_address(page)}#comment-{comment.pk}"
    comment.refresh_from_db()
    assert comment.body == "First!"
    assert "Your comment was changed." in page_of(client.get(changed["Location"]))
    delete = reverse("embed:delete", args=[page.pk, "auto", comment.pk])
    assert "Delete your comment?" in page_of(client.get(delete))
    deleted = client.post(delete, headers={"Origin": "http://testserver"})
    assert deleted["Location"] == f"{frame_address(page)}#comments"
    assert Comment.objects.get().status == Comment.Status.REMOVED


def test_nobody_else_edits_a_comment_through_the_frame(client):
    frame(client)
    page = EmbeddedPage.objects.get()
    post_in_frame(client, page)
    comment = Comment.objects.get()
    edit = reverse("embed:edit", args=[page.pk, "auto", comment.pk])
    assert Client().get(edit).status_code == 404
    elsewhere = make_comment(make_article(), body="Not on this page")
    mine_elsewhere = reverse("embed:edit", args=[page.pk, "auto", elsewhere.pk])
    assert client.get(mine_elsewhere).status_code == 404


# Members sign in through a popup (embed.signins)

FROM_FRAME = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}


@pytest.fixture
def embedded(client):
    """The page framed once: its EmbeddedPage."""
    frame(client)
    return EmbeddedPage.objects.get()


def start_sign_in(client, page):
    response = client.post(reverse("embed:sign_in", args=[page.pk, "auto"]), headers=FROM_FRAME)
    assert response.status_code == 201, response.content
    assert "no-store" in response["Cache-Control"]
    return response.json()


def trade(client, page, started, **changed):
    data = {"token": started["token"], "secret": started["secret"], **changed}
    return client.post(started["finish"], data, headers=FROM_FRAME)


def approve(member_client, started, answer="yes"):
    """The member says ``answer`` in the popup, with the page's CSRF token, as a browser does."""
    shown = member_client.get(started["popup"])
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page_of(shown)).group(1)
    return member_client.post(started["popup"], {"answer": answer, "csrfmiddlewaretoken": token})


@pytest.fixture
def member():
    return make_user(username="bob", first_name="Bob")


@pytest.fixture
def member_client(member):
    """The member's browser on forum itself, first-party, with Django's CSRF check on."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    return browser


def test_the_frame_offers_a_sign_in_that_its_script_opens_in_a_popup(client, embedded):
    html = page_of(client.get(frame_address(embedded)))
    sign_in = reverse("embed:sign_in", args=[embedded.pk, "auto"])
    assert f'<a href="{sign_in}" class="sign-in">Sign in</a>' in html
    assert "embed-signin.js" in html
    # Without a script, the link shows why, in the frame, and the way to forum itself.
    shown = client.get(sign_in)
    assert shown.status_code == 200
    assert csp(shown)["frame-ancestors"] == BLOG
    assert "needs JavaScript" in page_of(shown)
    assert f"{embedded.article.get_absolute_url()}#respond" in page_of(shown)


def test_a_sign_in_is_started_by_the_frame_alone_and_its_secret_is_not_stored(client, embedded):
    started = start_sign_in(client, embedded)
    assert set(started) == {"token", "secret", "seconds", "popup", "finish"}
    assert started["popup"] == f"/embed-signin/{started['token']}/"
    assert started["finish"] == f"{frame_address(embedded)}signin/finish/"
    stored = SignIn.objects.get()
    assert (stored.token, stored.page, stored.status) == (started["token"], embedded, "waiting")
    assert started["secret"] not in stored.secret_hash
    strict = Client(enforce_csrf_checks=True)
    url = reverse("embed:sign_in", args=[embedded.pk, "auto"])
    assert strict.post(url, headers={"Origin": "https://evil.example"}).status_code == 403
    assert strict.post(url, headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert strict.post(url).status_code == 403  # a script without the page's word or token
    assert SignIn.objects.count() == 1


def test_the_popup_sends_a_signed_out_reader_to_allauths_sign_in_and_back(client, embedded):
    started = start_sign_in(client, embedded)
    response = Client().get(f"{started['popup']}?next=https://evil.example/")
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={started['popup']}"


def test_a_member_says_yes_in_the_popup_and_the_frame_trades_it_once_for_its_session(
    client, embedded, member, member_client
):
    started = start_sign_in(client, embedded)
    waiting = trade(client, embedded, started)
    assert waiting.status_code == 202 and waiting.json() == {"status": "waiting"}
    shown = member_client.get(started["popup"])
    assert shown.status_code == 200
    assert "Sign in to the discussion on blog.example.com?" in page_of(shown)
    assert f"You are signed in on {django_settings.SITE_NAME} as Bob." in page_of(shown)
    assert shown["X-Frame-Options"] == "DENY"  # no page may frame the question and click it
    answered = approve(member_client, started)
    assert answered.status_code == 302 and answered["Location"] == started["popup"]
    assert "You are signed in to the discussion on blog.example.com" in page_of(
        member_client.get(started["popup"])
    )
    traded = trade(client, embedded, started)
    assert traded.status_code == 200
    assert traded.json() == {"status": "signed-in", "name": "Bob"}
    assert traded.cookies["sessionid"]["samesite"] == "None; Partitioned"
    html = page_of(client.get(frame_address(embedded)))
    sign_out = reverse("embed:sign_out", args=[embedded.pk, "auto"])
    assert f'Commenting as Bob (<a href="{sign_out}">sign out</a>).' in html
    assert 'name="author_name"' not in html
    again = trade(client, embedded, started)  # replayed
    assert again.status_code == 410
    assert again.json()["error"].startswith("This sign-in was already used.")
    assert SignIn.objects.get().status == "used"
    # Signed in there, the member posts as themselves.
    post_in_frame(client, embedded, body="Signed in from the frame.")
    comment = Comment.objects.get()
    assert (comment.user, comment.body) == (member, "Signed in from the frame.")


def test_the_answer_needs_a_post_with_csrf_from_a_signed_in_member(client, embedded, member):
    started = start_sign_in(client, embedded)
    popup = started["popup"]
    assert Client().post(popup, {"answer": "yes"}).status_code == 302  # to sign in first
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    assert browser.post(popup, {"answer": "yes"}).status_code == 403  # no token
    forged = browser.post(popup, {"answer": "yes"}, headers={"Origin": "https://blog.example.com"})
    assert forged.status_code == 403
    browser.get(popup, {"answer": "yes"})  # a GET answers nothing
    assert SignIn.objects.get().status == "waiting"
    assert trade(client, embedded, started).status_code == 202
    refused = approve(browser, started, answer="maybe")
    assert refused.status_code == 400 and "Choose" in page_of(refused)


def test_a_member_who_cancels_signs_nobody_in(client, embedded, member_client):
    started = start_sign_in(client, embedded)
    approve(member_client, started, answer="no")
    assert "Nothing was signed in" in page_of(member_client.get(started["popup"]))
    response = trade(client, embedded, started)
    assert response.status_code == 410
    assert response.json()["error"] == "This sign-in was cancelled."
    assert approve(member_client, started).status_code == 410  # answered once


def test_a_sign_in_expires_in_minutes(client, embedded, member_client):
    started = start_sign_in(client, embedded)
    SignIn.objects.update(created_at=timezone.now() - timedelta(seconds=signins.SECONDS + 1))
    shown = member_client.get(started["popup"])
    assert shown.status_code == 410 and "This sign-in has expired." in page_of(shown)
    assert trade(client, embedded, started).status_code == 410
    # Approved in time but traded too late: expired too.
    late = start_sign_in(client, embedded)
    approve(member_client, late)
    SignIn.objects.filter(token=late["token"]).update(
        created_at=timezone.now() - timedelta(seconds=signins.SECONDS + 1)
    )
    response = trade(client, embedded, late)
    assert response.status_code == 410 and "expired" in response.json()["error"]
    assert "sessionid" not in response.cookies


def test_a_sign_in_is_traded_by_its_own_frame_with_its_own_secret_alone(
    client, embedded, member_client, settings
):
    started = start_sign_in(client, embedded)
    approve(member_client, started)
    wrong_secret = trade(client, embedded, started, secret="x" * 43)
    assert wrong_secret.status_code == 404
    # Another site's frame, even with token and secret, trades nothing.
    settings.EMBED_SITES = [BLOG, "https://other.example"]
    frame(client, page="https://other.example/post/")
    other = EmbeddedPage.objects.get(url="https://other.example/post/")
    stolen = client.post(
        reverse("embed:finish", args=[other.pk, "auto"]),
        {"token": started["token"], "secret": started["secret"]}, headers=FROM_FRAME,
    )  # fmt: skip
    assert stolen.status_code == 404
    assert stolen.json()["error"].startswith("This sign-in is not known.")
    assert trade(client, embedded, started).status_code == 200  # still its own frame's


def test_another_member_cannot_see_or_take_an_answered_sign_in(client, embedded, member_client):
    started = start_sign_in(client, embedded)
    approve(member_client, started)
    someone = Client()
    someone.force_login(make_user())
    shown = someone.get(started["popup"])
    assert shown.status_code == 410 and "already used" in page_of(shown)


def test_sign_ins_are_limited_per_client(client, embedded, monkeypatch):
    monkeypatch.setattr("embed.signins.STARTS_PER_CLIENT", 2)
    url = reverse("embed:sign_in", args=[embedded.pk, "auto"])
    statuses = [client.post(url, headers=FROM_FRAME).status_code for _ in range(3)]
    assert statuses == [201, 201, 429]
    assert client.post(url, headers=FROM_FRAME).json()["error"].startswith("Too many requests")


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"token": "a" * 32},
        {"token": "a" * 32, "secret": ""},
        {"token": "a" * 33, "secret": "b" * 43},
        {"token": "a" * 31 + "/", "secret": "b" * 43},
        {"token": "a" * 32, "secret": "b" * 42 + "\u00e9"},
        {"token": "a" * 32, "secret": "b" * 42 + "\x00"},
        {"token": "<script>", "secret": "b" * 4000},
    ],
)
def test_hostile_trades_get_a_message_not_a_500(client, embedded, data):
    response = client.post(
        reverse("embed:finish", args=[embedded.pk, "auto"]), data, headers=FROM_FRAME
    )
    assert response.status_code == 400
    assert response.json()["error"] in {
        "Send the sign-in's token and secret as the frame's script got them.",
        "Ensure this value has at most 32 characters (it has 33).",
        "Null characters are not allowed.",
    }


def test_unknown_sign_ins_answer_with_a_message(client, embedded, member_client):
    unknown = member_client.get(f"/embed-signin/{'a' * 32}/")
    assert unknown.status_code == 404 and "This sign-in is not known." in page_of(unknown)
    assert member_client.get("/embed-signin/short/").status_code == 404
    assert member_client.get(f"/embed-signin/{'a' * 31}%00/").status_code == 404
    finish = reverse("embed:finish", args=[embedded.pk, "auto"])
    response = trade(client, embedded, {"token": "a" * 32, "secret": "b" * 43, "finish": finish})
    assert response.status_code == 404
    assert client.get(finish).status_code == 405


def test_a_member_signs_out_of_the_frame_alone(client, embedded, member, member_client):
    started = start_sign_in(client, embedded)
    approve(member_client, started)
    trade(client, embedded, started)
    sign_out = reverse("embed:sign_out", args=[embedded.pk, "auto"])
    shown = client.get(sign_out)
    assert "Sign out of the discussion?" in page_of(shown)
    assert csp(shown)["frame-ancestors"] == BLOG
    response = client.post(sign_out, headers=FROM_FRAME)
    assert response["Location"] == f"{frame_address(embedded)}#respond"
    assert response.cookies["sessionid"]["samesite"] == "None; Partitioned"
    assert 'name="author_name"' in page_of(client.get(frame_address(embedded)))
    assert client.get(sign_out)["Location"] == frame_address(embedded)  # nobody to sign out
    assert member_client.get(reverse("accounts:profile", args=["me"])).status_code == 200


def test_the_popup_and_the_pages_it_leads_to_keep_the_sites_own_cookies(client, embedded):
    started = start_sign_in(client, embedded)
    opened_by_the_frame = {
        "Referer": f"http://testserver{frame_address(embedded)}",
        "Sec-Fetch-Dest": "document",
    }
    response = Client().get(
        "/accounts/login/", {"next": started["popup"]}, headers=opened_by_the_frame
    )
    assert response.status_code == 200
    assert response.cookies["csrftoken"]["samesite"] == "Lax"
