-- Periods that hold indicator values, newest first: the choices of every period menu and,
-- reversed (oldest first), the sequence "K periods ago" counts back along. Periods that start on
-- the same day (a year and a span) order by label, so the reversed list is exactly oldest first.
-- `indicators`: how many indicators have a value in the period (publishers put each indicator on
-- its own calendar, so the newest period may hold only one; pages open on a fuller one).
WITH used AS (
    SELECT period, count(DISTINCT indicator_id) FILTER (WHERE value IS NOT NULL) AS indicators
    FROM indicator_values
    GROUP BY period
),
final AS (
    SELECT p.period, p.period_start, p.period_end, p.period_kind, u.indicators
    FROM periods p
    JOIN used u USING (period)
)
SELECT * FROM final
ORDER BY period_start DESC, period DESC
