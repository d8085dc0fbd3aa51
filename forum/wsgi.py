"""WSGI entry point: `gunicorn forum.wsgi` (see gunicorn.conf.py)."""

import os

from django.core.wsgi import get_wsgi_application

from forum.database import start_if_embedded

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "forum.settings")
start_if_embedded()  # the embedded PostgreSQL, unless DATABASE_URL names a server (#11)
application = get_wsgi_application()
