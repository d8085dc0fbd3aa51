"""The Preview button (issue #5): the text rendered and sanitised as it would be posted."""

import pytest
from django.test import Client
from django.urls import reverse

from comments.models import Comment
from tests.factories import make_article, make_user
from tests.pages import page_of, submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rules")]


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
    assert f'<div class="comment-body" dir="auto">{shown}</div>' in page_of(response)


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
