"""The Jinja2 environment for the templates on the hot path: the list of comments (issue #11).

Everything else uses Django's templates; Jinja2 renders the hundreds of comments of a page
several times faster. Templates live in templates/jinja2/ and autoescape like Django's; the
``date`` filter and the translations (with their plural rules) are Django's.
"""

from django.template.defaultfilters import date
from django.utils import translation
from jinja2 import Environment

_translated = {}  # (language, message): its translation, found once per process (#29)


def gettext(message):
    """Django's gettext, remembered per language: a page of comments asks for the same dozen
    words hundreds of times, and each of Django's lookups costs more than the comment's markup."""
    key = (translation.get_language(), message)
    found = _translated.get(key)
    if found is None:
        found = _translated[key] = translation.gettext(message)
    return found


def environment(**options):
    # Django's translations: {% trans count=n %}...{% pluralize %}...{% endtrans %} (#25, #27).
    options.setdefault("extensions", []).append("jinja2.ext.i18n")
    env = Environment(**{"trim_blocks": True, "lstrip_blocks": True, **options})
    env.install_gettext_callables(
        gettext, translation.ngettext, newstyle=True, pgettext=translation.pgettext,
        npgettext=translation.npgettext,
    )  # fmt: skip
    env.filters["date"] = date
    return env
