"""deploy/ stays in step with Settings: every setting is documented, compose sets only real ones."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from ferag.settings import Settings

DEPLOY = Path(__file__).parents[3] / "deploy"
SETTING_NAMES = {f"FERAG_{name.upper()}" for name in Settings.model_fields}


def test_env_example_lists_every_setting_and_nothing_else() -> None:
    text = (DEPLOY / ".env.example").read_text()
    listed = set(re.findall(r"^#? ?(FERAG_[A-Z0-9_]+)=", text, flags=re.MULTILINE))

    assert SETTING_NAMES - listed == set(), "settings missing from deploy/.env.example"
    assert listed - SETTING_NAMES == {"FERAG_API_PUBLISH_PORT"}


def test_env_example_is_production_with_fuseki() -> None:
    active = dict(
        line.split("=", 1)
        for line in (DEPLOY / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    )

    assert active["FERAG_ENVIRONMENT"] == "production"
    assert active["FERAG_STORE_KIND"] == "fuseki"
    assert active["FERAG_JWT_SECRET"] == ""  # never ship a usable secret


def test_compose_runs_every_service_and_passes_only_real_settings() -> None:
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())

    assert set(compose["services"]) == {"postgres", "redis", "fuseki", "migrate", "api", "worker"}
    assert compose["services"]["postgres"]["image"] == "postgres:16"
    assert compose["services"]["redis"]["image"] == "redis:7"
    assert compose["services"]["fuseki"]["image"].startswith("stain/jena-fuseki")
    for name in ("migrate", "api", "worker"):
        assert set(compose["services"][name]["environment"]) <= SETTING_NAMES
