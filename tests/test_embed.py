"""The embed (#30): sites that may frame a page's discussion, the frame itself, posting from it,
the counts for a host's lists, and what a hostile host page cannot do."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Article
from bench.measure import embed_script
from comments.models import Comment
from embed.checks import embed_sites_are_origins
from embed.models import EmbeddedPage, Site
from tests.factories import make_article, make_comment, set_rules
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
