"""Settings: environment names, validation messages that name the setting."""

from __future__ import annotations

import pytest

from ferag.settings import SettingsError, load_settings


def test_environment_variables_are_prefixed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FERAG_STORE_KIND", "fuseki")
    monkeypatch.setenv("FERAG_MAX_UPLOAD_FILES", "7")
    settings = load_settings()
    assert settings.store_kind == "fuseki" and settings.max_upload_files == 7
    assert settings.uses_standin_llm


@pytest.mark.parametrize(
    ("name", "value", "mentioned"),
    [
        ("FERAG_STORE_KIND", "blazegraph", "FERAG_STORE_KIND"),
        ("FERAG_API_PORT", "70000", "FERAG_API_PORT"),
        ("FERAG_BASE_IRI", "not a url", "FERAG_BASE_IRI"),
        ("FERAG_MAX_UPLOAD_BYTES", "-1", "FERAG_MAX_UPLOAD_BYTES"),
    ],
)
def test_invalid_settings_name_the_setting(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, mentioned: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=mentioned):
        load_settings()


def test_production_refuses_default_secret_and_embedded_servers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FERAG_ENVIRONMENT", "production")
    with pytest.raises(SettingsError, match="FERAG_JWT_SECRET"):
        load_settings()
    monkeypatch.setenv("FERAG_JWT_SECRET", "s" * 40)
    with pytest.raises(SettingsError, match="FERAG_DATABASE_URL"):
        load_settings()


def test_the_published_default_secret_is_refused_everywhere(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FERAG_JWT_SECRET", "change-me-local-only")
    with pytest.raises(SettingsError, match="FERAG_JWT_SECRET is a published default"):
        load_settings()


def test_an_empty_secret_means_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FERAG_JWT_SECRET", "")
    assert load_settings().jwt_secret is None  # local mode generates one (ferag.security)
    monkeypatch.setenv("FERAG_ENVIRONMENT", "production")
    with pytest.raises(SettingsError, match="production needs an explicit one"):
        load_settings()


def test_missing_server_url_says_how_to_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FERAG_DATABASE_URL", raising=False)
    with pytest.raises(SettingsError, match="ferag up"):
        load_settings().require("database_url")
