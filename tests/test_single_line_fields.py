"""One-line fields never keep invisible or direction-changing characters (issue #18).

Every field people type on one line (commenter name, email and website; a member's display name
and website; a search; a report's note) goes through comments/text.py: NFC, trimmed, line and
paragraph separators folded, and any control (Cc) or format (Cf) character refused beside the
field, with what was typed kept. Names and searches keep the zero-width joiner and non-joiner.
"""

import html
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import Profile
from comments.models import Comment
from tests.factories import make_article, make_comment, make_user
from tests.pages import page_of, submit

pytestmark = pytest.mark.django_db

# (character, what a refusal calls it)
INVISIBLE = [
    ("\u202e", "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    ("\u202d", "U+202D (LEFT-TO-RIGHT OVERRIDE)"),
    ("\u202b", "U+202B (RIGHT-TO-LEFT EMBEDDING)"),
    ("\u2067", "U+2067 (RIGHT-TO-LEFT ISOLATE)"),
    ("\u2068", "U+2068 (FIRST STRONG ISOLATE)"),
    ("\u2069", "U+2069 (POP DIRECTIONAL ISOLATE)"),
    ("\u200f", "U+200F (RIGHT-TO-LEFT MARK)"),
    ("\u061c", "U+061C (ARABIC LETTER MARK)"),
    ("\u200b", "U+200B (ZERO WIDTH SPACE)"),
    ("\u2060", "U+2060 (WORD JOINER)"),
    ("\ufeff", "U+FEFF (ZERO WIDTH NO-BREAK SPACE)"),
    ("\u00ad", "U+00AD (SOFT HYPHEN)"),
    ("\U000e0041", "U+E0041 (TAG LATIN CAPITAL LETTER A)"),
    ("\x07", "U+0007 (a control character)"),
    ("\x1b", "U+001B (a control character)"),
    ("\x9b", "U+009B (a control character)"),
]
JOINERS = [("\u200d", "U+200D (ZERO WIDTH JOINER)"), ("\u200c", "U+200C (ZERO WIDTH NON-JOINER)")]


def refusal(described):
    return (f"Remove the invisible character {described} from this field: it could hide or "
            "reorder what readers see.")  # fmt: skip


def web_refusal(described, decoded=False):
    where = " once its %-escapes are decoded" if decoded else ""
    return (
        f"Enter a web address without spaces or invisible characters: it holds {described}{where}."
    )


def comment_errors(response):
    return response.context["discussion"].form.errors


# The comment form


@pytest.mark.parametrize(("ch", "described"), INVISIBLE + JOINERS, ids=lambda v: repr(v))
def test_the_comment_form_refuses_each_invisible_character_in_email_and_website(ch, described):
    article = make_article()
    client = Client()
    for field, value in (("author_email", f"sam{ch}@example.com"),
                         ("author_url", f"https://example.org/{ch}fdp.exe")):  # fmt: skip
        response = submit(client, article, follow=False, **{field: value})
        assert response.status_code == 400
        message = refusal(described) if field == "author_email" else web_refusal(described)
        assert comment_errors(response) == {field: [message]}
        page = page_of(response)
        assert html.escape(message) in page
        assert f'value="{html.escape(value)}"' in page  # kept for the retry
    assert not Comment.objects.exists()


@pytest.mark.parametrize(("ch", "described"), INVISIBLE, ids=lambda v: repr(v))
def test_the_comment_form_refuses_each_invisible_character_in_a_name(ch, described):
    article = make_article()
    response = submit(Client(), article, follow=False, author_name=f"Sam{ch} Lee")
    assert response.status_code == 400
    assert comment_errors(response) == {"author_name": [refusal(described)]}
    assert f'value="Sam{ch} Lee"' in page_of(response)


PERSIAN = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # "I want", with a non-joiner


@pytest.mark.parametrize(
    "name", ["👩\u200d💻 Dev", "\u0915\u094d\u200d\u0937", PERSIAN],
    ids=["emoji sequence", "Devanagari conjunct", "Persian word"],
)  # fmt: skip
def test_a_name_keeps_the_joiners_its_script_needs(name):
    article = make_article()
    assert submit(Client(), article, follow=False, author_name=name).status_code == 302
    assert Comment.objects.get().author_name == name


@pytest.mark.parametrize(
    ("sent", "kept"),
    [("Sam\u2028Lee", "Sam Lee"), ("Sam\u2029Lee", "Sam Lee"), ("Sam\x85Lee", "Sam Lee"),
     ("Sam\r\nLee", "Sam Lee"), ("  Rene\u0301e  ", "Renée")],
    ids=["line separator", "paragraph separator", "next line", "CR LF", "NFC and trimmed"],
)  # fmt: skip
def test_line_and_paragraph_separators_fold_into_spaces(sent, kept):
    article = make_article()
    response = submit(Client(), article, follow=False, author_name=sent,
                      author_email=" sam@example.com\u2029")  # fmt: skip
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.author_name == kept and comment.author_email == "sam@example.com"


@pytest.mark.parametrize(
    ("url", "described", "decoded"),
    [("https://example.org/%E2%80%AEfdp.exe", "U+202E (RIGHT-TO-LEFT OVERRIDE)", True),
     ("https://example.org/%25E2%2580%25AEfdp.exe", "U+202E (RIGHT-TO-LEFT OVERRIDE)", True),
     ("https://example.org/a%20b", "a space", True),
     ("https://example.org/%E2%80%8B", "U+200B (ZERO WIDTH SPACE)", True),
     ("https://example.org/%07", "U+0007 (a control character)", True),
     ("https://exam ple.org/", "a space", False),
     ("https://example.org/a\u2028b", "U+2028 (LINE SEPARATOR)", False)],
    ids=["percent-encoded override", "double-encoded override", "encoded space",
         "encoded zero-width space", "encoded bell", "space", "line separator"],
)  # fmt: skip
def test_a_website_is_refused_with_a_space_or_invisible_character_even_percent_encoded(
    url, described, decoded
):
    response = submit(Client(), make_article(), follow=False, author_url=url)
    assert response.status_code == 400
    assert comment_errors(response) == {"author_url": [web_refusal(described, decoded)]}


@pytest.mark.parametrize("url", ["ftp://example.org/", "javascript:alert(1)", "data:text/html,x",
                                 "mailto:sam@example.com"])  # fmt: skip
def test_a_website_must_be_http_or_https(url):
    response = submit(Client(), make_article(), follow=False, author_url=url)
    assert response.status_code == 400
    assert comment_errors(response) == {
        "author_url": ["Enter a web address starting with http:// or https://."]}  # fmt: skip


# The profile, the search and the report


def test_the_profile_refuses_an_override_in_the_display_name_and_website_and_keeps_the_text():
    member = make_user()
    client = Client()
    client.force_login(member)
    form = {"display_name": "Sam\u202eLee", "website": "https://example.org/\u202efdp.exe",
            "bio": "", "mail-replies_by_default": "on"}  # fmt: skip
    response = client.post(reverse("accounts:edit"), form)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors == {
        "display_name": [refusal("U+202E (RIGHT-TO-LEFT OVERRIDE)")],
        "website": [web_refusal("U+202E (RIGHT-TO-LEFT OVERRIDE)")],
    }
    assert 'value="Sam\u202eLee"' in page_of(response)
    assert Profile.of(member).website == ""
    ok = {**form, "display_name": "Sam\u200dLee", "website": "https://example.org/a.pdf"}
    assert client.post(reverse("accounts:edit"), ok).status_code == 302
    member.refresh_from_db()
    assert member.first_name == "Sam\u200dLee"


@pytest.mark.parametrize(("ch", "described"), INVISIBLE, ids=lambda v: repr(v))
def test_a_search_with_an_invisible_character_is_refused_beside_the_box(ch, described):
    response = Client().get("/search/", {"q": f"cache{ch} lock"})
    assert response.status_code == 400
    assert response.context["form"].errors == {"q": [refusal(described)]}
    assert html.escape(refusal(described)) in page_of(response)


def test_a_search_keeps_joiners_and_folds_separators():
    response = Client().get("/search/", {"q": "👩\u200d💻\u2028 cache"})
    assert response.status_code == 200
    assert response.context["query"] == "👩\u200d💻 cache"


def test_a_reports_note_refuses_an_override_but_keeps_its_line_breaks():
    comment = make_comment(make_article())
    client = Client()
    url = reverse("comments:report", args=[comment.pk])
    response = client.post(url, {"reason": "spam", "text": "See the link\u202e"})
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "text": [refusal("U+202E (RIGHT-TO-LEFT OVERRIDE)")]}  # fmt: skip
    assert client.post(url, {"reason": "spam", "text": "Line one\nLine two"}).status_code == 302


# Stored before the rule: the admin shows them written out, the command finds and cleans them


def legacy_comment(article, **fields):
    """A comment as an older version stored it, the rule bypassed."""
    comment = make_comment(article)
    Comment.objects.filter(pk=comment.pk).update(**fields)
    comment.refresh_from_db()
    return comment


def test_the_admin_shows_stored_invisible_characters_written_out(admin_client):
    comment = legacy_comment(make_article(), author_name="Sam\u202eLee",
                             author_url="https://example.org/\u202efdp.exe")  # fmt: skip
    change = page_of(admin_client.get(reverse("admin:comments_comment_change", args=[comment.pk])))
    assert "<strong>Name</strong>: Sam⟦U+202E⟧Lee" in change
    assert "<strong>Website</strong>: https://example.org/⟦U+202E⟧fdp.exe" in change
    listing = page_of(admin_client.get(reverse("admin:comments_comment_changelist") + "?queue=all"))
    assert "Sam⟦U+202E⟧Lee" in listing and "Sam\u202eLee" not in listing
    # and saving it as it is asks the moderator to clean it
    form = {"author_name": "Sam\u202eLee", "author_email": comment.author_email,
            "author_url": "", "body": comment.body, "status": comment.status}  # fmt: skip
    response = admin_client.post(reverse("admin:comments_comment_change", args=[comment.pk]), form)
    assert response.status_code == 200
    assert refusal("U+202E (RIGHT-TO-LEFT OVERRIDE)") in response.context["adminform"].form.errors[
        "author_name"]  # fmt: skip


def test_check_text_lists_stored_values_the_rule_refuses_and_fix_cleans_them():
    article = make_article()
    spoofed = legacy_comment(article, author_name="Sam\u202eLee\u200b",
                             author_url="https://example.org/%E2%80%AEfdp.exe",
                             author_email="sam\u200b@example.com")  # fmt: skip
    hollow = legacy_comment(article, author_name="\u200b\u2060")
    fine = make_comment(article, author_name="👩\u200d💻 Dev")
    member = make_user(first_name="Kim\u2066")
    Profile.objects.create(user=member, website="https://example.org/\u202e")

    out = io.StringIO()
    with pytest.raises(SystemExit) as exit:
        call_command("check_text", stdout=out)
    assert exit.value.code == 1
    report = out.getvalue()
    assert f"comments.Comment {spoofed.pk} author_name: 'Sam⟦U+202E⟧Lee⟦U+200B⟧'" in report
    assert f"comments.Comment {spoofed.pk} author_url" in report
    assert f"comments.Comment {spoofed.pk} author_email" in report
    assert f"auth.User {member.pk} first_name: 'Kim⟦U+2066⟧'" in report
    assert "accounts.Profile" in report and f"Comment {fine.pk}" not in report
    assert "6 stored values the one-line rule refuses found." in report
    assert Comment.objects.get(pk=spoofed.pk).author_name == "Sam\u202eLee\u200b"  # untouched

    call_command("check_text", "--fix", stdout=io.StringIO())
    spoofed.refresh_from_db()
    assert (spoofed.author_name, spoofed.author_url, spoofed.author_email) == (
        "SamLee", "", "sam@example.com")  # fmt: skip
    assert "\u202e" not in spoofed.header_html and "SamLee" in spoofed.header_html
    assert Comment.objects.get(pk=hollow.pk).author_name == "Anonymous"
    assert Comment.objects.get(pk=fine.pk).author_name == "👩\u200d💻 Dev"
    member.refresh_from_db()
    assert member.first_name == "Kim"
    assert Profile.objects.get(user=member).website == ""
    page = page_of(Client().get(article.get_absolute_url()))
    assert "SamLee" in page and "\u202e" not in page

    out = io.StringIO()
    call_command("check_text", stdout=out)  # nothing left: exits normally
    assert "0 stored values the one-line rule refuses found." in out.getvalue()


@pytest.mark.parametrize(
    ("email", "refused"),
    [("ada\u200b@example.com", "Enter a valid email address."),  # Django's own check
     ("ada@exa\u200bmple.com", "Remove the invisible character U+200B"),  # IDNA would drop it
     ("ada@example.com\u202e", "Remove the invisible character U+202E")],
)  # fmt: skip
def test_signing_up_refuses_an_invisible_character_in_the_address(email, refused):
    data = {"username": "ada", "email": email, "password1": "a long passphrase 42",
            "password2": "a long passphrase 42"}  # fmt: skip
    response = Client().post("/accounts/signup/", data)
    assert response.status_code == 200
    errors = response.context["form"].errors["email"]
    assert errors[0].startswith(refused)
    assert not get_user_model().objects.filter(username="ada").exists()
