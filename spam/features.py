"""What the spam filter looks at in a comment (#26): words and word pairs of the text, its links,
the name, email and website fields, and what the site knows of the writer. Each signal becomes a
string token; ``describe`` says it in words a moderator understands.

Everything is bounded, whatever the input: the text is read up to MAX_CHARS, at most MAX_WORDS
words and MAX_LINKS links count, and a comment gives at most MAX_TOKENS distinct tokens.
"""

import math
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import translation
from django.utils.translation import ngettext

MAX_CHARS = 20_000
MAX_WORDS = 1_500
MAX_LINKS = 50
MAX_TOKENS = 1_000
WORD = re.compile(r"[^\W_]{2,30}")  # letters and digits of any script; longer runs are noise
URL = re.compile(r"(?:https?://|www\.)[^\s<>()\[\]\"']{1,300}", re.I)
LINK_TEXT = re.compile(r"\[([^\]\n]{1,200})\]\(|<a\b[^>]{0,500}>([^<]{1,200})</a>", re.I)
SHORTENERS = {
    "bit.ly", "tinyurl.com", "t.co", "goo.gl", "is.gd", "ow.ly", "cutt.ly", "rb.gy", "tiny.cc",
    "shorturl.at", "buff.ly", "rebrand.ly", "t.ly", "s.id", "v.gd", "shorte.st", "adf.ly",
}  # fmt: skip
THROWAWAY = {
    "mailinator.com", "guerrillamail.com", "10minutemail.com", "temp-mail.org", "yopmail.com",
    "trashmail.com", "sharklasers.com", "dispostable.com", "getnada.com", "maildrop.cc",
    "throwawaymail.com", "fakeinbox.com", "mintemail.com", "spamgourmet.com", "tempmail.net",
    "emailondeck.com", "mohmal.com", "tempr.email", "discard.email", "mailnesia.com",
}  # fmt: skip


@dataclass
class Signals:
    """A comment's fields and what the site knew of its writer when it was posted."""

    body: str
    name: str = ""
    email: str = ""
    url: str = ""
    form_seconds: float | None = None
    author_approved: int = 0
    author_spam: int = 0
    ip_spam: int = 0  # spam from the writer's address in the day before


def domain_of(address):
    """The host's last two labels ("shop.example.co" -> "example.co"), lower case, or ""."""
    if not address.lower().startswith(("http://", "https://")):
        address = "http://" + address
    try:
        host = (urlsplit(address[:300]).hostname or "").rstrip(".")
    except ValueError:
        return ""
    return ".".join(host.split(".")[-2:])


def bucket(n, edges):
    """The first edge n is below, as "<edge", or the last edge with "+"."""
    for edge in edges:
        if n < edge:
            return f"<{edge}"
    return f"{edges[-1]}+"


def tokens(s):
    """{token: weight} and {token: words for moderators} of one comment's Signals, in the
    site's language whatever the writer's (#27): the words are stored for moderators."""
    with translation.override(settings.LANGUAGE_CODE):
        return _tokens(s)


def _tokens(s):
    found, said = {}, {}

    def add(token, text=None, weight=1.0):
        if token in found or len(found) < MAX_TOKENS:
            found[token] = found.get(token, 0.0) + weight
            if text:
                said[token] = text

    body = s.body[:MAX_CHARS]
    words = WORD.findall(URL.sub(" ", body).lower())[:MAX_WORDS]  # links count on their own
    for word in words:
        add(f"w:{word}", f"“{word}”")
    for first, second in zip(words, words[1:], strict=False):
        add(f"p:{first} {second}", f"“{first} {second}”")
    add(f"len:{bucket(len(words), (3, 8, 20, 60, 200))}", "its length")

    links = URL.findall(body)[:MAX_LINKS]
    domains = {domain_of(link) for link in links} - {""}
    n = len(URL.findall(body))
    sites = ngettext("%d domain", "%d domains", len(domains)) % len(domains)
    links_to = ngettext("%(n)d link to %(sites)s", "%(n)d links to %(sites)s", n)
    add(f"links:{bucket(n, (1, 2, 3, 5, 10))}",
        links_to % {"n": n, "sites": sites} if n else "no links")  # fmt: skip
    for domain in domains:
        add(f"d:{domain}", f"a link to {domain}")
        add(f"tld:{domain.rsplit('.', 1)[-1]}", f"a link to .{domain.rsplit('.', 1)[-1]}")
        if domain in SHORTENERS:
            add("shortener", f"a shortened link ({domain})")
    for match in LINK_TEXT.finditer(body[:MAX_CHARS]):
        for word in WORD.findall((match.group(1) or match.group(2) or "").lower())[:10]:
            add(f"lt:{word}", f"link text “{word}”")

    name_words = WORD.findall(s.name.lower())[:10]
    for word in name_words:
        add(f"n:{word}", f"the name “{s.name[:40]}”")
    add(f"name_words:{bucket(len(name_words), (2, 3, 4))}", f"the name “{s.name[:40]}”")
    email_domain = s.email.rpartition("@")[2].lower()
    if email_domain:
        add(f"ed:{email_domain}", f"an address at {email_domain}")
    if email_domain in THROWAWAY:
        add("throwaway", f"a throwaway address ({email_domain})")
    if sum(c.isdigit() for c in s.email.partition("@")[0]) >= 4:
        add("email_digits", "digits in the address")
    if s.url:
        site = domain_of(s.url)
        add(f"ud:{site}", f"the website {site}")
        add(f"utld:{site.rsplit('.', 1)[-1]}", f"a website on .{site.rsplit('.', 1)[-1]}")
        named = any(w in site for w in name_words if len(w) > 2)
        if site == domain_of(email_domain) or named:
            add("url_matches", "a website matching the name or address")
        else:
            add("url_unmatched", "a website matching neither name nor address")
        if len(words) < 20:
            add("url_short_text", "a website under a short text")
    else:
        add("no_url", "no website")

    if s.form_seconds is None:
        add("secs:none", "no form timing")
    else:
        add(f"secs:{bucket(s.form_seconds, (5, 15, 60, 600))}",
            f"{s.form_seconds:.0f} s on the form")  # fmt: skip
    if s.author_approved == 0 and s.author_spam == 0:
        add("hist:first", "author's first comment")
    elif s.author_approved:
        history = ngettext("author's %d approved comment", "author's %d approved comments",
                        s.author_approved)  # fmt: skip
        add(f"hist:approved{bucket(s.author_approved, (2, 5, 20))}", history % s.author_approved)
    if s.author_spam:
        add(f"hist:spam{bucket(s.author_spam, (2, 5))}",
            f"author's {s.author_spam} earlier spam")  # fmt: skip
    if s.ip_spam:
        add(f"ip:spam{bucket(s.ip_spam, (2, 5))}", f"{s.ip_spam} spam from this address today")
    return {t: 1 + math.log(w) for t, w in found.items()}, said
