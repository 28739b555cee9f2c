"""Settings come from the environment: embedded defaults, production hardening."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "a-long-random-production-secret-key-for-the-check-0123456789-abcdefghij",
    "ALLOWED_HOSTS": "partnerskab.example.dk",
}


def run(args, **env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def settings_as_seen_with(**env):
    script = (
        "import json, django; django.setup(); from django.conf import settings as s;"
        "print(json.dumps({'db': s.DATABASES['default']['ENGINE'],"
        "'layer': s.CHANNEL_LAYERS['default']['BACKEND'], 'cache': s.CACHES['default']['BACKEND'],"
        "'email': s.EMAIL_BACKEND, 'transport': s.OUTBOX_TRANSPORT,"
        "'debug': s.DEBUG, 'lang': s.LANGUAGE_CODE, 'tz': s.TIME_ZONE}))"
    )
    result = run(["-c", script], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_embedded_defaults_need_nothing_installed():
    seen = settings_as_seen_with()
    assert seen == {
        "db": "django.db.backends.sqlite3",
        "layer": "config.channel_layers.InMemoryChannelLayer",
        "cache": "django.core.cache.backends.locmem.LocMemCache",
        "email": "network.outbox.OutboxBackend",
        "transport": "django.core.mail.backends.console.EmailBackend",
        "debug": True,
        "lang": "da",
        "tz": "Europe/Copenhagen",
    }


def test_database_url_and_redis_url_switch_to_postgresql_and_redis():
    seen = settings_as_seen_with(
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/partnerskab",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    assert seen["db"] == "django.db.backends.postgresql"
    assert seen["layer"] == "channels_redis.core.RedisChannelLayer"
    assert seen["cache"] == "django_redis.cache.RedisCache"


def test_production_refuses_to_start_without_a_secret_key():
    result = run(["manage.py", "check"], DJANGO_ENV="production", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize("extra", [{}, {"REDIS_URL": "redis://127.0.0.1:6379/0"}])
def test_check_deploy_is_clean_under_production_settings(extra):
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "DEBUG"], **PRODUCTION_ENV, **extra
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout
    assert settings_as_seen_with(**PRODUCTION_ENV)["debug"] is False


def test_production_cookies_are_secure_and_the_proxy_address_is_used():
    script = (
        "import json, django; django.setup(); from django.conf import settings as s;"
        "print(json.dumps([s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.LANGUAGE_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_HTTPONLY,"
        " s.SECURE_SSL_REDIRECT, s.TRUSTED_PROXY_COUNT]))"
    )
    result = run(["-c", script], **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [True] * 6 + [1]


def login_settings_as_seen_with(**env):
    script = (
        "import json, django; django.setup(); from django.conf import settings as s;"
        "print(json.dumps({'second_factor': s.SECOND_FACTOR_REQUIRED, 'mitid': s.MITID,"
        "'only_mitid': s.MITID_ONLY_FOR_MUNICIPAL_STAFF}))"
    )
    result = run(["-c", script], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_second_factor_is_required_in_production_only_by_default():
    assert login_settings_as_seen_with()["second_factor"] is False
    assert login_settings_as_seen_with(**PRODUCTION_ENV)["second_factor"] is True
    off = login_settings_as_seen_with(**PRODUCTION_ENV, SECOND_FACTOR_REQUIRED="false")
    assert off["second_factor"] is False


def test_mitid_erhverv_is_configured_from_the_environment_with_nemlogin_claim_names():
    embedded = login_settings_as_seen_with()
    assert (embedded["mitid"]["DISCOVERY_URL"], embedded["only_mitid"]) == ("", False)
    assert embedded["mitid"]["CLAIMS"]["professional_id"] == "nemlogin.persistent_professional_id"
    assert embedded["mitid"]["CLAIMS"]["cvr"] == "nemlogin.cvr"

    seen = login_settings_as_seen_with(
        MITID_ISSUER="https://broker.example/",
        MITID_CLIENT_ID="partnerskab",
        MITID_SCOPES="openid,nemlogin",
        MITID_CLAIM_CVR="https://data.gov.dk/model/core/eid/professional/cvr",
        MITID_ONLY_FOR_MUNICIPAL_STAFF="true",
    )
    assert seen["mitid"]["DISCOVERY_URL"] == (
        "https://broker.example/.well-known/openid-configuration"
    )
    assert seen["mitid"]["CLIENT_ID"] == "partnerskab"
    assert seen["mitid"]["SCOPES"] == ["openid", "nemlogin"]
    assert seen["mitid"]["CLAIMS"]["cvr"] == "https://data.gov.dk/model/core/eid/professional/cvr"
    assert seen["only_mitid"] is True


def test_write_limits_come_from_the_environment_and_a_malformed_one_stops_the_start():
    script = (
        "import json, django; django.setup(); from django.conf import settings as s;"
        "print(json.dumps(s.WRITE_LIMITS))"
    )
    result = run(["-c", script], LIMIT_POSTS="20/m", LIMIT_POST_REPORTS="3/10m")
    assert result.returncode == 0, result.stderr
    limits = json.loads(result.stdout)
    assert limits["posts"] == "20/m" and limits["post_reports"] == "3/10m"
    assert limits["experience_reports"] == "3/m"

    refused = run(["manage.py", "check"], LIMIT_POSTS="8 per minute")
    assert refused.returncode != 0
    assert "LIMIT_POSTS" in refused.stderr and "count/period" in refused.stderr
