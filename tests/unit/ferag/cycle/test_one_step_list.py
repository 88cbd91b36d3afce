"""The update cycle's steps are listed once (``graphrag_lib.pipeline.STEPS``) and everything
that names them in order is derived from that list: the Celery chain, the worker's tasks, the
self-test, ``ferag pipeline`` (``tests/e2e/test_ferag_pipeline.py``) and the docs' table."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

from celery import Celery

from ferag.cycle.chain import cycle_chain
from graphrag_lib.pipeline import STEP_NAMES, STEPS, steps_from

ROOT = Path(__file__).resolve().parents[4]
DOCS = ROOT / "docs" / "pipeline.md"
HOME = ROOT / "graphrag_lib" / "pipeline.py"


def docs_table() -> str:
    rows = [f"| `{s.name}` | {s.does} | `ferag.cycle.{s.name}` |" for s in STEPS]
    return "\n".join(["| step | what it does | Celery task |", "|---|---|---|", *rows])


def test_the_docs_table_is_the_step_list() -> None:
    text = DOCS.read_text()
    found = re.search(r"<!-- steps:begin[^>]*-->\n(.*?)\n<!-- steps:end -->", text, re.S)
    assert found, "docs/pipeline.md lost its steps:begin/end markers"
    assert found.group(1) == docs_table(), f"paste into docs/pipeline.md:\n{docs_table()}"


def test_the_chain_runs_the_steps_in_order() -> None:
    celery = Celery("ferag-test")
    tasks = [signature.task for signature in cycle_chain(celery, 7).tasks]
    assert tasks == [f"ferag.cycle.{name}" for name in STEP_NAMES]
    assert all(s.args == (7,) and s.immutable for s in cycle_chain(celery, 7).tasks)


def test_a_rebase_chain_runs_merge_and_what_follows() -> None:
    rebase = [s.task for s in cycle_chain(Celery("ferag-test"), 7, start_at="merge").tasks]
    assert rebase == [f"ferag.cycle.{name}" for name in steps_from("merge")]
    assert rebase[0] == "ferag.cycle.merge" and len(rebase) < len(STEP_NAMES)


def test_the_worker_registers_one_task_per_step_and_the_selftest_runs_them() -> None:
    script = (
        "from ferag.worker.app import app; import ferag.worker.cycle; "
        "from ferag.worker.selftest import DEFAULT_STEPS; "
        "print(' '.join(sorted(n for n in app.tasks if n.startswith('ferag.cycle.')))); "
        "print(' '.join(t.name for t in ferag.worker.cycle.TASKS.values())); "
        "print(' '.join(DEFAULT_STEPS))"
    )
    env = {**os.environ, "FERAG_REDIS_URL": "redis://127.0.0.1:1/0"}
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    registered, tasks, selftest = out.stdout.splitlines()[-3:]
    assert tasks.split() == [f"ferag.cycle.{name}" for name in STEP_NAMES]
    assert registered.split() == sorted(tasks.split())
    assert selftest.split() == list(STEP_NAMES)


def _ordered_step_literals(path: Path) -> list[int]:
    """Lines of tuple/list literals of strings that hold three or more step names."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Tuple | ast.List):
            words = [e.value for e in node.elts if isinstance(e, ast.Constant)]
            if len(set(words) & set(STEP_NAMES)) >= 3:
                found.append(node.lineno)
    return found


def test_no_other_module_lists_the_steps() -> None:
    sources = [*(ROOT / "code" / "ferag").rglob("*.py"), *(ROOT / "graphrag_lib").rglob("*.py")]
    sources += [*(ROOT / "bench").rglob("*.py")]
    offenders = {
        str(p.relative_to(ROOT)): lines for p in sources if (lines := _ordered_step_literals(p))
    }
    assert offenders == {}, "list the steps only in graphrag_lib/pipeline.py (STEPS)"
    calls = [n for n in ast.walk(ast.parse(HOME.read_text())) if isinstance(n, ast.Call)]
    names = [c.args[0].value for c in calls if _is_step(c)]  # type: ignore[attr-defined]
    assert tuple(names) == STEP_NAMES


def _is_step(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "Step"
        and isinstance(node.args[0], ast.Constant)
    )
