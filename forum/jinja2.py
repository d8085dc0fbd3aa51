"""The Jinja2 environment for the templates on the hot path: the list of comments (issue #11).

Everything else uses Django's templates; Jinja2 renders the hundreds of comments of a page
several times faster. Templates live in templates/jinja2/ and autoescape like Django's; the
``date`` filter is Django's.
"""

from django.template.defaultfilters import date
from jinja2 import Environment


def environment(**options):
    env = Environment(**{"trim_blocks": True, "lstrip_blocks": True, **options})
    env.filters["date"] = date
    return env
