"""What every benchmark records next to its numbers: the machine, and its own ``##`` section of
``docs/benchmarks.md`` (replaced in place, the other sections kept)."""

from __future__ import annotations

import os
import platform
import re
from pathlib import Path


def machine() -> dict[str, str]:
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    mem_kb = re.search(r"^MemTotal:\s*(\d+)", meminfo, re.M)
    return {
        "CPU": model.group(1).strip() if model else platform.processor() or "unknown",
        "cores (nproc)": str(os.cpu_count()),
        "memory": f"{int(mem_kb.group(1)) / 1024 / 1024:.1f} GiB" if mem_kb else "unknown",
        "Python": platform.python_version(),
        "OS": platform.platform(),
    }


def write_section(path: Path, title: str, section: str) -> None:
    """Replace the section headed ``title`` (e.g. ``## Approval``) in ``path``, or append it."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    start = text.find(title + "\n")
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        following = text.find("\n## ", start + len(title))
        end = len(text) if following == -1 else following + 1
        text = text[:start] + section + ("\n" + text[end:] if following != -1 else "")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
