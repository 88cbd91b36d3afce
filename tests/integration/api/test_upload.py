"""Uploads through the HTTP API: accepted ones open a cycle with their documents; refused ones
get a clear 4xx naming the file and store nothing."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from ferag.cycle.storage import ServiceStorage
from ferag.settings import Settings
from ferag.stack.threaded import ThreadedServer
from ferag.store.client import TripleStore
from ferag.store.space import RagSpace
from graphrag_lib.documents import DocumentDate, PartialDate
from tests.factories import Account, create_rag, session_factory
from tests.fixtures.documents import docx_bytes, pdf_bytes, zip_bytes

RUSSIAN = "Анна Смирнова возглавляет склад «Тайга» в Казани с 2021 года."
Files = list[tuple[str, tuple[str, bytes, str]]]


def files(*items: tuple[str, bytes]) -> Files:
    return [("files", (name, data, "application/octet-stream")) for name, data in items]


@pytest.fixture(scope="module")
def small_limits_api(settings: Settings) -> Iterator[str]:
    """An API whose limits are small enough to hit in a test."""
    from ferag.api.app import create_app

    limited = settings.model_copy(
        update={
            "max_upload_bytes": 20_000,
            "max_upload_files": 3,
            "max_archive_expanded_bytes": 3_000_000,
        }
    )
    with ThreadedServer(create_app(limited)) as server:
        yield server.url


def stored(settings: Settings, rag_id: int) -> dict[str, int]:
    engine = sa.create_engine(settings.require("database_url"))
    with engine.connect() as conn:
        counts = {
            table: conn.execute(
                sa.text(f"SELECT count(*) FROM {table} WHERE rag_id = :r"),  # noqa: S608
                {"r": rag_id},
            ).scalar_one()
            for table in ("cycles", "tasks", "documents")
        }
    engine.dispose()
    return counts


def test_upload_opens_a_cycle_with_documents_paths_and_dates(
    client: httpx.Client, owner: Account, settings: Settings
) -> None:
    archive = zip_bytes(
        {
            "team/notes/kazan.txt": RUSSIAN.encode("cp1251"),
            "team/readme.md": b"# Team\n\nAnna Smirnova leads the Taiga Warehouse.",
        }
    )
    response = client.post(
        f"/rags/{create_rag(client, owner)}/upload",
        headers=owner.headers,
        files=files(("docs.zip", archive), ("memo.txt", b"Memo about Kazan.")),
        data={"dates": '{"team/notes/kazan.txt": "2024-03-31"}', "date": "2024-01-01"},
    )
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["documents"] == 3
    engine = sa.create_engine(settings.require("database_url"))
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT path, format, encoding, document_date::text, text, length(original) "
                "FROM documents WHERE cycle_id = :c ORDER BY path"
            ),
            {"c": body["cycle_id"]},
        ).all()
    engine.dispose()
    by_path = {row[0]: row for row in rows}
    assert set(by_path) == {"memo.txt", "team/notes/kazan.txt", "team/readme.md"}
    kazan = by_path["team/notes/kazan.txt"]
    assert kazan[2] == "cp1251" and kazan[4].strip() == RUSSIAN
    assert kazan[3] == "2024-03-31" and by_path["memo.txt"][3] == "2024-01-01"
    assert kazan[5] == len(RUSSIAN.encode("cp1251"))  # the original bytes are kept


def test_the_cycle_reads_each_document_date_with_its_source(
    client: httpx.Client, owner: Account, settings: Settings, store: TripleStore
) -> None:
    """The upload's date wins, then the document's metadata (read again from the stored
    original), then a date in the path; what the pipeline's to_rdf step gets."""
    rag_id = create_rag(client, owner)
    created = {"created": "2025-11-03T09:00:00Z"}
    response = client.post(
        f"/rags/{rag_id}/upload",
        headers=owner.headers,
        files=files(
            ("given.docx", docx_bytes(["Given."], dates=created)),
            ("minutes.docx", docx_bytes(["Minutes."], dates=created)),
            ("scan.pdf", pdf_bytes(["Scan."], info={"CreationDate": "D:202602"})),
            ("reports/2026-03/news.txt", b"News."),
            ("plain.txt", b"Plain."),
        ),
        data={"dates": '{"given.docx": "2026-01-15"}'},
    )
    assert response.status_code == 202, response.text
    space = RagSpace.of(store, str(settings.base_iri), rag_id)
    storage = ServiceStorage(
        session_factory(settings.require("database_url")),
        space,
        response.json()["cycle_id"],
        settings.home,
    )
    dates = {doc.path: doc.document_date() for doc in storage.documents()}
    assert dates == {
        "given.docx": DocumentDate(PartialDate(2026, 1, 15), "upload"),
        "minutes.docx": DocumentDate(PartialDate(2025, 11, 3), "document-metadata"),
        "scan.pdf": DocumentDate(PartialDate(2026, 2), "document-metadata"),
        "reports/2026-03/news.txt": DocumentDate(PartialDate(2026, 3), "file-name"),
        "plain.txt": None,
    }


def bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in ("big1.txt", "big2.txt"):  # each under the file limit, together over
            archive.writestr(name, b"a" * 2_500_000)
    return buffer.getvalue()


def escaping_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("ok.txt", b"fine text")
        archive.writestr("../evil.txt", b"escape")
    return buffer.getvalue()


REJECTIONS: list[tuple[str, Files, dict[str, Any], int, str]] = [
    ("oversized request", files(("big.txt", b"word " * 5_000)), {}, 413, "upload_too_large"),
    (
        "too many files",
        files(*[(f"f{i}.txt", b"some text") for i in range(4)]),
        {},
        413,
        "too_many_files",
    ),
    ("zip bomb", files(("bomb.zip", bomb())), {}, 413, "archive_too_large"),
    ("path escaping the archive", files(("evil.zip", escaping_zip())), {}, 422, "unsafe_path"),
    ("empty file", files(("empty.txt", b"")), {}, 422, "empty_document"),
    ("unsupported format", files(("tool.exe", b"MZ\x90\x00binary")), {}, 422, "unsupported_format"),
    (
        "binary disguised as text",
        files(("notes.txt", b"\x00\x01\x02" * 300)),
        {},
        422,
        "unsupported_format",
    ),
    ("duplicate paths", files(("a.txt", b"one"), ("a.txt", b"two")), {}, 422, "duplicate_path"),
    ("bad dates", files(("a.txt", b"text")), {"dates": "[1, 2]"}, 422, "invalid_dates"),
]


@pytest.mark.parametrize(
    ("case", "upload", "form", "status", "code"), REJECTIONS, ids=[r[0] for r in REJECTIONS]
)
def test_rejected_uploads_store_nothing(
    small_limits_api: str,
    client: httpx.Client,
    owner: Account,
    settings: Settings,
    case: str,
    upload: Files,
    form: dict[str, Any],
    status: int,
    code: str,
) -> None:
    rag_id = create_rag(client, owner)
    with httpx.Client(base_url=small_limits_api, timeout=30) as http:
        response = http.post(
            f"/rags/{rag_id}/upload", headers=owner.headers, files=upload, data=form
        )
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert len(error["message"]) > 20
    assert stored(settings, rag_id) == {"cycles": 0, "tasks": 0, "documents": 0}


def test_an_upload_without_files_is_422(client: httpx.Client, owner: Account) -> None:
    rag_id = create_rag(client, owner)
    response = client.post(f"/rags/{rag_id}/upload", headers=owner.headers, data={"x": "1"})
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["loc"][-1] == "files"
