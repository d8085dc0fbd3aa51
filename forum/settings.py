"""Settings for the forum site: every deploy-time value comes from the environment (issue #2).

Importing them starts nothing: the embedded database is started by the processes that connect
(manage.py, wsgi.py, the tests' conftest), #11. DATABASE_URL is parsed by dj-database-url, which
decodes a socket directory given as the host (django-environ leaves it percent-encoded); the
cache and email URLs by django-environ.
"""

import os
from pathlib import Path

import dj_database_url
import environ
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key
from whitenoise.compress import Compressor

from forum import database

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"


def env_bool(name, default=False):
    value = os.environ.get(name, "").strip().lower()
    return default if not value else value in ("1", "true", "yes", "on")


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name, default):
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


DEBUG = env_bool("DJANGO_DEBUG")

# Without DATABASE_URL the site runs as the local demo on the embedded PostgreSQL in var/,
# which also allows a generated secret key and localhost-only hosts.
DATABASE_URL = os.environ.get("DATABASE_URL", "").strip()
DEMO = not DATABASE_URL
if DEMO:
    DATABASE_URL = database.address(database.DATA_DIR)


# Behind PgBouncer in transaction pooling mode (#29), one transaction may run on one server
# connection and the next on another: so no prepared statements (PgBouncer 1.18 cannot route
# them) and no server-side cursors (``.iterator()`` would lose its cursor between transactions).
# Advisory locks are transaction-scoped and no session SET is issued, so both are safe there.
TRANSACTION_POOLING = os.environ.get("DATABASE_POOLING", "").strip() == "transaction"


def _database(url, **options):
    config = dj_database_url.parse(
        url, conn_max_age=env_int("CONN_MAX_AGE", 60), conn_health_checks=True, **options
    )
    if TRANSACTION_POOLING:
        config["DISABLE_SERVER_SIDE_CURSORS"] = True
        config.setdefault("OPTIONS", {})["prepare_threshold"] = None
    return config


DATABASES = {"default": _database(DATABASE_URL)}
# Test runs side by side on one server each need a test database of their own.
if os.environ.get("TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}
# An optional streaming replica: pages read from it, unless the request, or the same reader a
# moment before, wrote (forum/routers.py). Tests treat it as a mirror of the primary.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "").strip()
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = _database(DATABASE_REPLICA_URL, test_options={"MIRROR": "default"})
    DATABASE_ROUTERS = ["forum.routers.PrimaryReplicaRouter"]
# How long a reader who wrote keeps reading from the primary: longer than the replica lags
# (and at least PAGE_VERSION_SECONDS, while their pages read fresh versions: core.writes).
DATABASE_REPLICA_PIN_SECONDS = env_int("DATABASE_REPLICA_PIN_SECONDS", 10)


def _demo_secret_key():
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(exist_ok=True)
        path.write_text(get_random_secret_key())
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "").strip()
if not SECRET_KEY:
    if not (DEBUG or DEMO):
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random string when DJANGO_DEBUG is "
            "off, e.g. the output of: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    SECRET_KEY = _demo_secret_key()

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    if not (DEBUG or DEMO):
        raise ImproperlyConfigured(
            "DJANGO_ALLOWED_HOSTS is not set. List the host names this site answers to, "
            "comma-separated, e.g. DJANGO_ALLOWED_HOSTS=forum.example.com"
        )
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
# Sites that may frame the discussion of their pages (#30): origins, comma-separated
# (https://blog.example.com). More can be added in the admin.
EMBED_SITES = env_list("EMBED_SITES")
# The site's public address, for links in email (no request to take it from there).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# The site's name and one-line description, in every page, mail and feed (#24).
SITE_NAME = os.environ.get("SITE_NAME", "").strip() or "Forum"
SITE_DESCRIPTION = (
    os.environ.get("SITE_DESCRIPTION", "").strip() or "Articles and the conversations around them."
)
# Whole article pages for readers without a session (#17): a request carrying any of these
# cookies gets a page of its own. A proxy or CDN in front may keep a shared page this long.
PERSONAL_COOKIES = ["sessionid", "messages", "comment_author"]
SHARED_CACHE_SECONDS = int(os.environ.get("SHARED_CACHE_SECONDS", 10))
# Each worker reads an article's versions for such pages at most this often (0: every time).
PAGE_VERSION_SECONDS = float(os.environ.get("PAGE_VERSION_SECONDS", 1))
# With the database down, such a reader still gets the page a worker keeps, if its versions were
# read at most this long ago (stale-if-error, #23); everyone else gets the 503 page.
STALE_IF_ERROR_SECONDS = float(os.environ.get("STALE_IF_ERROR_SECONDS", 300))


# Our documented URL schemes came before django-environ's names for them.
CACHE_SCHEMES = {"locmem": "locmemcache", "db": "dbcache", "memcached": "pymemcache"}
EMAIL_SCHEMES = {"console": "consolemail", "smtps": "smtp+ssl"}


def _cache(url):
    """A CACHES entry from CACHE_URL: locmem://, db://TABLE, redis://..., memcached://HOST:PORT."""
    scheme, sep, rest = url.strip().partition("://")
    try:
        cache = environ.Env.cache_url_config(f"{CACHE_SCHEMES.get(scheme, scheme)}{sep}{rest}")
    except (ImproperlyConfigured, KeyError, ValueError):
        raise ImproperlyConfigured(
            f"CACHE_URL scheme {scheme!r} is not one of "
            f"{sorted({*CACHE_SCHEMES, 'redis', 'rediss'})}"
        ) from None
    if cache["BACKEND"].endswith("DatabaseCache") and not cache["LOCATION"]:
        cache["LOCATION"] = "forum_cache"
    return cache


def _email(url):
    """EMAIL_* settings from EMAIL_URL: console:// (the default), smtp://USER:PASSWORD@HOST:587
    (STARTTLS on any port but 25, and never to a relay on this machine's loopback) or
    smtps://USER:PASSWORD@HOST:465 (TLS from the start)."""
    scheme, sep, rest = url.strip().partition("://")
    email = environ.Env.email_url_config(f"{EMAIL_SCHEMES.get(scheme, scheme)}{sep}{rest}")
    if scheme in ("smtp", "smtps"):
        email["EMAIL_PORT"] = email["EMAIL_PORT"] or (465 if scheme == "smtps" else 587)
        loopback = email["EMAIL_HOST"] in ("127.0.0.1", "localhost", "::1")
        email["EMAIL_USE_TLS"] = scheme == "smtp" and email["EMAIL_PORT"] != 25 and not loopback
        email["EMAIL_HOST_USER"] = email["EMAIL_HOST_USER"] or ""
        email["EMAIL_HOST_PASSWORD"] = email["EMAIL_HOST_PASSWORD"] or ""
    return {name: value for name, value in email.items() if value is not None}


# Two caches (#23). "default" holds what must be one for every worker and server, such as
# allauth's rate limits (a per-process cache let each gunicorn worker count on its own):
# CACHE_URL, or else a PostgreSQL table (created by `migrate`). "discussion" holds rendered
# lists and threads under keys that carry their versions, so a per-process cache stays right.
CACHE_URL = os.environ.get("CACHE_URL", "").strip()
CACHES = {
    "default": _cache(CACHE_URL or "db://forum_cache"),
    "discussion": _cache(CACHE_URL or "locmem://"),
}

# Background tasks (issue #13): `manage.py db_worker` runs them; `make run` starts one worker.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# A mail that fails for a while (4xx, connection refused) is tried again after these delays
# (seconds; the last repeats) for MAIL_RETRY_FOR seconds after it was queued; a 5xx stops it.
MAIL_RETRY_DELAYS = [int(s) for s in env_list("MAIL_RETRY_DELAYS", "60,120,300,600,900,1200")]
MAIL_RETRY_FOR = env_int("MAIL_RETRY_FOR", 3600)
# Alerts to moderators (#26): seconds an endpoint has to answer; the delays between retries
# (seconds, one retry each); failed attempts in a row that switch an endpoint off; hours the
# "approve" / "spam" links in chat stay valid.
ALERT_TIMEOUT = float(os.environ.get("ALERT_TIMEOUT", "5"))
ALERT_RETRY_DELAYS = [int(s) for s in env_list("ALERT_RETRY_DELAYS", "30,120,600,1800,3600")]
ALERT_DISABLE_AFTER = env_int("ALERT_DISABLE_AFTER", 10)
ALERT_LINK_HOURS = env_int("ALERT_LINK_HOURS", 24)

DEFAULT_FROM_EMAIL = SERVER_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "webmaster@localhost")
globals().update(_email(os.environ.get("EMAIL_URL") or "console://"))
# Seconds a worker waits on the mail server before it tries the mail again later.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
# Members who opt in get their Gravatar fetched by the worker from here, stored and served from
# this site (#28): no reader's browser asks Gravatar, and no page carries an email hash.
GRAVATAR_URL = os.environ.get("GRAVATAR_URL", "https://www.gravatar.com/avatar/")
GRAVATAR_TIMEOUT = env_int("GRAVATAR_TIMEOUT", 10)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "mptt",
    "axes",
    "csp",
    # Reader accounts (issue #12): sign-up, verification, sign-in, password reset.
    "allauth",
    "allauth.account",
    "forum",
    # What every app below uses: text rules, rate limits, Markdown (#25).
    "core",
    # Members' pictures (issue #28), below comments: their headers store the picture's URL.
    "avatars",
    # Old addresses of imported sites and where they lead now (#28): below what they point at.
    "redirects",
    # Categories and tags (#28), below articles, which carry them.
    "taxonomy",
    "articles",
    "comments",
    "accounts",
    # Mail to readers (issue #13), delivered in the background by Django's tasks API (the
    # django-tasks backport) with its database backend: the queue is a PostgreSQL table.
    "django_tasks",
    "django_tasks_db",
    "notifications",
    # Moving from WordPress or Disqus, and back (issue #14).
    "imports",
    # Full-text search of articles and comments (issue #15).
    "search",
    # The learning spam filter (issue #26), on top of comments.
    "spam",
    # Alerts to moderators by webhook and chat (issue #26), on top of comments.
    "alerts",
    # The public JSON API at /api/v1/ (issue #30), on top of comments.
    "api",
    # Discussions framed in other sites' pages (issue #30), on top of comments.
    "embed",
]

MIDDLEWARE = [
    "forum.middleware.ClientAddressMiddleware",  # first: every later step sees the client (#6)
    # The API's CORS headers and its errors as application/problem+json (#30).
    "api.middleware.ApiMiddleware",
    # A NUL character in the path: a 404 before anything asks the database (#28).
    "forum.middleware.NulCharacterMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Cookies set for the embed's frames are partitioned, to live with third-party cookies
    # blocked (#30); outside the sessions, CSRF and messages, so that it sees theirs.
    "embed.middleware.PartitionedCookiesMiddleware",
    # zstd, brotli or gzip, as the client accepts; never for a reader with a session (#17).
    "forum.middleware.CompressionMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Database down: a friendly 503 with Retry-After instead of a 500 (issue #6).
    "forum.middleware.DatabaseUnavailableMiddleware",
    # A reader who wrote reads the primary (with a replica) and fresh versions for a while;
    # outside the sessions, so that a session saved on the way out is a write.
    "forum.routers.PrimaryAfterWriteMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The reader's language, from the cookie or Accept-Language; it adds them to Vary (#27).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # After CommonMiddleware, so that it sees a 404 first: /archives/123 finds its old address
    # before a slash is appended (#28). It reads the table only for a 404, never for a page.
    "redirects.middleware.OldAddressMiddleware",
    # A browser's word that a form comes from this site passes the CSRF check too (#17).
    "forum.middleware.OriginCsrfMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, with the member read in the same query as the session (#29).
    "accounts.sessions.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "forum.urls"
WSGI_APPLICATION = "forum.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "forum.context.site",  # SITE_NAME and SITE_DESCRIPTION (#24)
                # Django's CSRF token, but none in a page kept for every reader (#17).
                "articles.pages.csrf",
            ],
        },
    },
    # Only for the list of comments, the one template rendered hundreds of times a page (#11).
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "forum.jinja2.environment"},
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages (issue #27): the site's default from LANGUAGE_CODE; each reader's from the language
# cookie set by the footer's switcher, else from Accept-Language, among LANGUAGES. No /fr/ prefixes:
# one URL per article keeps permalinks, imports' redirects and the page cache simple (README).
LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "").strip() or "en"
LANGUAGES = [
    ("en", "English"),
    ("fr", "Français"),
    ("de", "Deutsch"),
    ("es", "Español"),
    ("ar", "العربية"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", VAR_DIR / "staticfiles"))
# Source maps are fetched only by a developer's tools: not worth compressing at every deploy.
# collectstatic leaves out what no page serves (forum/staticfiles.py).
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "forum.staticfiles.AppDirectoriesFinder",
]
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Security headers (issue #6). Scripts only from our own files: no inline script anywhere, the
# admin's included. Styles may be inline because the admin sets style attributes.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "https:"],  # article images are linked by URL
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
# Production is served over HTTPS: redirect to it, pin it with HSTS, and keep cookies to it.
HTTPS = env_bool("DJANGO_HTTPS", default=not (DEBUG or DEMO))
if HTTPS:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers check over plain HTTP
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
# Every per-address limit and lock-out treats an IPv6 network of this many bits as one client:
# a /64 is what one home or server is given (#23).
IPV6_PREFIX = env_int("IPV6_PREFIX", 64)
ALLAUTH_RATE_LIMIT_IPV6_PREFIX = IPV6_PREFIX
AXES_CLIENT_IP_CALLABLE = "core.limits.client_key"
# Proxies in front that append to X-Forwarded-For; the client's address is read from there (#6).
TRUSTED_PROXIES = env_int("DJANGO_TRUSTED_PROXIES", 0)
if env_bool("DJANGO_BEHIND_PROXY"):  # a proxy in front terminates TLS and says so
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# A comment is at most 10,000 characters: refuse any request body far beyond that before reading it.
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200

# Admin sign-in lock-out (issue #6): failures per username and IP, limits from the Discussion
# settings page so they change without a restart.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's and allauth's (by username or email address, #12), each taking the member read
    # with the session (#29).
    "accounts.sessions.ModelBackend",
    "accounts.sessions.AuthenticationBackend",
]
SESSION_ENGINE = "accounts.sessions"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = "comments.services.login_failure_limit"
AXES_COOLOFF_TIME = "comments.services.login_lockout_time"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "lockout.html"
AXES_VERBOSE = False
# The admin's form names the account "username", allauth's "login" (a username or an email
# address): the lock-out counts failures by whichever was typed (#12).
AXES_USERNAME_CALLABLE = "comments.services.login_username"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"

# Reader accounts (issue #12), by django-allauth: sign up with a username, an email address and a
# password (Django's validators); the address is verified by a link before the account can sign
# in; sign in by username or email. Mails are limited per address so that nobody can flood one.
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_FORMS = {"login": "accounts.forms.LoginForm"}
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"  # its mail goes through the outbox (#13)
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USERNAME_BLACKLIST = ["me"]  # /users/me/ is the member's own page
ACCOUNT_CHANGE_EMAIL = True  # one address per account; a new one is verified before it counts
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if HTTPS else "http"
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    # The same as the admin's lock-out defaults: 5 failures per account in 15 minutes.
    "login_failed": "10/m/ip,5/15m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,3/h/key",  # at most 3 reset mails an hour to one address
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key,3/h/key",  # and 3 verification mails
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
}
# Social sign-in (GitHub, Google, ...): off unless SOCIAL_PROVIDERS names allauth providers.
SOCIAL_PROVIDERS = env_list("SOCIAL_PROVIDERS")
if SOCIAL_PROVIDERS:
    INSTALLED_APPS += [
        "allauth.socialaccount",
        *(f"allauth.socialaccount.providers.{name}" for name in SOCIAL_PROVIDERS),
    ]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout"}},
    "root": {"handlers": ["stdout"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "pgserver": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

COMMENTS_BODY_MAX_LENGTH = 10_000
# Origins whose pages may call the API from a browser (CORS, #30): comma-separated, e.g.
# "https://blog.example.com". Other origins' scripts get no CORS headers, so no answers.
API_CORS_ORIGINS = env_list("API_CORS_ORIGINS")
# Writes through the API (posts, votes, reports, edits, moderation) per client a minute (#30),
# on top of the site's own limits (flood control, votes and reports per hour).
API_WRITES_PER_MINUTE = env_int("API_WRITES_PER_MINUTE", 30)
# Akismet (or a service with its API) as the spam filter's second opinion (#26): off unless a
# key is set, so by default no comment leaves the server. AKISMET_URL: a compatible service.
AKISMET_API_KEY = os.environ.get("AKISMET_API_KEY", "").strip()
AKISMET_URL = os.environ.get("AKISMET_URL", "").strip()
AKISMET_TIMEOUT = float(os.environ.get("AKISMET_TIMEOUT", "1.0"))
# The PostgreSQL text search configuration searches use (issue #15): "english" stems English
# words; "simple" works for any language; `manage.py migrate` applies a change.
SEARCH_LANGUAGE = os.environ.get("SEARCH_LANGUAGE", "english").strip() or "english"
# First values of the anti-abuse thresholds on the Discussion settings page; the tests set them
# to 0 (off) unless a test is about them.
DISCUSSION_DEFAULTS = {
    "flood_seconds": 15,
    "new_author_flood_seconds": 30,
    "min_fill_seconds": 3,
    "login_failure_limit": 5,
    "login_lockout_minutes": 15,
}
