"""Reader accounts (issue #12): sign up, verify the address by a link, sign in by username or
email, reset a forgotten password, and comment as a member; guests keep commenting as before."""

import os
import re
import subprocess
import sys

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client

from comments.models import Comment
from tests.factories import make_article, set_rules
from tests.outbox import run_tasks
from tests.pages import form_errors, page_of, submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rules")]
PASSWORD = "a long passphrase 42"
User = get_user_model()


def sign_up(client, **fields):
    data = {"username": "ada", "email": "ada@example.com", "password1": PASSWORD,
            "password2": PASSWORD}  # fmt: skip
    response = client.post("/accounts/signup/", {**data, **fields}, follow=True)
    run_tasks()  # the verification mail leaves by the task worker
    return response


def sign_in(client, login, password=PASSWORD):
    return client.post("/accounts/login/", {"login": login, "password": password})


def link_in(message):
    """The path of the one link to this site in a mail."""
    return re.search(r"https?://testserver(/accounts/\S+/)", message.body).group(1)


def verified_member(client, mailoutbox, username="ada", email="ada@example.com"):
    sign_up(client, username=username, email=email)
    client.post(link_in(mailoutbox[-1]))
    client.logout()
    return User.objects.get(username=username)


def signed_in(client):
    return "_auth_user_id" in client.session


def test_a_reader_signs_up_verifies_by_mail_and_comments_as_a_member(client, mailoutbox):
    page = page_of(sign_up(client))

    assert "Verify Your Email Address" in page
    assert [m.to for m in mailoutbox] == [["ada@example.com"]]
    assert not EmailAddress.objects.get(email="ada@example.com").verified
    assert not signed_in(client)
    client.logout()
    refused = sign_in(client, "ada")  # not before the address is verified
    assert not signed_in(client) and refused.url == "/accounts/confirm-email/"

    confirm = link_in(mailoutbox[-1])
    assert "Confirm Email Address" in page_of(client.get(confirm))  # a GET changes nothing
    assert not EmailAddress.objects.get(email="ada@example.com").verified
    client.post(confirm)
    assert EmailAddress.objects.get(email="ada@example.com").verified

    client.logout()
    assert sign_in(client, "ada@example.com").status_code == 302 and signed_in(client)
    article = make_article()
    page = page_of(client.get(article.get_absolute_url()))
    assert 'Commenting as ada (<a href="/accounts/logout/">sign out</a>).' in page
    assert 'name="author_email"' not in page
    page = page_of(submit(client, article, body="My first words as a member."))
    comment = Comment.objects.get()
    assert comment.user.username == "ada" and comment.author_email == "ada@example.com"
    assert "My first words as a member." in page


def test_account_mail_names_the_site_and_its_address(client, mailoutbox, settings):
    """allauth's mails say "Hello from NAME!" and "an account on HOST", never blanks (#24)."""
    settings.SITE_NAME = "Pond Talk"
    settings.SITE_URL = "https://ponds.example"
    settings.ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Pond Talk] "
    sign_up(client)

    [mail] = mailoutbox
    assert mail.subject.startswith("[Pond Talk] ")
    assert "Hello from Pond Talk!" in mail.body
    assert "register an account on ponds.example." in mail.body
    assert "Thank you for using Pond Talk!" in mail.body


def test_sign_in_returns_to_the_article_and_the_guest_form_offers_it(client, mailoutbox):
    """One wording, "Sign in" and "Sign out", and back to the page it was followed from (#24)."""
    verified_member(client, mailoutbox)
    article = make_article()
    page = page_of(client.get(article.get_absolute_url()))
    path = article.get_absolute_url()
    assert f'<a href="/accounts/login/?next={path}">Sign in</a>' in page  # the header
    assert f'<a href="/accounts/login/?next={path}%23respond">Sign in</a> to comment' in page
    assert not re.search(r"Log (in|out)", page)

    response = client.post(f"/accounts/login/?next={path}%23respond",
                           {"login": "ada", "password": PASSWORD})  # fmt: skip
    assert response.status_code == 302 and response.url == f"{path}#respond"
    page = page_of(client.get(path))
    assert "Sign out</a>" in page and "Commenting as ada (" in page and "Log out" not in page


def test_a_member_signs_in_by_username_or_email_and_out_again(client, mailoutbox):
    verified_member(client, mailoutbox)

    assert sign_in(client, "ada").status_code == 302 and signed_in(client)
    client.post("/accounts/logout/")
    assert not signed_in(client)
    assert sign_in(client, "ADA@example.com").status_code == 302 and signed_in(client)
    client.post("/accounts/logout/")
    wrong = sign_in(client, "ada", password="not it")
    assert wrong.status_code == 200 and not signed_in(client)
    assert "The username and/or password you specified are not correct." in page_of(wrong)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"username": "taken"}, "username", "A user with that username already exists."),
        ({"password1": "short", "password2": "short"}, "password1", "This password is too short"),
        ({"password2": "something else 42"}, "password2", "You must type the same password"),
        ({"email": "not an address"}, "email", "Enter a valid email address."),
    ],
)
def test_bad_sign_up_input_is_explained_beside_its_field_and_creates_nothing(
    client, mailoutbox, fields, field, message
):
    verified_member(client, mailoutbox, username="taken", email="taken@example.com")
    mailoutbox.clear()

    response = sign_up(client, **{"username": "newcomer", "email": "new@example.com", **fields})

    page = page_of(response)
    block = next(b for b in re.findall(r'<p class="field[^"]*">.*?</p>', page, re.S)
                 if f'name="{field}"' in b)  # fmt: skip
    assert message in block.replace("&#x27;", "'")
    assert not User.objects.filter(username="newcomer").exists()
    assert mailoutbox == []


def test_signing_up_with_a_members_address_tells_only_that_member(client, mailoutbox):
    """No page says which addresses have accounts; the owner is told by mail instead."""
    verified_member(client, mailoutbox, username="taken", email="taken@example.com")
    mailoutbox.clear()
    cache.clear()  # later than the verification mail's rate limit (one in three minutes)

    page = page_of(sign_up(client, username="newcomer", email="TAKEN@example.com"))

    assert "Verify Your Email Address" in page  # the same page as for a new address
    assert not User.objects.filter(username="newcomer").exists()
    [mail] = mailoutbox
    assert mail.to == ["taken@example.com"] and "already" in mail.body


def test_a_forged_verification_link_verifies_nothing(client, mailoutbox):
    sign_up(client)
    real = link_in(mailoutbox[-1])
    forged = real[:-3] + ("x" if real[-3] != "x" else "y") + real[-2:]

    assert "This email confirmation link expired or is invalid." in page_of(client.get(forged))
    assert client.post(forged).status_code == 404
    assert not EmailAddress.objects.get(email="ada@example.com").verified


def test_a_guest_with_a_members_address_is_held_and_told_as_anyone_and_the_member_mailed(
    client, mailoutbox
):
    verified_member(client, mailoutbox)
    mailoutbox.clear()
    article = make_article()

    as_member = page_of(
        submit(Client(), article, author_name="Not Ada", author_email="ADA@example.com", body="Hi")
    )
    set_rules(hold_first_comment=True)
    as_stranger = page_of(
        submit(Client(), article, author_name="Kim", author_email="kim@example.com", body="Hey")
    )
    run_tasks()

    assert "ada" not in as_member and not form_errors(as_member)
    held = Comment.objects.get(body="Hi")
    assert (held.status, held.user) == (Comment.Status.PENDING, None)
    assert Comment.objects.get(body="Hey").status == Comment.Status.PENDING
    for page in (as_member, as_stranger):  # the writer is told the same either way
        assert "awaiting moderation" in page
    [mail] = [m for m in mailoutbox if m.to == ["ada@example.com"]]
    assert "A comment was sent with your email address" in mail.subject
    assert "/accounts/login/" in mail.body

    submit(Client(), article, author_email="ada@example.com", body="Again the same day")
    run_tasks()
    assert len([m for m in mailoutbox if m.to == ["ada@example.com"]]) == 1  # once a day


def test_an_unverified_address_does_not_stop_a_guest(client, mailoutbox):
    sign_up(client)  # never verified: the address is not known to be the member's
    client.logout()
    article = make_article()

    submit(client, article, author_email="ada@example.com")

    assert Comment.objects.get().user is None


def test_a_forgotten_password_is_reset_by_a_mailed_link(client, mailoutbox):
    verified_member(client, mailoutbox)
    mailoutbox.clear()

    client.post("/accounts/password/reset/", {"email": "ada@example.com"})
    run_tasks()
    assert [m.to for m in mailoutbox] == [["ada@example.com"]]
    form = client.get(link_in(mailoutbox[0]), follow=True)
    new = "another long passphrase 7"
    done = client.post(form.redirect_chain[-1][0], {"password1": new, "password2": new})

    assert done.status_code == 302
    assert sign_in(client, "ada", password=new).status_code == 302 and signed_in(client)


def test_a_forged_reset_link_changes_no_password(client, mailoutbox):
    user = verified_member(client, mailoutbox)

    page = page_of(client.get("/accounts/password/reset/key/1-forged-key/", follow=True))

    assert "Bad Token" in page
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_one_address_gets_at_most_three_reset_mails_an_hour(client, mailoutbox):
    verified_member(client, mailoutbox)
    mailoutbox.clear()

    for _ in range(6):
        client.post("/accounts/password/reset/", {"email": "ada@example.com"})
    run_tasks()

    assert len(mailoutbox) == 3


def test_account_pages_are_in_the_sites_layout(client):
    page = page_of(client.get("/accounts/signup/"))

    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert " ".join(title.split()) == "Signup · Forum"
    assert 'class="site-header"' in page and 'href="/accounts/login/"' in page
    assert '<p class="field' in page and 'id="id_password1_helptext"' in page


def test_the_verification_mail_goes_out_by_smtp_and_its_link_works(client, smtpd):
    sign_up(client)

    [envelope] = smtpd.messages
    assert envelope.rcpt_tos == ["ada@example.com"]
    text = envelope.content.decode()
    path = re.search(r"https?://testserver(/accounts/confirm-email/\S+/)", text).group(1)
    client.post(path)
    assert EmailAddress.objects.get(email="ada@example.com").verified


def test_social_sign_in_is_off_unless_providers_are_named():
    code = (
        "import django; django.setup()\n"
        "from django.urls import NoReverseMatch, reverse\n"
        "try: print(reverse('github_login'))\n"
        "except NoReverseMatch: print('off')"
    )

    def run(**env):
        base = {k: v for k, v in os.environ.items() if k != "SOCIAL_PROVIDERS"}
        env = {**base, "DJANGO_SETTINGS_MODULE": "forum.settings", "DJANGO_DEBUG": "1", **env}
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                              text=True, cwd=settings.BASE_DIR)  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    assert run() == "off"
    assert run(SOCIAL_PROVIDERS="github") == "/accounts/github/login/"


def test_repeated_failed_sign_ins_to_one_account_are_stopped(client, mailoutbox):
    verified_member(client, mailoutbox)

    for _ in range(5):
        sign_in(client, "ada", password="guess")
    refused = sign_in(client, "ada")  # even the right password, for a while

    assert not signed_in(client)
    assert "Too many failed login attempts" in page_of(refused)


def test_failed_sign_ins_count_per_account_whatever_spelling_was_typed(client, mailoutbox):
    verified_member(client, mailoutbox)

    for login in ("ada", "ADA", "Ada@example.com", "ADA@EXAMPLE.COM", "aDa"):
        sign_in(client, login, password="guess")
    refused = sign_in(client, "ada@Example.com")  # a sixth spelling, with the right password

    assert not signed_in(client)
    assert "Too many failed login attempts" in page_of(refused)


def test_a_new_email_address_counts_only_once_verified(client, mailoutbox):
    member = verified_member(client, mailoutbox)
    sign_in(client, "ada")
    mailoutbox.clear()
    cache.clear()  # later than the first verification mail's rate limit

    client.post("/accounts/email/", {"action_add": "", "email": "countess@example.com"})
    run_tasks()

    assert [m.to for m in mailoutbox] == [["countess@example.com"]]
    member.refresh_from_db()
    assert member.email == "ada@example.com"  # not before the link is followed
    client.post(link_in(mailoutbox[-1]))
    member.refresh_from_db()
    assert member.email == "countess@example.com"
    assert list(EmailAddress.objects.filter(user=member).values_list("email", flat=True)) == [
        "countess@example.com"
    ]


def test_the_account_forms_need_their_csrf_token():
    strict = Client(enforce_csrf_checks=True)
    data = {"username": "ada", "email": "ada@example.com", "password1": PASSWORD,
            "password2": PASSWORD}  # fmt: skip

    assert strict.post("/accounts/signup/", data).status_code == 403
    assert (
        strict.post("/accounts/login/", {"login": "ada", "password": PASSWORD}).status_code == 403
    )
    assert not User.objects.exists()
