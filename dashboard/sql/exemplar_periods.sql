-- Periods that hold indicator values, oldest first: the choices for "period" and the
-- sequence "K periods ago" counts back along.
WITH periods_with_values AS (
    SELECT DISTINCT period FROM indicator_values
),
final AS (
    SELECT p.period, p.period_start, p.period_kind
    FROM periods p
    JOIN periods_with_values USING (period)
)
SELECT * FROM final
ORDER BY period_start, period
