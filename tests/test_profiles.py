"""Members' profiles (issue #12): a public page with their approved comments, their own edit
page, and the list of all their comments with the status of each."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from accounts.models import Profile
from comments.models import Comment
from tests.factories import make_article, make_comment, make_user
from tests.pages import page_of, submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rules")]
Status = Comment.Status


@pytest.fixture
def member():
    return make_user(username="ada", first_name="Ada", last_name="Byron", email="ada@example.com")


def test_a_profile_shows_the_members_approved_comments_newest_first(client, member):
    article = make_article(title="On engines")
    older = make_comment(article, user=member, body="The older one.")
    newer = make_comment(article, user=member, body="The newer one.")
    for status in (Status.PENDING, Status.SPAM, Status.REMOVED):
        make_comment(article, user=member, body=f"A {status} one.", status=status)
    make_comment(article, body="Someone else's.")
    Profile.objects.create(user=member, website="https://ada.example/", bio="Likes *engines*.")

    page = page_of(client.get("/users/ada/"))

    assert "<h1>Ada Byron</h1>" in page and "2 comments" in page
    assert '<a href="https://ada.example/" rel="nofollow ugc noopener">' in page
    assert "Likes <em>engines</em>." in page
    assert page.index("The newer one.") < page.index("The older one.")
    assert (
        f'href="{newer.get_absolute_url()}"' in page
        and f'href="{older.get_absolute_url()}"' in page
    )
    for hidden in ("pending", "spam", "removed", "Someone else"):
        assert hidden not in page
    assert "ada@example.com" not in page


def test_a_profile_pages_through_many_comments(client, member):
    article = make_article()
    for n in range(21):
        make_comment(article, user=member, body=f"Comment number {n}.")

    first, second = (page_of(client.get("/users/ada/", {"page": n})) for n in (1, 2))

    assert "Comment number 20." in first and "Comment number 0." not in first
    assert "Comment number 0." in second and "Page 2 of 2" in second


def test_an_unknown_or_inactive_member_has_no_profile(client):
    make_user(username="gone", is_active=False)
    assert client.get("/users/nobody/").status_code == 404
    assert client.get("/users/gone/").status_code == 404


def test_a_members_name_beside_a_comment_links_to_the_profile(client, member):
    article = make_article()
    make_comment(article, user=member, author_name="Ada Byron")

    page = page_of(client.get(article.get_absolute_url()))

    link = '<a href="/users/ada/">Ada Byron</a>'
    assert f'<span class="comment-author" dir="auto">{link}</span>' in page


def test_a_member_edits_their_profile_and_comments_under_the_new_name(client, member):
    client.force_login(member)
    assert "Ada Byron" in page_of(client.get("/users/me/"))  # the current name, to edit

    response = client.post(
        "/users/me/",
        {"display_name": "  Countess   Lovelace ", "website": "ada.example", "bio": "Hi."},
    )

    assert response.url == "/users/ada/"
    member.refresh_from_db()
    assert member.get_full_name() == "Countess Lovelace"
    assert Profile.objects.get(user=member).website == "https://ada.example"
    submit(client, make_article(), body="Signed with my new name.")
    assert Comment.objects.get().author_name == "Countess Lovelace"


def test_one_name_everywhere_and_old_comments_follow_a_new_one(client, member):
    """The header, the profile, the form and every comment, old ones included, show the
    member's current display name (#24); nobody else's comment changes."""
    article = make_article()
    old = make_comment(article, user=member, author_name="Ada Byron", body="Before.")
    reply = make_comment(article, parent=old, author_name="Bo", body="A reply.")
    elsewhere = make_comment(make_article(), user=member, author_name="Ada Byron")
    url = article.get_absolute_url()
    assert "Ada Byron" in page_of(client.get(url))  # cached before the change
    client.force_login(member)

    client.post("/users/me/", {"display_name": "Countess Lovelace", "website": "", "bio": ""})

    for page in (page_of(client.get(url)), page_of(Client().get(url))):
        assert "Ada Byron" not in page
        assert '<a href="/users/ada/">Countess Lovelace</a>' in page
    page = page_of(client.get(url))
    assert (
        '<a href="/users/ada/">Countess Lovelace</a>\n        <a href="/accounts/logout/">'
        "Sign out</a>" in page
    )  # the header
    assert "Commenting as Countess Lovelace (" in page
    assert "<h1>Countess Lovelace</h1>" in page_of(client.get("/users/ada/"))
    names = dict(Comment.objects.values_list("pk", "author_name"))
    assert names == {old.pk: "Countess Lovelace", reply.pk: "Bo",
                     elsewhere.pk: "Countess Lovelace"}  # fmt: skip

    client.post("/users/me/", {"display_name": "", "website": "", "bio": ""})
    assert Comment.objects.get(pk=old.pk).author_name == "ada"  # the username, without a name
    assert '<a href="/users/ada/">ada</a>' in page_of(Client().get(url))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "website",
            "javascript:alert(1)",
            "Enter a web address starting with http:// or https://.",
        ),
        ("website", "https://bank.example@evil.example/", "without a user name or password"),
        ("display_name", "Ada\u202eevil", "Remove the invisible character U+202E"),
        ("display_name", "\u200b\u200b", "Remove the invisible character U+200B"),
        ("display_name", "\u0301", "Enter a name with at least one visible letter or sign."),
        ("bio", "bell \x07 here", "Remove the control characters from this text."),
    ],
)
def test_bad_profile_input_is_explained_and_nothing_is_saved(client, member, field, value, message):
    client.force_login(member)
    data = {"display_name": "Ada Byron", "website": "", "bio": "", field: value}

    response = client.post("/users/me/", data)

    assert response.status_code == 200
    assert message in page_of(response).replace("&#x27;", "'")
    assert not Profile.objects.filter(user=member).exists()
    member.refresh_from_db()
    assert member.get_full_name() == "Ada Byron"


def test_the_edit_page_and_own_comments_need_signing_in(client):
    for path in ("/users/me/", "/users/me/comments/"):
        response = client.get(path)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_a_member_sees_all_their_comments_with_their_status(client, member):
    article = make_article(title="On engines")
    make_comment(article, user=member, body="Published words.")
    make_comment(article, user=member, body="Words in the queue.", status=Status.PENDING)
    make_comment(article, body="Not mine.")
    client.force_login(member)

    page = page_of(client.get("/users/me/comments/"))

    assert "Published words." in page and "Words in the queue." in page
    assert "awaiting moderation" in page and "Not mine." not in page


@pytest.mark.parametrize("size", [5, 60])
def test_the_article_page_makes_the_same_queries_for_a_member_for_5_and_60_comments(
    client, member, django_assert_num_queries, size
):
    article = make_article()
    for n in range(size):
        make_comment(article, user=member if n % 2 else None)
    client.force_login(member)
    client.get(article.get_absolute_url())  # the page's shell, kept for every member (#29)
    # the session with the member (accounts.sessions), the article's versions, the settings,
    # their own comments here (for Edit, Delete and what is held) and their mail preferences
    # (the form's default, #13); the page of threads and their comments are shared, the cache's
    with django_assert_num_queries(5):
        response = client.get(article.get_absolute_url())
    assert page_of(response).count('class="comment-body"') == min(size, 20)


def test_the_username_me_is_kept_for_the_members_own_page(client):
    password = "a long passphrase 42"
    client.post(
        "/accounts/signup/",
        {"username": "me", "email": "me@example.com", "password1": password, "password2": password},
    )
    assert not get_user_model().objects.filter(username="me").exists()
