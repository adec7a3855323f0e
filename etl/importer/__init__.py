"""Import files in their publishers' own shapes through a TOML mapping spec (docs/importing.md).

``import_file`` reads CSV, xlsx, Parquet or a JSON neighbour list, filters rows, reshapes long or
wide tables, matches councils by code or name against the register (and by the row's period
where a name means different councils over time), reads periods and confidence limits, cleans
text values, and loads the result through the same validation and atomic publish as a contract
source folder. ``prepare_import`` stops before the load, leaving the contract files.
"""

from etl.importer.match import Matcher, normalise_name
from etl.importer.pipeline import ImportJob, import_file, import_files, prepare_import
from etl.importer.report import ImportReport, format_report
from etl.importer.spec import Spec, SpecError, read_spec

__all__ = [
    "ImportJob",
    "ImportReport",
    "Matcher",
    "Spec",
    "SpecError",
    "format_report",
    "import_file",
    "import_files",
    "normalise_name",
    "prepare_import",
    "read_spec",
]
