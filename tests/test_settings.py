"""Settings come from the environment, are checked as a whole, and keep secrets secret."""

from __future__ import annotations

import pytest

from chalkboard.settings import Settings, SettingsError


def test_dev_defaults_need_nothing_set() -> None:
    """With no environment at all, Chalkboard runs in dev on the embedded database."""
    settings = Settings.from_env({})
    assert settings.env == "dev"
    assert settings.embedded_database
    assert settings.public_base_url == "http://127.0.0.1:8000"
    assert settings.keepalive_seconds > 60  # longer than the ALB's idle timeout


def test_production_names_every_missing_setting_at_once() -> None:
    """Production without SECRET_KEY/DATABASE_URL/https lists each problem and what to set."""
    with pytest.raises(SettingsError) as raised:
        Settings.from_env({"CHALKBOARD_ENV": "production", "PUBLIC_BASE_URL": "http://x.example"})
    message = str(raised.value)
    assert "SECRET_KEY is required" in message
    assert "secrets.token_urlsafe" in message
    assert "DATABASE_URL is required" in message
    assert "must use https://" in message


def test_bad_values_are_explained() -> None:
    """Malformed numbers, URLs, proxies and levels each get a message naming the variable."""
    with pytest.raises(SettingsError) as raised:
        Settings.from_env(
            {
                "PORT": "eighty",
                "DATABASE_URL": "mysql://x",
                "TRUSTED_PROXIES": "10.0.0.0/8, not-an-ip",
                "LOG_LEVEL": "LOUD",
                "SECRET_KEY": "short",
                "DB_POOL_MIN": "20",
                "DB_POOL_MAX": "5",
            }
        )
    message = str(raised.value)
    for expected in (
        "PORT must be a whole number",
        "DATABASE_URL must start with postgresql",
        "TRUSTED_PROXIES",
        "LOG_LEVEL",
        "at least 32 characters",
        "DB_POOL_MIN",
    ):
        assert expected in message


def test_secrets_never_print() -> None:
    """repr() of the settings (as in a traceback or log) shows no secret."""
    settings = Settings.from_env(
        {
            "SECRET_KEY": "k" * 40,
            "DATABASE_URL": "postgresql://app:hunter2-password@db.internal/chalkboard",
        }
    )
    shown = repr(settings) + str(settings.secret_key) + f"{settings.database_url}"
    assert "hunter2" not in shown
    assert "k" * 40 not in shown
    assert settings.secret_key.reveal() == "k" * 40


def test_production_with_everything_set_is_accepted() -> None:
    """A complete production environment builds settings with the ALB's address trusted."""
    settings = Settings.from_env(
        {
            "CHALKBOARD_ENV": "production",
            "SECRET_KEY": "s" * 48,
            "DATABASE_URL": "postgresql://app:pw@db.internal:5432/chalkboard",
            "PUBLIC_BASE_URL": "https://menu.example.com/",
            "TRUSTED_PROXIES": "10.0.0.0/16",
        }
    )
    assert settings.is_https
    assert settings.public_base_url == "https://menu.example.com"
    assert settings.host == "0.0.0.0"
    assert settings.trusted_proxies == ("10.0.0.0/16",)
