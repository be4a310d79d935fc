"""talentnet settings: one module, every value read from the environment.

Every variable is documented in `.env.example`. One code path, the one production runs:
PostgreSQL always. With DEBUG off the settings refuse to start without DATABASE_URL,
REDIS_URL and CELERY_BROKER_URL (a production container missing one would otherwise run on
a per-process cache, or send announcements inside the admin's request). With DEBUG on,
`make run` provides DATABASE_URL (the embedded PostgreSQL under var/, see
scripts/embedded-postgres); tasks then run inline and mail goes to the console.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from talentnet.object_storage import s3_storages

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

# Where the embedded database, uploads and generated files live.
VAR_DIR = Path(env("TALENTNET_VAR_DIR", default=str(BASE_DIR / "var")))

# --- Core -------------------------------------------------------------------

DEBUG = env.bool("DEBUG", default=False)
if DEBUG:
    SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-never-use-in-production")
else:
    SECRET_KEY = env("SECRET_KEY")  # required: ImproperlyConfigured when missing
    _missing = [
        name
        for name in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")
        if not env(name, default="")
    ]
    if _missing:
        raise ImproperlyConfigured(
            f"{', '.join(_missing)} must be set when DEBUG is off (see .env.example): "
            "production runs on PostgreSQL, Redis and a Celery broker, never on a fallback."
        )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Absolute base of links in emails (announcements, unsubscribe, certificates).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
SITE_ID = 1

INSTALLED_APPS = [
    "whitenoise.runserver_nostatic",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.mfa",
    "allauth.usersessions",
    "django_filters",
    "django_countries",
    "simple_history",
    "core",
    "members",
    # Threads between two parties (organisations and members, members between them).
    "messaging",
    "chapters",
    "pncs",
    "programs",
    # Mexican organisations (above pncs, whose coordinators verify them).
    "counterparts",
    # Placements members offer abroad for Mexican students (above counterparts: an
    # accepted student and host become one of its engagements).
    "internships",
    # Below chapters, pncs and programs, which plug their audiences in (never imports them).
    "announcements",
    # Posts of sectors, chapters and the network, their feeds and the digest (issue 21).
    "news",
    # Surveys and the diaspora census (issue 26): sent through announcements, read as
    # aggregates by figures.
    "surveys",
    # Reads the apps above (never imported by them).
    "figures",
    # The partner API and webhooks (issue 25): OAuth 2.0 client credentials
    # (django-oauth-toolkit), the API itself (django-ninja); nobody imports it.
    "oauth2_provider",
    # django-ninja as an app: its Swagger UI is then served from our static files (without
    # it, ninja's docs page loads the UI from a CDN, which the CSP forbids anyway).
    "ninja",
    "api",
]
if DEBUG:
    # The demo data of `make run` (`seed_demo`, Faker): never in production, where Faker is
    # not even installed (requirements.lock).
    INSTALLED_APPS.append("demo")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Compresses last on the way out; public answers only (BREACH: core.middleware).
    "core.middleware.PublicGZipMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # With a read replica: reads from the primary for a few seconds after a write.
    "core.replica.ReadYourWritesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # A browser preferring English, with no language chosen yet, goes to /en/ (core).
    "core.middleware.PreferredLanguageMiddleware",
    # Early, in the visitor's language: a NUL byte in the path or a parameter answers 400.
    "core.middleware.RefuseNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Nothing shown to a signed-in visitor, and no account page, is kept by a cache (D6).
    "core.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "members.middleware.UnconfiguredSocialProviderMiddleware",
    "core.middleware.StatementTimeoutMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "talentnet.urls"
WSGI_APPLICATION = "talentnet.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------

# Unset (DEBUG on only): the embedded server `make run` starts, on its socket in var/postgres
# (`make run` itself passes the exact URL scripts/embedded-postgres printed).
DATABASE_URL = (
    env("DATABASE_URL", default="") or f"postgres://postgres@/talentnet?host={VAR_DIR / 'postgres'}"
)
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must name a PostgreSQL database (postgres://...).")
# Django's own engine with its connection pool (psycopg_pool), one per process. Chosen
# over CONN_MAX_AGE + CONN_HEALTH_CHECKS because only the pool waits for a restarting
# server: a request arriving during a restart waits for a connection up to
# DB_POOL_TIMEOUT while the pool reconnects in the background (with a persistent
# connection the new connection is refused at once and the page fails). Each connection
# handed out is checked first (CONN_HEALTH_CHECKS -> ConnectionPool.check_connection),
# so a connection a failover left half-open is replaced, not trusted. The pool needs
# CONN_MAX_AGE = 0 (Django returns the connection to the pool after each request) and
# suits gunicorn's sync workers (one request at a time: one connection in use).
# Prepared statements stay off (Django's default): a transaction-mode pooler such as
# PgBouncer may hand each transaction another server connection, and no session state
# (SET, prepared statements, advisory locks) is relied on across transactions.
DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
options = DATABASES["default"].setdefault("OPTIONS", {})
options.setdefault("connect_timeout", env.int("DB_CONNECT_TIMEOUT", default=5))
DB_POOL_TIMEOUT = env.float("DB_POOL_TIMEOUT", default=5)
options.setdefault(
    "pool",
    {
        "min_size": env.int("DB_POOL_MIN_SIZE", default=1),
        "max_size": env.int("DB_POOL_MAX_SIZE", default=4),
        # How long a request waits for a connection (a restart included), far below
        # gunicorn's 30 s timeout: a longer outage answers the plain error page.
        "timeout": DB_POOL_TIMEOUT,
        # A connection attempt failing for this long is given up; the next request
        # starts a new one at once (instead of waiting out a long exponential backoff).
        "reconnect_timeout": env.float("DB_POOL_RECONNECT_TIMEOUT", default=10),
        "max_idle": 300,
    },
)
# Every statement is cancelled after DB_STATEMENT_TIMEOUT milliseconds (0: no limit).
# The web entry points (wsgi.py, asgi.py) default it to 10 s, so one slow page cannot
# hold the database and the workers (core.middleware answers a cancelled statement
# with the 503 "try again" page); workers, commands and migrations default to none. A
# startup parameter of each connection, not a SET: nothing is left in a session a
# transaction pooler would share. Work that needs longer inside a web process raises
# it for its own transaction (core.db.statement_timeout).
DB_STATEMENT_TIMEOUT = env.int("DB_STATEMENT_TIMEOUT", default=0)
if DB_STATEMENT_TIMEOUT:
    options.setdefault("options", f"-c statement_timeout={DB_STATEMENT_TIMEOUT}")
# A streaming read replica (optional): heavy reads go to it, everything else to the
# primary (core/replica.py). Same options as the primary, a shorter wait for a connection:
# a replica that does not answer is skipped for DATABASE_REPLICA_RETRY_AFTER seconds.
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL", default="")
DATABASE_REPLICA_MAX_LAG = env.float("DATABASE_REPLICA_MAX_LAG", default=10.0)
DATABASE_REPLICA_CHECK_EVERY = env.float("DATABASE_REPLICA_CHECK_EVERY", default=5.0)
DATABASE_REPLICA_RETRY_AFTER = env.float("DATABASE_REPLICA_RETRY_AFTER", default=30.0)
REPLICA_READ_YOUR_WRITES_SECONDS = env.int("REPLICA_READ_YOUR_WRITES_SECONDS", default=5)
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = env.db_url_config(DATABASE_REPLICA_URL)
    for _key in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS"):
        DATABASES["replica"][_key] = DATABASES["default"][_key]
    DATABASES["replica"]["OPTIONS"] = {
        **options,
        "connect_timeout": 2,
        "pool": {**options["pool"], "timeout": 2, "min_size": 0},
    }
    DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and sessions -----------------------------------------------------

REDIS_URL = env("REDIS_URL", default="")
CACHES = {
    # allauth keeps its rate limits and used second-factor codes in the default cache,
    # and fails closed when it cannot take its lock there: on Redis, an outage of Redis
    # would refuse every login. They live in the database instead (Django's database
    # cache: shared by every process, really limiting, up whenever the site is).
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "talentnet_cache",
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="talentnet"),
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    },
}
if REDIS_URL:
    CACHES |= {
        # Whole answers any process can compute again (chapter pages, figures, the version
        # of the privacy notice in force): django-redis. With Redis unreachable every
        # operation answers as a miss (DJANGO_REDIS_IGNORE_EXCEPTIONS) and is logged; short
        # socket timeouts keep a dead Redis from holding a request.
        "answers": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="talentnet"),
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": env.float("CACHE_SOCKET_TIMEOUT", default=1),
                "SOCKET_TIMEOUT": env.float("CACHE_SOCKET_TIMEOUT", default=1),
            },
        },
    }
else:  # DEBUG only (`make run`): whole answers in this process's memory
    CACHES["answers"] = {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "answers",
    }
DJANGO_REDIS_IGNORE_EXCEPTIONS = True
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
DJANGO_REDIS_LOGGER = "talentnet.cache"

# Django's database sessions: logins keep working when Redis is down, and a logout or a
# password change ends the session at once (a cached copy could outlive it while Redis was
# unreachable, so not `cached_db`). One indexed read per signed-in request.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 24 * 14)

# --- Celery -----------------------------------------------------------------

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
# Tasks run inline without a broker (DEBUG only: `make run` needs no Redis), or when asked
# explicitly (the test suite, whose own worker processes set it false).
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://localhost/"  # with a host: kombu warns without one
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_MAX_TASKS_PER_CHILD = 1000
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Redis redelivers an unacknowledged task after the visibility timeout; every
# time limit and countdown stays well below it (SECURITY.md E5).
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
CELERY_TASK_TIME_LIMIT = 600
CELERY_TASK_SOFT_TIME_LIMIT = 540
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    "socket_timeout": 3,
    "socket_connect_timeout": 3,
    "max_retries": 1,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing with Redis down gives up within seconds: the page never hangs and
# the outbox row (written first) is picked up later by the dispatcher.
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
# Transactional mail (codes, resets, decisions) has its own queue so a large
# announcement never delays it (SECURITY.md E9).
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_DEFAULT_QUEUE", default="default")
CELERY_TRANSACTIONAL_QUEUE = env("CELERY_TRANSACTIONAL_QUEUE", default="transactional")
CELERY_TASK_ROUTES = {
    "members.tasks.send_transactional_email_task": {"queue": CELERY_TRANSACTIONAL_QUEUE},
}
# The periodic schedule: named entries, in code (STYLE.md). Apps add theirs here.
# figures: the network's pre-aggregated figures, read by /figures/ and /staff/figures/ (a
# page that finds none, or one older than two intervals, queues a refresh itself).
FIGURES_REFRESH_SECONDS = 15 * 60
CELERY_BEAT_SCHEDULE = {
    "figures-refresh-snapshot": {
        "task": "figures.tasks.refresh_figures_task",
        "schedule": FIGURES_REFRESH_SECONDS,
    },
}

# --- Announcements: outbox dispatcher (announcements app), Jornada reminders (chapters) --
# The dispatcher starts due scheduled sends and re-enqueues deliveries left pending or
# stuck; a delivery is "stuck" after ANNOUNCEMENT_STUCK_AFTER seconds (longer than a
# batch's time limit). Batches: ANNOUNCEMENT_BATCH_SIZE recipients, one SMTP connection.
# (The tasks were chapters.tasks.* before the app had its own; a message queued under an
# old name is refused by the worker, and this dispatcher enqueues its work again.)
CELERY_BEAT_SCHEDULE["announcements-dispatch"] = {
    "task": "announcements.tasks.dispatch_pending_announcements_task",
    "schedule": env.float("ANNOUNCEMENT_DISPATCH_EVERY", default=60.0),
}
CELERY_BEAT_SCHEDULE["chapters-jornada-reminders"] = {
    "task": "chapters.tasks.send_jornada_reminders_task",
    "schedule": 15 * 60.0,
}
# Officers' terms ending in 30 and 7 days (idempotent: once per officer and threshold).
# surveys: the feedback survey of each Jornada that has ended (idempotent: one per Jornada).
CELERY_BEAT_SCHEDULE["surveys-jornada-feedback"] = {
    "task": "surveys.tasks.send_jornada_feedback_task",
    "schedule": 60 * 60.0,
}
CELERY_BEAT_SCHEDULE["chapters-officer-term-alerts"] = {
    "task": "chapters.tasks.send_officer_term_alerts_task",
    "schedule": 24 * 3600.0,
}
# news: the weekly and monthly digests, written once per period (the task checks hourly
# whether the last period's digest exists) and sent through the announcements outbox.
CELERY_BEAT_SCHEDULE["news-prepare-digests"] = {
    "task": "news.tasks.prepare_digests_task",
    "schedule": 60 * 60.0,
}
# Invitations of imported people (issue 26): unanswered ones are deleted with their data
# after INVITATION_RETENTION_DAYS (a daily pass; deleting twice deletes nothing more).
INVITATION_RETENTION_DAYS = env.int("INVITATION_RETENTION_DAYS", default=90)
CELERY_BEAT_SCHEDULE["announcements-purge-invitations"] = {
    "task": "announcements.tasks.purge_unanswered_invitations_task",
    "schedule": 24 * 60 * 60.0,
}
ANNOUNCEMENT_BATCH_SIZE = env.int("ANNOUNCEMENT_BATCH_SIZE", default=250)
ANNOUNCEMENT_STUCK_AFTER = env.int("ANNOUNCEMENT_STUCK_AFTER", default=CELERY_TASK_TIME_LIMIT + 300)
ANNOUNCEMENT_MAX_ATTEMPTS = env.int("ANNOUNCEMENT_MAX_ATTEMPTS", default=5)
ANNOUNCEMENT_CLAIM_CHUNK = env.int("ANNOUNCEMENT_CLAIM_CHUNK", default=50)
# "Send now" writes the recipients in a task, this many per transaction.
ANNOUNCEMENT_RECIPIENTS_BATCH = env.int("ANNOUNCEMENT_RECIPIENTS_BATCH", default=5000)

# --- pncs: exports too large for a request ---------------------------------------------
# Up to PNCS_EXPORT_SYNC_MAX_ROWS rows an export streams in the request; more are written
# by a worker into the private "exports" storage (never under MEDIA_URL) and downloaded by
# the coordinator who asked for PNCS_EXPORT_LINK_HOURS hours; then the sweeper deletes them.
PNCS_EXPORT_SYNC_MAX_ROWS = env.int("PNCS_EXPORT_SYNC_MAX_ROWS", default=5000)
PNCS_EXPORT_LINK_HOURS = env.int("PNCS_EXPORT_LINK_HOURS", default=24)
PNCS_EXPORT_STUCK_AFTER = env.int("PNCS_EXPORT_STUCK_AFTER", default=CELERY_TASK_TIME_LIMIT + 300)
# The text of searches (names, most often) in the audits of coordinators' searches and
# exports and of directory reads is blanked after this many days; the rows stay. The
# privacy notice page says how long (templates/members/privacy_notice.html).
SEARCH_TERMS_RETENTION_DAYS = env.int("SEARCH_TERMS_RETENTION_DAYS", default=90)
CELERY_BEAT_SCHEDULE["members-forget-old-search-terms"] = {
    "task": "members.tasks.forget_old_search_terms_task",
    "schedule": 24 * 3600.0,
}
# Duplicates and merges (issue 26): the profiles changed in the last hour are compared with
# the network (members.services.duplicates); a merge link is valid this many hours.
CELERY_BEAT_SCHEDULE["members-flag-duplicates"] = {
    "task": "members.tasks.flag_recent_duplicates_task",
    "schedule": 3600.0,
}
MERGE_LINK_HOURS = env.int("MERGE_LINK_HOURS", default=72)
# programs: seat offers past their deadline pass to the next in rank; travel data is
# deleted once its stage has ended.
CELERY_BEAT_SCHEDULE["programs-expire-seat-offers"] = {
    "task": "programs.tasks.expire_seat_offers_task",
    "schedule": 15 * 60.0,
}
CELERY_BEAT_SCHEDULE["programs-purge-travel-details"] = {
    "task": "programs.tasks.purge_travel_details_task",
    "schedule": 24 * 3600.0,
}
# chapters: the travel needs of a Jornada's participants from abroad go once it has ended.
CELERY_BEAT_SCHEDULE["chapters-purge-travel-needs"] = {
    "task": "chapters.tasks.purge_travel_needs_task",
    "schedule": 24 * 3600.0,
}
CELERY_BEAT_SCHEDULE["pncs-sweep-exports"] = {
    "task": "pncs.tasks.sweep_exports_task",
    "schedule": env.float("PNCS_EXPORT_SWEEP_EVERY", default=60.0),
}
# counterparts: a member invited to answer an organisation's request has this many days to
# reply; then the invitation expires (checked hourly, idempotent).
COUNTERPARTS_INVITATION_DAYS = env.int("COUNTERPARTS_INVITATION_DAYS", default=10)
CELERY_BEAT_SCHEDULE["counterparts-expire-invitations"] = {
    "task": "counterparts.tasks.expire_member_invitations_task",
    "schedule": 60 * 60.0,
}

# --- api: the partner API and webhooks (issue 25) ---------------------------------------
# OAuth 2.0 client credentials only: IME staff register partner applications in the admin
# (api.admin), which choose among these scopes; a token lives API_TOKEN_SECONDS.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"  # DOT's own (not swapped)
API_TOKEN_SECONDS = env.int("API_TOKEN_SECONDS", default=3600)
OAUTH2_PROVIDER = {
    "SCOPES": {
        "programs:results": "Importar resultados de un programa y emitir sus credenciales",
        "chapters:events": "Leer los eventos de un capítulo y sus registros",
        "pncs:members": "Leer las personas de un sector que aceptaron el contacto",
    },
    "DEFAULT_SCOPES": [],
    "ACCESS_TOKEN_EXPIRE_SECONDS": API_TOKEN_SECONDS,
    # A partner may obtain only the scopes its application was given (and none once revoked).
    "SCOPES_BACKEND_CLASS": "api.scopes.PartnerScopes",
    # RFC 9700 (OAuth 2.0 Security BCP) in full: partners use client credentials only, and
    # every other flow the library offers keeps its compliant setting (no implicit or
    # password grant, tokens hashed at rest and never in a query string, https redirects,
    # PKCE with S256, replayed refresh tokens revoked).
    "PKCE_REQUIRED": True,
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
}
# Anonymous reads per client address (django-ninja's throttles, on the default cache).
API_ANON_RATE = env("API_ANON_RATE", default="120/m")
API_PARTNER_RATE = env("API_PARTNER_RATE", default="600/m")
# Token requests per client address (each checks a hashed client secret).
API_TOKEN_RATE = env("API_TOKEN_RATE", default="30/m")
# Webhook deliveries: attempts at these delays after the event (Standard Webhooks' advice,
# about a day in all); the dispatcher sends what is due every API_WEBHOOK_DISPATCH_EVERY s.
API_WEBHOOK_RETRY_DELAYS = [0, 5, 300, 1800, 7200, 18000, 36000, 36000]
API_WEBHOOK_TIMEOUT = env.float("API_WEBHOOK_TIMEOUT", default=10.0)
# Development and tests only: webhooks may go to a receiver on loopback or the private
# network over plain http (api.destinations); off, they go to public https servers only.
API_WEBHOOK_LOCAL_RECEIVERS = env.bool("API_WEBHOOK_LOCAL_RECEIVERS", default=False)
CELERY_BEAT_SCHEDULE["api-dispatch-webhooks"] = {
    "task": "api.tasks.dispatch_webhooks_task",
    "schedule": env.float("API_WEBHOOK_DISPATCH_EVERY", default=60.0),
}

# --- Mail (Django 6.1 MAILERS) ----------------------------------------------

SMTP_HOST = env("SMTP_HOST", default="")
if SMTP_HOST:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": SMTP_HOST,
                "port": env.int("SMTP_PORT", default=587),
                "username": env("SMTP_USER", default=""),
                "password": env("SMTP_PASSWORD", default=""),
                "use_tls": env.bool("SMTP_TLS", default=True),
                "use_ssl": env.bool("SMTP_SSL", default=False),
                "timeout": env.int("SMTP_TIMEOUT", default=10),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Red de Talentos <no-reply@localhost>")
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# Where people write to the team that runs the site (the contact page, mails' footers).
CONTACT_EMAIL = env("CONTACT_EMAIL", default="red.talentos@example.org")
# Open Badges 3.0 signing keys (programs/openbadges.py): each issuer's Ed25519 key is derived
# from this secret (HKDF, one key per issuer). Unset: derived from SECRET_KEY instead (the
# generated key of `make run` and the tests); set it in production so that rotating
# SECRET_KEY does not change the keys that verifiers know. Never commit it.
OPENBADGES_KEY_SEED = env("OPENBADGES_KEY_SEED", default="")

# --- Accounts (django-allauth) ----------------------------------------------

AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    "members.auth_backends.RolesModelBackend",
    "members.auth_backends.RolesAllauthBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_TIMEOUT = 600
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_MAX_ATTEMPTS = 3
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Red de Talentos] "
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if env.bool("DJANGO_SECURE", default=False) else "http"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Red de Talentos Mexicanos"
SOCIALACCOUNT_PROVIDERS = {}

# --- members: allauth adapter, sign-up extras, social login -----------------
# The adapter sends allauth's mail through the transactional queue and routes logins
# (new privacy notice -> onboarding -> /me/). The sign-up form adds the privacy notice
# acceptance and the separate, unticked voluntary choices.
ACCOUNT_ADAPTER = "members.adapter.AccountAdapter"
ACCOUNT_SIGNUP_FORM_CLASS = "members.forms.SignupExtrasForm"
# Re-authentication before changing email addresses (and connecting social accounts).
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = env.int("ACCOUNT_REAUTHENTICATION_TIMEOUT", default=300)
# Social sign-up shows the form too, so the privacy notice is accepted there as well.
SOCIALACCOUNT_AUTO_SIGNUP = False
# Google and LinkedIn (OpenID Connect) are offered only when their credentials are set,
# here from the environment or as SocialApp rows in the admin; hidden otherwise.
if env("GOOGLE_CLIENT_ID", default=""):
    SOCIALACCOUNT_PROVIDERS["google"] = {
        "APPS": [{"client_id": env("GOOGLE_CLIENT_ID"), "secret": env("GOOGLE_CLIENT_SECRET")}],
        "SCOPE": ["openid", "profile", "email"],
    }
if env("LINKEDIN_CLIENT_ID", default=""):
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "APPS": [
            {
                "provider_id": "linkedin",
                "name": "LinkedIn",
                "client_id": env("LINKEDIN_CLIENT_ID"),
                "secret": env("LINKEDIN_CLIENT_SECRET"),
                "settings": {"server_url": "https://www.linkedin.com/oauth"},
            }
        ]
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# --- Internationalisation ---------------------------------------------------

LANGUAGE_CODE = "es-mx"
LANGUAGES = [("es-mx", _("Español")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="America/Mexico_City")
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "tn_language"
# django-filter's empty choice says what it means instead of "---------".
FILTERS_EMPTY_CHOICE_LABEL = _("Cualquiera")

# --- Static and media files -------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploads (members/storage.py): private files in MEDIA_ROOT, served at MEDIA_URL by a view
# that checks who may see them; public ones (chapter logos) in MEDIA_ROOT/public, served at
# PUBLIC_MEDIA_URL with long-lived caching. Both URLs are routes of talentnet/urls.py.
MEDIA_URL = "/media/private/"
PUBLIC_MEDIA_URL = "/media/public/"
MEDIA_ROOT = env("MEDIA_ROOT", default=str(VAR_DIR / "media"))
# Photos and chapter logos an account may upload per hour (core.images).
IMAGE_UPLOADS_PER_HOUR = env.int("IMAGE_UPLOADS_PER_HOUR", default=20)
# STORAGE_BACKEND=s3: the three upload storages on an S3-compatible object store
# (django-storages), two buckets: private (photos, materials, exports under "exports/")
# and public (chapter logos, at STORAGE_PUBLIC_URL). Unset: the local filesystem.
STORAGE_BACKEND = env("STORAGE_BACKEND", default="filesystem")
# Lifetime of the signed URL a private download is redirected to, after the access check.
STORAGE_SIGNED_URL_SECONDS = env.int("STORAGE_SIGNED_URL_SECONDS", default=60)
STORAGE_PUBLIC_ORIGIN = None  # the public bucket's origin, admitted by the CSP's img-src
if STORAGE_BACKEND == "s3":
    _storages, STORAGE_PUBLIC_ORIGIN = s3_storages(env)
else:
    _storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        # Large PNCS exports (personal data): private, downloaded only through pncs' view.
        "exports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": env("EXPORTS_ROOT", default=str(VAR_DIR / "exports"))},
        },
        "public": {"BACKEND": "members.storage.PublicFileSystemStorage"},
    }
STORAGES = {
    **_storages,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env.bool("STATIC_MANIFEST", default=not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Security ---------------------------------------------------------------

SECURE = env.bool("DJANGO_SECURE", default=False)
SECURE_SSL_REDIRECT = SECURE
SECURE_HSTS_SECONDS = 31536000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
LANGUAGE_COOKIE_SECURE = SECURE
if SECURE:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The client's address (rate limits, login log, sessions: members.http.client_ip). Behind
# the TLS proxy that DJANGO_SECURE assumes, every request comes from the proxy's address:
# the proxy appends the client's to X-Forwarded-For and the last TRUSTED_PROXY_COUNT-th
# entry is trusted. Without a proxy (0, the default when DJANGO_SECURE is off) the header
# is ignored, so a forged one changes nothing. TRUSTED_CLIENT_IP_HEADER (e.g. X-Real-IP)
# instead names a header the proxy sets and overwrites.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1 if SECURE else 0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env("TRUSTED_CLIENT_IP_HEADER", default="") or None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Strict Content Security Policy: no inline script or style anywhere.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", *([STORAGE_PUBLIC_ORIGIN] if STORAGE_PUBLIC_ORIGIN else [])],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    # Every form posts to this site (allauth's included; none posts off-site). The social
    # login form posts here and is redirected to the provider, which browsers also check
    # against form-action: the two providers the site offers (below) are allowed for that.
    "form-action": [CSP.SELF, "https://accounts.google.com", "https://www.linkedin.com"],
}

# --- Logging ----------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    # No token-bearing path in a log line (core.logredact; gunicorn's access log uses
    # the same rule, talentnet/gunicorn.conf.py): on every handler, Django's request logs
    # (django.request's "Not Found: /path") and runserver's request lines included.
    "filters": {"redact_paths": {"()": "core.logredact.RedactPathsFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_paths"],
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact_paths"],
        },
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own defaults would print django.* records unfiltered when DEBUG is on.
        "django": {
            "handlers": ["console"],
            "level": env("LOG_LEVEL", default="INFO"),
            "propagate": False,
        },
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
    },
}
