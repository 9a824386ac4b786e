"""Settings, all read from the environment (django-environ).

With no environment at all the app runs on SQLite with Celery tasks executed
eagerly in-process: that is what `make demo` uses. Setting DATABASE_URL and
REDIS_URL switches to PostgreSQL and real workers. With DEBUG off the defaults
are the safe production ones (secure cookies, HSTS, no default secret key).
"""

import warnings
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# Serving needs it: oms/wsgi.py refuses to start without it when DEBUG is off.
# Commands that sign nothing (migrate, makemigrations --check) run without one.
SECRET_KEY = env.str("SECRET_KEY", default="insecure-development-key-change-me" if DEBUG else "")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "simple_history",
    "axes",
    "import_export",
    "oms",
    "inventory",
    "fulfilment",
    "returns",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "oms.core.middleware.StorableTextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into its 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "oms.urls"
WSGI_APPLICATION = "oms.wsgi.application"

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
                "django.template.context_processors.i18n",
                "oms.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # One writer at a time: a transaction takes the write lock when it begins,
    # so a check and the write that follows cannot interleave with another writer.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
IS_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, Celery ----------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# API throttle counters: local memory of each process, never Redis, so that a dead
# Redis neither fails nor slows the API (the rate then applies per process).
CACHES["throttle"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "throttle"}

CELERY_BROKER_URL = REDIS_URL or "memory://"
# No result backend: no code reads a task's result. With one, every send subscribes
# to its result first, and a dead Redis held each request ~19 s (20 retries × 1 s).
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# Eager (in-process) without Redis; the test suite also runs tasks eagerly.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 0.3, "socket_timeout": 2, "max_retries": 1}
CELERY_BROKER_CONNECTION_TIMEOUT = 1
# Publishing happens after commit (oms/core/queueing.py); with the broker down it
# must fail fast (the beat jobs queue the work later), not hold the request: at
# most two connection attempts of 0.3 s, and a refused connection fails at once.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0,
    "interval_max": 0,
}
# Queues: "default" for the beat jobs, fan-out, payment operations and stock tasks
# (short, database-bound); "webhooks" for calls to subscribers, "emails" for
# customer e-mails, so that a slow or dead subscriber or mail server never holds
# up a sweep, a payment operation or the other. The Procfile runs a worker per kind.
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "oms.tasks.deliver_webhook": {"queue": "webhooks"},
    "oms.tasks.send_notification": {"queue": "emails"},
}
CELERY_TIMEZONE = "Europe/Paris"
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "refresh-protection-stock-nightly": {
        "task": "inventory.tasks.refresh_all_protection",
        "schedule": crontab(hour=3, minute=0),
    },
    "expire-e-reservations": {"task": "oms.tasks.expire_e_reservations", "schedule": 300.0},
    "sweep-outbox": {"task": "oms.tasks.sweep_outbox", "schedule": 30.0},
    "resume-payment-operations": {"task": "oms.tasks.resume_payment_operations", "schedule": 300.0},
}

# --- Auth -------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if env.bool("FAST_PASSWORD_HASHING", default=False):  # the test suite only
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTHENTICATION_BACKENDS = [
    # First: refuses a sign-in while its username and address are locked out.
    "oms.core.login_lockout.LoginLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Repeated failed sign-ins (django-axes): after AXES_FAILURE_LIMIT wrong passwords
# for one username from one address, that pair is refused for AXES_COOLOFF_MINUTES,
# right password included. Attempts are counted in the database (no Redis needed);
# head office or a superuser unlocks early by deleting the attempt in the admin.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # no start-up banner in every command
AXES_LOCKOUT_CALLABLE = "oms.core.login_lockout.lockout_response"
LOGIN_URL = "login"
CSRF_FAILURE_VIEW = "oms.views.csrf_failure"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- I18n -------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
# Dates day first in both languages ("1 Dec 2026, 20:43", "1 déc. 2026, 20:43").
FORMAT_MODULE_PATH = ["oms.formats"]
USE_TZ = True

# --- Static -----------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# WhiteNoise serves static files from the app itself (gunicorn included); with
# finders on, no collectstatic is needed to run.
WHITENOISE_USE_FINDERS = True
warnings.filterwarnings("ignore", message="No directory at")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- E-mail -----------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="oms@localhost")

# --- API --------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "oms.core.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "oms.core.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "oms.core.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # One rate per caller (oms.core.api.throttling): 429 `throttled` with Retry-After.
    "DEFAULT_THROTTLE_CLASSES": ["oms.core.api.throttling.CallerRateThrottle"],
}
# Requests per caller (token or signed-in user), "<n>/<sec|min|hour|day>"; empty: off.
# High by default: it stops a runaway client, not the bench's 16 clients.
API_THROTTLE_RATE = env.str("API_THROTTLE_RATE", default="6000/min")
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append("rest_framework.renderers.BrowsableAPIRenderer")
SPECTACULAR_SETTINGS = {
    "TITLE": "OMS API",
    "DESCRIPTION": (
        "Order management for omnichannel retailers. Authenticate with `Authorization: Token <token>`.\n\n"
        "**Scopes.** A token may be narrowed to scopes: `read` (every GET), `orders:write` (place and "
        "cancel orders), `stock:write` (stock feeds), `catalogue:write` (stock points and products), "
        "`webhooks:write` (its webhook subscriptions); each write scope also reads what it writes. "
        "A missing scope is `403 insufficient_scope`. A token bound to channels sees only their orders "
        "(others are 404) and places orders only for them (`403 channel_not_allowed`). A token "
        "without scopes may do everything its role allows.\n\n"
        "**Throttling.** Each caller has a rate (`API_THROTTLE_RATE`, 6000 a minute by default); over "
        "it, `429 throttled` with a `Retry-After` header in seconds."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI and ReDoc come from drf-spectacular-sidecar: no CDN at run time.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Errors of every operation in one `Error` shape; the text rule of every input.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "oms.core.api.schema.document_errors",
        "oms.core.api.schema.document_text_rule",
    ],
}

# --- Security (safe defaults when DEBUG is off) -----------------------------
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "celery": {"level": "WARNING"},
        # axes logs every sign-in at INFO; lockouts are logged at WARNING.
        "axes": {"level": "WARNING"},
    },
}

# --- Webhooks ---------------------------------------------------------------------
# Webhooks go to public addresses only; this allows loopback ones too (development
# and tests with a local receiver), and nothing else.
WEBHOOK_ALLOW_LOOPBACK = env.bool("WEBHOOK_ALLOW_LOOPBACK", default=False)
# Seconds to connect to a subscriber, and to wait for each read of its answer.
WEBHOOK_CONNECT_TIMEOUT = env.float("WEBHOOK_CONNECT_TIMEOUT", default=3.0)
WEBHOOK_READ_TIMEOUT = env.float("WEBHOOK_READ_TIMEOUT", default=5.0)

# --- Domain settings ----------------------------------------------------------
OMS_NEAREST_STORES = env.int("OMS_NEAREST_STORES", default=8)
# How long a store holds an e-reservation before it goes back to stock.
OMS_E_RESERVATION_HOURS = env.int("OMS_E_RESERVATION_HOURS", default=48)

# SQLite cannot enforce "NULLS NOT DISTINCT" unique constraints; model validation
# (admin, API) still checks them, and PostgreSQL enforces them.
SILENCED_SYSTEM_CHECKS = ["models.W047", "models.W040"]
