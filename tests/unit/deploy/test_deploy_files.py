"""deploy/ stays in step with the code: every setting is documented, compose sets only real ones,
Fuseki is the release the tests run, and every service starts only once what it needs is healthy."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from ferag.settings import Settings
from ferag.stack.fuseki_jar import FUSEKI_SHA512, FUSEKI_VERSION

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
    for name in ("migrate", "api", "worker"):
        assert set(compose["services"][name]["environment"]) <= SETTING_NAMES


def test_fuseki_is_built_from_the_release_and_checksum_the_tests_use() -> None:
    fuseki = _compose()["services"]["fuseki"]
    dockerfile = (DEPLOY / "fuseki" / "Dockerfile").read_text()
    args = dict(re.findall(r"^ARG (\w+)=(\S+)$", dockerfile, flags=re.MULTILINE))
    (base,) = re.findall(r"^FROM (\S+)$", dockerfile, flags=re.MULTILINE)

    assert fuseki["build"]["context"] == "fuseki"
    assert fuseki["image"] == f"ferag-fuseki:{FUSEKI_VERSION}"
    assert args == {"FUSEKI_VERSION": FUSEKI_VERSION, "FUSEKI_SHA512": FUSEKI_SHA512}
    assert re.fullmatch(r"eclipse-temurin:17\.\d+\.\d+_\d+-jre-\w+", base)  # pinned, JRE 17
    assert "https://repo1.maven.org/maven2/org/apache/jena/jena-fuseki-server/" in dockerfile
    assert 'echo "${FUSEKI_SHA512}  /opt/fuseki/fuseki-server.jar" | sha512sum -c -' in dockerfile
    assert "install -y --no-install-recommends curl" in dockerfile  # the health check's tool
    assert re.search(r"^USER fuseki$", dockerfile, flags=re.MULTILINE)


def test_only_the_api_is_published() -> None:
    services = _compose()["services"]

    assert {name for name, service in services.items() if "ports" in service} == {"api"}
    assert all("expose" not in service for service in services.values())


def test_every_long_running_service_has_a_health_check() -> None:
    services = _compose()["services"]

    assert {name for name, service in services.items() if "healthcheck" in service} == {
        "postgres", "redis", "fuseki", "api", "worker"
    }  # fmt: skip
    assert services["fuseki"]["healthcheck"]["test"] == ["CMD", "healthcheck.sh"]
    assert "/$/ping" in (DEPLOY / "fuseki" / "healthcheck.sh").read_text()
    assert "/health/ready" in " ".join(services["api"]["healthcheck"]["test"])


def test_the_worker_health_check_asks_for_the_name_the_worker_runs_under() -> None:
    worker = _compose()["services"]["worker"]
    command = worker["command"]

    name = command[command.index("-n") + 1]
    assert worker["healthcheck"]["test"] == ["CMD", "python", "-m", "ferag.heartbeat", name]


def test_api_and_worker_wait_for_healthy_servers_and_the_migrations() -> None:
    services = _compose()["services"]

    for name in ("api", "worker"):
        assert services[name]["depends_on"] == {
            "migrate": {"condition": "service_completed_successfully"},
            "postgres": {"condition": "service_healthy"},
            "redis": {"condition": "service_healthy"},
            "fuseki": {"condition": "service_healthy"},
        }
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}


def _compose() -> dict[str, Any]:
    compose: dict[str, Any] = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    return compose
