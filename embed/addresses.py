"""What the embed accepts from a host page (#30): origins, canonical page addresses, titles,
and the theme. Each rule is written once here; forms, services and models call it.

A page address is kept canonical, so that one page has one discussion: scheme and host in
lower case, the default port dropped, no query and no fragment (``?utm_source=...`` and
``#comments`` are the same page), and it must belong to the site that embeds it.
"""

import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from core.text import invisible, single_line

URL_LENGTH = 500  # EmbeddedPage.url
TITLE_LENGTH = 200  # Article.title
THEMES = ("auto", "light", "dark")
ACCENT = re.compile(r"#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(address):
    """``scheme://host[:port]`` of an http(s) address, in lower case; "" when it has none."""
    address = (address or "").strip()
    if invisible(address) or any(ch.isspace() for ch in address):
        return ""
    try:
        parts = urlsplit(address)
        port = parts.port
    except ValueError:  # a port out of range, a bracket left open
        return ""
    host = parts.hostname
    if parts.scheme not in DEFAULT_PORTS or not host or parts.username is not None:
        return ""
    if ":" in host:
        host = f"[{host}]"
    if port is not None and port != DEFAULT_PORTS[parts.scheme]:
        host = f"{host}:{port}"
    return f"{parts.scheme}://{host}"


def canonical(address):
    """(origin, canonical address) of a page, or ValidationError saying what is wrong."""
    address = (address or "").strip()
    origin = origin_of(address)
    if not origin or len(address) > URL_LENGTH:
        raise ValidationError(
            _("The page address must be an http or https address of at most %(n)d characters."),
            code="page", params={"n": URL_LENGTH},
        )  # fmt: skip
    path = urlsplit(address).path or "/"
    return origin, f"{origin}{path}"


def clean_title(text, fallback):
    """A page's title as an article's: one line, without invisible characters, cut to fit."""
    text = single_line(text or "")
    text = "".join(ch for ch in text if ch not in set(invisible(text)))
    text = Truncator(text).chars(TITLE_LENGTH) if text else ""
    return text or Truncator(fallback).chars(TITLE_LENGTH)


def style(theme, accent):
    """The frame's look as one path segment: "dark", or "dark-f60" with an accent colour."""
    return f"{theme}-{accent.lower()}" if accent else theme


def accent_of(value):
    """``#rgb`` or ``#rrggbb`` without its "#", or ValidationError."""
    value = (value or "").strip()
    if not value:
        return ""
    match = ACCENT.fullmatch(value)
    if match is None:
        raise ValidationError(_("The accent colour must be #rgb or #rrggbb."), code="accent")
    return match.group(1).lower()


def host_of(origin):
    """What a reader sees of an origin in the address bar: ``blog.example.com:8080``."""
    return urlsplit(origin).netloc
