-- Rules the dashboard's queries share, each written once as a persistent DuckDB macro.
--
-- The ETL runs this file right after schema.sql in every new version file (etl/load.py), so
-- the macros are versioned with SCHEMA_VERSION and travel inside the published warehouse; they
-- work through the dashboard's read-only cursors with `$` parameters (temporary macros would
-- not: a read-only connection cannot create them). dashboard.warehouse.FrameWarehouse runs it
-- on its in-memory tables too. A table macro binds to the tables it reads when it is created,
-- which is why this file comes after the schema. Each macro has a test in
-- tests/test_macros.py.

-- Rows of period label `p`. Every canonical label starts with the 4-digit year of its first day
-- (etl/periods.py), so the DATE range, a constant, narrows the scan by zone maps before the
-- label itself is compared: cheap integer compares instead of a string compare on every row.
CREATE MACRO is_period(period, period_start, p) AS
    period_start BETWEEN make_date(TRY_CAST(left(p, 4) AS INTEGER), 1, 1)
                     AND make_date(TRY_CAST(left(p, 4) AS INTEGER), 12, 31)
    AND period = p;

-- THE existence rule: the councils that belong to period `p` (every peer group, ranking,
-- composite, Browse list and export of a period is drawn from these and nothing else).
-- Councils only (is_council; never combined or strategic authorities) that either
--   * existed on at least one day of the period by the register's life dates: started on or
--     before its last day, and not gone by its first day (the register's end_date is the first
--     day the council no longer exists, e.g. 2023-04-01 for the districts Cumberland replaced);
--   * or have any value reported for the period, however outside their life (a publisher
--     restating a new unitary's history on its later boundaries, or reporting a council after
--     its abolition): the comparison is among the councils the publisher compared.
-- dashboard.common.register.belongs_to_period is the same rule for the rare Python caller.
-- Every name inside is prefixed ci_: a macro's parameter is pasted in as written, so a caller's
-- alias (`councils_in(v.period)`) must never meet an alias of the macro's own.
CREATE MACRO councils_in(p) AS TABLE
WITH ci_period AS (
    SELECT ci_p.period_start, ci_p.period_end FROM periods ci_p WHERE ci_p.period = p
),
ci_lived AS (
    SELECT ci_a.authority_code
    FROM ref.authorities ci_a, ci_period ci_c
    WHERE coalesce(ci_a.start_date, DATE '0001-01-01') <= ci_c.period_end
      AND coalesce(ci_a.end_date, DATE '9999-12-31') > ci_c.period_start
),
ci_reported AS (
    SELECT DISTINCT ci_v.authority_code
    FROM indicator_values ci_v
    WHERE is_period(ci_v.period, ci_v.period_start, p)
),
ci_final AS (
    SELECT ci_a.authority_code
    FROM ref.authorities ci_a
    WHERE ci_a.is_council AND ci_a.tier <> 'combined'
      AND (ci_a.authority_code IN (SELECT authority_code FROM ci_lived)
           OR ci_a.authority_code IN (SELECT authority_code FROM ci_reported))
)
SELECT * FROM ci_final;

-- A value turned so that larger is better whatever the polarity: the value for higher-is-better,
-- its negative for lower-is-better, NULL for neutral indicators (never ranked) and missing values.
CREATE MACRO better_value(polarity, value) AS
    CASE polarity WHEN 'higher' THEN value WHEN 'lower' THEN -value END;

-- The rank within a group: `within` is the window's partition (`period`; a group keyed by several
-- columns passes them as `within`, `also`, `and_also`: separate keys partition faster than one row
-- value). 1 = best by polarity, ties share the best rank (SQL rank(): 9, 7, 7, 5 rank 1, 2, 2, 4);
-- missing values and neutral indicators get no rank (they sort last, so they never push a value
-- down).
CREATE MACRO polarity_rank(polarity, value, within, also := NULL, and_also := NULL) AS
    CASE WHEN better_value(polarity, value) IS NOT NULL
         THEN rank() OVER (PARTITION BY within, also, and_also ORDER BY better_value(polarity, value) DESC NULLS LAST)
    END;

-- How many members of the group (keyed as for polarity_rank) are ranked (n of "rank r of n"):
-- those with a value; NULL for neutral indicators, which are never ranked.
CREATE MACRO ranked_count(polarity, value, within, also := NULL, and_also := NULL) AS
    CASE WHEN polarity <> 'neutral' THEN count(value) OVER (PARTITION BY within, also, and_also) END;

-- The status shown beside a value: the publisher's status, or 'missing' when there is no value
-- and no status (no row at all for a member, or an empty cell).
CREATE MACRO value_status(value, status) AS
    coalesce(status, CASE WHEN value IS NULL THEN 'missing' END);

-- Which way a change points: Improving/Worsening by polarity, Increasing/Decreasing for neutral
-- indicators (never called better or worse), 'No change' when equal, NULL when unknown.
CREATE MACRO change_direction(polarity, change) AS
    CASE
        WHEN change IS NULL THEN NULL
        WHEN change = 0 THEN 'No change'
        WHEN polarity = 'higher' THEN CASE WHEN change > 0 THEN 'Improving' ELSE 'Worsening' END
        WHEN polarity = 'lower' THEN CASE WHEN change < 0 THEN 'Improving' ELSE 'Worsening' END
        ELSE CASE WHEN change > 0 THEN 'Increasing' ELSE 'Decreasing' END
    END;

-- The quartile band of `value` against its group's quartiles: 1 = the best quarter (at or beyond
-- the better-side quartile), 2 and 3 split at the median, 4 = the worst quarter; a value on a cut
-- point takes the better band. Neutral indicators are banded by value, 1 = the highest quarter.
-- NULL without a value, or when fewer than `min_n` members have one (`n_values`): quartiles of so
-- few values say nothing about quarters of a group. Pages put the band in words
-- (dashboard.common.bands).
CREATE MACRO quartile_band(polarity, value, lower_quartile, median, upper_quartile, n_values, min_n) AS
    CASE
        WHEN value IS NULL OR coalesce(n_values, 0) < min_n THEN NULL
        WHEN polarity = 'lower' THEN CASE
            WHEN value <= lower_quartile THEN 1
            WHEN value <= median THEN 2
            WHEN value <= upper_quartile THEN 3
            ELSE 4 END
        ELSE CASE
            WHEN value >= upper_quartile THEN 1
            WHEN value >= median THEN 2
            WHEN value >= lower_quartile THEN 3
            ELSE 4 END
    END;

-- The members of a peer group given by their codes, with the names pages show.
CREATE MACRO group_members(codes) AS TABLE
SELECT gm_a.authority_code, gm_a.short_name
FROM ref.authorities gm_a
WHERE list_contains(codes, gm_a.authority_code);

-- The published self-assessment answers of the councils `for_codes` in round `in_round` (NULL:
-- every round), with each question's theme and role. It reads the published_responses view, the
-- warehouse's one disclosure rule, so no unpublished answer can pass.
CREATE MACRO published_answers(for_codes, in_round) AS TABLE
SELECT pa_r.authority_code, pa_r.round, pa_r.round_start, pa_r.question_id, pa_q.theme, pa_q.role, pa_r.score
FROM published_responses pa_r
JOIN questions pa_q ON pa_q.question_id = pa_r.question_id
WHERE list_contains(for_codes, pa_r.authority_code)
  AND (CAST(in_round AS VARCHAR) IS NULL OR pa_r.round = CAST(in_round AS VARCHAR));
