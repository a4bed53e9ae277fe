"""Settings for the beehive project.

Everything that differs between a laptop and production comes from the environment, with
safe development defaults. With DEBUG off, a missing SECRET_KEY or ALLOWED_HOSTS stops the
process at start-up rather than running insecurely.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=1 for local development).")
    SECRET_KEY = "django-insecure-development-only-key-not-for-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set ALLOWED_HOSTS when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_filters",
    "axes",
    "reversion",
    "rest_framework",
    "drf_spectacular",
    "releases",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Above WhiteNoise, so that static files carry the policies too.
    "csp.middleware.CSPMiddleware",
    "beehive.middleware.permissions_policy",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise, which sends static files compressed ahead of time; above anything
    # that reads or writes a page's body.
    "beehive.middleware.TextGZipMiddleware",
    "beehive.middleware.limit_query_string",
    "beehive.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "beehive.urls"

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

WSGI_APPLICATION = "beehive.wsgi.application"

# SQLite is the embedded default so a newcomer needs no server; DATABASE_URL selects
# PostgreSQL (postgres://postgres@127.0.0.1:5432/beehive) in production and in CI.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=60, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers carry on while an import writes; IMMEDIATE avoids "database is
    # locked" errors when two writers start a transaction at once.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA mmap_size=1073741824;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The page cache (releases/caching.py) and anything else cached. CACHE_URL=redis://host:6379/0
# shares one Redis between every app server, through Django's own Redis backend, with
# short timeouts so a stopped Redis costs a page little (it is then built uncached).
# Unset, each process keeps its own copies in memory.
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "beehive",
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }
elif CACHE_URL in ("", "locmem://"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 500},
        }
    }
elif CACHE_URL == "dummy://":  # nothing kept: for measuring pages uncached
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
else:
    raise ImproperlyConfigured(
        f"CACHE_URL must be redis://…, rediss://…, unix://…, locmem:// or dummy://, not {CACHE_URL!r}."
    )
# How long a reader's browser or a proxy may reuse a public page before asking again
# (it then gets a 304 if nothing changed). Staff pages are never kept.
CACHE_MAX_AGE = int(os.environ.get("CACHE_MAX_AGE", "60"))

# django-axes refuses a login before the password is checked once a username has failed
# too often from one address; ModelBackend then checks the password as before.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-nz"
# Django ships no en_NZ formats and would fall back to US English (month first):
# beehive/formats/en_NZ/formats.py reads and writes dates day first.
FORMAT_MODULE_PATH = ["beehive.formats"]
TIME_ZONE = "Pacific/Auckland"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where collectstatic puts the files WhiteNoise serves.
STATIC_ROOT = os.environ.get("STATIC_ROOT", str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded attachments (releases.Attachment). Never served from a media URL: every file
# goes through releases/attachments.py, which checks who may see it and sends safe headers.
MEDIA_ROOT = os.environ.get("MEDIA_ROOT", str(BASE_DIR / "media"))
# Storage's own address for the files, which the site never links to: without one, a
# server that serves MEDIA_URL (Django's test live server does) would serve the folder at
# the root, answering /attachments/… with the raw file before the view could.
MEDIA_URL = "/media/"
# The bulk download (manage.py export_releases --jsonl writes it; releases/downloads.py
# serves it). On several app servers: a folder they share, or run the command on each.
DOWNLOADS_ROOT = os.environ.get("DOWNLOADS_ROOT", str(BASE_DIR / "downloads"))
# The site's own address (https://example.govt.nz), for the links the bulk download
# carries; empty gives addresses from the root (/releases/<slug>/).
SITE_URL = os.environ.get("SITE_URL", "")
# The largest upload accepted, in megabytes (MiB, as the admin shows sizes).
ATTACHMENT_MAX_SIZE = int(os.environ.get("ATTACHMENT_MAX_MB", "50")) * 1024 * 1024
# Small uploads are read into memory as usual; larger ones go to a temporary file, which
# keeps no more of a file than the limit (releases/editorial/uploads.py).
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "releases.editorial.uploads.CappedUploadHandler",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Production hardening; all of it is off under DEBUG so runserver works over plain HTTP.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = 0 if DEBUG else 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
# A load balancer's health check comes over plain HTTP, and a redirect is no answer to it.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp). Neither the site's templates nor Django's admin
# has inline scripts, inline styles or eval (releases/tests/test_browser.py watches for
# violations), so everything comes from this origin. Release bodies are sanitised HTML
# whose images, in the whole archive (884 in 566 releases), all come from the old site:
# only that host is allowed, not any https: image, so that no other site learns who reads
# what. An editor who embeds an image from elsewhere must add its host here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "https://www.beehive.govt.nz"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Browser features the site never uses, switched off for it and anything it embeds.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)

# Brute-force protection for the admin login (django-axes). A username is locked from one
# address, not the whole address, since a newsroom's staff share their office's: five
# failures lock it for 15 minutes (each try while locked starts them again), a success
# clears the count. An administrator unlocks someone with manage.py axes_reset_username.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "lockout.html"

# Behind a load balancer every request comes from its address (REMOTE_ADDR), and a
# username locked there would be locked for everyone. TRUSTED_PROXY_COUNT says how many
# proxies in front of the site append to X-Forwarded-For: the entry the outermost one
# wrote is the client's (beehive/proxies.py).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
# Whether the client used HTTPS, from X-Forwarded-Proto: anyone can send that header, so it
# is believed only behind those proxies (which must set it, replacing the client's).
if TRUSTED_PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

AXES_CLIENT_IP_CALLABLE = "beehive.proxies.client_ip_address"

LOG_LEVEL = os.environ.get("LOG_LEVEL", "WARNING")
# One line an event, on stderr beside gunicorn's own (gunicorn.conf.py), in its layout:
# time with its offset, process, level, then which logger. Django's own default would print
# only under DEBUG and mail request errors to ADMINS; here they, with their tracebacks, go
# to the same place as everything else.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {
            "format": "[%(asctime)s] [%(process)d] [%(levelname)s] %(name)s: %(message)s",
            "datefmt": "%Y-%m-%d %H:%M:%S %z",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "line"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": [], "level": LOG_LEVEL},
        # Failed logins and lockouts are warnings: logged whatever LOG_LEVEL says.
        "axes": {"level": "WARNING"},
    },
}

# The read-only API (releases/api/): JSON only, public data only, so no authentication
# (no session, so no CSRF) and no browsable pages, whose scripts the CSP would have to allow.
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "EXCEPTION_HANDLER": "releases.api.errors.handle",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Beehive releases API",
    "DESCRIPTION": "Read-only public data: press releases, ministers, portfolios and "
    "governments. Documented at /api/.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
}
