"""The Grafana dashboard in ``deploy/grafana/ferag.json`` is a Grafana 10+ dashboard whose
every query reads a metric ferag exports."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ferag.api.metrics import exported_names

DASHBOARD = Path(__file__).resolve().parents[3] / "deploy" / "grafana" / "ferag.json"
METRIC = re.compile(r"\bferag_[a-z0-9_]+\b")
PANEL_TYPES = {"row", "timeseries", "stat", "gauge", "bargauge", "table", "heatmap"}


def dashboard() -> dict[str, Any]:
    return dict(json.loads(DASHBOARD.read_text(encoding="utf-8")))


def queries() -> list[str]:
    return [t["expr"] for p in dashboard()["panels"] for t in p.get("targets", [])]


def test_every_metric_the_dashboard_queries_is_exported() -> None:
    queried = {name for expr in queries() for name in METRIC.findall(expr)}
    assert queried, "the dashboard queries no ferag metric"
    assert queried <= exported_names(), sorted(queried - exported_names())


def test_the_dashboard_covers_every_family() -> None:
    """Each family ferag exports is on some panel (a new metric needs a panel too)."""
    families = {
        re.sub(r"_(bucket|sum|count|total|created)$", "", name) for name in exported_names()
    }
    shown = {
        re.sub(r"_(bucket|sum|count|total|created)$", "", name)
        for expr in queries()
        for name in METRIC.findall(expr)
    }
    assert families <= shown, sorted(families - shown)


def test_it_is_a_grafana_10_dashboard() -> None:
    board = dashboard()
    assert board["schemaVersion"] >= 36 and board["uid"] and board["title"]
    assert "datasource" in {v["name"] for v in board["templating"]["list"]}
    ids = [panel["id"] for panel in board["panels"]]
    assert len(ids) == len(set(ids))
    for panel in board["panels"]:
        assert panel["type"] in PANEL_TYPES
        assert set(panel["gridPos"]) == {"h", "w", "x", "y"}
        assert panel["gridPos"]["x"] + panel["gridPos"]["w"] <= 24
        for target in panel.get("targets", []):
            assert target["datasource"]["uid"] == "${datasource}"
            assert target["expr"].count("(") == target["expr"].count(")")
