"""WSGI entry point: `gunicorn forum.wsgi` (see gunicorn.conf.py)."""

import os

from django.core.wsgi import get_wsgi_application

from forum.database import start_if_embedded

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "forum.settings")
start_if_embedded()  # the embedded PostgreSQL, unless DATABASE_URL names a server (#11)
application = get_wsgi_application()


def _warm_up():
    """Import every view and compile the comment templates now, in the process that will serve
    (or, with gunicorn's preload_app, in the master the workers fork from). No query runs."""
    from django.template import engines
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports the URLconf and every view
    engines["jinja2"].get_template("comments/_comments.html")


_warm_up()
