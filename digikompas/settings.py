"""Settings for digikompas, driven by environment variables.

The defaults boot an embedded set-up (SQLite, mail printed to the console) with nothing to
configure; every production value comes from the environment. A system check
(digikompas.checks) refuses the development defaults when DEBUG is off.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    value = os.getenv(name, default).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"{name} must be one of true/false/1/0/yes/no/on/off, not {value!r}")


def envint(name: str, default: str) -> int:
    value = os.getenv(name, default)
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {value!r}") from None


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


def _origin(url: str) -> str:
    """scheme://host[:port] of a URL, or "" for none."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


# The development key is refused by the deploy check (digikompas.checks) when DEBUG is off.
DEV_SECRET_KEY = "dev-only-insecure-key-do-not-deploy"  # noqa: S105  # nosec B105
SECRET_KEY = os.getenv("SECRET_KEY", DEV_SECRET_KEY)
DEBUG = envbool("DEBUG", "true")
# Sessions, password reset links and invitation tokens are signed with SECRET_KEY: a server
# does not start with the development key or one short enough to guess.
SECRET_KEY_MIN_LENGTH = 50
if not DEBUG and (SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < SECRET_KEY_MIN_LENGTH):
    raise ImproperlyConfigured(
        f"SECRET_KEY must be set to a random value of at least {SECRET_KEY_MIN_LENGTH} "
        "characters when DEBUG is off, e.g. the output of: python -c "
        "'import secrets; print(secrets.token_urlsafe(64))'"
    )
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
SITE_ROOT = os.getenv("SITE_ROOT", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = "digikompas"

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
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks_db",
    "digikompas.accounts",
    "digikompas.orgs",
    "digikompas.frameworks",
    "digikompas.surveys",
    "digikompas.analysis",
    "digikompas.offers",
    "digikompas.pilot",
    "digikompas.leadership",
    "digikompas.privacy",
    "digikompas.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "digikompas.accounts.middleware.RequireMFAMiddleware",
]

ROOT_URLCONF = "digikompas.urls"
WSGI_APPLICATION = "digikompas.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "digikompas" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "digikompas.accounts.context_processors.roles",
            ],
        },
    },
]

# Embedded default: SQLite in the project folder. DATABASE_URL switches to PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        os.getenv("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", "0"),
        # Off: a kept connection that broke (e.g. PostgreSQL restarted) fails one request and
        # is dropped at its end, and the next request reconnects (`make loadtest` shows it).
        # On, each request first tests its kept connection: one more query per request.
        conn_health_checks=envbool("DB_CONN_HEALTH_CHECKS", "false"),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a writer instead of failing at once with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # Take the write lock when a transaction begins, so that two transactions that read and
    # then write (e.g. counting a session's free seats, then enrolling) wait for each other
    # instead of one failing with "database is locked".
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    # Write-ahead log: readers (the pages) do not wait for the writer (the task worker, an
    # import), and a commit appends to the log instead of rewriting the journal.
    DATABASES["default"]["OPTIONS"]["init_command"] = "PRAGMA journal_mode=WAL;"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The database cache is shared by every app server, so login rate limits hold across them.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "digikompas_cache",
    }
}

AUTH_USER_MODEL = "accounts.User"
# Argon2 for every new or changed password; the others only verify older hashes, which are
# rehashed with Argon2 at the next successful login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: e-mail login, no self sign-up (people are invited), rate-limited logins.
ACCOUNT_ADAPTER = "digikompas.accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_RATE_LIMITS = {
    # Five wrong passwords for one account (or 20 from one address) in five minutes, then a pause.
    "login_failed": os.getenv("LOGIN_RATE_LIMIT", "20/5m/ip,5/5m/key"),
    # (bandit takes "password" in the name for a hard-coded password: it is a rate.)
    "reset_password": "20/m/ip,5/m/key",  # nosec B105
}
# Behind proxies, the address a login comes from is taken from X-Forwarded-For, as many entries
# from its end as there are proxies that append to it; without this every login would come from
# the proxy's address and share one limit.
ALLAUTH_TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", "0")
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[digikompas] "
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "digikompas"
# Roles that must have a second factor before they can use anything else.
MFA_REQUIRED_ROLES = envlist("MFA_REQUIRED_ROLES", "analyst,administrator")

# Optional single sign-on through OpenID Connect, switched on by OIDC_SERVER_URL.
SOCIALACCOUNT_ADAPTER = "digikompas.accounts.adapters.SocialAccountAdapter"
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": []}}
if os.getenv("OIDC_SERVER_URL"):
    SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"].append(
        {
            "provider_id": os.getenv("OIDC_PROVIDER_ID", "sso"),
            "name": os.getenv("OIDC_NAME", "Single sign-on"),
            "client_id": os.environ["OIDC_CLIENT_ID"],
            "secret": os.getenv("OIDC_CLIENT_SECRET", ""),
            "settings": {"server_url": os.environ["OIDC_SERVER_URL"]},
        }
    )

# Mail: printed to the console unless an SMTP host is configured.
if os.getenv("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"],
                "port": envint("EMAIL_PORT", "25"),
                "username": os.getenv("EMAIL_HOST_USER", ""),
                "password": os.getenv("EMAIL_HOST_PASSWORD", ""),
                "use_tls": envbool("EMAIL_USE_TLS", "false"),
                "timeout": 30,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "digikompas <noreply@digikompas.localhost>")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "digikompas.api_schema.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "digikompas API",
    "DESCRIPTION": "Competence development in digital resources for Danish public libraries.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Choices used by several models get one name in the schema.
    "ENUM_NAME_OVERRIDES": {
        "LibraryKindEnum": "digikompas.orgs.models.LibraryKind",
        "JobRoleEnum": "digikompas.orgs.models.JobRole",
        "ReportKindEnum": "digikompas.analysis.models.ReportKind",
        "ReportStatusEnum": "digikompas.analysis.models.ReportStatus",
        "FrameworkStatusEnum": "digikompas.frameworks.models.FrameworkStatus",
    },
}

LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Danish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "digikompas" / "locale"]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Det Fælles Designsystem comes from the npm package `dkfds` (see package.json), served as our own
# static files; nothing is loaded from a CDN.
STATICFILES_DIRS = [
    BASE_DIR / "digikompas" / "static",
    ("dkfds", BASE_DIR / "node_modules" / "dkfds" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Background work (sending a round's invitations, imports): an ORM-backed queue, worked off by
# `manage.py db_worker`. TASKS_BACKEND=immediate runs tasks at once, in the request.
TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
}
if os.getenv("TASKS_BACKEND", "database") not in TASK_BACKENDS:
    raise ImproperlyConfigured(f"TASKS_BACKEND must be one of: {', '.join(TASK_BACKENDS)}")
TASKS = {"default": {"BACKEND": TASK_BACKENDS[os.getenv("TASKS_BACKEND", "database")]}}

# Uploaded files (the pilot's materials). Never served from this folder by the web server:
# a view checks who may download each file.
MEDIA_ROOT = Path(os.getenv("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "/media/"
# Largest material accepted for upload, in bytes.
MATERIAL_MAX_BYTES = envint("MATERIAL_MAX_BYTES", str(20 * 1024 * 1024))

# Anonymity: no aggregate of fewer respondents than this is ever shown or exported.
ANONYMITY_MINIMUM = envint("ANONYMITY_MINIMUM", "5")
# Largest staff list accepted for import, in bytes.
IMPORT_MAX_BYTES = envint("IMPORT_MAX_BYTES", str(5 * 1024 * 1024))

# -- HTTP security ------------------------------------------------------------------------------
# On a server (DEBUG off) everything is HTTPS only. Behind a proxy that ends TLS, name the header
# it sets to "https" (SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto), and make sure the proxy always
# sets it: a client could otherwise claim HTTPS over plain HTTP.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", str(not DEBUG))
if os.getenv("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + os.environ["SECURE_PROXY_SSL_HEADER"].strip().upper().replace("-", "_"),
        "https",
    )
# One year of HSTS by default on a server; SECURE_HSTS_SECONDS=0 switches it off (e.g. for a
# first deployment, before HTTPS is known to work on every subdomain).
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "0" if DEBUG else str(365 * 24 * 3600))
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", str(not DEBUG))
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", str(not DEBUG))
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

SESSION_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# A week (Django's default is two): "remember me" at login keeps the session this long, otherwise
# its cookie ends when the browser closes. In seconds.
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", str(7 * 24 * 3600))
CSRF_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_HTTPONLY = True

# Content Security Policy: only this site's own scripts, styles, images and fonts. No inline
# script or style attribute runs; the rare inline block (the API documentation's Swagger UI,
# templates/drf_spectacular/swagger_ui.html) carries the request's nonce. Charts are SVG drawn on
# the server, so nothing needs eval. Images may also be data: URIs, which cannot run script: the
# QR code for setting up an authenticator app (allauth) and Swagger UI's icons are drawn so.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    # Single sign-on posts a form to this site, which redirects the browser on to the identity
    # provider: browsers check that redirect against form-action too.
    "form-action": [CSP.SELF, *filter(None, [_origin(os.getenv("OIDC_SERVER_URL", ""))])],
    "frame-ancestors": [CSP.NONE],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "WARNING")},
}
