"""Production defaults of the sign-in settings, read by importing the settings module the
way a production process does (DEBUG false)."""

import os
import subprocess
import sys

import pytest


def production_setting(name: str, **env: str) -> str:
    environ = {**os.environ, "DEBUG": "false", "SECRET_KEY": "x" * 60, **env}
    result = subprocess.run(
        [sys.executable, "-c", f"from itsm import settings; print(settings.{name})"],
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_mfa_is_required_for_staff_by_default_in_production():
    assert production_setting("ITSM_MFA_REQUIRED_FOR") == "staff"


def test_mfa_requirement_can_cover_everyone_or_nobody():
    assert production_setting("ITSM_MFA_REQUIRED_FOR", ITSM_MFA_REQUIRED_FOR="everyone") == (
        "everyone"
    )
    assert production_setting("ITSM_MFA_REQUIRED_FOR", ITSM_MFA_REQUIRED_FOR="none") == "none"


def test_an_unknown_mfa_requirement_fails_at_start_up():
    with pytest.raises(AssertionError, match="ITSM_MFA_REQUIRED_FOR must be"):
        production_setting("ITSM_MFA_REQUIRED_FOR", ITSM_MFA_REQUIRED_FOR="admins")


def test_the_failure_limit_and_lifetimes_come_from_the_environment():
    assert production_setting("AXES_FAILURE_LIMIT", ITSM_SIGNIN_FAILURE_LIMIT="8") == "8"
    assert production_setting("SESSION_COOKIE_AGE", ITSM_SESSION_MAX_SECONDS="3600") == "3600"
    assert production_setting("ITSM_SESSION_IDLE_SECONDS") == "1800"
