"""Every reader's language (issue #27): chosen by Accept-Language or the footer's switcher,
kept per language in every cache, right to left in Arabic with each language's plurals, mail in
the recipient's language, and catalogues that are complete and match the code."""

import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core import mail
from django.template import engines
from django.template.defaultfilters import date as date_filter
from django.test import Client
from django.utils import translation
from django.utils.translation import ngettext
from markupsafe import escape

from accounts.models import Profile
from comments.models import Comment
from notifications.models import Subscription
from tests.factories import make_article, make_comment, make_user
from tests.outbox import run_tasks
from tests.pages import bodies, heading, page_of, submit

ROOT = Path(settings.BASE_DIR)
LOCALE = ROOT / "locale"
TRANSLATED = ["fr", "de", "es", "ar"]
DOMAINS = ["django", "djangojs"]


@pytest.fixture(autouse=True)
def _english_afterwards():
    """A request activates its reader's language in the test's thread: the next test starts
    in the site's default again."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def read(url, language=None, **headers):
    if language:
        headers["HTTP_ACCEPT_LANGUAGE"] = language
    return Client().get(url, **headers)


def vary(response):
    return {v.strip() for v in response["Vary"].split(",")}


def same_page(response, other):
    def fixed(r):
        return re.sub(r'name="shown_at" value="[^"]*"', "", page_of(r))

    return response["ETag"] == other["ETag"] and fixed(response) == fixed(other)


def html_tag(page):
    return re.search(r"<html [^>]*>", page).group(0)


# Choosing the language


@pytest.mark.django_db
def test_a_browser_asking_for_french_reads_the_page_in_french():
    article = make_article()
    make_comment(article, body="Bonjour à tous")
    response = read(article.get_absolute_url(), "fr-CA,fr;q=0.9,en;q=0.5")
    page = page_of(response)

    assert html_tag(page) == '<html lang="fr" dir="ltr">'
    assert response["Content-Language"] == "fr"
    assert {"Accept-Language", "Cookie", "Accept-Encoding"} <= vary(response)
    assert heading(page) == "1 commentaire"
    assert "Laisser un commentaire" in page and "Publier le commentaire" in page
    assert '<label for="id_body">Commentaire' in page
    assert "Votre adresse e-mail ne sera pas publiée." in page
    assert 'aria-label="Répondre à Reader' in page and ">Répondre</a>" in page


@pytest.mark.django_db
def test_a_french_reader_gets_the_forms_errors_in_french_with_the_text_kept(rules):
    article = make_article()
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    fields = {"author_name": "Léa", "author_email": "lea@example.com", "parent": "999999",
              "body": "Mon texte, gardé"}  # fmt: skip

    response = client.post(f"/comments/post/{article.pk}/", fields)
    empty = client.post(f"/comments/post/{article.pk}/", {**fields, "parent": "", "body": ""})

    assert response.status_code == 400
    page = page_of(response)
    assert "Le commentaire auquel vous répondez n’est plus disponible." in page
    assert "Mon texte, gardé" in page
    assert "Ce champ est obligatoire." in page_of(empty)


@pytest.mark.django_db
def test_without_a_language_it_asks_for_the_site_speaks_its_default(settings):
    article = make_article()
    assert html_tag(page_of(read(article.get_absolute_url(), "ja"))) == '<html lang="en" dir="ltr">'

    settings.LANGUAGE_CODE = "de"
    page = page_of(read(article.get_absolute_url()))
    assert html_tag(page) == '<html lang="de" dir="ltr">'
    assert "Kommentar schreiben" in page


@pytest.mark.django_db
def test_the_footer_switcher_works_without_a_script_and_remembers_the_choice():
    article = make_article()
    client = Client()
    page = page_of(client.get(article.get_absolute_url()))
    form = re.search(r'<form class="language-switcher" method="post" action="([^"]+)">', page)
    assert form and '<option value="es" lang="es">Español</option>' in page

    response = client.post(
        form.group(1), {"language": "es", "next": article.get_absolute_url()},
        HTTP_ORIGIN="http://testserver",
    )  # fmt: skip
    assert response.status_code == 302 and response.url == article.get_absolute_url()
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"

    page = page_of(client.get(article.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fr"))
    assert html_tag(page) == '<html lang="es" dir="ltr">'  # the cookie wins over the header
    assert "Deja un comentario" in page
    assert '<option value="es" lang="es" selected>' in page


@pytest.mark.django_db
def test_a_member_who_switches_keeps_the_language_on_their_profile(client):
    member = make_user()
    client.force_login(member)
    client.post("/language/", {"language": "ar", "next": "/"}, HTTP_ORIGIN="http://testserver")
    assert Profile.objects.get(user=member).language == "ar"

    client.post("/language/", {"language": "xx", "next": "/"}, HTTP_ORIGIN="http://testserver")
    assert Profile.objects.get(user=member).language == "ar"  # not a language of the site


# Caches keyed by language


@pytest.mark.django_db
def test_the_kept_page_is_one_per_language_with_its_own_etag():
    article = make_article()
    make_comment(article)
    url = article.get_absolute_url()

    english, french = read(url, "en"), read(url, "fr")
    assert english["ETag"] != french["ETag"]
    assert "Leave a Comment" in page_of(english) and "Laisser un commentaire" in page_of(french)
    # Served again from memory, each language still gets its own (the form's signed time
    # aside: it is filled in afresh every second).
    assert same_page(read(url, "en"), english) and same_page(read(url, "fr"), french)
    # A French reader's browser holding the English ETag gets the French page, not a 304.
    assert read(url, "fr", HTTP_IF_NONE_MATCH=english["ETag"]).status_code == 200
    assert read(url, "fr", HTTP_IF_NONE_MATCH=french["ETag"]).status_code == 304


@pytest.mark.django_db
def test_cached_threads_and_listings_follow_the_language():
    article = make_article()
    root = make_comment(article, body="root")
    make_comment(article, parent=root, body="reply")
    url = article.get_absolute_url()

    assert "Reply</a>" in page_of(read(url, "en"))
    german = page_of(read(url, "de"))
    assert ">Antworten</a>" in german and "Reply</a>" not in german
    assert heading(german) == "2 Kommentare"
    assert bodies(german) == ["root", "reply"]


# Right to left, and plurals


@pytest.mark.django_db
def test_an_arabic_page_runs_right_to_left_and_user_text_finds_its_own_direction():
    article = make_article()
    make_comment(article, body="An English comment", author_name="Sam")
    page = page_of(read(article.get_absolute_url(), "ar"))

    assert html_tag(page) == '<html lang="ar" dir="rtl">'
    assert "اترك تعليقًا" in page
    assert '<div class="comment-body" dir="auto"><p>An English comment</p>' in page
    assert '<span class="comment-author" dir="auto">Sam</span>' in page
    assert 'name="body" cols="40" rows="8" dir="auto"' in page


@pytest.mark.parametrize(
    ("count", "words"),
    [
        (0, "لا تعليقات"),
        (1, "تعليق واحد"),
        (2, "تعليقان"),
        (5, "5 تعليقات"),
        (11, "11 تعليقًا"),
        (100, "100 تعليق"),
        (103, "103 تعليقات"),
        (111, "111 تعليقًا"),
    ],
)
def test_arabic_counts_comments_with_its_six_plural_forms(count, words):
    with translation.override("ar"):
        said = ngettext("%(count)s comment", "%(count)s comments", count) % {"count": count}
    assert said == words


@pytest.mark.django_db
def test_an_arabic_page_counts_its_comments_in_the_dual():
    article = make_article()
    make_comment(article)
    make_comment(article)
    page = page_of(read(article.get_absolute_url(), "ar"))
    assert heading(page) == "تعليقان"
    front = page_of(read("/", "ar"))
    assert "تعليقان… أضف تعليقك" in front


# The comment templates' words and dates, remembered per language (#29)

DATES = [
    datetime(2026, 1, 1, 0, 5, tzinfo=UTC),
    datetime(2026, 3, 31, 12, 0, 59, 123456, tzinfo=UTC),
    datetime(2024, 2, 29, 23, 59, tzinfo=UTC),
]
FORMATS = ["F j, Y", "g:i a", "P", "j \\d\\e F \\d\\e Y", "D, N jS", "H:i", "c", "r",
           "DATE_FORMAT", "SHORT_DATETIME_FORMAT", "Y-m-d H:i"]  # fmt: skip


@pytest.mark.parametrize("language", ["en", *TRANSLATED])
def test_the_comment_templates_dates_are_djangos_in_every_language(language):
    env = engines["jinja2"].env
    with translation.override(language):
        for _ in range(2):  # the second time from what the first remembered
            for value in DATES:
                for format in FORMATS:
                    said = env.from_string("{{ when|date(format) }}").render(
                        when=value, format=format
                    )
                    assert said == str(escape(date_filter(value, format))), (value, format)


def test_the_comment_templates_words_follow_the_language_and_escape_what_they_fill_in():
    env = engines["jinja2"].env
    template = env.from_string(
        "{{ _('Reply to %(name)s', name=name) }}|{{ _('Reply') }}|"
        "{% trans count=n %}{{ count }} comment{% pluralize %}{{ count }} comments{% endtrans %}"
    )
    for _ in range(2):
        with translation.override("fr"):
            french = template.render(name="<b>Zoé</b>", n=2)
        with translation.override("ar"):
            arabic = template.render(name="Zoé", n=2)
        english = template.render(name="Zoé", n=1)
        assert french == "Répondre à &lt;b&gt;Zoé&lt;/b&gt;|Répondre|2 commentaires"
        assert english == "Reply to Zoé|Reply|1 comment"
        assert arabic.endswith("|تعليقان")


# Mail in the recipient's language


@pytest.mark.django_db
@pytest.mark.usefixtures("rules")
def test_a_french_member_gets_the_reply_mail_in_french(client):
    member = make_user(first_name="Ada")
    Profile.objects.create(user=member, language="fr")
    client.force_login(member)
    article = make_article(title="Les ponts")
    submit(client, article, body="Mon avis", email_replies="on")  # an English page
    parent = Comment.objects.get(user=member)
    make_comment(article, parent=parent, author_name="Bo", body="Une réponse")
    mail.outbox.clear()
    run_tasks()

    [message] = [m for m in mail.outbox if member.email in m.to]
    # A subject is one plain line: its no-break spaces become spaces.
    assert message.subject == "Bo a répondu à votre commentaire sur « Les ponts »"
    assert "La lire et répondre\u00a0:" in message.body
    assert '<html lang="fr" dir="ltr">' in message.alternatives[0][0]


@pytest.mark.django_db
@pytest.mark.usefixtures("rules")
def test_a_guest_gets_mail_in_the_language_of_the_page_they_subscribed_on(client):
    article = make_article()
    submit(
        client, article, author_name="Ana", author_email="ana@example.com", email_replies="on",
        headers={"Accept-Language": "es"},
    )  # fmt: skip
    translation.activate("en")  # the worker runs in the site's language, not the request's
    assert Subscription.objects.get(email="ana@example.com").language == "es"
    run_tasks()

    [confirmation] = [m for m in mail.outbox if "ana@example.com" in m.to]
    assert confirmation.subject == "Confirma tu dirección de correo para los avisos de comentarios"
    assert "Para confirmar, abre este enlace antes de 7 días y pulsa el botón:" in confirmation.body


# The scripts' words


@pytest.mark.django_db
def test_the_scripts_get_their_words_from_a_catalogue_file_not_inline():
    article = make_article()
    page = page_of(read(article.get_absolute_url(), "de"))
    assert '<script src="/jsi18n/" defer></script>' in page
    assert page.index('src="/jsi18n/"') < page.index("js/comments.js")
    response = read("/jsi18n/", "de")
    assert (
        "Antwort abbrechen" in response.content.decode() and "Vorschau" in response.content.decode()
    )
    assert "max-age=3600" in response["Cache-Control"] and "Accept-Language" in vary(response)


# The templates and the catalogues

# What a template may hold outside the translation tags: Django's and Jinja2's tags, comments,
# scripts and markup. Any word left over (and any word in a label a reader hears or sees) was
# not marked for translation. The admin's templates are translated by Django itself.
CODE = [
    r"\{%-?\s*comment\s*-?%\}.*?\{%-?\s*endcomment\s*-?%\}", r"\{#.*?#\}",
    r"\{%-?\s*blocktranslate\b.*?\{%-?\s*endblocktranslate\s*-?%\}",
    r"\{%-?\s*trans\b.*?\{%-?\s*endtrans\s*-?%\}", r"<script\b.*?</script>",
    r"\{%.*?%\}", r"\{\{.*?\}\}",
]  # fmt: skip
LABELS = re.compile(
    r'\b(?:aria-label|title|placeholder|alt|data-default)="((?:\{%.*?%\}|\{\{.*?\}\}|[^"])*)"'
)
NOT_WORDS = {"RSS", "Atom"}  # names, the same in every language


def unmarked(text):
    """The words of ``text`` outside every tag, translation and markup."""
    for pattern in CODE:
        text = re.sub(pattern, " ", text, flags=re.S)
    return set(re.findall(r"[A-Za-z]{2,}", re.sub(r"<[^>]*>", " ", text))) - NOT_WORDS


def test_no_template_shows_a_word_left_out_of_the_translations():
    found = {}
    for path in sorted((ROOT / "templates").rglob("*.*")):
        if "admin" in path.parts:
            continue
        text = path.read_text()
        words = unmarked(text) | set().union(*map(unmarked, LABELS.findall(text)))
        if words:
            found[str(path.relative_to(ROOT))] = sorted(words)
    assert found == {}


def test_the_scan_for_unmarked_words_sees_text_and_labels():
    assert unmarked('<p class="x">Hello {{ name }}</p>') == {"Hello"}
    assert (
        unmarked(
            '<p>{% translate "Hello" %} {% blocktranslate %}Hi {{ n }}{% endblocktranslate %}</p>'
        )
        == set()
    )
    assert LABELS.findall('<a aria-label="Reply to {{ name }}">') == ["Reply to {{ name }}"]


# The catalogues


def catalogue(language, domain):
    with open(LOCALE / language / "LC_MESSAGES" / f"{domain}.po", "rb") as po:
        return read_po(po, locale=language)


def keys(catalog):
    return {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in catalog if m.id}


@pytest.mark.parametrize("language", TRANSLATED)
@pytest.mark.parametrize("domain", DOMAINS)
def test_every_entry_is_translated_and_none_is_fuzzy(language, domain):
    catalog = catalogue(language, domain)
    untranslated = [
        m.id for m in catalog
        if m.id and (m.fuzzy or not m.string or (isinstance(m.string, tuple) and not all(m.string)))
    ]  # fmt: skip
    assert untranslated == []
    assert not list(catalog.check())  # placeholders as in the original


def test_arabic_catalogues_declare_six_plural_forms():
    for domain in DOMAINS:
        catalog = catalogue("ar", domain)
        assert catalog.num_plurals == 6
        assert catalog.plural_expr == (
            "n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5"
        )


@pytest.mark.parametrize("language", TRANSLATED)
@pytest.mark.parametrize("domain", DOMAINS)
def test_the_committed_mo_files_are_compiled_from_the_po_files(language, domain):
    built = io.BytesIO()
    write_mo(built, catalogue(language, domain))
    path = LOCALE / language / "LC_MESSAGES" / f"{domain}.mo"
    assert path.read_bytes() == built.getvalue(), "run `make compile`"


CONFIGS = [("django", "babel.cfg"), ("djangojs", "babel-js.cfg")]


@pytest.mark.parametrize(("domain", "config"), CONFIGS)
def test_extraction_would_not_change_the_catalogues(tmp_path, monkeypatch, domain, config):
    monkeypatch.chdir(ROOT)
    pot = tmp_path / f"{domain}.pot"
    keywords = ["-k", "gettext_lazy", "-k", "ngettext_lazy:1,2", "-k", "pgettext_lazy:1c,2"]
    CommandLineInterface().run(
        ["pybabel", "-q", "extract", "-F", config, *keywords, "-o", str(pot), "."]
    )
    with open(pot, "rb") as template:
        extracted = keys(read_po(template))
    for language in TRANSLATED:
        assert keys(catalogue(language, domain)) == extracted, f"run `make messages` ({language})"
