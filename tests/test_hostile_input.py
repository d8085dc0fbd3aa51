"""Hostile input in every field of the comment form (issue #6).

Each case is either refused with a form error (400, nothing stored) or stored and shown inert:
on the article page, in the moderators' changelist and change form, and in the comments feed.
"Inert" is checked by parsing the HTML, not by looking for strings, and the user's text must
still be there, escaped, so that a case cannot pass by simply vanishing.
"""

import html
import unicodedata
from html.parser import HTMLParser
from typing import NamedTuple
from urllib.parse import quote_plus
from xml.etree import ElementTree

import pytest
from django.core import mail
from django.urls import reverse
from django.utils.text import Truncator

from comments.models import Comment
from tests.factories import make_article, make_comment, make_user, set_rules
from tests.outbox import run_tasks
from tests.pages import form_data, page_of, submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rules")]
Status = Comment.Status


@pytest.fixture(autouse=True)
def _cheap_password_hashing(settings):
    """admin_client's superuser gets a password no one types: hash it the fast way."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# The checker: one parser for pages, admin pages and the HTML inside feed entries

OWN_SCRIPTS = ("/static/", "/admin/jsi18n/", "/jsi18n/")  # the last: the scripts' words (#27)
# The site's own <svg> and <form> elements, by class or id: the comment avatar, the admin's
# theme icons and sprite sheet, the comment form and the admin's forms. User text sets neither.
OWN_SVGS = {
    "avatar",
    "base-svgs",
    "theme-icon-when-auto",
    "theme-icon-when-dark",
    "theme-icon-when-light",
}
OWN_FORMS = {"comment-form", "logout-form", "changelist-search", "changelist-form", "comment_form",
             "site-search", "discussion-search", "votes", "language-switcher"}  # fmt: skip
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "data"}
SCRIPT_SCHEMES = ("javascript:", "data:", "vbscript:")
NEVER = {"math", "iframe", "object", "embed", "frame", "frameset", "applet", "base"}


class _ActiveMarkup(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []
        self.open_forms = 0

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        names = set(attrs.get("class", "").split()) | {attrs.get("id", "")}
        data_block = attrs.get("type") == "application/ld+json"  # read by search engines, not run
        if tag == "script" and not data_block and not attrs.get("src", "").startswith(OWN_SCRIPTS):
            self.found.append(f"<script> {attrs}")
        if tag in NEVER or (tag == "svg" and not names & OWN_SVGS):
            self.found.append(f"<{tag}> {attrs}")
        if tag == "form":
            if self.open_forms or not names & OWN_FORMS:
                self.found.append(f"<form> {attrs}")
            self.open_forms += 1
        if tag == "meta" and "http-equiv" in attrs:
            self.found.append(f"<meta> {attrs}")
        for name, value in attrs.items():
            # Browsers skip spaces and control characters in a scheme, and ignore its case.
            squeezed = "".join(
                ch for ch in value if not ch.isspace() and unicodedata.category(ch)[0] != "C"
            ).lower()
            runs_script = name in URL_ATTRIBUTES and squeezed.startswith(SCRIPT_SCHEMES)
            if name.startswith("on") or name == "srcdoc" or runs_script:
                self.found.append(f"<{tag} {name}={value!r}>")

    def handle_endtag(self, tag):
        if tag == "form":
            self.open_forms = max(0, self.open_forms - 1)


def active_markup(text):
    """What in this HTML could run script or post elsewhere; [] when it is inert."""
    parser = _ActiveMarkup()
    parser.feed(text)
    parser.close()
    return parser.found


ATOM = "{http://www.w3.org/2005/Atom}"


def feed_entries(response):
    """{entry id: (author name, entry HTML)} of an Atom feed, its markup checked on the way."""
    assert response.status_code == 200
    assert active_markup(page_of(response)) == []
    entries = {}
    for entry in ElementTree.fromstring(response.content).iter(f"{ATOM}entry"):
        escaped = [entry.find(f"{ATOM}summary"), entry.find(f"{ATOM}content")]
        entry_html = "".join(element.text or "" for element in escaped if element is not None)
        assert active_markup(entry_html) == []
        entries[entry.findtext(f"{ATOM}id")] = (
            entry.findtext(f"{ATOM}author/{ATOM}name"),
            entry_html,
        )
    return entries


def test_the_checker_finds_active_markup_and_passes_the_sites_own():
    own = (
        '<script src="/static/js/comments.js" defer></script><svg class="avatar"></svg>'
        '<form class="comment-form" action="/comments/post/1/"></form><a href="/x">x</a>'
    )
    assert active_markup(own) == []
    hostile = [
        "<script>alert(1)</script>",
        '<script src="https://evil.example/x.js"></script>',
        "<img src=x onerror=alert(1)>",
        "<svg onload=alert(1)>",
        "<svg class=x></svg>",
        "<math><mtext>x</mtext></math>",
        '<a href=" JaVa&#x0A;Script:alert(1)">x</a>',
        '<a href="java\tscript:alert(1)">x</a>',
        '<img src="data:image/svg+xml,<svg onload=alert(1)>">',
        '<a href="vbscript:msgbox(1)">x</a>',
        '<svg class="avatar"><a xlink:href="javascript:alert(1)">x</a></svg>',
        '<form action="https://evil.example/"></form>',
        '<form class="comment-form"><form class="comment-form"></form></form>',
        '<button formaction="javascript:alert(1)">x</button>',
        '<iframe srcdoc="x"></iframe>',
        "<object data=x></object>",
        "<embed src=x>",
        '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    ]
    for text in hostile:
        assert active_markup(text), text


# Posting


def post(client, article, **fields):
    """Post the comment form; ``bytes`` values are sent verbatim in a urlencoded body."""
    fields = {"body": "A thought.", **fields}
    if not any(isinstance(value, bytes) for value in fields.values()):
        return submit(client, article, follow=False, **fields)
    body = b"&".join(
        name.encode() + b"=" + (value if isinstance(value, bytes) else quote_plus(value).encode())
        for name, value in form_data(**fields).items()
    )
    url = reverse("comments:post", args=[article.pk])
    return client.post(url, body, content_type="application/x-www-form-urlencoded")


# The table


class Expect(NamedTuple):
    refused: str = ""  # the error shown beside the field; empty: the comment is stored
    kept: str | None = None  # the value stored, when it is not the value sent
    shows: str = ""  # escaped text the article page must contain
    status: str = Status.APPROVED
    traps_on: bool = False  # with the "too fast" trap switched on


def refused(field, value, message, *, id):
    return pytest.param(field, value, Expect(refused=message), id=id)


def stored(field, value, *, id, **expect):
    return pytest.param(field, value, Expect(**expect), id=id)


CONTROL = "Remove the control characters from this text."
NULL = "Null characters are not allowed."
WEB_ADDRESS = "Enter a web address starting with http:// or https://."
INVALID_EMAIL = "Enter a valid email address."
NOT_AVAILABLE = "The comment you are replying to is not available."


def hidden(code, name="a control character", more=""):
    """The one-line fields' refusal of an invisible character (#18)."""
    return (f"Remove the invisible character {code} ({name}){more} from this field: it could "
            "hide or reorder what readers see.")  # fmt: skip


def web_hidden(described):
    return f"Enter a web address without spaces or invisible characters: it holds {described}."


VISIBLE = "Enter a name with at least one visible letter or sign."
SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
SVG_ONLOAD_BASE64 = "data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+"

BODY = [
    stored("body", SCRIPT, shows=f"<p>{ESCAPED_SCRIPT}</p>", id="body: script tag"),
    stored(
        "body",
        "<img src=x onerror=alert(1)>",
        shows="<p>&lt;img src=x onerror=alert(1)&gt;</p>",
        id="body: img onerror",
    ),
    stored(
        "body",
        "<body onload=alert(1)>",
        shows="<p>&lt;body onload=alert(1)&gt;</p>",
        id="body: body onload",
    ),
    stored(
        "body",
        '<a href="#" onmouseover="alert(1)">x</a>',
        shows='<p>&lt;a href="#" onmouseover="alert(1)"&gt;x&lt;/a&gt;</p>',
        id="body: a onmouseover",
    ),
    stored(
        "body",
        '<a href="javascript:alert(1)">x</a>',
        shows='<p>&lt;a href="javascript:alert(1)"&gt;x&lt;/a&gt;</p>',
        id="body: raw link to javascript:",
    ),
    stored(
        "body",
        '<a href="JaVaScRiPt:alert(1)">x</a>',
        shows='<p>&lt;a href="JaVaScRiPt:alert(1)"&gt;x&lt;/a&gt;</p>',
        id="body: raw link to JaVaScRiPt:",
    ),
    stored(
        "body",
        '<a href="  javascript:alert(1)">x</a>',
        shows='<p>&lt;a href="  javascript:alert(1)"&gt;x&lt;/a&gt;</p>',
        id="body: raw link to javascript: after spaces",
    ),
    stored(
        "body",
        '<a href="jav&#x61;script:alert(1)">x</a>',
        shows='<p>&lt;a href="javascript:alert(1)"&gt;x&lt;/a&gt;</p>',
        id="body: raw link to javascript: with an entity",
    ),
    stored(
        "body",
        '<a href="java\tscript:alert(1)">x</a>',
        shows='<p>&lt;a href="java\tscript:alert(1)"&gt;x&lt;/a&gt;</p>',
        id="body: raw link to javascript: with a tab",
    ),
    stored(
        "body",
        f'<img src="{SVG_ONLOAD_BASE64}">',
        shows=f'<p>&lt;img src="{SVG_ONLOAD_BASE64}"&gt;</p>',
        id="body: raw img with a data: URL",
    ),
    stored(
        "body",
        "<svg onload=alert(1)>",
        shows="<p>&lt;svg onload=alert(1)&gt;</p>",
        id="body: svg onload",
    ),
    stored(
        "body",
        '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
        shows='&lt;svg&gt;&lt;a xlink:href="javascript:alert(1)"&gt;',
        id="body: svg xlink:href",
    ),
    stored(
        "body",
        f"<math><mtext>{SCRIPT}</mtext></math>",
        shows=f"<p>&lt;math&gt;&lt;mtext&gt;{ESCAPED_SCRIPT}&lt;/mtext&gt;&lt;/math&gt;</p>",
        id="body: mathml with a script",
    ),
    stored(
        "body",
        "<scr<script>ipt>alert(1)</script>",
        shows="<p>&lt;scr&lt;script&gt;ipt&gt;alert(1)&lt;/script&gt;</p>",
        id="body: script tag split by another",
    ),
    stored(
        "body",
        "<<img src=x onerror=alert(1)>>",
        shows="<p>&lt;&lt;img src=x onerror=alert(1)&gt;&gt;</p>",
        id="body: doubled angle brackets",
    ),
    stored("body", '<a href="', shows='<p>&lt;a href="</p>', id="body: unclosed attribute"),
    stored(
        "body",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        shows=f"<p>{ESCAPED_SCRIPT}</p>",
        id="body: entities spelling a script tag",
    ),
    stored(
        "body",
        "&#60;img src=x onerror=alert(1)&#62;",
        shows="<p>&lt;img src=x onerror=alert(1)&gt;</p>",
        id="body: numeric entities spelling an img tag",
    ),
    stored(
        "body",
        '<iframe src="javascript:alert(1)"></iframe>',
        shows='<p>&lt;iframe src="javascript:alert(1)"&gt;&lt;/iframe&gt;</p>',
        id="body: iframe",
    ),
    stored(
        "body",
        '<object data="javascript:alert(1)"></object><embed src="javascript:alert(1)">',
        shows='&lt;object data="javascript:alert(1)"&gt;&lt;/object&gt;&lt;embed',
        id="body: object and embed",
    ),
    stored(
        "body",
        '<form action="https://evil.example/"><button formaction="javascript:alert(1)">Go',
        shows='&lt;button formaction="javascript:alert(1)"&gt;Go</p>',
        id="body: form and formaction",
    ),
    stored(
        "body",
        "[x](javascript:alert(1))",
        shows="<p>[x](javascript:alert(1))</p>",
        id="body: markdown link to javascript:",
    ),
    stored(
        "body",
        "[x](JaVaScRiPt:alert(1))",
        shows="<p>[x](JaVaScRiPt:alert(1))</p>",
        id="body: markdown link to JaVaScRiPt:",
    ),
    stored(
        "body",
        "[x](jav&#x61;script:alert(1))",
        shows="<p>[x](javascript:alert(1))</p>",
        id="body: markdown link to javascript: with an entity",
    ),
    stored(
        "body",
        "[x](java\tscript:alert(1))",
        shows="<p>[x](java\tscript:alert(1))</p>",
        id="body: markdown link to javascript: with a tab",
    ),
    stored(
        "body",
        "[x]( javascript:alert(1))",
        shows="<p>[x]( javascript:alert(1))</p>",
        id="body: markdown link to javascript: after a space",
    ),
    stored(
        "body",
        "[x](<javascript:alert(1)>)",
        shows="<p>[x](&lt;javascript:alert(1)&gt;)</p>",
        id="body: markdown link to javascript: in angle brackets",
    ),
    stored(
        "body",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        shows="<p>[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)</p>",
        id="body: markdown link to data:",
    ),
    stored(
        "body",
        "[x](vbscript:msgbox(1))",
        shows="<p>[x](vbscript:msgbox(1))</p>",
        id="body: markdown link to vbscript:",
    ),
    stored(
        "body",
        "![x](javascript:alert(1))",
        shows="<p>![x](javascript:alert(1))</p>",
        id="body: markdown image of javascript:",
    ),
    stored(
        "body",
        "![x](data:image/png;base64,iVBORw0KGgo=)",
        shows='<p>!<a rel="nofollow ugc noopener">x</a></p>',
        id="body: markdown image of a data: png",
    ),
    stored(
        "body",
        "[x][1]\n\n[1]: javascript:alert(1)",
        shows="<p>[x][1]</p>\n<p>[1]: javascript:alert(1)</p>",
        id="body: markdown reference link to javascript:",
    ),
    stored(
        "body",
        "<javascript:alert(1)>",
        shows="<p>&lt;javascript:alert(1)&gt;</p>",
        id="body: markdown autolink to javascript:",
    ),
    stored(
        "body",
        '[x](https://example.com "a\\" onmouseover=\\"alert(1)")',
        shows='title="a&quot; onmouseover=&quot;alert(1)"',
        id="body: markdown link title breaking out of its attribute",
    ),
    stored(
        "body",
        f'https://example.com/">{SCRIPT}',
        shows=(
            '<a href="https://example.com/" rel="nofollow ugc noopener">https://example.com/</a>'
            f'"&gt;{ESCAPED_SCRIPT}'
        ),
        id="body: bare URL breaking out of its link",
    ),
    stored(
        "body",
        "[<img src=x onerror=alert(1)>](https://example.com/)",
        shows=(
            '<a href="https://example.com/" rel="nofollow ugc noopener">'
            "&lt;img src=x onerror=alert(1)&gt;</a>"
        ),
        id="body: markup in a link's text",
    ),
    refused("body", "before\x00after", NULL, id="body: NUL"),
    refused("body", "\x1b[31mred", CONTROL, id="body: escape sequence"),
    refused("body", "back\x08space", CONTROL, id="body: backspace"),
    refused("body", "csi\x9b31m", CONTROL, id="body: C1 control"),
    refused("body", "x\uffff", CONTROL, id="body: noncharacter U+FFFF"),
    stored(
        "body",
        b"%ED%A0%80 lone",
        kept="\ufffd\ufffd\ufffd lone",
        shows="<p>\ufffd\ufffd\ufffd lone</p>",
        id="body: lone surrogate, percent-encoded",
    ),
    # Raw, the bytes are not UTF-8: Django reads the whole body as Latin-1, where 0x80 is a control.
    refused("body", b"\xed\xa0\x80 lone", CONTROL, id="body: lone surrogate, raw bytes"),
    stored(
        "body",
        "<script>" * 1250,
        shows="<p>" + "&lt;script&gt;" * 1250 + "</p>",
        id="body: 10000 characters of script tags",
    ),
    stored("body", "😀" * 10_000, shows="😀" * 10_000, id="body: 10000 four-byte characters"),
    refused(
        "body",
        "<script>" * 1250 + "x",
        "Ensure this value has at most 10000 characters (it has 10001).",
        id="body: 10001 characters",
    ),
]

NAME = [
    stored("author_name", SCRIPT, shows=ESCAPED_SCRIPT, id="name: script tag"),
    stored(
        "author_name",
        '"><img src=x onerror=alert(1)>',
        shows="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;",
        id="name: breaking out of an attribute",
    ),
    stored(
        "author_name",
        "' onmouseover='alert(1)",
        shows="&#x27; onmouseover=&#x27;alert(1)",
        id="name: single-quoted event handler",
    ),
    stored(
        "author_name",
        "<svg onload=alert(1)>",
        shows="&lt;svg onload=alert(1)&gt;",
        id="name: svg onload",
    ),
    stored(
        "author_name",
        "<math><mtext><script>alert(1)",
        shows="&lt;math&gt;&lt;mtext&gt;&lt;script&gt;alert(1)",
        id="name: mathml",
    ),
    stored(
        "author_name",
        "Sam\r\nBcc: victim@example.com",
        kept="Sam Bcc: victim@example.com",
        shows="Sam Bcc: victim@example.com",
        id="name: CR LF and a header",
    ),
    refused(
        "author_name", "Sa\u200bm", hidden("U+200B", "ZERO WIDTH SPACE"), id="name: zero-width"
    ),
    refused(
        "author_name",
        "\u202egnp.exe",
        hidden("U+202E", "RIGHT-TO-LEFT OVERRIDE"),
        id="name: right-to-left override",
    ),
    refused(
        "author_name",
        "Sam\u2066",
        hidden("U+2066", "LEFT-TO-RIGHT ISOLATE"),
        id="name: left-to-right isolate",
    ),
    refused(
        "author_name",
        "\u200b\u200b",
        hidden("U+200B", "ZERO WIDTH SPACE"),
        id="name: only zero-width spaces",
    ),
    refused(
        "author_name",
        "\u200b \u200b \ufeff",
        hidden("U+200B", "ZERO WIDTH SPACE", " and 1 more"),
        id="name: zero-width and spaces",
    ),
    refused("author_name", "Sam\x00", hidden("U+0000"), id="name: NUL"),
    refused("author_name", "Sam\x07", hidden("U+0007"), id="name: bell"),
    refused("author_name", "Sam\x1b[2J", hidden("U+001B"), id="name: escape sequence"),
    refused(
        "author_name",
        "Sam\uffff",
        hidden("U+FFFF", "a noncharacter"),
        id="name: noncharacter U+FFFF",
    ),
    stored(
        "author_name",
        b"Sam%ED%A0%80",
        kept="Sam\ufffd\ufffd\ufffd",
        shows="Sam\ufffd\ufffd\ufffd",
        id="name: lone surrogate, percent-encoded",
    ),
    refused(
        "author_name", b"Sam\xed\xa0\x80", hidden("U+0080"), id="name: lone surrogate, raw bytes"
    ),
]

EMAIL = [
    refused(
        "author_email",
        "x@example.com\r\nBcc: victim@example.com",
        INVALID_EMAIL,
        id="email: CR LF and a Bcc header",
    ),
    refused(
        "author_email",
        "x@example.com\nBcc: victim@example.com",
        INVALID_EMAIL,
        id="email: LF and Bcc",
    ),
    refused(
        "author_email",
        "x@example.com%0D%0ABcc:victim@example.com",
        INVALID_EMAIL,
        id="email: literal %0D%0A",
    ),
    refused(
        "author_email",
        "victim@example.com>, <evil@example.com",
        INVALID_EMAIL,
        id="email: a second address",
    ),
    refused("author_email", "<script>@example.com", INVALID_EMAIL, id="email: script tag"),
    stored(
        "author_email",
        '"<script>alert(1)</script>"@example.com',
        id="email: script tag in a quoted local part",
    ),
]

WEBSITE = [
    refused("author_url", "javascript:alert(1)", WEB_ADDRESS, id="website: javascript:"),
    refused("author_url", "JaVaScRiPt:alert(1)", WEB_ADDRESS, id="website: JaVaScRiPt:"),
    refused(
        "author_url", "  javascript:alert(1)", WEB_ADDRESS, id="website: javascript: after spaces"
    ),
    refused(
        "author_url",
        "jav&#x61;script:alert(1)",
        WEB_ADDRESS,
        id="website: javascript: with an entity",
    ),
    refused(
        "author_url",
        "java\tscript:alert(1)",
        web_hidden("U+0009 (a control character)"),
        id="website: javascript: with a tab",
    ),
    refused(
        "author_url",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        WEB_ADDRESS,
        id="website: data:",
    ),
    refused("author_url", "vbscript:msgbox(1)", WEB_ADDRESS, id="website: vbscript:"),
    refused(
        "author_url",
        "https://example.com/\x00",
        web_hidden("U+0000 (a control character)"),
        id="website: NUL",
    ),
    refused(
        "author_url",
        "https://trusted.example@evil.example/",
        "Enter a web address without a user name or password in it.",
        id="website: user@host spoofing",
    ),
    stored(
        "author_url",
        f'https://example.com/">{SCRIPT}',
        shows=f'href="https://example.com/&quot;&gt;{ESCAPED_SCRIPT}"',
        id="website: breaking out of its attribute",
    ),
    stored(
        "author_url",
        "https://example.com/'onmouseover='alert(1)'",
        shows='href="https://example.com/&#x27;onmouseover=&#x27;alert(1)&#x27;"',
        id="website: single-quoted event handler",
    ),
]

PARENT = [
    refused("parent", "1 OR 1=1", NOT_AVAILABLE, id="parent: SQL"),
    refused("parent", "1; DROP TABLE comments_comment", NOT_AVAILABLE, id="parent: SQL drop"),
    refused("parent", "-1", NOT_AVAILABLE, id="parent: negative"),
    refused("parent", "99999999999999999999", NOT_AVAILABLE, id="parent: out of range"),
    refused("parent", SCRIPT, NOT_AVAILABLE, id="parent: script tag"),
]

TRAPS = [
    stored("homepage", "http://spam.example/", status=Status.SPAM, id="homepage: filled"),
    stored("homepage", SCRIPT, status=Status.SPAM, id="homepage: script tag"),
    stored("shown_at", "garbage", id="shown_at: garbage, trap off"),
    stored("shown_at", f'">{SCRIPT}', id="shown_at: script tag, trap off"),
    stored(
        "shown_at",
        f'1700000000.0:">{SCRIPT}',
        status=Status.SPAM,
        traps_on=True,
        id="shown_at: forged, trap on",
    ),
]

STORED_FIELDS = {"body", "author_name", "author_email", "author_url"}


@pytest.mark.parametrize(
    ("field", "value", "expect"), BODY + NAME + EMAIL + WEBSITE + PARENT + TRAPS
)
def test_hostile_input_is_refused_or_stored_and_shown_inert(
    client, admin_client, field, value, expect
):
    if expect.traps_on:
        set_rules(min_fill_seconds=3)
    article = make_article()
    earlier = make_comment(article, body="already here")

    response = post(client, article, **{field: value})

    page = page_of(response)
    assert active_markup(page) == []
    if expect.refused:
        assert response.status_code == 400
        assert list(Comment.objects.all()) == [earlier]
        assert response.context["discussion"].form.errors == {field: [expect.refused]}
        assert html.escape(expect.refused) in page
        if field in STORED_FIELDS and isinstance(value, str):
            assert html.escape(value) in page  # the text is kept for a retry, escaped
        return
    assert response.status_code == 302
    comment = Comment.objects.exclude(pk=earlier.pk).get()
    assert comment.status == expect.status
    if field in STORED_FIELDS:
        kept = value if expect.kept is None else expect.kept
        assert getattr(comment, field) == (kept.lower() if field == "author_email" else kept)
    assert_shown_inert(client, admin_client, comment, shows=expect.shows)


def assert_shown_inert(client, admin_client, comment, *, shows):
    """Every page that shows ``comment`` is inert and shows what was stored, escaped."""
    article = comment.article
    page = client.get(article.get_absolute_url())
    changelist = admin_client.get("/admin/comments/comment/?queue=all")
    change = admin_client.get(reverse("admin:comments_comment_change", args=[comment.pk]))
    entries = feed_entries(client.get(f"{article.get_absolute_url()}comments/feed/"))
    for response in (page, changelist, change):
        assert response.status_code == 200
        assert active_markup(page_of(response)) == []
    page, changelist, change = (page_of(r) for r in (page, changelist, change))

    entry_id = f"http://testserver{reverse('comments:permalink', args=[comment.pk])}"
    if comment.status == Status.APPROVED:
        assert f'id="comment-{comment.pk}"' in page
        assert shows in page
        assert entries[entry_id] == (comment.author_name, comment.body_html)
    else:
        assert f'id="comment-{comment.pk}"' not in page
        assert entry_id not in entries
    # Moderators see exactly what was stored, escaped.
    assert f"/admin/comments/comment/{comment.pk}/change/" in changelist
    for shown in (Truncator(comment.body).chars(80), comment.author_name, comment.author_email):
        assert html.escape(shown) in changelist
    for stored_value in (comment.body, comment.author_name, comment.author_email):
        assert html.escape(stored_value) in change
    if comment.author_url:
        assert f'value="{html.escape(comment.author_url)}"' in change


def test_a_ten_megabyte_request_is_answered_400_and_nothing_is_stored(client):
    article = make_article()

    response = post(client, article, body="x" * (10 * 1024 * 1024))

    page = page_of(response)
    assert response.status_code == 400
    assert "That request could not be understood" in page
    assert active_markup(page) == []
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        pytest.param("homepage", f'">{SCRIPT}', id="homepage breaking out of its attribute"),
        pytest.param("shown_at", f'">{SCRIPT}', id="shown_at breaking out of its attribute"),
        pytest.param("shown_at", "' onfocus='alert(1)' autofocus='", id="shown_at event handler"),
    ],
)
def test_trap_fields_sent_back_on_a_refused_form_stay_inert(client, field, value):
    article = make_article()

    response = post(client, article, author_email="not an address", **{field: value})

    page = page_of(response)
    assert response.status_code == 400
    assert not Comment.objects.exists()
    assert response.context["discussion"].form.errors == {"author_email": [INVALID_EMAIL]}
    assert active_markup(page) == []
    assert f'name="{field}" value="{html.escape(value)}"' in page


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        pytest.param("Rene\u0301e", "Renée", id="decomposed accent becomes NFC"),
        pytest.param("  Sam  ", "Sam", id="trimmed"),
        pytest.param("Sam  \t O'Neil", "Sam O'Neil", id="inner runs of spaces collapsed"),
        pytest.param("Sam\u00a0\u3000Lee", "Sam Lee", id="unicode spaces collapsed"),
        pytest.param("Sam\u2028Lee", "Sam Lee", id="line separator folded"),
        pytest.param("\u0915\u094d\u200d\u0937", "\u0915\u094d\u200d\u0937", id="joiner kept"),
    ],
)
def test_names_are_normalised_before_they_are_stored(client, sent, kept):
    article = make_article()

    response = post(client, article, author_name=sent)

    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.author_name == kept
    page = page_of(client.get(article.get_absolute_url()))
    assert f'aria-label="Comment by {html.escape(kept)}, level 1"' in page


def test_mail_to_moderators_about_a_hostile_comment_carries_no_injected_headers(client):
    set_rules(moderator_mail="each", hold_all=True)
    make_user(is_superuser=True, is_staff=True, email="moderator@example.com")
    article = make_article()

    response = post(
        client,
        article,
        author_name="Sam\r\nBcc: victim@example.com\r\nSubject: hi",
        author_email="sam@example.com",
        body=f"Hi\r\nBcc: victim@example.com\r\n\r\n{SCRIPT}",
    )
    run_tasks()

    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.status == Status.PENDING
    assert comment.author_name == "Sam Bcc: victim@example.com Subject: hi"
    [message] = mail.outbox
    assert message.to == ["moderator@example.com"]
    assert (message.cc, message.bcc) == ([], [])
    assert message.subject.startswith("A comment is waiting for review")
    headers = message.message()
    assert headers["Content-Type"].startswith("multipart/alternative")
    assert sorted(headers.keys()) == [
        "Auto-Submitted",
        "Content-Type",
        "Date",
        "From",
        "List-Unsubscribe",
        "List-Unsubscribe-Post",
        "MIME-Version",
        "Message-ID",
        "Subject",
        "To",
        "X-Auto-Response-Suppress",
    ]
    assert not any("victim" in value for value in headers.values())
    head = headers.as_bytes().split(b"\n\n", 1)[0]
    assert b"victim" not in head and b"Bcc" not in head
    assert "Sam Bcc: victim@example.com Subject: hi commented" in message.body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("address", "status"),
    [("/users/%00/", 404), ("/tag/%00/", 404), ("/comments/%00/", 404), ("/?p=%00", 400),
     ("/search/?q=a%00b", 400), ("/accounts/login/?next=%00", 400),
     ("/api/v1/articles/?limit=%00", 400)],
)  # fmt: skip
def test_a_nul_character_in_an_address_is_a_404_or_a_400_never_a_500(client, address, status):
    """PostgreSQL refuses NUL in any text it is given; no request gets that far (#28)."""
    assert client.get(address).status_code == status
