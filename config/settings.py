"""Settings for the Coorace #Municipales2020 site.

One module, driven by environment variables (see the README's configuration table).
With nothing set, the site runs in development mode (DEBUG on) on an SQLite file in
the project and prints e-mails to the console; production sets DJANGO_DEBUG=0 and the
rest of the table.
"""

from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.env import env, env_bool, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent.parent

# Development by default: production sets DJANGO_DEBUG=0 and the variables below.
DEBUG = env_bool("DJANGO_DEBUG", default=True)

# In development a fixed key is fine; in production it must come from the environment,
# and the site refuses to start without one.
SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-only-insecure-key" if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off (see the README)."
    )

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])

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
    "allauth",
    "allauth.account",
    "django_tasks",
    "django_tasks_db",
    # The site's wiring (config/apps.py): `migrate` also creates the rate limits' table.
    "config",
    "communes",
    "candidates",
    "pledges",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.http.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Last, so that it sees the page first: French spacing and apostrophes (config/typography.py).
    "config.typography.TypographyMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "pledges.directory.context_processors.site_identity",
                "pledges.directory.context_processors.signing_rounds",
            ],
        },
    },
]

# Database: an SQLite file in the project unless DATABASE_URL says otherwise
# (postgres://user:password@host:5432/name in production).
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", default=60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Take SQLite's write lock when a transaction starts, so that two requests deciding
    # the same row are serialised as PostgreSQL's SELECT … FOR UPDATE serialises them.
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FIXTURE_DIRS = [BASE_DIR / "fixtures"]


def _cache_from_url(url: str) -> dict:
    """Turn CACHE_URL into a CACHES entry: redis://, rediss://, locmem:// or dummy://."""
    parts = urlsplit(url)
    if parts.scheme in {"redis", "rediss"}:
        # A failing Redis is a miss, with short timeouts (config/cache.py).
        return {"BACKEND": "config.cache.FailSoftRedisCache", "LOCATION": url}
    if parts.scheme == "locmem":
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": parts.netloc or "default",
        }
    if parts.scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    raise ImproperlyConfigured(
        f"CACHE_URL: unknown scheme {parts.scheme!r} "
        "(expected redis://, rediss://, locmem:// or dummy://)."
    )


# Two caches (config/cache.py). `default` holds allauth's rate limits, which read the
# default cache only: in the site's database (table coorace_cache, made by `migrate`:
# config/apps.py), shared by every app server, never evicted. `counters` holds what may
# be forgotten (the directory's public counters): per process unless CACHE_URL points at a
# shared Redis, whose failures are misses. Pages are cached by nginx, not here.
CACHES = {
    "default": {
        "BACKEND": "config.cache.RateLimitCache",
        "LOCATION": "coorace_cache",
        # Past this many rows, the expired ones are deleted (never a live counter).
        "OPTIONS": {"MAX_ENTRIES": 10_000},
    },
    "counters": _cache_from_url(env("CACHE_URL", default="locmem://default")),
}

# Accounts (django-allauth): e-mail and password, e-mail verified before anything is signed.
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_USER_DISPLAY = "candidates.accounts.user_display"
ACCOUNT_PREVENT_ENUMERATION = True
# The same work (a password hash) whether or not the address has an account, and the site's
# words for the address (« adresse électronique »): config/signup.py.
ACCOUNT_FORMS = {
    "signup": "config.signup.SignupForm",
    "login": "config.signup.LoginForm",
    "reset_password": "config.signup.ResetPasswordForm",
    "add_email": "config.signup.AddEmailForm",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Coorace #Municipales2020] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
# allauth's e-mails (confirmation, password reset…) leave through the job queue too.
ACCOUNT_ADAPTER = "config.site.QueuedEmailAccountAdapter"
# allauth's rate limits (its defaults), kept in the default cache: the database (CACHES).
ACCOUNT_RATE_LIMITS = {
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reset_password": "20/m/ip,5/m/key",
    "reauthenticate": "10/m/user",
    "reset_password_from_key": "20/m/ip",
    "signup": "20/m/ip",
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "confirm_email": "1/3m/key",
    # Ours: the public certificate check (pledges/certificates/views.py).
    "verify_certificate": "30/m/ip",
}
# Those limits per IP address need the visitor's address, not the proxy's: behind the
# proxy (config/deploy/nginx.conf appends it to X-Forwarded-For), trust that many hops.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("DJANGO_TRUSTED_PROXY_COUNT", default=0 if DEBUG else 1)
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "pledges:space"
ACCOUNT_LOGOUT_REDIRECT_URL = "pledges:home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "media")))
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

# E-mail: printed to the console unless an SMTP host is configured. Over SMTP, each
# process keeps its connection open between messages (config/mail.py).
EMAIL_HOST = env("EMAIL_HOST", default="")
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    default=(
        "config.mail.ReusedConnectionSMTPBackend"
        if EMAIL_HOST
        else "django.core.mail.backends.console.EmailBackend"
    ),
)
EMAIL_PORT = env_int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=EMAIL_PORT == 587)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=EMAIL_PORT == 465)
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", default="Coorace #Municipales2020 <ne-pas-repondre@coorace.org>"
)
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# Seconds an SMTP connection may wait on the server (the job then fails and is retried).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", default=10)
ADMINS = [("Coorace", address) for address in env_list("DJANGO_ADMINS", default=[])]

# Security. Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): every script, style, font and image comes from the
# site itself, so an injected <script>, onclick= or style= is refused by the browser.
# Our templates carry no inline script, style block, style= or on…= attribute: keep it so
# (tests/config/test_security.py). The commune autocomplete fetches /api/communes/.
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
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    # WeasyPrint narrates every rendering step at INFO; its warnings and refusals stay.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Background jobs (e-mails, certificate renders): Django's Tasks framework, through the
# django-tasks backport and its database backend, so the queue lives in the site's own
# database (PostgreSQL in production, SQLite for `make run`) and `manage.py db_worker`
# runs it (config/deploy/coorace-worker.service). TASKS_BACKEND=immediate runs each job
# in the process that enqueues it, at commit. The tests use the immediate backend, and the
# database backend where they are about the queue itself (tests/conftest.py).
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
_task_backend = env("TASKS_BACKEND", default="database")
if _task_backend not in _TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"TASKS_BACKEND must be one of {', '.join(_TASK_BACKENDS)}, not {_task_backend!r}."
    )
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[_task_backend], "QUEUES": ["default"]}}

# Site-specific settings.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# The site's name in allauth's e-mails (`current_site.name`), never the request's host.
SITE_NAME = env("SITE_NAME", default="Coorace #Municipales2020")
# The legal identity, shown on « Mentions légales », « Données personnelles » and
# « Accessibilité » (pledges/directory/context_processors.py). In production the system
# check config.checks.legal_identity warns about each one left empty (`check --deploy`);
# a page never shows a variable's name, only « non renseigné ».
SITE_PUBLISHER = env("SITE_PUBLISHER", default="Coorace")
SITE_PUBLISHER_LEGAL_FORM = env("SITE_PUBLISHER_LEGAL_FORM", default="")
SITE_PUBLISHER_ADDRESS = env("SITE_PUBLISHER_ADDRESS", default="")
SITE_PUBLISHER_PHONE = env("SITE_PUBLISHER_PHONE", default="")
SITE_CONTACT_EMAIL = env("SITE_CONTACT_EMAIL", default="contact@coorace.org")
# Who answers questions about personal data (a DPO if one is designated); empty: the contact.
SITE_PRIVACY_EMAIL = env("SITE_PRIVACY_EMAIL", default="")
SITE_PUBLICATION_DIRECTOR = env("SITE_PUBLICATION_DIRECTOR", default="")
SITE_HOSTING_PROVIDER = env("SITE_HOSTING_PROVIDER", default="")
SITE_HOSTING_ADDRESS = env("SITE_HOSTING_ADDRESS", default="")
SITE_HOSTING_PHONE = env("SITE_HOSTING_PHONE", default="")
# Who sends the site's e-mails for it (a processor named on « Données personnelles »).
SITE_EMAIL_PROVIDER = env("SITE_EMAIL_PROVIDER", default="")
# Where replies to the site's e-mails go (their Reply-To; they leave from DEFAULT_FROM_EMAIL,
# a no-reply address): a mailbox someone reads, since the e-mails say « répondez à ce courriel ».
REPLY_TO_EMAIL = env("REPLY_TO_EMAIL", default="") or SITE_CONTACT_EMAIL

# Seconds a shared cache (nginx, config/deploy/) may keep an anonymous public page.
PUBLIC_CACHE_MAX_AGE = env_int("PUBLIC_CACHE_MAX_AGE", default=60)

# Render each certificate's PDF in a job as soon as it is issued (else on first download).
CERTIFICATE_RENDER_ON_ISSUE = env_bool("CERTIFICATE_RENDER_ON_ISSUE", default=True)
# Have a public list's or signatory's share image drawn (a job) when its page is rendered
# and the image is missing, so that it is ready before the link is shared (else when the
# image itself is first asked for).
SHARE_IMAGE_ON_PAGE_VIEW = env_bool("SHARE_IMAGE_ON_PAGE_VIEW", default=True)

# Who is told by e-mail when a candidate signs or asks for a correction.
STAFF_NOTIFICATION_EMAILS = env_list("STAFF_NOTIFICATION_EMAILS", default=[])
# A pending signature is marked « en retard » in the moderation queue after this many days.
MODERATION_OVERDUE_DAYS = env_int("MODERATION_OVERDUE_DAYS", default=3)
# Courriels per minute a mailing to signatories sends (pledges.mailings: one batch a minute).
MAILING_RATE_PER_MINUTE = env_int("MAILING_RATE_PER_MINUTE", default=120)
