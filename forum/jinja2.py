"""The Jinja2 environment for the templates on the hot path: the list of comments (issue #11).

Everything else uses Django's templates; Jinja2 renders the hundreds of comments of a page
about ten times faster. Templates live in templates/jinja2/ and autoescape like Django's.
"""

from django.utils import timezone
from jinja2 import Environment


def environment(**options):
    env = Environment(**{"trim_blocks": True, "lstrip_blocks": True, **options})
    env.filters["localtime"] = timezone.localtime
    return env
