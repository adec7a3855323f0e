"""A fixed export stamp, so export tests compare exact bytes and exact provenance."""

from __future__ import annotations

import datetime as dt

from dashboard.common.exports import ExportStamp

GENERATED = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
STAMP_COLUMNS = (
    "about_data_version",
    "about_synthetic_demo_data",
    "about_figures_published_by",
    "about_reference_data",
    "about_generated_at",
)


def fixed_stamp(data_version: str = "test-v1", synthetic: bool = False) -> ExportStamp:
    """A stamp generated at :data:`GENERATED` for ``data_version``."""
    return ExportStamp(
        data_version=data_version,
        synthetic=synthetic,
        figures_published_by="Test publisher",
        reference_data="mySociety, UK Local Authority Names and Codes (MIT licence, snapshot 2025-07-10)",
        generated_at=GENERATED,
        licences=("MIT",),
    )
