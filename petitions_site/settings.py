"""Settings for Petition Archive, read from the environment with typed defaults.

See `.env.example` for every variable. Without any, the archive runs on a SQLite file
beside the project with DEBUG off.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent.parent
load_dotenv(BASE_DIR / ".env")


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "Set SECRET_KEY in the environment (or in .env): a long random string, kept secret, "
            "the same on every app server. For development only, DEBUG=1 uses a built-in key."
        )
    SECRET_KEY = "insecure-development-key-set-SECRET_KEY-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "csp",
    "axes",
    "petitions",
    "responses",
    "constituencies",
    "exchange",
]

MIDDLEWARE = [
    # Outermost, so that it compresses what the others produce (a map page: 264 KB -> 39 KB).
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # A database that goes away gets a 503 with Retry-After, never a 500.
    "petitions_site.errors.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: refuses sign-ins to an account after too many failures from one address.
    "axes.middleware.AxesMiddleware",
]

# Sign-in: after AXES_FAILURE_LIMIT failures for one account from one address, that pair is
# refused for AXES_COOLOFF_HOURS (`manage.py axes_reset_username NAME` lifts it at once).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "1"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
# Behind a proxy (HTTPS=1), the client's address is the last one the proxy added.
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "1" if env_bool("HTTPS") else "0"))
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if env_bool("HTTPS") else ["REMOTE_ADDR"]
)

# Every page says what it may load: only this site's own files, no inline script.
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
    }
}
# ...and uses none of the browser's powerful features.
PERMISSIONS_POLICY = {
    feature: []
    for feature in [
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "publickey-credentials-get",
        "usb",
    ]
}

ROOT_URLCONF = "petitions_site.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "petitions_site.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The same backend, with a health check that needs no round trip and the hot queries
    # prepared (petitions_site.db). PREPARED_STATEMENTS=0 behind a pooler in transaction mode.
    DATABASES["default"]["ENGINE"] = "petitions_site.db"
    if os.environ.get("PREPARED_STATEMENTS", "1") != "0":
        DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The facet counts' covering index (Petition.Meta) is PostgreSQL's; SQLite keeps a plain one.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# In production run `collectstatic` and set STATIC_MANIFEST=1: file names then carry a hash
# of their content, so WhiteNoise can serve them with a year-long cache lifetime.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", False)
            else "whitenoise.storage.CompressedStaticFilesStorage"
        )
    },
}
# Serve files straight from STATICFILES_DIRS when collectstatic has not run (make run, tests).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# Caching of rendered pages, keyed by address and ETag (so never stale). Each process keeps
# its most-used pages in memory (PAGE_CACHE_LOCAL, on by default); CACHE_URL (e.g.
# redis://127.0.0.1:6379/0) adds a cache that all app servers share.
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    SHARED_CACHE = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
elif CACHE_URL.startswith("locmem://"):
    SHARED_CACHE = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
else:
    SHARED_CACHE = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
CACHES = {
    "default": SHARED_CACHE,
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pages",
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("PAGE_CACHE_LOCAL_ENTRIES", "300"))},
    },
}
PAGE_CACHE = bool(CACHE_URL)
PAGE_CACHE_LOCAL = env_bool("PAGE_CACHE_LOCAL", True)
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "86400"))
# Rendered pages kept in the database too (StoredPage), for every worker and across restarts;
# `manage.py render_pages` fills it for every petition.
PAGE_STORE = env_bool("PAGE_STORE", True)
# How long browsers and CDNs may keep pages of closed and rejected petitions.
SETTLED_MAX_AGE = int(os.environ.get("SETTLED_MAX_AGE", "3600"))
# Part of every ETag: set it to the deployed version so an upgrade refreshes cached pages.
RELEASE = os.environ.get("RELEASE", "1")

LOGIN_URL = "admin:login"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "null": {"class": "logging.NullHandler"},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        # Django's own messages once (its default handler and ours would print them twice).
        "django": {
            "handlers": ["console"],
            "level": "INFO" if DEBUG else "WARNING",
            "propagate": False,
        },
        # A request for a host we do not serve is the client's mistake (a 400), not ours.
        "django.security.DisallowedHost": {"handlers": ["null"], "propagate": False},
    },
}

# The scheme and host of the archive's own links in JSON and CSV (https://archive.example.org);
# without it, the address each request came to (among ALLOWED_HOSTS).
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/")
# `manage.py harvest`: the public petitions site, and the address its people can write to
# about our requests (sent in every User-Agent; required to harvest the real site).
HARVEST_SITE = os.environ.get("HARVEST_SITE", "https://petition.parliament.uk").rstrip("/")
HARVEST_CONTACT = os.environ.get("HARVEST_CONTACT", "")
# Where CSV lists are kept once built (rebuilt when the archive changes).
CSV_DIR = Path(os.environ.get("CSV_DIR", BASE_DIR / "var" / "csv"))

# Behind TLS (HTTPS=1): HTTPS only, and cookies only over it; the proxy in front says which
# scheme the client used in X-Forwarded-Proto.
HTTPS = env_bool("HTTPS", False)
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS or env_bool("SECURE_COOKIES", False)
