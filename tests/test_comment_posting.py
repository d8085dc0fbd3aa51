"""Writing comments over HTTP (issue #3): post/redirect/get, replies without JavaScript,
accounts, the remember-me cookie, bad input, closed and draft articles, moderation, deep threads.
"""

import html
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from comments.models import Comment
from comments.services import delete_comment
from tests.factories import draw, make_article, make_comment, make_user, set_rules
from tests.pages import form_data, form_errors, heading, page_of, submit, value_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rules")]


NOT_AVAILABLE = "The comment you are replying to is not available."
CONTROL = "Remove the control characters from this text."
NULL = "Null characters are not allowed."


def hidden(code, name="a control character"):
    """The one-line fields' refusal of an invisible character (#18)."""
    return (f"Remove the invisible character {code} ({name}) from this field: it could hide or "
            "reorder what readers see.")  # fmt: skip


def web_hidden(described):
    return f"Enter a web address without spaces or invisible characters: it holds {described}."


WEB_ADDRESS = "Enter a web address starting with http:// or https://."
REQUIRED = "This field is required."


def form_title(page):
    return re.search(r'<h2 id="reply-title"[^>]*>(.*?)</h2>', page).group(1)


def errors_beside(page, name):
    """The errors the field ``name`` is described by, checked to sit in the field's paragraph."""
    block = next(
        block
        for block in re.findall(r'<p class="field[^"]*">.*?</p>', page, re.S)
        if f'name="{name}"' in block
    )
    widget = re.search(rf'<(input|textarea) [^>]*name="{name}"[^>]*>', block).group(0)
    assert 'aria-invalid="true"' in widget
    described = re.search(r'aria-describedby="([^"]+)"', widget).group(1).split()
    described_by = next(name for name in described if name.endswith("_error"))  # after the hint
    assert page.count(f'id="{described_by}"') == 1
    errors = re.search(
        rf'<span id="{described_by}">((?:<span class="field-error">.*?</span>)+)</span>', block
    )
    found = re.findall(r'<span class="field-error">(.*?)</span>', errors.group(1))
    return [html.unescape(message) for message in found]


# Post/redirect/get


def test_a_new_comment_redirects_to_its_anchor_and_is_shown_and_counted(client):
    article = make_article()
    assert heading(page_of(client.get(article.get_absolute_url()))) == "No comments yet"

    response = submit(
        client, article, follow=False, body="First!", author_url="https://sam.example.net/"
    )

    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/comments/{comment.pk}/"  # the permalink
    assert (comment.article, comment.parent, comment.user) == (article, None, None)
    assert (comment.author_name, comment.author_email, comment.author_url) == (
        "Sam",
        "sam@example.com",
        "https://sam.example.net/",
    )
    assert comment.status == Comment.Status.APPROVED
    page = page_of(client.get(response["Location"], follow=True))
    assert f'id="comment-{comment.pk}"' in page
    assert "<p>First!</p>" in page
    assert heading(page) == "1 comment"

    response = submit(client, article, body="Second thoughts.")

    second = Comment.objects.latest("pk")
    assert response.redirect_chain[-1:] == [
        (f"{article.get_absolute_url()}#comment-{second.pk}", 302)
    ]
    assert heading(page_of(response)) == "2 comments"
    assert draw(article) == [("First!", 0), ("Second thoughts.", 0)]


def test_a_body_of_exactly_ten_thousand_characters_is_accepted(client):
    article = make_article()
    response = submit(client, article, follow=False, body="x" * 10_000)
    assert response.status_code == 302
    assert len(Comment.objects.get().body) == 10_000


def test_tabs_and_line_breaks_are_not_refused_as_control_characters(client):
    article = make_article()
    response = submit(client, article, body="line one\n\tline two")
    assert Comment.objects.get().body == "line one\n\tline two"
    assert "<p>line one\nline two</p>" in page_of(response)


# Replies without JavaScript


def test_replytocom_shows_a_reply_form_for_that_comment(client):
    article = make_article()
    comment = make_comment(article, author_name="Noor", body="We planted one.")

    page = page_of(client.get(f"{article.get_absolute_url()}?replytocom={comment.pk}"))

    assert form_title(page) == "Reply to Noor"
    assert f'<a class="cancel-reply" href="{article.get_absolute_url()}#respond">' in page
    assert "Cancel reply</a>" in page
    assert value_in(page, "parent") == str(comment.pk)
    assert "Post Reply</button>" in page


def test_the_plain_page_offers_a_new_comment_not_a_reply(client):
    article = make_article()
    make_comment(article)
    page = page_of(client.get(article.get_absolute_url()))
    assert form_title(page) == "Leave a Comment"
    assert "Cancel reply" not in page
    assert value_in(page, "parent") == ""


def test_a_reply_is_stored_under_its_parent_and_shown_after_it(client):
    article = make_article()
    first = make_comment(article, body="first thread")
    make_comment(article, parent=first, body="earlier reply")
    make_comment(article, body="second thread")

    response = submit(client, article, parent=str(first.pk), body="my reply")

    reply = Comment.objects.get(body="my reply")
    assert reply.parent == first
    assert response.redirect_chain[-1:] == [
        (f"{article.get_absolute_url()}#comment-{reply.pk}", 302)
    ]
    assert draw(article) == [
        ("first thread", 0),
        ("earlier reply", 1),
        ("my reply", 1),
        ("second thread", 0),
    ]
    page = page_of(response)
    assert page.index("earlier reply") < page.index("my reply") < page.index("second thread")
    assert heading(page) == "4 comments"


def test_a_rejected_reply_is_still_shown_as_a_reply_to_the_same_comment(client):
    article = make_article()
    comment = make_comment(article, author_name="Noor")

    response = submit(
        client, article, follow=False, parent=str(comment.pk), author_name="", body="I agree"
    )

    page = page_of(response)
    assert response.status_code == 400
    assert form_title(page) == "Reply to Noor"
    assert value_in(page, "parent") == str(comment.pk)
    assert value_in(page, "body") == "I agree"
    assert Comment.objects.count() == 1


# Logged-in users


def test_a_logged_in_user_sees_only_the_comment_box(client):
    user = make_user(first_name="Ada", last_name="Lovelace")
    client.force_login(user)
    page = page_of(client.get(make_article().get_absolute_url()))

    assert value_in(page, "body") == ""
    for name in ("author_name", "author_email", "author_url", "remember"):
        assert f'name="{name}"' not in page
    assert 'Commenting as Ada Lovelace (<a href="/accounts/logout/">sign out</a>).' in page


def test_a_logged_in_users_comment_is_attributed_to_them_whatever_the_form_says(client):
    user = make_user(first_name="Ada", last_name="Lovelace", email="ada@example.com")
    client.force_login(user)
    article = make_article()

    response = submit(
        client,
        article,
        body="Counting engines.",
        author_name="Someone Else",
        author_email="else@example.com",
        author_url="https://else.example.com/",
    )

    comment = Comment.objects.get()
    assert (comment.user, comment.author_name, comment.author_email, comment.author_url) == (
        user,
        "Ada Lovelace",
        "ada@example.com",
        "",
    )
    # A member's name links to their profile (#12).
    profile = f'<a href="/users/{user.username}/">Ada Lovelace</a>'
    assert f'<span class="comment-author" dir="auto">{profile}</span>' in page_of(response)
    assert "comment_author" not in response.cookies


def test_a_user_with_a_long_username_and_no_full_name_can_comment(client):
    user = make_user(username="u" * 150, first_name="")
    client.force_login(user)
    article = make_article()

    response = submit(client, article, follow=False, body="Long names are fine.")

    assert response.status_code == 302
    comment = Comment.objects.get()
    assert (comment.user, comment.author_name) == (user, "u" * 100)


def test_the_comment_box_says_it_takes_markdown(client):
    page = page_of(client.get(make_article().get_absolute_url()))
    box = re.search(r'<textarea [^>]*name="body"[^>]*>', page).group(0)
    assert 'aria-describedby="id_body_helptext"' in box  # read out with the box (#24)
    hint = re.search(r'<p class="form-note" id="id_body_helptext">(.*?)</p>', page).group(1)
    assert html.unescape(hint).startswith("You can use Markdown: *italics*, **bold**")


# Remember my name, email and website


def test_ticking_remember_sets_a_cookie_that_prefills_the_next_form(client):
    article = make_article()
    name = 'Zoë "Jo" O\'Brien; Jr.'

    response = submit(
        client,
        article,
        follow=False,
        author_name=name,
        author_email="zoe@example.com",
        author_url="https://zoe.example.org/",
        remember="on",
    )

    cookie = response.cookies["comment_author"]
    assert cookie.value and cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie["max-age"] == 365 * 24 * 3600
    page = page_of(client.get(article.get_absolute_url()))
    assert value_in(page, "author_name") == name
    assert value_in(page, "author_email") == "zoe@example.com"
    assert value_in(page, "author_url") == "https://zoe.example.org/"
    assert value_in(page, "body") == ""
    assert re.search(r'<input type="checkbox" name="remember"[^>]* checked', page)


def test_without_remember_no_cookie_is_set_and_the_next_form_is_empty(client):
    article = make_article()

    response = submit(client, article, follow=False)

    assert response.status_code == 302
    assert "comment_author" not in response.cookies or not response.cookies["comment_author"].value
    page = page_of(client.get(article.get_absolute_url()))
    assert value_in(page, "author_name") == ""
    assert value_in(page, "author_email") == ""
    assert not re.search(r'<input type="checkbox" name="remember"[^>]* checked', page)


def test_unticking_remember_deletes_the_cookie(client):
    article = make_article()
    submit(client, article, follow=False, remember="on")
    assert value_in(page_of(client.get(article.get_absolute_url())), "author_name") == "Sam"

    response = submit(client, article, follow=False, body="Forget me.")

    cookie = response.cookies["comment_author"]
    assert cookie.value == "" and cookie["max-age"] == 0
    page = page_of(client.get(article.get_absolute_url()))
    assert value_in(page, "author_name") == ""
    assert value_in(page, "author_email") == ""


def test_a_tampered_remember_cookie_is_ignored(client):
    article = make_article()
    client.cookies["comment_author"] = '{"author_name": "Mallory"}'
    page = page_of(client.get(article.get_absolute_url()))
    assert value_in(page, "author_name") == ""
    assert "Mallory" not in page


# Bad input: a message beside the field, the text kept, 400, nothing stored


def other_articles_comment(article):
    return make_comment(make_article()).pk


def spam_comment(article):
    return make_comment(article, status=Comment.Status.SPAM).pk


def removed_comment(article):
    return make_comment(article, status=Comment.Status.REMOVED).pk


def someone_elses_pending_comment(article):
    return make_comment(article, status=Comment.Status.PENDING).pk


def missing_comment(article):
    gone = make_comment(article)
    delete_comment(gone, by=None)
    return gone.pk


BAD_INPUT = [
    pytest.param({"body": ""}, "body", REQUIRED, id="empty body"),
    pytest.param({"body": " \n\t "}, "body", REQUIRED, id="whitespace-only body"),
    pytest.param({"author_name": ""}, "author_name", REQUIRED, id="empty name"),
    pytest.param({"author_name": "   "}, "author_name", REQUIRED, id="whitespace-only name"),
    pytest.param(
        {"author_name": "n" * 101},
        "author_name",
        "Ensure this value has at most 100 characters (it has 101).",
        id="name too long",
    ),
    pytest.param({"author_email": ""}, "author_email", REQUIRED, id="empty email"),
    pytest.param(
        {"author_email": "sam at example"},
        "author_email",
        "Enter a valid email address.",
        id="invalid email",
    ),
    pytest.param(
        {"body": "y" * 10_001},
        "body",
        "Ensure this value has at most 10000 characters (it has 10001).",
        id="body of 10001 characters",
    ),
    pytest.param(
        {"author_url": "ftp://files.example.com/"}, "author_url", WEB_ADDRESS, id="ftp website"
    ),
    pytest.param(
        {"author_url": "javascript:alert(1)"}, "author_url", WEB_ADDRESS, id="javascript website"
    ),
    pytest.param(
        {"author_url": "https://example.com/\x07"},
        "author_url",
        web_hidden("U+0007 (a control character)"),
        id="bell in website",
    ),
    pytest.param({"body": "before\x00after"}, "body", NULL, id="NUL in body"),
    pytest.param({"body": "ring\x07ring"}, "body", CONTROL, id="bell in body"),
    pytest.param({"body": "\x1b[31mred"}, "body", CONTROL, id="escape in body"),
    pytest.param({"author_name": "Sam\x07"}, "author_name", hidden("U+0007"), id="bell in name"),
    pytest.param(
        {"author_name": "\x1b[1mSam"}, "author_name", hidden("U+001B"), id="escape in name"
    ),
    pytest.param({"author_name": "Sam\x00"}, "author_name", hidden("U+0000"), id="NUL in name"),
    pytest.param({"parent": other_articles_comment}, "parent", NOT_AVAILABLE, id="other article"),
    pytest.param({"parent": spam_comment}, "parent", NOT_AVAILABLE, id="spam parent"),
    pytest.param({"parent": removed_comment}, "parent", NOT_AVAILABLE, id="removed parent"),
    pytest.param(
        {"parent": someone_elses_pending_comment},
        "parent",
        NOT_AVAILABLE,
        id="someone else's pending parent",
    ),
    pytest.param({"parent": missing_comment}, "parent", NOT_AVAILABLE, id="missing parent"),
    pytest.param({"parent": "abc"}, "parent", NOT_AVAILABLE, id="parent not a number"),
    pytest.param({"parent": "1.5"}, "parent", NOT_AVAILABLE, id="parent not an integer"),
    pytest.param(
        {"parent": "99999999999999999999999"}, "parent", NOT_AVAILABLE, id="parent out of range"
    ),
]


@pytest.mark.parametrize(("overrides", "field", "message"), BAD_INPUT)
def test_bad_input_is_explained_beside_its_field_and_nothing_is_stored(
    client, overrides, field, message
):
    article = make_article()
    make_comment(article, body="already here")
    typed = {
        "body": "My careful <b>thoughts</b> & more",
        "author_name": "Sam O'Neil",
        "author_url": "https://sam.example.net/",
    }
    overrides = {k: v(article) if callable(v) else v for k, v in overrides.items()}
    fields = {**typed, **overrides}
    data = form_data(**fields)  # what the browser sent
    stored = list(Comment.objects.values_list("pk", flat=True))

    response = submit(client, article, follow=False, **fields)

    page = page_of(response)
    assert response.status_code == 400
    assert list(Comment.objects.values_list("pk", flat=True)) == stored
    assert "Your comment was not posted: please correct the error below." in page
    if field == "parent":
        assert form_errors(page) == [message]
        # The page now offers a new comment; its hidden field must agree, or every retry fails.
        assert form_title(page) == "Leave a Comment"
        assert value_in(page, "parent") == ""
    else:
        assert message in errors_beside(page, field)
    for name in ("body", "author_name", "author_email", "author_url"):
        assert value_in(page, name) == data[name], name
    assert heading(page) == "1 comment"


def test_a_rejected_parent_can_be_resubmitted_as_a_new_comment(client):
    article = make_article()
    parent = make_comment(article, body="spam", status=Comment.Status.SPAM)
    response = submit(
        client, article, follow=False, parent=str(parent.pk), body="Still worth saying."
    )
    assert response.status_code == 400

    page = page_of(response)
    retry = {name: value_in(page, name) for name in ("body", "author_name", "author_email")}
    response = submit(client, article, follow=False, parent=value_in(page, "parent"), **retry)

    assert response.status_code == 302
    assert draw(article) == [("spam", 0), ("Still worth saying.", 0)]


def test_the_page_of_a_refused_comment_links_to_the_article_and_opens_at_the_error(client):
    set_rules(threads_per_page=1)
    article = make_article()
    first = make_comment(article, author_name="Ines", body="First thread")
    make_comment(article, body="Second thread")

    response = submit(client, article, follow=False, author_email="not an address")

    assert response.status_code == 400
    page = page_of(response)
    url = article.get_absolute_url()
    # Served at the form's address: every link to another order, page or reply target must
    # name the article, or it asks /comments/post/N/ for a page (#24).
    links = re.findall(r'href="([^"#]*\?[^"]*)"', page)
    links = [link for link in links if not link.startswith("/accounts/login/?next=")]
    assert links and all(link.startswith(url) for link in links), links
    assert f'href="/accounts/login/?next={url}"' in page  # "Sign in" returns to the article
    assert f'href="{url}?page=2#comments"' in page
    assert f'href="{url}?replytocom={first.pk}#respond"' in page
    action = reverse("comments:post", args=[article.pk])
    # The page opens at the error summary, which can take the focus.
    assert f'<form method="post" action="{action}#form-errors"' in page
    summary = re.search(r'<p class="form-error" id="form-errors"[^>]*>', page).group(0)
    assert 'tabindex="-1"' in summary


def test_the_address_of_a_refused_comment_reloaded_leads_to_the_article_form(client):
    article = make_article()

    response = client.get(reverse("comments:post", args=[article.pk]))

    assert response.status_code == 302
    assert response["Location"] == f"{article.get_absolute_url()}#respond"
    assert client.head(reverse("comments:post", args=[article.pk])).status_code == 302
    assert client.put(reverse("comments:post", args=[article.pk])).status_code == 405
    draft = make_article(status=Article.Status.DRAFT)
    assert client.get(reverse("comments:post", args=[draft.pk])).status_code == 404


# Closed and unpublished articles


def test_posting_to_a_draft_article_is_not_found(client):
    article = make_article(status=Article.Status.DRAFT)
    assert submit(client, article, follow=False).status_code == 404
    assert not Comment.objects.exists()


def test_staff_posting_on_a_draft_they_can_see_are_told_comments_are_closed(client):
    article = make_article(status=Article.Status.DRAFT)
    client.force_login(article.author)

    response = submit(client, article, follow=False, body="Note to self")

    page = page_of(response)
    assert response.status_code == 400
    assert "Comments are closed." in page and "Note to self</textarea>" in page
    assert not Comment.objects.exists()


def test_posting_to_a_scheduled_article_is_not_found(client):
    article = make_article(published_at=timezone.now() + timedelta(days=1))
    assert submit(client, article, follow=False).status_code == 404
    assert not Comment.objects.exists()


def test_posting_to_a_closed_article_keeps_the_text_and_stores_nothing(client):
    article = make_article(comments_open=False)

    response = submit(client, article, follow=False, body="My words <3 & all")

    page = page_of(response)
    assert response.status_code == 400
    assert "Comments are closed." in page
    assert 'class="comment-form"' not in page
    assert "My words &lt;3 &amp; all</textarea>" in page
    assert not Comment.objects.exists()


def test_a_closed_article_offers_no_form_or_reply_links(client):
    article = make_article()
    make_comment(article, body="from before")  # written while comments were open
    Article.objects.filter(pk=article.pk).update(comments_open=False)
    page = page_of(client.get(article.get_absolute_url()))
    assert "Comments are closed." in page
    assert 'class="comment-form"' not in page and "replytocom" not in page


# Moderation: comments held for review


def test_a_held_comment_is_shown_only_to_its_writer_and_not_counted(client):
    article = make_article()
    make_comment(article, body="approved one")
    set_rules(hold_all=True)

    response = submit(client, article, body="Please let me in.")

    held = Comment.objects.get(body="Please let me in.")
    assert held.status == Comment.Status.PENDING
    assert response.redirect_chain[-1:] == [
        (f"{article.get_absolute_url()}#comment-{held.pk}", 302)
    ]
    page = page_of(response)
    assert f'id="comment-{held.pk}"' in page
    assert "Please let me in." in page
    assert "Your comment is awaiting moderation." in page
    assert heading(page) == "1 comment"

    other = page_of(Client().get(article.get_absolute_url()))
    assert "approved one" in other
    assert "Please let me in." not in other and f"comment-{held.pk}" not in other
    assert "awaiting moderation" not in other
    assert heading(other) == "1 comment"


FIRST_HELD = (
    "Your comment is awaiting moderation. This is your first comment here, and a moderator "
    "reads first comments before they appear. A moderator will look at it soon; until then "
    "only you can see it."
)


@pytest.mark.parametrize(
    ("rules", "body", "words"),
    [
        ({"hold_first_comment": True}, "Hello there.", FIRST_HELD),
        ({"max_links": 1}, "See https://a.example and https://b.example",
         "It has 2 links, and comments with many links wait for a moderator."),
        ({"moderation_words": "casino"}, "A casino nearby?",
         "It uses a word that a moderator checks before it appears."),
        ({"hold_all": True}, "Hello there.",
         "On this site a moderator reads every comment before it appears."),
    ],
    ids=["first", "links", "word", "all"],
)  # fmt: skip
def test_a_held_comment_tells_its_writer_why_and_what_happens_next(client, rules, body, words):
    set_rules(**rules)
    article = make_article()

    page = page_of(submit(client, article, body=body))

    assert Comment.objects.get().status == Comment.Status.PENDING
    assert words in html.unescape(page)
    assert "A moderator will look at it soon; until then only you can see it." in page
    assert "casino" not in page.replace("A casino nearby?", "")  # the word is not named
    # The heading never says "No comments yet" above the writer's own comment (#24).
    assert heading(page) == "Your comment, awaiting moderation"
    assert heading(page_of(Client().get(article.get_absolute_url()))) == "No comments yet"


def test_a_guest_using_a_members_address_is_told_what_a_first_comment_is_told(client):
    from allauth.account.models import EmailAddress

    member = make_user(email="ada@example.com")
    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    article = make_article()
    make_comment(article, author_email="ada@example.com", body="Ada was here before")

    page = page_of(submit(client, article, author_email="ada@example.com", body="Me too"))

    assert Comment.objects.get(body="Me too").status == Comment.Status.PENDING
    assert FIRST_HELD in html.unescape(page)


def test_a_guest_who_asks_for_mail_is_told_about_the_confirmation(client):
    article = make_article()

    page = page_of(submit(client, article, email_replies="on"))

    message = (
        "If sam@example.com is new to us, we have sent it a mail to confirm it: the mail you "
        "asked for starts once you follow its link."
    )
    assert message in html.unescape(page)
    assert "new to us" not in page_of(submit(Client(), article, body="No mail, thanks."))


def test_the_writer_can_reply_to_their_own_held_comment(client):
    set_rules(hold_all=True)
    article = make_article()
    submit(client, article, follow=False, body="held")
    held = Comment.objects.get()

    page = page_of(client.get(f"{article.get_absolute_url()}?replytocom={held.pk}"))
    assert form_title(page) == "Reply to Sam"
    response = submit(client, article, follow=False, parent=str(held.pk), body="held reply")

    assert response.status_code == 302
    assert draw(article) == [("held", 0), ("held reply", 1)]
    # another reader cannot reply to it: it does not exist for them
    response = submit(Client(), article, follow=False, parent=str(held.pk), body="sneaky")
    assert response.status_code == 400
    assert form_errors(page_of(response)) == [NOT_AVAILABLE]


# Deep threads


def test_reply_is_not_offered_at_the_deepest_level(client):
    set_rules(max_depth=3)
    article = make_article()
    root = make_comment(article, body="root")
    child = make_comment(article, parent=root, body="child")
    deepest = make_comment(article, parent=child, body="deepest")

    page = page_of(client.get(article.get_absolute_url()))

    assert f"?replytocom={root.pk}#respond" in page
    assert f"?replytocom={child.pk}#respond" in page
    assert f"?replytocom={deepest.pk}" not in page


def test_a_forged_reply_to_the_deepest_comment_joins_the_deepest_allowed_ancestor(client):
    set_rules(max_depth=3)
    article = make_article()
    root = make_comment(article, body="root")
    child = make_comment(article, parent=root, body="child")
    deepest = make_comment(article, parent=child, body="deepest")

    response = submit(client, article, parent=str(deepest.pk), body="forged")

    forged = Comment.objects.get(body="forged")
    assert forged.parent == child
    assert draw(article) == [("root", 0), ("child", 1), ("deepest", 2), ("forged", 2)]
    assert response.redirect_chain[-1:] == [
        (f"{article.get_absolute_url()}#comment-{forged.pk}", 302)
    ]
    assert f'id="comment-{forged.pk}"' in page_of(response)


# The permalink


def test_the_permalink_leads_to_the_comments_anchor_on_its_article(client):
    article = make_article()
    make_comment(article, body="earlier")
    comment = make_comment(article, body="linked to")

    response = client.get(reverse("comments:permalink", args=[comment.pk]), follow=True)

    assert response.redirect_chain[-1:] == [
        (f"{article.get_absolute_url()}#comment-{comment.pk}", 302)
    ]
    assert response.status_code == 200
    assert f'id="comment-{comment.pk}"' in page_of(response)
    assert "linked to" in page_of(response)


def test_the_permalink_of_a_comment_on_a_draft_is_not_found(client):
    article = make_article()
    comment = make_comment(article)
    Article.objects.filter(pk=article.pk).update(status=Article.Status.DRAFT)
    response = client.get(reverse("comments:permalink", args=[comment.pk]))
    assert response.status_code == 404


def test_replytocom_on_the_deepest_comment_names_the_ancestor_the_reply_will_join(client):
    set_rules(max_depth=2)
    article = make_article()
    top = make_comment(article, author_name="Top Poster")
    deepest = make_comment(article, parent=top, author_name="Deep Poster")
    page = page_of(client.get(f"{article.get_absolute_url()}?replytocom={deepest.pk}"))
    assert "Reply to Top Poster" in page and "Reply to Deep Poster" not in page
    assert f'name="parent" value="{top.pk}"' in page


# The write path's round trips (#29): a post costs a fixed, small number of statements, so that
# the write path cannot quietly grow again. What each is for is written beside its count.


def test_a_new_thread_and_a_reply_cost_a_fixed_number_of_statements(
    client, django_assert_num_queries
):
    set_rules(flood_seconds=15, new_author_flood_seconds=60)  # as a site has them
    article = make_article()
    parent = make_comment(article)
    submit(client, article, body="warm: the session exists from now on", remote_addr="10.0.0.1")
    # the session, the article, the settings, bans, whether the address is a member's, the spam
    # filter's one lookup; the transaction (a savepoint here), the poster's locks (one
    # statement), whether the author has an approved comment, their last comment (flood limit),
    # a repeat of the text, the thread id, INSERT, the counts and versions (one statement), the
    # mail task; the session saved in a transaction of its own
    with django_assert_num_queries(19):
        submit(client, article, body="A new thread.", follow=False, remote_addr="10.0.0.2",
               author_email="new@example.com")  # fmt: skip
    # the same, and the writer's held comments here and the parent (the form's check of it);
    # instead of the thread id: the thread's lock, the parent read again under it, and room
    # made in the tree for the reply
    with django_assert_num_queries(23):
        submit(client, article, body="A reply.", parent=str(parent.pk), follow=False,
               remote_addr="10.0.0.3", author_email="other@example.com")  # fmt: skip
    assert Comment.objects.filter(body__in=["A new thread.", "A reply."]).count() == 2
