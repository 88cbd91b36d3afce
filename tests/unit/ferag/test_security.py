"""The local JWT secret: generated once per home, private, the same for every process."""

from __future__ import annotations

import stat
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from ferag.security import jwt_secret, local_jwt_secret
from ferag.settings import Settings, SettingsError


def test_one_secret_per_home_for_processes_starting_at_once(tmp_path: Path) -> None:
    homes = [tmp_path / "home"] * 8
    with ProcessPoolExecutor(4) as pool:
        secrets = set(pool.map(local_jwt_secret, homes))

    (secret,) = secrets
    assert len(secret) >= 32
    path = tmp_path / "home" / "jwt_secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["jwt_secret"]  # no drafts left
    assert local_jwt_secret(tmp_path / "other") != secret


def test_an_explicit_secret_wins_and_writes_nothing(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, jwt_secret="x" * 40)
    assert jwt_secret(settings) == "x" * 40
    assert not (tmp_path / "jwt_secret").exists()


def test_a_secret_file_readable_by_others_is_made_private(tmp_path: Path) -> None:
    secret = local_jwt_secret(tmp_path)
    (tmp_path / "jwt_secret").chmod(0o644)
    assert local_jwt_secret(tmp_path) == secret
    assert stat.S_IMODE((tmp_path / "jwt_secret").stat().st_mode) == 0o600


def test_an_emptied_secret_file_says_how_to_fix_it(tmp_path: Path) -> None:
    local_jwt_secret(tmp_path)
    (tmp_path / "jwt_secret").write_text("\n")
    with pytest.raises(SettingsError, match="delete it"):
        local_jwt_secret(tmp_path)
