"""Import files in their publishers' own shapes through a TOML mapping spec (docs/importing.md).

``import_file`` reads CSV, xlsx or Parquet, reshapes long or wide tables, matches councils by
code or name against the register, cleans text values, and loads the result through the same
validation and atomic publish as a contract source folder.
"""

from etl.importer.match import Matcher, normalise_name
from etl.importer.pipeline import import_file
from etl.importer.report import ImportReport, format_report
from etl.importer.spec import Spec, SpecError, read_spec

__all__ = [
    "ImportReport",
    "Matcher",
    "Spec",
    "SpecError",
    "format_report",
    "import_file",
    "normalise_name",
    "read_spec",
]
