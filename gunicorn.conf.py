"""gunicorn settings, used by `make run` and in production: `gunicorn forum.wsgi`.

Every value can be overridden from the environment (HOST, PORT, WEB_CONCURRENCY, ...) or with
gunicorn's own command-line flags.
"""

import multiprocessing
import os

wsgi_app = "forum.wsgi"
# The loopback: in production only nginx in front talks to gunicorn (#23).
bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
# Sync workers, 2 x CPUs + 1: each holds one persistent database connection (CONN_MAX_AGE).
# Measured on 2 cores with wrk (10 connections), two rounds, requests/s of /healthz and of the
# cached 1,000-comment article page (issue #7):
#   sync, 2 workers: 1,164 / 102 and 1,106 / 113    sync, 5 workers: 836 / 91 and 1,152 / 117
#   sync, 9 workers: 765 / 76 and 862 / 89          gthread, 2 x 4 threads: 693 / 34 and 722 / 87
#   gthread, 5 x 4 threads: 806 / 93
# Pages are CPU-bound Python (the GIL makes threads no faster, and they slowed the big page), so
# more workers than that only add switching; the extra workers over the core count cover the
# moments a worker waits on PostgreSQL, such as a reply waiting for its thread's lock.
# A sync worker reads its request itself, so a client that stalls mid-request holds it: in
# production nginx reads every request whole first (deploy/nginx/, #23). gthread is no cure:
# 50 stalled connections starved 5 x 4 threads too (docs/scaling.md, "Slow clients").
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# Load the application once in the master and fork the workers from it (issue #11): a new or
# recycled worker starts with Django, the URLconf and the compiled comment templates in memory
# instead of importing and compiling them on its first request. Nothing connects to the
# database while loading, so no connection is shared across the fork.
preload_app = True
# More than 1 makes gunicorn use gthread workers; each thread holds its own connection.
threads = int(os.environ.get("GUNICORN_THREADS", 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 10
keepalive = 5
# Recycle workers now and then so a slow leak can never take a server down.
max_requests = 2000
max_requests_jitter = 200
# One line per request on stdout, for production's log collector; `make run` turns it off
# (ACCESS_LOG=0) so that the demo's terminal shows the mail and errors (issue #24).
accesslog = (
    "-" if os.environ.get("ACCESS_LOG", "1").lower() not in ("0", "false", "no", "off") else None
)
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
