"""Settings for Partnerskabsplatformen, read from the environment.

Without any environment the platform runs in its embedded default: SQLite, an
in-memory channel layer, a local-memory cache and email printed to the console.
Production sets ``DJANGO_ENV=production`` together with ``SECRET_KEY``,
``ALLOWED_HOSTS``, ``DATABASE_URL`` and ``REDIS_URL``; see README.md for every
variable.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.limits import parse as parse_limit

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


PRODUCTION = os.environ.get("DJANGO_ENV", "development") == "production"
DEBUG = env_bool("DJANGO_DEBUG", default=not PRODUCTION)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when DJANGO_ENV=production.")
    SECRET_KEY = "embedded-development-key-never-use-in-production-0123456789abcdef"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    "cms",
    "network",
    "meetings",
    "knowledge",
    "grants",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "network.apps.UsersAppConfig",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "channels",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.forms",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "post_office",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.page_cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "network.second_factor.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

# Every form in DKFDS markup: templates/django/forms/ and config/forms.py.
FORM_RENDERER = "config.forms.DKFDSRenderer"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# Database: SQLite by default, PostgreSQL (or anything dj-database-url reads) via DATABASE_URL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=0,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers queue for SQLite's one write lock instead of failing with
    # "database is locked": a transaction takes the lock when it begins (so a read
    # inside it cannot be outrun) and waits up to 20 seconds for it. The write-ahead
    # log lets pages be read while someone writes, and a commit needs no wait for the
    # disk (a power cut may lose the last commits, never corrupt the file).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # Each of daphne's worker threads (ASGI_WORKER_THREADS below) keeps its connection
    # instead of opening and setting up one per request; a broken one is replaced.
    DATABASES["default"]["CONN_MAX_AGE"] = None
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Under daphne a request runs in one of the process's ASGI_WORKER_THREADS, the live
    # discussion's database work in channels' threads: each needs a connection while it
    # works. The pool (psycopg_pool, through Django) keeps each process within
    # DATABASE_POOL_SIZE connections, so a burst never makes PostgreSQL refuse clients
    # ("too many clients"); a request waits up to DATABASE_POOL_TIMEOUT seconds for one,
    # and if none comes it gets the "try again in a moment" page (config/views.py), with
    # nothing saved. A connection goes back to the pool after each request;
    # CONN_HEALTH_CHECKS makes the pool test it before handing it out again.
    # README.md, Production, has the arithmetic against max_connections.
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": int(os.environ.get("DATABASE_POOL_MIN_SIZE", "2")),
        "max_size": int(os.environ.get("DATABASE_POOL_SIZE", "10")),
        "timeout": float(os.environ.get("DATABASE_POOL_TIMEOUT", "10")),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The threads of a daphne process that run requests (config/asgi.py): enough that a
# request waiting for the database or a lock does not hold up the others, few enough
# that they do not take turns at Python's interpreter lock for nothing.
ASGI_WORKER_THREADS = int(os.environ.get("ASGI_WORKER_THREADS", "2"))

# Redis, when configured, carries both the channel layer and the cache, so that
# several daphne processes on several machines share live discussion and cache.
REDIS_URL = os.environ.get("REDIS_URL", "")
# Messages a browser tab's channel may hold before the layer drops new ones: a burst of
# posts to a busy topic must fit (the default, 100, is for chat-sized rooms).
CHANNEL_CAPACITY = 1000
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": "partnerskab", "capacity": CHANNEL_CAPACITY},
        }
    }
    # The cache only saves work: while Redis is down, requests go on without it (pages
    # are built afresh, presence is unknown) and each failed call is logged.
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "partnerskab",
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 2,
                "SOCKET_TIMEOUT": 2,
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "config.channel_layers.InMemoryChannelLayer",
            "CONFIG": {"capacity": CHANNEL_CAPACITY},
        }
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Whole public pages for anonymous visitors, kept until what they show changes
# (config/page_cache.py). Off only to compare or to debug.
PAGE_CACHE = env_bool("PAGE_CACHE", default=True)

AUTH_USER_MODEL = "network.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "network.mitid.MunicipalPasswordGuard",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "network:login"
# Login-only Wagtail pages send people to the site's own login page.
WAGTAIL_FRONTEND_LOGIN_URL = LOGIN_URL
LOGIN_REDIRECT_URL = "network:overview"
LOGOUT_REDIRECT_URL = "/"

# MitID Erhverv over OpenID Connect (network/mitid.py): on when a provider and a client
# are configured; nothing here is specific to one broker. NemLog-in's claim names are
# the defaults. Password login stays for everyone unless MITID_ONLY_FOR_MUNICIPAL_STAFF.
MITID = {
    "DISCOVERY_URL": os.environ.get("MITID_DISCOVERY_URL", "")
    or (
        os.environ["MITID_ISSUER"].rstrip("/") + "/.well-known/openid-configuration"
        if os.environ.get("MITID_ISSUER")
        else ""
    ),
    "CLIENT_ID": os.environ.get("MITID_CLIENT_ID", ""),
    "CLIENT_SECRET": os.environ.get("MITID_CLIENT_SECRET", ""),
    "PRIVATE_KEY_FILE": os.environ.get("MITID_PRIVATE_KEY_FILE", ""),
    "PRIVATE_KEY_ID": os.environ.get("MITID_PRIVATE_KEY_ID", ""),
    "SCOPES": env_list("MITID_SCOPES", ["openid", "profile", "email"]),
    "ACR_VALUES": os.environ.get("MITID_ACR_VALUES", ""),
    "CLAIMS": {
        "professional_id": os.environ.get(
            "MITID_CLAIM_PROFESSIONAL_ID", "nemlogin.persistent_professional_id"
        ),
        "cvr": os.environ.get("MITID_CLAIM_CVR", "nemlogin.cvr"),
        "org_name": os.environ.get("MITID_CLAIM_ORG_NAME", "nemlogin.org_name"),
        "name": os.environ.get("MITID_CLAIM_NAME", "nemlogin.name"),
        "email": os.environ.get("MITID_CLAIM_EMAIL", "nemlogin.email"),
    },
    "TIMEOUT": float(os.environ.get("MITID_TIMEOUT", "10")),
}
MITID_ONLY_FOR_MUNICIPAL_STAFF = env_bool("MITID_ONLY_FOR_MUNICIPAL_STAFF", default=False)

# Agency staff (editors, moderators, directors) and administrators confirm their login
# with a one-time code from an authenticator app (django-otp, network/second_factor.py);
# on in production, off in the embedded default so the demo logins need no phone.
SECOND_FACTOR_REQUIRED = env_bool("SECOND_FACTOR_REQUIRED", default=PRODUCTION)
OTP_TOTP_ISSUER = "Partnerskabsplatformen"

# Language and time: Danish and Copenhagen by default, English on request.
LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Danish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True

# Static files are served by whitenoise from inside daphne; no separate web server needed.
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# The grant cases' files (receipts, letters, attachments): never under a public URL.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "private"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
    "email_attachments": {"BACKEND": "grants.storage.PrivateStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

# Email goes into the outbox (django-post-office's tables) in the transaction that causes
# it; network/outbox.py delivers it after the commit and `manage.py send_outbox` retries
# from cron. OUTBOX_TRANSPORT is what finally delivers: SMTP when EMAIL_HOST is set,
# otherwise the console.
EMAIL_BACKEND = "network.outbox.OutboxBackend"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    OUTBOX_TRANSPORT = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
else:
    OUTBOX_TRANSPORT = "django.core.mail.backends.console.EmailBackend"
# A mail server that accepts the connection and then says nothing holds one sender
# thread, never a request; this bounds how long.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Partnerskabsplatformen <noreply@partnerskab.example>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_REPLY_TO = os.environ.get("EMAIL_REPLY_TO", "partnerskab@socialstyrelsen.example")
# "thread": a queued email is tried right after the commit by the process's courier thread;
# "inline": in the committing thread (the tests, for a deterministic order); "off": only
# send_outbox delivers.
OUTBOX_DELIVERY = os.environ.get("OUTBOX_DELIVERY", "thread")
# send_outbox retries with a growing pause (1, 2, 4 ... minutes, at most 6 hours) and marks
# an email failed only when it is this many days old.
OUTBOX_GIVE_UP_DAYS = int(os.environ.get("OUTBOX_GIVE_UP_DAYS", "3"))
POST_OFFICE = {
    "BACKENDS": {"default": OUTBOX_TRANSPORT},
    # Decision letters travel as attachments: kept with the cases' private files.
    "FILE_STORAGE": "email_attachments",
    "LOG_LEVEL": 2,
}

# Meetings: guest sign-ups of past meetings are anonymised after this many days
# (manage.py anonymise_guest_registrations, run daily from cron).
MEETINGS_GUEST_RETENTION_DAYS = int(os.environ.get("MEETINGS_GUEST_RETENTION_DAYS", "90"))

# Per-person limits on writes (config/limits.py): "count/period", the period s, m, h or d
# (optionally with a number, "5/10m"), each from LIMIT_<KIND> in the environment. Sized
# so that nobody meets them in normal work; counted in the cache (Redis with REDIS_URL,
# so across processes). The table is in README.md, Security.
WRITE_LIMIT_DEFAULTS = {
    "topics": "4/m",
    "posts": "8/m",
    "experience_reports": "3/m",
    "edits": "10/m",
    "post_reports": "10/h",
    "status_notes": "10/m",
    "milestones": "10/m",
    "invitations": "100/h",
    "application_saves": "60/m",
    "signups": "20/h",
    "guest_signups_per_email": "5/h",
    "guest_signups_per_address": "20/h",
    "case_messages": "10/m",
}
WRITE_LIMITS = {
    kind: os.environ.get(f"LIMIT_{kind.upper()}", default)
    for kind, default in WRITE_LIMIT_DEFAULTS.items()
}
for _kind, _size in WRITE_LIMITS.items():
    try:
        parse_limit(_kind, _size)
    except ValueError as error:
        raise ImproperlyConfigured(f"LIMIT_{_kind.upper()}: {error}") from None
# Notifications from one author within this many minutes fold into one per person, with
# at most one email (knowledge/services.py).
NOTIFICATION_FOLD_MINUTES = int(os.environ.get("NOTIFICATION_FOLD_MINUTES", "15"))

# Wagtail
WAGTAIL_SITE_NAME = "Partnerskabsplatformen"
WAGTAILADMIN_BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:8000")
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAIL_WORKFLOW_ENABLED = True
# No avatars fetched from gravatar.com: staff email hashes stay on the platform.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILSEARCH_BACKENDS = {
    "default": {
        "BACKEND": "wagtail.search.backends.database",
        "SEARCH_CONFIG": "danish",
    }
}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
WAGTAILDOCS_DOCUMENT_FORM_BASE = "cms.forms.DocumentForm"
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Security. Production sits behind a TLS-terminating reverse proxy that sets
# X-Forwarded-Proto; daphne is started with --proxy-headers.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Sessions are read from the cache (Redis in production) and written to both cache and
# database: a logged-in request no longer asks the database for its session.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(60 * 60 * 12)))
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

# Content-Security-Policy (django-csp): the site's own pages load only their own
# scripts, styles and images; WebSockets go to the same host ('self' covers ws/wss).
# The Wagtail admin still needs inline scripts and styles: config.middleware
# relaxes the policy for /admin/ only. The one inline script, base.html's first, which
# marks the page as having JavaScript before it is drawn (no jump when the menu button
# appears), is allowed by its hash (tests/test_design_system.py checks it).
NO_JS_SWITCH_HASH = "'sha256-2w8TyNvZe70b7pwUjHsch2dH0Je+6+NI+1zxoi8xZEQ='"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NO_JS_SWITCH_HASH],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "media-src": ["'self'"],
        "object-src": ["'none'"],
        "frame-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}

# Login throttling (django-axes, network/login_throttle.py). Failures counted over
# AXES_COOLOFF_TIME; each lockout parameter has its own limit, because the staff of
# one municipality share one outgoing address.
AXES_HANDLER = "network.login_throttle.LoginThrottle"
LOGIN_FAILURE_LIMITS = {
    ("username", "ip_address"): 5,
    ("username",): 20,
    ("ip_address",): 100,
}
AXES_LOCKOUT_PARAMETERS = [list(parameters) for parameters in LOGIN_FAILURE_LIMITS]
AXES_FAILURE_LIMIT = min(LOGIN_FAILURE_LIMITS.values())
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "network.login_throttle.username_from_credentials"
AXES_LOCKOUT_TEMPLATE = "network/accounts/locked_out.html"
AXES_VERBOSE = False
# Behind the reverse proxy the visitor's address is the one the proxy appended
# (config/addresses.py); TRUSTED_PROXY_COUNT is the number of proxies in front of daphne.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "1" if PRODUCTION else "0"))
AXES_CLIENT_IP_CALLABLE = "config.addresses.client_address"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # fpdf2 subsets the letters' font through fontTools, which logs every table.
        "fontTools": {"level": "WARNING"},
    },
}
