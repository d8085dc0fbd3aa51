"""The Jinja2 environment for the templates on the hot path: the list of comments (issue #11).

Everything else uses Django's templates; Jinja2 renders the hundreds of comments of a page
several times faster. Templates live in templates/jinja2/ and autoescape like Django's; the
``date`` filter and the translations (with their plural rules) are Django's.
"""

from django.template.defaultfilters import date
from django.utils import translation
from jinja2 import Environment


def environment(**options):
    # Django's translations: {% trans count=n %}...{% pluralize %}...{% endtrans %} (#25, #27).
    options.setdefault("extensions", []).append("jinja2.ext.i18n")
    env = Environment(**{"trim_blocks": True, "lstrip_blocks": True, **options})
    env.install_gettext_translations(translation, newstyle=True)
    env.filters["date"] = date
    return env
