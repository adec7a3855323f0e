"""The data contract: one object per file a source may hold, owning everything about that file.

A :class:`FileSpec` declares a file's columns, its *checked view* (the raw text joined to what
it resolves to: register codes, parsed periods, numbers, known definitions), the checks over
that view, its unique key, and how its checked rows are stored. ``etl.validate`` runs the
checks, ``etl.transform`` stores the rows and ``etl.load`` walks :data:`CONTRACT` in order, so
adding a file or a column is one edit here (plus the column in ``etl/sql/schema.sql``).
See docs/data-contract.md for the prose version.

Invariants: a check's ``where`` is true exactly for the rows that break it; every stored
expression reads only the checked view; files come in :data:`CONTRACT` in an order in which each
file's definitions (indicators, questions, peer sets) are stored before the files that use them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from etl.sqltext import sql_literal, sql_literal_list

__all__ = [
    "Check",
    "UniqueKey",
    "Storage",
    "StreamedRead",
    "FileSpec",
    "CONTRACT",
    "FILE_SPECS",
    "CONTENTS",
    "contents_sql",
    "POLARITIES",
    "ROLES",
    "STATUSES",
    "AGGREGATIONS",
    "PEER_SET_KINDS",
    "TRUE_WORDS",
    "FALSE_WORDS",
    "VALUES_NUMBERS",
]

POLARITIES = ("higher", "lower", "neutral")
ROLES = ("driver", "enabler")
AGGREGATIONS = ("sum", "mean")
PEER_SET_KINDS = ("family", "neighbours")  # numbered groups | ranked neighbour lists
# Statuses a value may carry; empty means an ordinary published value. "unreliable" is low
# reliability (the GSS shorthand [u]): a figure is given, but from a sample too small to trust.
STATUSES = ("suppressed", "estimate", "provisional", "missing", "revised", "unreliable")
TRUE_WORDS = ("true", "yes", "y", "1", "t")
FALSE_WORDS = ("false", "no", "n", "0", "f")
# What a file holds, in the words the app's banner uses ("Indicators: real ...").
INDICATOR_CONTENT = "indicators"
FRAMEWORK_CONTENT = "self-assessment framework"
ANSWERS_CONTENT = "self-assessment answers"
PEER_CONTENT = "peer groups"
CONTENTS = (INDICATOR_CONTENT, FRAMEWORK_CONTENT, ANSWERS_CONTENT, PEER_CONTENT)
MAX_DECIMALS = 6
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"  # ids travel in URLs and file names
SCORE_PATTERN = r"^[1-5]$"
UNKNOWN_CODE = "is not a known authority code (GSS, former GSS or register code)"


@dataclass(frozen=True)
class Check:
    """A named rule: rows of the checked view where ``where`` holds break it.

    ``shown`` is the SQL expression quoted back as the offending value; ``reason`` is SQL
    too, so a reason can carry the row's own figures (e.g. the indicator's maximum).
    """

    column: str
    where: str
    reason: str
    shown: str


@dataclass(frozen=True)
class UniqueKey:
    """What must be unique per file: SQL over the checked view, and how a repeat is named.

    ``after_sort``: repeats are found by scanning the sorted write, where they sit side by side
    (a lag over the stored rows is ~10x cheaper than hashing 16M keys); see
    ``etl.validate.repeated_stored_values``.
    """

    expressions: tuple[str, ...]
    columns: str  # the file's own column names, in key order
    what: str  # the words in "repeats row 2 (same ...)"
    after_sort: bool = False


@dataclass(frozen=True)
class Storage:
    """Where a checked file's rows go: ``table`` and each stored column's SQL over the checked view.

    Every row is also stored with its ``source_name``. How the rows travel:
    - ``sort`` None: inserted into ``table`` now, in file order (definitions);
    - ``sort`` set: collected in ``incoming_<table>`` and written at the end, with the rows kept
      from other sources, in that order;
    - ``deferred`` set: the staging table is kept and the final sorted write reads it through
      this view (the checked view without its check-only lookups, same placeholders), so a
      16-million-row file is transformed and sorted in one pass (values).
    """

    table: str
    columns: tuple[tuple[str, str], ...]
    sort: str | None = None
    deferred: str | None = None

    @property
    def incoming(self) -> str:
        """The temp table that collects this file's rows until the final write."""
        return f"incoming_{self.table}"

    def select_sql(self, view: str, source_name: str) -> str:
        """SELECT of the stored columns (named as stored) from ``view``, source_name included."""
        columns = ", ".join(f"{expression} AS {column}" for column, expression in self.columns)
        return f"SELECT {columns}, {sql_literal(source_name)} AS source_name FROM {view}"


@dataclass(frozen=True)
class StreamedRead:
    """How a large file is checked and stored in the same pass that reads it (values.csv).

    The final sorted write reads the file itself (``etl.valuewrite``), every column as text
    except those in ``types``, which are read as ENUMs of exactly the texts the checks accept
    (``{codes}``: the register's codes, ``{indicators}``: the ids known when the file was
    checked, ``{statuses}``: :data:`STATUSES`), so a code resolves by a cast instead of a join
    and a text outside them stops the read. ``clean`` is SQL over that typed row, the file's
    period (``period_key``, NULL when its text is not a period), the parsed numbers
    (``value_number``...) and the indicator's ``min_value``/``max_value``.

    The promise, tested in tests/test_streamed_read.py: a row ``clean`` passes is one every
    check in ``FileSpec.checks`` passes and that stores the same values. It may refuse rows the
    checks accept (a code in lower case, a status with a capital): any refusal sends the file
    back through the staged checks, which accept what they accept and name file, row, column
    and reason for the rest.
    """

    types: tuple[tuple[str, str], ...]
    clean: str
    status: str  # the stored status over the typed row, as {statuses}
    # The numbers, parsed without trim() (cheaper over 16M rows): when that parse gives a number,
    # trimming first gives the same one (the cast skips ASCII spaces itself); when it gives none
    # for a filled cell (``12`` and a non-breaking space), ``clean`` refuses the row and the
    # staged checks read it with trim().
    numbers: str = ""


@dataclass(frozen=True)
class FileSpec:
    """One contract file: columns, checked view, checks, unique key and storage.

    ``view`` is a SELECT over the staging table ``{stage}`` (``{periods}`` is the file's parsed
    period map, ``{indicators}`` the indicators it may refer to, ``{source}`` the loading
    source's name as a literal). ``defines`` names the id
    column of a definitions file: its rows from sources not being reloaded are kept at the start
    of a load (as ``kept_<table>``), so another source cannot redefine an id. ``holds`` says in
    plain words what the file holds (one of :data:`CONTENTS`): the warehouse records it per loaded
    file, so the app can say which of what a page shows is real and which synthetic.
    """

    file_name: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    view: str = ""
    checks: tuple[Check, ...] = ()
    unique_key: UniqueKey | None = None
    period_column: str | None = None
    storage: Storage | None = None
    defines: str | None = None
    holds: str = ""
    streamed: StreamedRead | None = None

    @property
    def stem(self) -> str:
        return self.file_name.removesuffix(".csv")

    @property
    def table(self) -> str:
        """Name of the temporary staging table the file is read into."""
        return "stage_" + self.stem

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional

    @property
    def scan_table(self) -> str:
        """The temp table a streamed file's scan leaves: each period text and its row count."""
        return f"scan_{self.stem}"

    @property
    def periods_table(self) -> str:
        """The temp table holding each distinct period text of the file, parsed once."""
        return f"{self.stem}_periods"

    @property
    def checked_view(self) -> str:
        """Name of the temp view the checks and the storage read."""
        return f"checked_{self.stem}"

    def view_sql(
        self,
        source_name: str = "",
        stage: str | None = None,
        periods: str | None = None,
        template: str | None = None,
        indicators: str = "indicators",
    ) -> str:
        """The checked view's SQL (or ``template``'s), over ``stage``, ``periods`` and ``indicators``
        (default: this file's own tables and every indicator stored so far)."""
        return (template or self.view).format(
            stage=stage or self.table,
            periods=periods or self.periods_table,
            indicators=indicators,
            source=sql_literal(source_name),
        )


# -- check builders: one per kind of rule, so a rule reads the same in every file ---------------
def _required(*columns: str) -> tuple[Check, ...]:
    return tuple(Check(c, f"coalesce(trim({c}), '') = ''", sql_literal("is required but empty"), c) for c in columns)


def _id_format(column: str) -> Check:
    return Check(
        column,
        f"trim({column}) <> '' AND NOT regexp_full_match(trim({column}), '{ID_PATTERN}')",
        sql_literal("must be letters, digits, '_', '.' or '-' with no spaces"),
        column,
    )


def _known_authority() -> Check:
    return Check(
        "authority_code",
        "trim(authority_code) <> '' AND resolved_authority IS NULL",
        sql_literal(UNKNOWN_CODE),
        "authority_code",
    )


def _known_indicator() -> Check:
    return Check(
        "indicator_id",
        "trim(indicator_id) <> '' AND NOT indicator_known",
        sql_literal("is not an indicator in this source or one already loaded"),
        "indicator_id",
    )


def _period(column: str) -> Check:
    return Check(column, f"trim({column}) <> '' AND period_error IS NOT NULL", "period_error", column)


def _one_of(column: str, words: tuple[str, ...], optional: bool = False) -> Check:
    """The column's lower-cased text is one of ``words`` (or empty, when ``optional``)."""
    present = f"coalesce(trim({column}), '') <> ''" if optional else f"trim({column}) <> ''"
    return Check(
        column,
        f"{present} AND lower(trim({column})) NOT IN {sql_literal_list(words)}",
        sql_literal(f"must be one of {', '.join(words)}{' or empty' if optional else ''}"),
        column,
    )


def _definition(column: str, what: str, owned_hint: str = "") -> tuple[Check, ...]:
    """A definitions file's id: its format, once per file, and not another source's."""
    return (
        _id_format(column),
        Check(column, "duplicate_of IS NOT NULL", f"'repeats the {what} on row ' || (duplicate_of + 2)", column),
        Check(column, "owned_by IS NOT NULL", f"'is already defined by source ' || owned_by{owned_hint}", column),
    )


def _number(column: str, number: str) -> tuple[Check, ...]:
    """An optional numeric cell (``number`` is its TRY_CAST): a number, and a finite one."""
    return (
        Check(
            column, f"coalesce(trim({column}), '') <> '' AND {number} IS NULL", sql_literal("is not a number"), column
        ),
        Check(
            column, f"{number} IS NOT NULL AND NOT isfinite({number})", sql_literal("is not a finite number"), column
        ),
    )


def _confidence_limits() -> tuple[Check, ...]:
    """``lower_ci`` and ``upper_ci``: numbers, both or neither, and around the value.

    Reads the view's ``value_number``, ``lower_number`` and ``upper_number``. Limits may be given
    for an empty value; then only their order is checked.
    """
    both = "isfinite(lower_number) AND isfinite(upper_number)"
    return (
        *_number("lower_ci", "lower_number"),
        *_number("upper_ci", "upper_number"),
        Check(
            "upper_ci",
            "lower_number IS NOT NULL AND coalesce(trim(upper_ci), '') = ''",
            sql_literal("is required when lower_ci is given (give both confidence limits or neither)"),
            "upper_ci",
        ),
        Check(
            "lower_ci",
            "upper_number IS NOT NULL AND coalesce(trim(lower_ci), '') = ''",
            sql_literal("is required when upper_ci is given (give both confidence limits or neither)"),
            "lower_ci",
        ),
        Check(
            "lower_ci",
            "isfinite(lower_number) AND isfinite(value_number) AND lower_number > value_number",
            "'is above the value ' || value_number",
            "lower_ci",
        ),
        Check(
            "upper_ci",
            "isfinite(upper_number) AND isfinite(value_number) AND upper_number < value_number",
            "'is below the value ' || value_number",
            "upper_ci",
        ),
        Check(
            "upper_ci",
            f"{both} AND value_number IS NULL AND upper_number < lower_number",
            "'is below lower_ci ' || lower_number",
            "upper_ci",
        ),
    )


# -- checked-view builders ------------------------------------------------------------------------
def _number_sql(column: str, trimmed: bool = True) -> str:
    """A numeric cell as a DOUBLE, NULL when it is not a number. trim() also strips the Unicode
    spaces spreadsheets leave (a non-breaking space after ``12``), which DuckDB's cast does not;
    without it (the streamed read's quicker parse) such a cell reads as no number at all."""
    return f"TRY_CAST(trim(s.{column}) AS DOUBLE)" if trimmed else f"TRY_CAST(s.{column} AS DOUBLE)"


def _definitions_view(id_column: str, table: str) -> str:
    """A definitions file's checked view: each row, the first row with its id, and which other
    source (if any) already defines that id."""
    return f"""
        SELECT s.rowid AS rid, s.*,
               min(s.rowid) OVER (PARTITION BY trim(s.{id_column})) AS first_rid,
               CASE WHEN s.rowid <> first_rid THEN first_rid END AS duplicate_of,
               o.source_name AS owned_by
        FROM {{stage}} s
        LEFT JOIN kept_{table} o ON o.{id_column} = trim(s.{id_column})"""


def _definitions(
    file_name: str,
    required: tuple[str, ...],
    optional: tuple[str, ...],
    *,
    what: str,
    checks: tuple[Check, ...],
    storage: Storage,
    holds: str,
    owned_hint: str = "",
) -> FileSpec:
    """A definitions file (indicators, questions, peer sets): its first column is the id, every
    required cell must be filled, and an id is defined once, by one source."""
    id_column = required[0]
    return FileSpec(
        file_name,
        required,
        optional,
        view=_definitions_view(id_column, storage.table),
        checks=(*_required(*required), *_definition(id_column, what, owned_hint), *checks),
        storage=storage,
        defines=id_column,
        holds=holds,
    )


def _stored_status(given: str, missing: str = "'missing'") -> str:
    """The stored status: the given one (``given``: SQL, NULL when the cell is empty), else
    ``missing`` for an empty value, else NULL (an ordinary published value)."""
    return f"CASE WHEN {given} IS NOT NULL THEN {given} WHEN value_number IS NULL THEN {missing} END"


# A status is stored lower-case; an empty value with no status is stored as 'missing'.
STORED_STATUS = _stored_status("nullif(lower(trim(status)), '')")


def _confidence_numbers(trimmed: bool = True) -> str:
    """The confidence limits as ``lower_number`` and ``upper_number``."""
    return f"{_number_sql('lower_ci', trimmed)} AS lower_number, {_number_sql('upper_ci', trimmed)} AS upper_number"


# Optional 95% confidence limits of values and comparators: parsed in the view, stored as numbers.
CONFIDENCE_VIEW = _confidence_numbers()
CONFIDENCE_STORED = (("lower_ci", "lower_number"), ("upper_ci", "upper_number"))

INDICATORS = _definitions(
    "indicators.csv",
    ("indicator_id", "name", "theme", "unit", "polarity", "description", "source"),
    ("min_value", "max_value", "aggregation", "decimals", "source_url", "caveats", "polarity_reason"),
    what="indicator",
    holds=INDICATOR_CONTENT,
    owned_hint=" || ' (load that source instead, or rename the indicator)'",
    checks=(
        _one_of("polarity", POLARITIES),
        Check(
            "min_value",
            "coalesce(trim(min_value), '') <> '' AND NOT isfinite(coalesce(TRY_CAST(trim(min_value) AS DOUBLE), 'nan'::DOUBLE))",
            sql_literal("is not a number"),
            "min_value",
        ),
        Check(
            "max_value",
            "coalesce(trim(max_value), '') <> '' AND NOT isfinite(coalesce(TRY_CAST(trim(max_value) AS DOUBLE), 'nan'::DOUBLE))",
            sql_literal("is not a number"),
            "max_value",
        ),
        Check(
            "max_value",
            "TRY_CAST(trim(max_value) AS DOUBLE) < TRY_CAST(trim(min_value) AS DOUBLE)",
            sql_literal("is below min_value"),
            "max_value",
        ),
        _one_of("aggregation", AGGREGATIONS, optional=True),
        Check(
            "decimals",
            f"coalesce(trim(decimals), '') <> '' AND NOT regexp_full_match(trim(decimals), '^[0-{MAX_DECIMALS}]$')",
            sql_literal(f"must be a whole number from 0 to {MAX_DECIMALS}"),
            "decimals",
        ),
    ),
    storage=Storage(
        "indicators",
        (
            ("indicator_id", "trim(indicator_id)"),
            ("name", "trim(name)"),
            ("theme", "trim(theme)"),
            ("unit", "trim(unit)"),
            ("polarity", "lower(trim(polarity))"),
            ("description", "trim(description)"),
            ("source", "trim(source)"),
            ("min_value", "TRY_CAST(trim(min_value) AS DOUBLE)"),
            ("max_value", "TRY_CAST(trim(max_value) AS DOUBLE)"),
            ("aggregation", "nullif(lower(trim(aggregation)), '')"),
            ("decimals", "TRY_CAST(trim(decimals) AS INTEGER)"),
            ("source_url", "nullif(trim(source_url), '')"),
            ("caveats", "nullif(trim(caveats), '')"),
            ("polarity_reason", "nullif(trim(polarity_reason), '')"),
        ),
    ),
)


def _values_numbers(trimmed: bool = True) -> str:
    """A values row's numbers: ``value_number``, ``lower_number`` and ``upper_number``."""
    return f"{_number_sql('value', trimmed)} AS value_number, {_confidence_numbers(trimmed)}"


VALUES_NUMBERS = _values_numbers()
# What a values row resolves to, without the check-only lookup of the indicator's range: the
# final sorted write reads 16M rows through this, and an unused join there costs ~1 s.
VALUES_RESOLVED = f"""
        SELECT s.rowid AS rid, s.*,
               c.authority_code AS resolved_authority,
               p.period_label, p.period_start, p.period_error,
               {VALUES_NUMBERS}
        FROM {{stage}} s
        LEFT JOIN ref.authority_codes c ON c.code = upper(trim(s.authority_code))
        LEFT JOIN {{periods}} p ON p.raw = s.period"""

VALUES = FileSpec(
    "values.csv",
    ("authority_code", "indicator_id", "period", "value"),
    ("status", "lower_ci", "upper_ci"),
    view=f"""
        SELECT r.*, i.indicator_id IS NOT NULL AS indicator_known, i.min_value, i.max_value
        FROM ({VALUES_RESOLVED}) r
        LEFT JOIN {{indicators}} i ON i.indicator_id = trim(r.indicator_id)""",
    checks=(
        *_required("authority_code", "indicator_id", "period"),
        _known_authority(),
        _known_indicator(),
        _period("period"),
        *_number("value", "value_number"),
        Check(
            "value",
            "isfinite(value_number) AND value_number < min_value",
            "'is below the indicator''s min_value ' || min_value",
            "value",
        ),
        Check(
            "value",
            "isfinite(value_number) AND value_number > max_value",
            "'is above the indicator''s max_value ' || max_value",
            "value",
        ),
        _one_of("status", STATUSES, optional=True),
        *_confidence_limits(),
    ),
    unique_key=UniqueKey(
        ("resolved_authority", "trim(indicator_id)", "period_label"),
        "authority_code, indicator_id, period",
        "authority, indicator and period",
        after_sort=True,
    ),
    period_column="period",
    storage=Storage(
        "indicator_values",
        (
            ("indicator_id", "trim(indicator_id)"),
            ("period", "period_label"),
            ("period_start", "period_start"),
            ("authority_code", "resolved_authority"),
            ("value", "value_number"),
            ("status", STORED_STATUS),
            *CONFIDENCE_STORED,
        ),
        sort="indicator_id, period_start, period, authority_code",
        deferred=VALUES_RESOLVED,
    ),
    holds=INDICATOR_CONTENT,
    streamed=StreamedRead(
        types=(("authority_code", "{codes}"), ("indicator_id", "{indicators}"), ("status", "{statuses}")),
        # Each line is one group of checks: codes and ids known (the ENUMs hold no empty or
        # spaced text), a period, a finite value within the indicator's range, confidence limits
        # both or neither, finite, and around the value (or in order when there is no value).
        clean="""authority_code IS NOT NULL AND indicator_id IS NOT NULL AND period_key IS NOT NULL
            AND (value IS NULL OR isfinite(value_number))
            AND NOT coalesce(value_number < min_value OR value_number > max_value, false)
            AND (lower_ci IS NULL) = (upper_ci IS NULL)
            AND (lower_ci IS NULL OR (isfinite(lower_number) AND isfinite(upper_number)
                 AND coalesce(lower_number <= value_number AND value_number <= upper_number,
                              lower_number <= upper_number)))""",
        status=_stored_status("status", missing="'missing'::{statuses}"),
        numbers=_values_numbers(trimmed=False),
    ),
)

# The question lineage: `continues` names the earlier question (of this file or already loaded)
# that a question carries on from, so progress between rounds compares like with like. The
# checked view walks each row's chain of `continues` over this file's and the kept questions
# (every step is one question, so a chain longer than the number of questions has looped).
QUESTION_LINEAGE_VIEW = f"""
        WITH RECURSIVE edges AS (
            SELECT trim(question_id) AS question_id, nullif(trim(continues), '') AS continues FROM {{stage}}
            UNION ALL
            SELECT question_id, continues FROM questions
        ),
        walk(origin, reached, steps) AS (
            SELECT question_id, continues, 1 FROM edges WHERE continues IS NOT NULL
            UNION ALL
            SELECT w.origin, e.continues, w.steps + 1
            FROM walk w JOIN edges e ON e.question_id = w.reached
            WHERE e.continues IS NOT NULL AND w.reached <> w.origin AND w.steps <= (SELECT count(*) FROM edges)
        ),
        looped AS (
            SELECT DISTINCT origin FROM walk WHERE reached = origin
        )
        SELECT q.*,
               nullif(trim(q.continues), '') AS continues_id,
               nullif(trim(q.continues), '') IN (SELECT question_id FROM edges) AS continues_known,
               trim(q.question_id) IN (SELECT origin FROM looped) AS in_cycle
        FROM ({_definitions_view("question_id", "questions")}) q"""

QUESTIONS = replace(
    _definitions(
        "questions.csv",
        ("question_id", "theme", "role", "text"),
        (*(f"level_{n}" for n in range(1, 6)), "continues"),
        what="question",
        holds=FRAMEWORK_CONTENT,
        checks=(
            _one_of("role", ROLES),
            Check(
                "continues",
                "continues_id IS NOT NULL AND NOT continues_known",
                sql_literal("is not a question in this file or one already loaded"),
                "continues",
            ),
            Check(
                "continues",
                "continues_id = trim(question_id)",
                sql_literal("is the question itself (a question cannot continue itself)"),
                "continues",
            ),
            Check(
                "continues",
                "continues_id IS NOT NULL AND continues_id <> trim(question_id) AND in_cycle",
                sql_literal("makes a cycle: following continues from this question leads back to it"),
                "continues",
            ),
        ),
        storage=Storage(
            "questions",
            (
                ("question_id", "trim(question_id)"),
                ("theme", "trim(theme)"),
                ("role", "lower(trim(role))"),
                ("text", "trim(text)"),
                *((f"level_{n}", f"nullif(trim(level_{n}), '')") for n in range(1, 6)),
                ("continues", "continues_id"),
            ),
        ),
    ),
    view=QUESTION_LINEAGE_VIEW,
)

RESPONSES = FileSpec(
    "responses.csv",
    ("authority_code", "round", "question_id", "score"),
    ("published",),
    view="""
        SELECT s.rowid AS rid, s.*,
               c.authority_code AS resolved_authority,
               q.question_id IS NOT NULL AS question_known,
               p.period_label, p.period_start AS round_start, p.period_error
        FROM {stage} s
        LEFT JOIN ref.authority_codes c ON c.code = upper(trim(s.authority_code))
        LEFT JOIN questions q ON q.question_id = trim(s.question_id)
        LEFT JOIN {periods} p ON p.raw = s.round""",
    checks=(
        *_required("authority_code", "round", "question_id", "score"),
        _known_authority(),
        _period("round"),
        Check(
            "question_id",
            "trim(question_id) <> '' AND NOT question_known",
            sql_literal("is not a question in this source or one already loaded"),
            "question_id",
        ),
        Check(
            "score",
            f"trim(score) <> '' AND NOT regexp_full_match(trim(score), '{SCORE_PATTERN}')",
            sql_literal("must be a whole number from 1 to 5"),
            "score",
        ),
        Check(
            "published",
            f"coalesce(trim(published), '') <> '' AND lower(trim(published)) NOT IN {sql_literal_list(TRUE_WORDS + FALSE_WORDS)}",
            sql_literal("must be true or false"),
            "published",
        ),
    ),
    unique_key=UniqueKey(
        ("resolved_authority", "period_label", "trim(question_id)"),
        "authority_code, round, question_id",
        "authority, round and question",
    ),
    period_column="round",
    storage=Storage(
        "responses",
        (
            ("authority_code", "resolved_authority"),
            ("round", "period_label"),
            ("round_start", "round_start"),
            ("question_id", "trim(question_id)"),
            ("score", "CAST(trim(score) AS INTEGER)"),
            (
                "published",
                f"coalesce(trim(published), '') = '' OR lower(trim(published)) IN {sql_literal_list(TRUE_WORDS)}",
            ),
        ),
        sort="round_start, question_id, authority_code",
    ),
    holds=ANSWERS_CONTENT,
)

# Kept aggregate rows (UK, nations, regions) from imported files: comparators, not councils.
COMPARATORS = FileSpec(
    "comparators.csv",
    ("indicator_id", "period", "area_name", "value"),
    ("status", "area_code", "lower_ci", "upper_ci"),
    view=f"""
        SELECT s.rowid AS rid, s.*,
               i.indicator_id IS NOT NULL AS indicator_known,
               p.period_label, p.period_start, p.period_error,
               {_number_sql("value")} AS value_number, {CONFIDENCE_VIEW}
        FROM {{stage}} s
        LEFT JOIN indicators i ON i.indicator_id = trim(s.indicator_id)
        LEFT JOIN {{periods}} p ON p.raw = s.period""",
    checks=(
        *_required("indicator_id", "period", "area_name"),
        _known_indicator(),
        _period("period"),
        Check(
            "value",
            "coalesce(trim(value), '') <> '' AND (value_number IS NULL OR NOT isfinite(value_number))",
            sql_literal("is not a finite number"),
            "value",
        ),
        _one_of("status", STATUSES, optional=True),
        *_confidence_limits(),
    ),
    unique_key=UniqueKey(
        ("trim(indicator_id)", "period_label", "lower(trim(area_name))"),
        "indicator_id, period, area_name",
        "indicator, period and area",
    ),
    period_column="period",
    storage=Storage(
        "comparator_values",
        (
            ("indicator_id", "trim(indicator_id)"),
            ("period", "period_label"),
            ("period_start", "period_start"),
            ("area_name", "trim(area_name)"),
            ("area_code", "nullif(trim(area_code), '')"),
            ("value", "value_number"),
            ("status", STORED_STATUS),
            *CONFIDENCE_STORED,
        ),
        sort="indicator_id, period_start, area_name",
    ),
    holds=INDICATOR_CONTENT,
)

PEER_SETS = _definitions(
    "peer_sets.csv",
    ("set_id", "name", "kind", "method"),
    ("description", "variables"),
    what="peer set",
    holds=PEER_CONTENT,
    checks=(_one_of("kind", PEER_SET_KINDS),),
    storage=Storage(
        "peer_sets",
        (
            ("set_id", "trim(set_id)"),
            ("name", "trim(name)"),
            ("kind", "lower(trim(kind))"),
            ("description", "nullif(trim(description), '')"),
            ("method", "trim(method)"),
            ("variables", "nullif(trim(variables), '')"),
        ),
    ),
)

# Members and group descriptions may only refer to sets the same source defines: their views join
# this source's sets only (as ``set_kind``), and this check names a set_id it does not define.
OWN_SET_JOIN = """LEFT JOIN (SELECT set_id, kind FROM peer_sets WHERE source_name = {source}) k
               ON k.set_id = trim(s.set_id)"""


def _own_peer_set() -> Check:
    return Check(
        "set_id",
        "trim(set_id) <> '' AND set_kind IS NULL",
        sql_literal("is not a peer set in this source's peer_sets.csv"),
        "set_id",
    )


PEER_SET_MEMBERS = FileSpec(
    "peer_set_members.csv",
    ("set_id", "authority_code"),
    ("member_code", "rank", "similarity", "closeness", "group_id"),
    view=f"""
        SELECT s.rowid AS rid, s.*,
               c.authority_code AS resolved_authority,
               m.authority_code AS resolved_member,
               k.kind AS set_kind
        FROM {{stage}} s
        LEFT JOIN ref.authority_codes c ON c.code = upper(trim(s.authority_code))
        LEFT JOIN ref.authority_codes m ON m.code = upper(trim(s.member_code))
        {OWN_SET_JOIN}""",
    checks=(
        *_required("set_id", "authority_code"),
        _own_peer_set(),
        _known_authority(),
        Check(
            "member_code",
            "coalesce(trim(member_code), '') <> '' AND resolved_member IS NULL",
            sql_literal(UNKNOWN_CODE),
            "member_code",
        ),
        Check(
            "member_code",
            "set_kind = 'neighbours' AND coalesce(trim(member_code), '') = ''",
            sql_literal("is required for a neighbours set"),
            "member_code",
        ),
        Check(
            "member_code",
            "resolved_member IS NOT NULL AND resolved_member = resolved_authority",
            sql_literal("is the council itself (a council is not its own neighbour)"),
            "member_code",
        ),
        Check(
            "group_id",
            "set_kind = 'family' AND coalesce(trim(group_id), '') = ''",
            sql_literal("is required for a family set"),
            "group_id",
        ),
        Check(
            "rank",
            "coalesce(trim(rank), '') <> '' AND NOT regexp_full_match(trim(rank), '^[1-9][0-9]{0,5}$')",
            sql_literal("must be a whole number from 1"),
            "rank",
        ),
        Check(
            "similarity",
            "coalesce(trim(similarity), '') <> '' AND NOT coalesce(TRY_CAST(trim(similarity) AS DOUBLE) BETWEEN 0 AND 100, false)",
            sql_literal("must be a number from 0 to 100"),
            "similarity",
        ),
    ),
    unique_key=UniqueKey(
        ("trim(set_id)", "resolved_authority", "coalesce(resolved_member, '')"),
        "set_id, authority_code, member_code",
        "set, authority and member",
    ),
    storage=Storage(
        "peer_set_members",
        (
            ("set_id", "trim(set_id)"),
            ("authority_code", "resolved_authority"),
            ("member_code", "resolved_member"),
            ("rank", "TRY_CAST(trim(rank) AS INTEGER)"),
            ("similarity", "TRY_CAST(trim(similarity) AS DOUBLE)"),
            ("closeness", "nullif(trim(closeness), '')"),
            ("group_id", "nullif(trim(group_id), '')"),
        ),
        sort="set_id, authority_code, rank",
    ),
    holds=PEER_CONTENT,
)

# What each group of a family set is like (a publisher's cluster descriptions), for this
# source's family sets only.
PEER_SET_GROUPS = FileSpec(
    "peer_set_groups.csv",
    ("set_id", "group_id", "description"),
    view=f"""
        SELECT s.rowid AS rid, s.*, k.kind AS set_kind
        FROM {{stage}} s
        {OWN_SET_JOIN}""",
    checks=(
        *_required("set_id", "group_id", "description"),
        _own_peer_set(),
        Check(
            "set_id",
            "set_kind IS NOT NULL AND set_kind <> 'family'",
            sql_literal("is not a family set (only family groups have group descriptions)"),
            "set_id",
        ),
    ),
    unique_key=UniqueKey(("trim(set_id)", "trim(group_id)"), "set_id, group_id", "set and group"),
    storage=Storage(
        "peer_set_groups",
        (
            ("set_id", "trim(set_id)"),
            ("group_id", "trim(group_id)"),
            ("description", "trim(description)"),
        ),
        sort="set_id, group_id",
    ),
    holds=PEER_CONTENT,
)

# Load order: each file after the definitions it refers to.
CONTRACT: tuple[FileSpec, ...] = (
    INDICATORS,
    VALUES,
    QUESTIONS,
    RESPONSES,
    COMPARATORS,
    PEER_SETS,
    PEER_SET_MEMBERS,
    PEER_SET_GROUPS,
)
FILE_SPECS: dict[str, FileSpec] = {spec.file_name: spec for spec in CONTRACT}


def contents_sql(file_name_column: str) -> str:
    """SQL naming what the contract file in ``file_name_column`` holds (one of :data:`CONTENTS`;
    NULL for a file the contract does not know), for rows recorded before files said so."""
    cases = " ".join(f"WHEN {sql_literal(spec.file_name)} THEN {sql_literal(spec.holds)}" for spec in CONTRACT)
    return f"CASE {file_name_column} {cases} END"
