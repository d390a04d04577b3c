"""Configuration: production refuses to start without its variables; deploy check is clean."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "MOTCUA_ENVIRONMENT": "production",
    "SECRET_KEY": "k" * 10 + "Zq8vN3xT1pR7sL0wY5bH2mJ9cF4gD6aE_-uI" + "k" * 20,
    "DATABASE_URL": "postgres://motcua@localhost:5432/motcua",
    "ALLOWED_HOSTS": "dichvucong.example.gov.vn",
    "MOTCUA_PUBLIC_URL": "https://dichvucong.example.gov.vn",
    "CACHE_URL": "redis://127.0.0.1:6379/0",
    "EMAIL_HOST": "smtp.example.gov.vn",
    "OIDC_ISSUER": "https://vneid.example.gov.vn",
    "OIDC_CLIENT_ID": "motcua",
    "OIDC_CLIENT_SECRET": "not-a-real-secret",
    "MOTCUA_SIGNING_TRUST_ROOTS": "/etc/motcua/ca.pem",
}


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MOTCUA_", "DATABASE_URL", "SECRET_KEY", "CACHE_URL", "DJANGO_"))
    }
    clean.update(env)
    clean["MOTCUA_VAR_DIR"] = str(ROOT / "var" / "prod-check")
    return subprocess.run(
        [sys.executable, "-m", "motcua", *args],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


@pytest.mark.parametrize(
    "missing",
    ["SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "CACHE_URL", "EMAIL_HOST", "MOTCUA_PUBLIC_URL"],
)
def test_production_names_the_missing_variable(missing: str) -> None:
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = _run(env, "check")
    assert result.returncode != 0
    assert missing in result.stderr


def test_malformed_values_are_named() -> None:
    result = _run({**PRODUCTION, "MOTCUA_LOGIN_MAX_FAILURES": "five"}, "check")
    assert result.returncode != 0 and "MOTCUA_LOGIN_MAX_FAILURES" in result.stderr
    result = _run({**PRODUCTION, "MOTCUA_DEBUG": "true"}, "check")
    assert result.returncode != 0 and "MOTCUA_DEBUG" in result.stderr


def test_deploy_check_has_no_warnings_with_production_settings() -> None:
    result = _run(PRODUCTION, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
