"""WSGI entry point: `gunicorn forum.wsgi` (see gunicorn.conf.py)."""

import os
from contextlib import suppress

from django.core.wsgi import get_wsgi_application

from forum.database import start_if_embedded

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "forum.settings")
start_if_embedded()  # the embedded PostgreSQL, unless DATABASE_URL names a server (#11)
application = get_wsgi_application()


def _warm_up():
    """Import every view, compile the site's templates and load every language's translations
    now, in the process that will serve (or, with gunicorn's preload_app, in the master the
    workers fork from): a new worker, or one gunicorn restarts after ``max_requests``, does not
    compile them on its first pages (#29). No query runs."""
    from django.conf import settings
    from django.template import TemplateSyntaxError, engines
    from django.urls import get_resolver
    from django.utils import translation

    get_resolver().url_patterns  # noqa: B018 - imports the URLconf and every view
    jinja = engines["jinja2"].env
    for name in jinja.list_templates(extensions=["html", "txt"]):
        jinja.get_template(name)  # included ones too: they load by name as a page renders
    django = engines["django"]
    for directory in django.template_dirs:
        if directory.is_relative_to(settings.BASE_DIR):  # the site's, not the admin's
            for path in directory.rglob("*.html"):
                name = path.relative_to(directory)
                # One needing an app not installed here (social sign-in without providers)
                # is never rendered either.
                if name.parts[0] != "jinja2":  # Jinja2's, above
                    with suppress(TemplateSyntaxError):
                        django.get_template(str(name))
    for code, _ in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Comments")


_warm_up()
