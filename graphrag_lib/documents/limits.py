"""How much one upload may hold; the service builds ``UploadLimits`` from its settings."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

MIB = 1024 * 1024


class UploadLimits(BaseModel):
    """Limits that ``read_upload`` enforces before it returns anything."""

    model_config = ConfigDict(frozen=True)

    max_file_bytes: int = Field(
        50 * MIB, gt=0, description="Largest single document, counted after expanding an archive."
    )
    max_files: int = Field(
        1000, gt=0, description="Most documents in one upload, counted after expanding archives."
    )
    max_total_bytes: int = Field(
        200 * MIB, gt=0, description="Largest sum of all documents of one upload (expanded)."
    )
    max_archive_entries: int = Field(
        10_000,
        gt=0,
        description="Most entries in one archive, counting folders and skipped junk; "
        "checked before the archive's directory is parsed.",
    )
    max_archive_expanded_bytes: int = Field(
        200 * MIB,
        gt=0,
        description="Largest sum of one archive's members once expanded; both the sizes the "
        "archive declares and the bytes actually produced while expanding are counted.",
    )
    max_compression_ratio: float = Field(
        100.0,
        gt=1,
        description="Highest expanded/compressed size ratio of one archive member (zip bombs "
        "reach thousands; text rarely exceeds 20).",
    )
    ratio_check_min_bytes: int = Field(
        1 * MIB,
        ge=0,
        description="Members that expand to less than this are not ratio-checked: a small file "
        "cannot do harm however well it compresses.",
    )
    max_path_depth: int = Field(
        32, gt=0, description="Most folder levels above a document in its path."
    )
