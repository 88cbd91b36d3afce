"""GraphRAG's output tables, read back from a run's output directory."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from graphrag_lib.tables import TABLE_NAMES, GraphRagTables


def load_tables(output_dir: Path) -> GraphRagTables:
    """The six tables GraphRAG wrote (``<name>.parquet``) in ``output_dir``."""
    missing = [n for n in TABLE_NAMES if not (output_dir / f"{n}.parquet").is_file()]
    if missing:
        raise FileNotFoundError(
            f"GraphRAG tables missing in {output_dir}: {', '.join(missing)}; run "
            "index_documents into this directory's work dir first"
        )
    frames = {name: pd.read_parquet(output_dir / f"{name}.parquet") for name in TABLE_NAMES}
    return GraphRagTables(**frames)


def table_sizes(output_dir: Path) -> dict[str, int]:
    """Row counts of the tables in ``output_dir``, from the parquet footers."""
    return {
        name: pq.read_metadata(path).num_rows
        for name in TABLE_NAMES
        if (path := output_dir / f"{name}.parquet").is_file()
    }
