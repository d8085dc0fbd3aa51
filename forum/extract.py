"""Babel's extractor for Django templates (#27), named in babel.cfg.

Babel reads Python, Jinja2 (Jinja's own extractor) and JavaScript, but not Django's template
language; Django's ``makemessages`` reads that, but misses ``ngettext`` and the block tags of
our Jinja2 templates. So every catalogue comes from ``pybabel extract``, and for Django
templates this turns the template into Python with Django's own ``templatize`` (what
``makemessages`` does before it runs xgettext) and lets Babel's Python extractor read that.
"""

import io

from babel.messages.extract import extract_python
from django.utils.translation.template import templatize


def extract_django(fileobj, keywords, comment_tags, options):
    """Messages of a Django template, as Babel's extractors yield them."""
    encoding = options.get("encoding", "utf-8")
    code = templatize(fileobj.read().decode(encoding))
    yield from extract_python(io.BytesIO(code.encode(encoding)), keywords, comment_tags, options)
