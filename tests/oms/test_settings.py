"""Settings come from the environment, with safe defaults when DEBUG is off."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHOW = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'], 'eager': s.CELERY_TASK_ALWAYS_EAGER, "
    "'broker': s.CELERY_BROKER_URL, 'secure_cookie': s.SESSION_COOKIE_SECURE, "
    "'ssl_redirect': s.SECURE_SSL_REDIRECT, 'hsts': s.SECURE_HSTS_SECONDS, 'hosts': s.ALLOWED_HOSTS, "
    "'debug': s.DEBUG, 'email': s.EMAIL_BACKEND}))"
)


def settings_with(*, code: str = SHOW, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.isupper() or k in {"PATH", "HOME", "LANG"}}
    clean.update(env, DJANGO_SETTINGS_MODULE="oms.settings")
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60
    )


def test_production_refuses_to_serve_without_a_secret_key():
    result = settings_with(code="import oms.wsgi")
    assert result.returncode == 1
    assert "Set the SECRET_KEY environment variable" in result.stderr


def test_commands_that_sign_nothing_run_without_a_secret_key():
    result = settings_with(
        code="import django; django.setup(); from django.core.management import call_command; "
        "call_command('makemigrations', '--check', '--dry-run')"
    )
    assert (result.returncode, result.stdout.strip()) == (0, "No changes detected")


def test_production_defaults_are_safe():
    result = settings_with(SECRET_KEY="x" * 50, ALLOWED_HOSTS="oms.example.com")
    assert json.loads(result.stdout) == {
        "engine": "django.db.backends.sqlite3",
        "eager": True,
        "broker": "memory://",
        "secure_cookie": True,
        "ssl_redirect": True,
        "hsts": 31536000,
        "hosts": ["oms.example.com"],
        "debug": False,
        "email": "django.core.mail.backends.smtp.EmailBackend",
    }


def test_database_and_redis_urls_switch_to_postgresql_and_real_workers():
    result = settings_with(
        DEBUG="true",
        DATABASE_URL="postgres://oms@db.internal:5432/oms",
        REDIS_URL="redis://cache.internal:6379/0",
    )
    shown = json.loads(result.stdout)
    assert (shown["engine"], shown["eager"], shown["broker"], shown["secure_cookie"]) == (
        "django.db.backends.postgresql",
        False,
        "redis://cache.internal:6379/0",
        False,
    )
