-- How many values council $council has in each period (of indicator $indicator, or of every
-- indicator when $indicator is NULL), newest first: pages open on a period the council has
-- figures for (statistics.default_period).
-- Params: $council, $indicator (NULL: every indicator).
WITH own AS (
    SELECT period, count(*) AS n_values
    FROM indicator_values
    WHERE authority_code = $council
      AND value IS NOT NULL
      AND ($indicator IS NULL OR indicator_id = $indicator)
    GROUP BY period
),
final AS (
    SELECT p.period, p.period_start, p.period_kind, o.n_values
    FROM own o
    JOIN periods p USING (period)
)
SELECT * FROM final
ORDER BY period_start DESC, period DESC
