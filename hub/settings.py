"""Settings for Hub. Everything that differs between machines comes from the environment (see README)."""
from __future__ import annotations

import os
from pathlib import Path

from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from hub.envconfig import env_bool, env_int, env_list, env_networks, env_rate, parse_cache_url, parse_database_url
from hub.observability import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
ENV = os.environ

DEBUG = env_bool(ENV, "DJANGO_DEBUG", default=False)
# The fallback key is only for development: check --deploy flags it (security.W009) by its prefix.
SECRET_KEY = ENV.get("DJANGO_SECRET_KEY") or "django-insecure-development-only-key-do-not-use-in-production"
ALLOWED_HOSTS = env_list(ENV, "DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list(ENV, "DJANGO_CSRF_TRUSTED_ORIGINS", [])

HUB_SITE_NAME = ENV.get("HUB_SITE_NAME", "Hub")
HUB_CONTACT_EMAIL = ENV.get("HUB_CONTACT_EMAIL", "secretariat@hub.localhost")
# Rate limits ("N/s", "N/m", "N/h", "N/d"), counted per account when signed in, else per client address.
HUB_CONTACT_RATE_LIMIT = env_rate(ENV, "HUB_CONTACT_RATE_LIMIT", "5/h")
HUB_COMMENT_RATE_LIMIT = env_rate(ENV, "HUB_COMMENT_RATE_LIMIT", "30/h")
# Every save or preview of a comment edit counts: each save stores a new version of the comment.
HUB_COMMENT_EDIT_RATE_LIMIT = env_rate(ENV, "HUB_COMMENT_EDIT_RATE_LIMIT", "20/h")
# Reports of comments: at most this many per account, and only accounts this many days old (with a published
# comment) count toward a discussion's automatic hiding; the others wait for a moderator.
HUB_FLAG_RATE_LIMIT = env_rate(ENV, "HUB_FLAG_RATE_LIMIT", "10/h")
HUB_FLAG_TRUSTED_AFTER_DAYS = env_int(ENV, "HUB_FLAG_TRUSTED_AFTER_DAYS", 7)
# Largest file a library resource may carry (comment attachments keep their own 10 MB limit).
HUB_LIBRARY_MAX_BYTES = env_int(ENV, "HUB_LIBRARY_MAX_BYTES", 20 * 1024 * 1024)
# Served over HTTPS (production): secure cookies, HSTS and the redirect. Off by default only in development.
HUB_HTTPS = env_bool(ENV, "HUB_HTTPS", default=not DEBUG)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",  # Bootstrap 5.3's files, from the django-bootstrap-static wheel
    "csp",
    "hub",
    "workplan",
    "discussions",
    "hub.library",
    "hub.jobs",
    "hub.search",  # last: its demo step indexes what the other apps' demo data made
]

MIDDLEWARE = [
    "hub.observability.RequestIdMiddleware",  # first: every response, redirects and errors too, carries the id
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before the session: visitors' public pages come whole from the cache (hub/pagecache.py).
    "hub.pagecache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "hub.middleware.LocaleMiddleware",  # Django's, minus a needless Vary: Accept-Language (see there)
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "hub.middleware.PermissionsPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "hub.urls"
WSGI_APPLICATION = "hub.wsgi.application"
AUTH_USER_MODEL = "hub.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hub.context_processors.site",
            ],
        },
    },
]

DATABASES = {"default": parse_database_url(ENV.get("DATABASE_URL"), BASE_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One process: the local-memory cache. Several processes or servers: set HUB_CACHE_URL=redis://host:6379/0 so
# rate limits and rendered comment fragments are shared.
CACHES = {"default": parse_cache_url(ENV.get("HUB_CACHE_URL"))}
# Sessions: with a shared cache (Redis), read from it and written through to the database ("cached_db"), so losing
# Redis signs nobody out. With the per-process memory cache, the database alone: a cached copy in one process would
# outlive a sign-out made in another.
SESSION_ENGINE = ("django.contrib.sessions.backends.cached_db" if ENV.get("HUB_CACHE_URL", "").startswith("redis")
                  else "django.contrib.sessions.backends.db")
# Visitors' public pages (discussions, workplan, priorities, working groups, library) are served whole from that
# cache for this many seconds at most; any audited change makes them stale at once (hub/pagecache.py). 0: off.
HUB_PAGE_CACHE_SECONDS = env_int(ENV, "HUB_PAGE_CACHE_SECONDS", 300)

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-allauth: e-mail is the login, and it must be verified before the account can be used.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
ACCOUNT_SIGNUP_REDIRECT_URL = "/profile/"
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{HUB_SITE_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if HUB_HTTPS else "http"
ACCOUNT_PRESERVE_USERNAME_CASING = False
# allauth names people by their (generated, never shown) username otherwise, e.g. "Successfully signed in as user7".
ACCOUNT_USER_DISPLAY = "hub.views.account_display_name"
# allauth's rate limits stay on, with its defaults: after 5 failed logins to one account within 5 minutes even the
# right password is refused until they age out, and one address gets 10 failed logins a minute. They use the cache
# above, and the client address of hub.ratelimit.client_ip (through the adapter). The Django admin has no login
# form of its own: /admin/login/ sends people to this one (hub.views.admin_login).
ACCOUNT_ADAPTER = "hub.adapters.AccountAdapter"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("es", _("Spanish")), ("ar", _("Arabic"))]
LOCALE_PATHS = [BASE_DIR / "hub" / "locale"]
# The site's own date formats per language (hub/formats/<lang>/formats.py), one per context; see there.
FORMAT_MODULE_PATH = ["hub.formats"]  # the site-wide strings (templates/ included)
TIME_ZONE = ENV.get("HUB_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(ENV.get("HUB_STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_ROOT = Path(ENV.get("HUB_MEDIA_ROOT", BASE_DIR / "media"))
# No MEDIA_URL is served: uploaded files go out only through views that check permissions. Behind nginx, set
# HUB_ACCEL_REDIRECT_PREFIX (e.g. /protected-media/, an `internal` location aliasing MEDIA_ROOT): the view checks
# permission and answers X-Accel-Redirect, nginx sends the file.
HUB_ACCEL_REDIRECT_PREFIX = ENV.get("HUB_ACCEL_REDIRECT_PREFIX", "")
if HUB_ACCEL_REDIRECT_PREFIX and not (HUB_ACCEL_REDIRECT_PREFIX.startswith("/") and HUB_ACCEL_REDIRECT_PREFIX.endswith("/")):
    raise ValueError(f"HUB_ACCEL_REDIRECT_PREFIX must start and end with /; got {HUB_ACCEL_REDIRECT_PREFIX!r}")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Request bodies: uploaded files over 2.5 MB are spooled to a temporary file rather than held in memory; the rest of
# a form may be at most 2.5 MB; a request may carry at most 10 files (a comment takes 3) — more answers 400.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FILES = 10

# E-mail: printed to the console in development, SMTP otherwise.
EMAIL_BACKEND = ENV.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = ENV.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int(ENV, "EMAIL_PORT", 25)
EMAIL_HOST_USER = ENV.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = ENV.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool(ENV, "EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env_bool(ENV, "EMAIL_USE_SSL", default=False)
DEFAULT_FROM_EMAIL = ENV.get("DEFAULT_FROM_EMAIL", f"{HUB_SITE_NAME} <noreply@hub.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security headers. Django's defaults already send nosniff, X-Frame-Options DENY and COOP same-origin.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = HUB_HTTPS
# Load balancers probe the application over plain HTTP: the health checks answer without the HTTPS redirect.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = HUB_HTTPS
CSRF_COOKIE_SECURE = HUB_HTTPS
SECURE_HSTS_SECONDS = env_int(ENV, "HUB_HSTS_SECONDS", 31536000) if HUB_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HUB_HTTPS
SECURE_HSTS_PRELOAD = HUB_HTTPS
# Behind a reverse proxy: HUB_BEHIND_PROXY trusts its X-Forwarded-Proto, and HUB_TRUSTED_PROXIES (addresses or
# CIDR networks; loopback by default when HUB_BEHIND_PROXY is on, none otherwise) says whose X-Forwarded-For is
# believed. The client's address - the key of every rate limit, allauth's included - is the right-most
# X-Forwarded-For entry that is not a trusted proxy (hub.ratelimit.client_ip); X-Forwarded-For from anyone else is
# ignored, so it cannot be forged to dodge a limit.
HUB_BEHIND_PROXY = env_bool(ENV, "HUB_BEHIND_PROXY", default=False)
if HUB_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
HUB_TRUSTED_PROXIES = env_networks(ENV, "HUB_TRUSTED_PROXIES", ["127.0.0.1", "::1"] if HUB_BEHIND_PROXY else [])

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Logs (hub/observability.py): every line carries the request id; HUB_LOG_FORMAT=json writes one JSON object per
# line; requests slower than HUB_SLOW_REQUEST_MS are logged as warnings by `hub.request`.
HUB_LOG_FORMAT = ENV.get("HUB_LOG_FORMAT", "text").strip().lower()
if HUB_LOG_FORMAT not in ("text", "json"):
    raise ValueError(f"HUB_LOG_FORMAT must be text or json; got {HUB_LOG_FORMAT!r}")
HUB_SLOW_REQUEST_MS = env_int(ENV, "HUB_SLOW_REQUEST_MS", 1000)
LOGGING_CONFIG = "logging.config.dictConfig"
LOGGING = logging_config(level=ENV.get("HUB_LOG_LEVEL", "WARNING").upper(), log_format=HUB_LOG_FORMAT)
# Error pages (hub/errors.py; the 400/403/404/500 handlers are in hub/urls.py).
CSRF_FAILURE_VIEW = "hub.errors.csrf_failure"

# The site's public address: every absolute link made outside a request (e-mails, exports from the command line)
# starts with it (hub.http.absolute_url). Development default: the address `make run` serves. In production it must
# be set: `check --deploy` fails while it is unset or names this machine (hub.checks).
HUB_SITE_URL = ENV.get("HUB_SITE_URL", "").strip().rstrip("/") or "http://127.0.0.1:8000"

# The task queue (hub/celery.py). No broker: tasks run in the calling process at once (development and most
# tests). A broker (Redis or RabbitMQ): tasks are queued after commit and a worker (`make worker`) runs them.
HUB_BROKER_URL = ENV.get("HUB_BROKER_URL", "")
CELERY_BROKER_URL = HUB_BROKER_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not HUB_BROKER_URL
# The queue every task goes to and `make worker` consumes: set it to share one broker between several sites.
CELERY_TASK_DEFAULT_QUEUE = ENV.get("HUB_TASK_QUEUE", "celery")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True  # progress and outcomes live in the database, not in a result backend
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-task leaves it on the queue for another
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# Redis redelivers a task not acknowledged within the visibility timeout: it must exceed the longest wait of a mail
# retry (an hour, hub.tasks.RETRY_MAX_DELAY), or a retry waiting in a worker would be run twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 3600}
# E-mail tasks retry a mail server that is down or answers 4xx: first after HUB_MAIL_RETRY_DELAY seconds, doubling
# up to an hour, HUB_MAIL_MAX_TRIES tries in all (about three hours with the defaults).
HUB_MAIL_RETRY_DELAY = env_int(ENV, "HUB_MAIL_RETRY_DELAY", 30)
HUB_MAIL_MAX_TRIES = env_int(ENV, "HUB_MAIL_MAX_TRIES", 10)
# Follower notices are rendered and sent in batches of this many, one SMTP connection per batch.
HUB_MAIL_BATCH_SIZE = env_int(ENV, "HUB_MAIL_BATCH_SIZE", 200)

# What `make beat` (celery beat) runs; no cron entry is needed. One entry per job, each a task in <app>/tasks.py.
CELERY_BEAT_SCHEDULE: dict = {
    "moderation-digests": {"task": "discussions.tasks.send_moderation_digests", "schedule": 5 * 60},
    "discussion-date-notices": {"task": "discussions.tasks.send_discussion_date_notices", "schedule": 15 * 60},
    "purge-staged-uploads": {"task": "discussions.tasks.purge_staged_uploads", "schedule": 60 * 60},
}

# Background jobs (hub/jobs): a job's file is kept this many hours, then deleted by the hourly purge below; a job
# whose progress has not moved for HUB_JOB_STALE_MINUTES is shown (and then recorded) as failed.
HUB_JOB_KEEP_HOURS = env_int(ENV, "HUB_JOB_KEEP_HOURS", 72)
HUB_JOB_STALE_MINUTES = env_int(ENV, "HUB_JOB_STALE_MINUTES", 30)
CELERY_BEAT_SCHEDULE["jobs-purge-expired"] = {"task": "hub.jobs.tasks.purge_expired_jobs", "schedule": 3600.0}

# Consultation imports from the secretariat's page (discussions/secretariat/imports.py): the largest bundle one may
# upload, where uploads wait for the secretariat to confirm them (empty: MEDIA_ROOT/imports; it must be shared by
# the web and worker processes, like MEDIA_ROOT), and how long an upload nobody confirms is kept.
HUB_IMPORT_MAX_BYTES = env_int(ENV, "HUB_IMPORT_MAX_BYTES", 200 * 1024 * 1024)
HUB_IMPORT_ROOT = ENV.get("HUB_IMPORT_ROOT", "")
HUB_IMPORT_PENDING_HOURS = env_int(ENV, "HUB_IMPORT_PENDING_HOURS", 24)
CELERY_BEAT_SCHEDULE["imports-purge-pending"] = {"task": "discussions.secretariat.imports.purge_pending_imports",
                                                  "schedule": 3600.0}
