"""Obtain the pinned Apache Jena Fuseki server jar with Maven, once, and verify it.

Fuseki is not a Python wheel, so it cannot come with ferag's dependencies like Oxigraph does. The
jar ``org.apache.jena:jena-fuseki-server`` (Fuseki main server plus its admin API) is fetched from
Maven Central with ``mvn dependency:copy`` into ferag's cache directory, checked against the
SHA-512 pinned here, and reused by every later run. Nothing else is downloaded. Running it needs
Java 17 or later (Jena 5.x). ``python -m ferag.stack.fuseki_jar`` fetches it ahead of time.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

FUSEKI_VERSION = "5.6.0"
FUSEKI_ARTIFACT = f"org.apache.jena:jena-fuseki-server:{FUSEKI_VERSION}:jar"
# Computed once from the downloaded jar; Maven Central publishes only a SHA-1 for it
# (d926f976adb590bb6a727c6ecb4919ddd69f4c71), which matched that download.
FUSEKI_SHA512 = (
    "6892853e217afde119f9237ad424033c4d309ec7129bed344d0199ad6e233d9f"
    "166610e2040abd42b739ecbe120c4638f2b69ecf1576872669a3403c3391f691"
)
HOW_TO_ENABLE = (
    "install Java 17+ and Maven (Debian: apt-get install openjdk-17-jre-headless maven) with "
    "access to Maven Central, then run `scripts/bootstrap`"
)


class FusekiUnavailable(RuntimeError):
    """Java or Maven is missing, or the jar could not be fetched; the message says how to fix."""


def cache_dir() -> Path:
    """ferag's download cache: ``$FERAG_CACHE_DIR``, else ``$XDG_CACHE_HOME/ferag``, else
    ``~/.cache/ferag``."""
    if explicit := os.environ.get("FERAG_CACHE_DIR"):
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "ferag"


def fuseki_jar_path() -> Path:
    return cache_dir() / "fuseki" / f"jena-fuseki-server-{FUSEKI_VERSION}.jar"


def java_binary() -> str:
    found = shutil.which("java")
    if found is None:
        raise FusekiUnavailable(f"`java` is not on PATH: {HOW_TO_ENABLE}")
    return found


def ensure_fuseki_jar() -> Path:
    """The verified jar in the cache, fetched with Maven first if it is not there yet."""
    jar = fuseki_jar_path()
    if jar.is_file() and _sha512(jar) == FUSEKI_SHA512:
        return jar
    jar.parent.mkdir(parents=True, exist_ok=True)
    # Fetch into a scratch directory beside the cache and rename, so a concurrent or interrupted
    # fetch never leaves a half-written jar where the next run would find it.
    with tempfile.TemporaryDirectory(dir=jar.parent) as scratch:
        fetched = _fetch_with_maven(Path(scratch))
        if (digest := _sha512(fetched)) != FUSEKI_SHA512:
            raise FusekiUnavailable(
                f"{FUSEKI_ARTIFACT} from Maven has SHA-512 {digest}, not the pinned "
                f"{FUSEKI_SHA512}; check the Maven mirror in ~/.m2/settings.xml"
            )
        fetched.replace(jar)
    return jar


def _fetch_with_maven(into: Path) -> Path:
    mvn = shutil.which("mvn")
    if mvn is None:
        raise FusekiUnavailable(f"`mvn` is not on PATH: {HOW_TO_ENABLE}")
    result = subprocess.run(
        [mvn, "-B", "-q", "dependency:copy", f"-Dartifact={FUSEKI_ARTIFACT}",
         f"-DoutputDirectory={into}"],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    jar = into / f"jena-fuseki-server-{FUSEKI_VERSION}.jar"
    if result.returncode != 0 or not jar.is_file():
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-15:])
        raise FusekiUnavailable(f"Maven could not fetch {FUSEKI_ARTIFACT}:\n{tail}")
    return jar


def _sha512(path: Path) -> str:
    digest = hashlib.sha512()
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


if __name__ == "__main__":
    try:
        print(ensure_fuseki_jar())
    except FusekiUnavailable as exc:
        print(f"Fuseki not fetched: {exc}", file=sys.stderr)
        sys.exit(1)
