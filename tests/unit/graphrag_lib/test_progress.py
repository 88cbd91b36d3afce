"""graphrag_lib.progress: the callback protocol steps call, with a no-op default."""

from __future__ import annotations

import subprocess
import sys

from graphrag_lib.progress import NO_PROGRESS, NoProgress, ProgressCallback


def test_the_default_accepts_every_call_and_does_nothing() -> None:
    NO_PROGRESS(1, 10)  # the test is that neither call raises
    NO_PROGRESS(3, None, "3 so far", {"workflow": "extract_graph"})
    assert isinstance(NO_PROGRESS, NoProgress)


def test_any_callable_with_the_signature_is_a_callback() -> None:
    calls: list[tuple[int, int | None, str]] = []

    class Recorder:
        def __call__(
            self,
            done: int,
            total: int | None,
            message: str = "",
            data: dict[str, object] | None = None,
        ) -> None:
            calls.append((done, total, message))

    callback: ProgressCallback = Recorder()
    callback(2, 5, "chunk 2 of 5")
    assert calls == [(2, 5, "chunk 2 of 5")]


def test_the_module_imports_nothing_of_the_service() -> None:
    probe = (
        "import sys, graphrag_lib.progress; "
        "banned = ('ferag', 'fastapi', 'celery', 'sqlalchemy', 'redis'); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in banned))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
