-- Periods that hold indicator values, newest first: the choices of every period menu and,
-- reversed (oldest first), the sequence "K periods ago" counts back along. Periods that start on
-- the same day (a year and a span) order by label, so the reversed list is exactly oldest first.
WITH used AS (
    SELECT DISTINCT period FROM indicator_values
),
final AS (
    SELECT p.period, p.period_start, p.period_end, p.period_kind
    FROM periods p
    JOIN used USING (period)
)
SELECT * FROM final
ORDER BY period_start DESC, period DESC
