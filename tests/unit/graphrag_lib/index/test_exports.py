"""The public surface of graphrag_lib.index is what its __init__ exports, and no more."""

from __future__ import annotations

import ast
from pathlib import Path

import graphrag_lib.index as index


def test_exported_members() -> None:
    assert sorted(index.__all__) == [
        "GraphRagTables",
        "IndexConfig",
        "IndexResult",
        "IndexingError",
        "IndexingFailed",
        "LlmRejected",
        "LlmUnavailable",
        "index_documents",
        "load_tables",
    ]


def test_every_field_of_the_config_is_described() -> None:
    for name, field in index.IndexConfig.model_fields.items():
        assert field.description, name


def test_the_package_imports_no_service_frameworks() -> None:
    """GraphRAG's own dependencies (litellm, devtools) may load FastAPI or SQLAlchemy; this
    package's modules import none of them, nor ``ferag``."""
    forbidden = {"fastapi", "celery", "sqlalchemy", "redis", "ferag"}
    for module in Path(index.__file__).parent.glob("*.py"):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        names = {
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        }
        names |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert not {name.split(".")[0] for name in names} & forbidden, module.name
