"""A cycle's states move only along the transition table, and only ``ferag.cycle.lifecycle``
moves them."""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ferag.cycle import lifecycle
from ferag.db.models import Cycle, CycleStatus
from ferag.errors import Conflict

ROOT = Path(__file__).resolve().parents[4]
S = CycleStatus


def cycle_in(status: CycleStatus) -> Cycle:
    return Cycle(id=7, rag_id=1, status=status, steps={}, stats={}, base_version=0)


@pytest.mark.parametrize("action", sorted(lifecycle.TRANSITIONS))
def test_every_action_is_refused_from_the_states_it_does_not_leave(action: str) -> None:
    transition = lifecycle.TRANSITIONS[action]
    for status in set(S) - transition.sources:
        with pytest.raises(Conflict) as refused:
            lifecycle.check(cycle_in(status), action)
        assert refused.value.code == transition.code
        assert refused.value.message.startswith(f"cycle 7 is {status.value}; only")


def test_a_cycle_runs_its_steps_then_waits_for_review() -> None:
    cycle = cycle_in(S.pending)
    lifecycle.claim_step(cycle, "index", "celery-1")
    assert cycle.status is S.running and cycle.steps["index"]["status"] == "running"
    assert not lifecycle.finish_step(cycle, "index", {"entities": 3}, (), last=False)
    lifecycle.claim_step(cycle, "staging", "celery-2", worker="ferag@host-b")
    warned = ("a batch fell back",)
    assert lifecycle.finish_step(cycle, "staging", {"staged_add": 9}, warned, last=True)
    assert cycle.status.value == "review"
    assert lifecycle.done_stats(cycle) == {"index": {"entities": 3}, "staging": {"staged_add": 9}}
    assert lifecycle.warnings(cycle) == [("staging", "a batch fell back")]
    assert cycle.steps["staging"]["started_at"] <= cycle.steps["staging"]["finished_at"]
    assert cycle.steps["staging"]["worker"] == "ferag@host-b"  # where it ran, kept once done


def test_a_failed_step_is_retried_without_the_steps_done() -> None:
    cycle = cycle_in(S.running)
    lifecycle.finish_step(cycle, "index", {}, (), last=False)
    lifecycle.claim_step(cycle, "to_rdf", None, worker="ferag@host-a")
    assert lifecycle.fail_step(cycle, "to_rdf", "ValueError: bad table")
    assert cycle.steps["to_rdf"]["worker"] == "ferag@host-a"
    assert (cycle.status, cycle.failed_step) == (S.failed, "to_rdf")
    assert cycle.error == "ValueError: bad table"
    assert cycle.steps["to_rdf"]["status"] == "failed"
    lifecycle.retry(cycle)
    assert cycle.status is S.pending and cycle.error is None
    assert list(cycle.steps) == ["index"] and lifecycle.is_step_done(cycle, "index")


def test_a_cancelled_cycle_stays_cancelled_when_its_running_step_fails_or_finishes() -> None:
    cycle = cycle_in(S.running)
    lifecycle.cancel(cycle)
    assert not lifecycle.fail_step(cycle, "index", "terminated")
    assert not lifecycle.finish_step(cycle, "staging", {}, (), last=True)
    assert cycle.status is S.cancelled and cycle.failed_step is None


def test_a_rebase_runs_merge_again_on_the_new_version() -> None:
    cycle = cycle_in(S.review)
    for step in ("index", "merge", "staging"):
        lifecycle.finish_step(cycle, step, {}, (), last=False)
    lifecycle.mark_stale(cycle)
    lifecycle.rebase(cycle, 4, ("merge", "staging"))
    assert (cycle.status, cycle.base_version, list(cycle.steps)) == (S.running, 4, ["index"])


def _status_writes(path: Path) -> list[int]:
    """Lines that assign a cycle status: ``cycle.status = …``, ``x.status = CycleStatus…`` or
    ``.values(status=CycleStatus…)``."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        targets = node.targets if isinstance(node, ast.Assign) else []
        for target in targets:
            if not (isinstance(target, ast.Attribute) and target.attr == "status"):
                continue
            assert isinstance(node, ast.Assign)
            written = ast.unparse(target.value) + " " + ast.unparse(node.value)
            if "cycle" in written.lower() or "TRANSITIONS" in written:
                lines.append(node.lineno)
        if isinstance(node, ast.keyword) and node.arg == "status":
            written = ast.unparse(node.value)
            if "CycleStatus" in written or "TRANSITIONS" in written:
                lines.append(node.value.lineno)
    return lines


def test_no_other_module_writes_a_cycle_status() -> None:
    home = ROOT / "code" / "ferag" / "cycle" / "lifecycle.py"
    writers = {
        str(path.relative_to(ROOT)): lines
        for path in (ROOT / "code" / "ferag").rglob("*.py")
        if path != home and (lines := _status_writes(path))
    }
    assert writers == {}, "change a cycle's status through ferag.cycle.lifecycle"
    assert _status_writes(home), "the check no longer sees the lifecycle's own writes"


def test_a_running_step_is_held_while_its_lease_is_live() -> None:
    cycle = cycle_in(S.pending)
    lifecycle.claim_step(cycle, "index", "celery-1", lease_s=60)
    now = datetime.now(UTC)

    assert lifecycle.is_step_held(cycle, "index", now)
    assert lifecycle.lapsed_step(cycle, now) is None
    later = now + timedelta(seconds=61)
    assert not lifecycle.is_step_held(cycle, "index", later)  # its worker stopped renewing
    assert lifecycle.lapsed_step(cycle, later) == "index"


def test_only_the_holder_renews_the_lease() -> None:
    cycle = cycle_in(S.pending)
    lifecycle.claim_step(cycle, "index", "celery-1", lease_s=1)
    before = lifecycle.step_records(cycle)["index"].lease_until
    assert before is not None

    assert lifecycle.renew_lease(cycle, "index", "celery-1", 600)
    renewed = lifecycle.step_records(cycle)["index"].lease_until
    assert renewed is not None and renewed > before + timedelta(seconds=500)
    assert not lifecycle.renew_lease(cycle, "index", "celery-2", 600)
    lifecycle.finish_step(cycle, "index", {}, (), last=False)
    assert not lifecycle.renew_lease(cycle, "index", "celery-1", 600)  # done: nothing to hold


def test_a_released_step_is_claimable_and_lapses_again_if_nobody_claims_it() -> None:
    cycle = cycle_in(S.pending)
    lifecycle.claim_step(cycle, "merge", "celery-1", lease_s=60)
    lifecycle.release_step(cycle, "merge", 30)
    now = datetime.now(UTC)

    assert not lifecycle.is_step_held(cycle, "merge", now)  # the requeued task may claim it
    assert lifecycle.lapsed_step(cycle, now) is None  # and has 30 s to do so
    assert lifecycle.lapsed_step(cycle, now + timedelta(seconds=31)) == "merge"
    lifecycle.claim_step(cycle, "merge", "celery-2", lease_s=60)
    assert lifecycle.is_step_held(cycle, "merge") and cycle.celery_task_id == "celery-2"


def test_a_step_recorded_without_a_lease_counts_as_lapsed() -> None:
    cycle = cycle_in(S.running)
    cycle.steps = {"index": {"status": "running", "started_at": "2024-01-01T00:00:00Z"}}
    cycle.celery_task_id = "celery-old"

    assert not lifecycle.is_step_held(cycle, "index")
    assert lifecycle.lapsed_step(cycle) == "index"
