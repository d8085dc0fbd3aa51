"""gunicorn settings, used by `make run` and in production: `gunicorn forum.wsgi`.

Every value can be overridden from the environment (HOST, PORT, WEB_CONCURRENCY, ...) or with
gunicorn's own command-line flags.
"""

import multiprocessing
import os

wsgi_app = "forum.wsgi"
bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
# Sync workers: each holds one persistent database connection (CONN_MAX_AGE).
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 10
keepalive = 5
# Recycle workers now and then so a slow leak can never take a server down.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
