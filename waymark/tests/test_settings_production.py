"""Production settings refuse unsafe values at start-up, and pass Django's deploy checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD = {
    "WAYMARK_ENV": "production",
    "SECRET_KEY": "x" * 20 + "a-long-random-value-for-this-test-only-" + "y" * 20,
    "ALLOWED_HOSTS": "node.example.test",
    "DATABASE_URL": "postgres://waymark@127.0.0.1:5432/waymark",
    "DEBUG": "false",
    # Fictional test-only key-encryption key (base64 of 32 bytes); the vault requires one.
    "WAYMARK_KEK": "1:" + "A" * 43 + "=",
}


def run_manage(env_overrides: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG", "SECRET_KEY"}}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"DEBUG": "true"}, "DEBUG"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS"),
        ({"ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS"),
        ({"DATABASE_URL": "sqlite:////tmp/x.sqlite3"}, "DATABASE_URL"),
        ({"DEBUG": "maybe"}, "DEBUG must be true or false"),
        ({"WAYMARK_REQUIRE_SECOND_FACTOR": "false"}, "WAYMARK_REQUIRE_SECOND_FACTOR"),
    ],
)
def test_production_refuses_unsafe_values_naming_the_variable(override, message):
    result = run_manage({**GOOD, **override}, "check")
    assert result.returncode != 0
    assert message in result.stderr


def test_production_settings_pass_the_deploy_checks():
    result = run_manage(GOOD, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def test_unknown_environment_name_is_refused():
    result = run_manage({"WAYMARK_ENV": "staging"}, "check")
    assert result.returncode != 0
    assert "WAYMARK_ENV" in result.stderr


def test_lock_out_counters_go_to_the_database_or_to_redis_when_configured():
    show = "from django.conf import settings as s; print(s.AXES_HANDLER, s.CACHES['default']['BACKEND'])"
    default = run_manage(GOOD, "shell", "-v", "0", "-c", show)
    assert default.returncode == 0, default.stderr
    assert default.stdout.split()[0] == "axes.handlers.database.AxesDatabaseHandler"
    redis = {**GOOD, "WAYMARK_REDIS_URL": "redis://127.0.0.1:6379/0"}
    with_redis = run_manage(redis, "shell", "-v", "0", "-c", show)
    assert with_redis.stdout.split() == [
        "axes.handlers.cache.AxesCacheHandler",
        "django.core.cache.backends.redis.RedisCache",
    ]
    checked = run_manage(redis, "check", "--deploy", "--fail-level", "WARNING")
    assert checked.returncode == 0, checked.stdout + checked.stderr
