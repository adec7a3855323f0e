"""The data contract: which files a source may hold and the columns each must have.

See docs/data-contract.md for the prose version.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FileSpec", "FILE_SPECS", "POLARITIES", "ROLES", "STATUSES", "AGGREGATIONS", "PEER_SET_KINDS"]

POLARITIES = ("higher", "lower", "neutral")
ROLES = ("driver", "enabler")
AGGREGATIONS = ("sum", "mean")
PEER_SET_KINDS = ("family", "neighbours")  # numbered groups | ranked neighbour lists
# Statuses a value may carry; empty means an ordinary published value.
STATUSES = ("suppressed", "estimate", "provisional", "missing", "revised")
TRUE_WORDS = ("true", "yes", "y", "1", "t")
FALSE_WORDS = ("false", "no", "n", "0", "f")
MAX_DECIMALS = 6


@dataclass(frozen=True)
class FileSpec:
    """One contract file: its name, required and optional columns, and its staging table."""

    file_name: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()

    @property
    def table(self) -> str:
        """Name of the temporary staging table the file is read into."""
        return "stage_" + self.file_name.removesuffix(".csv")

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


FILE_SPECS: dict[str, FileSpec] = {
    spec.file_name: spec
    for spec in (
        FileSpec(
            "indicators.csv",
            ("indicator_id", "name", "theme", "unit", "polarity", "description", "source"),
            ("min_value", "max_value", "aggregation", "decimals"),
        ),
        FileSpec("values.csv", ("authority_code", "indicator_id", "period", "value"), ("status",)),
        FileSpec(
            "questions.csv",
            ("question_id", "theme", "role", "text"),
            tuple(f"level_{n}" for n in range(1, 6)),
        ),
        FileSpec("responses.csv", ("authority_code", "round", "question_id", "score"), ("published",)),
        # Kept aggregate rows (UK, nations, regions) from imported files: comparators, not councils.
        FileSpec("comparators.csv", ("indicator_id", "period", "area_name", "value"), ("status", "area_code")),
        FileSpec("peer_sets.csv", ("set_id", "name", "kind", "method"), ("description", "variables")),
        FileSpec(
            "peer_set_members.csv",
            ("set_id", "authority_code"),
            ("member_code", "rank", "similarity", "closeness", "group_id"),
        ),
    )
}
