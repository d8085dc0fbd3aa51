"""The Jinja2 environment for the templates on the hot path: the list of comments (issue #11).

Everything else uses Django's templates; Jinja2 renders the hundreds of comments of a page
several times faster. Templates live in templates/jinja2/ and autoescape like Django's; the
``date`` filter and the translations (with their plural rules) are Django's.

A page of comments asks for the same dozen words and the same few dates hundreds of times, and
each of Django's lookups costs more than the comment's markup: both are remembered here per
language and process (#29), the language is asked for once per render, and the translations
are called as plain functions (Jinja2's own wrappers ask the context twice per word). They keep
Jinja2's "new style" rules: the result is markup, and its ``%(name)s`` placeholders are filled
with escaped values.
"""

from contextvars import ContextVar
from datetime import datetime

import jinja2
from django.template.defaultfilters import date as django_date
from django.utils import formats, timezone, translation
from django.utils.dateformat import re_formatchars
from markupsafe import Markup

_translated = {}  # (language, message, ...): its translation as markup
_dated = {}  # (language, format, day or clock): a formatted date
_kinds = {}  # format: which part of a datetime it shows
REMEMBERED = 20_000  # entries kept in each, a few megabytes at most
_language = ContextVar("language", default=None)  # the reader's, while a template renders

DAY = frozenset("bdDEFjlLmMnNoStwWyYz")  # format characters that read only the calendar day
CLOCK = frozenset("aAfgGhHiP")  # and those that read only the hour and minute


class Template(jinja2.Template):
    def render(self, *args, **kwargs):
        """Rendered in the language active now, asked for once rather than for every word."""
        token = _language.set(translation.get_language())
        try:
            return super().render(*args, **kwargs)
        finally:
            _language.reset(token)


def language():
    return _language.get() or translation.get_language()


def _remembered(memo, key, make):
    found = memo.get(key)
    if found is None:
        if len(memo) >= REMEMBERED:
            memo.clear()
        found = memo[key] = make()
    return found


def gettext(message, **variables):
    """``_("...")`` and ``{% trans %}``: Django's gettext."""
    key = (language(), message, not variables)
    if variables:
        found = _remembered(_translated, key, lambda: Markup(translation.gettext(message)))
        return found % variables
    return _remembered(_translated, key, lambda: Markup(translation.gettext(message)) % {})


def ngettext(singular, plural, number, **variables):
    """``{% trans count=n %}...{% pluralize %}...{% endtrans %}``: Django's ngettext."""
    variables.setdefault("num", number)
    key = (language(), singular, plural, number)
    found = _remembered(
        _translated, key, lambda: Markup(translation.ngettext(singular, plural, number))
    )
    return found % variables


def date(value, format=None):
    """Django's ``date`` filter; a format of the day alone or of the time of day alone is
    formatted once per language and day, or minute ("c" is the ISO form, as Django's)."""
    kind = _kinds.get(format)
    if kind is None:
        kind = _kinds[format] = format_kind(format)
    if not isinstance(value, datetime) or kind == "other":
        return django_date(value, format)
    if kind == "iso":
        return value.isoformat()
    part = value.date() if kind == "day" else (value.hour, value.minute)
    key = (language(), format, part)
    return _remembered(_dated, key, lambda: django_date(value, format))


def localdate(value):
    """A datetime's day in the site's time zone (a date stays as it is)."""
    return timezone.localdate(value) if isinstance(value, datetime) else value


def format_kind(format):
    if not format or format in formats.FORMAT_SETTINGS:
        return "other"
    if format == "c":
        return "iso"
    used = set(re_formatchars.findall(format))
    return "day" if used <= DAY else "clock" if used <= CLOCK else "other"


def environment(**options):
    # Django's translations: {% trans count=n %}...{% pluralize %}...{% endtrans %} (#25, #27).
    options.setdefault("extensions", []).append("jinja2.ext.i18n")
    env = jinja2.Environment(**{"trim_blocks": True, "lstrip_blocks": True, **options})
    env.template_class = Template
    env.install_gettext_callables(
        gettext, ngettext, newstyle=True, pgettext=translation.pgettext,
        npgettext=translation.npgettext,
    )  # fmt: skip
    env.globals.update(_=gettext, gettext=gettext, ngettext=ngettext)  # called directly
    env.filters["date"] = date
    env.filters["localdate"] = localdate
    return env
