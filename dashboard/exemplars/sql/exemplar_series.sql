-- Each council's most recent values of each chosen indicator up to $period: the points of the
-- tested trend (dashboard/exemplars/trend.py; docs/exemplar-method.md "Tested trend").
-- A series is the council's own values (missing and suppressed left out) in periods of the same
-- kind as $period (financial years with financial years...) that start on or before it, latest
-- $points of them; only series whose latest value is in $period itself are returned (a trend
-- that stopped earlier says nothing about now). `back` counts back from 1 = $period; `series`
-- numbers the (council, indicator) series from 0, in the order rows are returned.
-- Params: $codes (councils), $period, $indicator_ids (chosen indicators), $points.
WITH chosen_period AS (
    SELECT period, period_start, period_kind
    FROM periods
    WHERE period = $period
),
members AS (
    SELECT DISTINCT unnest($codes) AS authority_code
),
chosen AS (
    SELECT indicator_id, polarity
    FROM indicators
    WHERE indicator_id IN (SELECT unnest($indicator_ids))  -- a semi join, not a list scan per row
),
same_kind AS (
    SELECT p.period
    FROM periods p
    JOIN chosen_period c ON p.period_kind = c.period_kind AND p.period_start <= c.period_start
),
series AS (
    SELECT v.authority_code, v.indicator_id, c.polarity, v.period, v.period_start, v.value,
           v.lower_ci, v.upper_ci,
           row_number() OVER (PARTITION BY v.authority_code, v.indicator_id ORDER BY v.period_start DESC) AS back
    FROM indicator_values v
    JOIN chosen c USING (indicator_id)
    JOIN members m USING (authority_code)
    JOIN same_kind k USING (period)
    WHERE v.value IS NOT NULL
),
current_series AS (
    SELECT authority_code, indicator_id
    FROM series
    WHERE back = 1 AND period = $period
),
final AS (
    SELECT s.authority_code, s.indicator_id, s.polarity, s.period, s.period_start, s.value,
           s.lower_ci, s.upper_ci, s.back,
           dense_rank() OVER (ORDER BY s.authority_code, s.indicator_id) - 1 AS series
    FROM series s
    SEMI JOIN current_series USING (authority_code, indicator_id)
    WHERE s.back <= $points
)
SELECT * FROM final
ORDER BY authority_code, indicator_id, period_start
