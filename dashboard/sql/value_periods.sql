-- Periods that hold indicator values, newest first (the choices for period menus).
WITH used AS (
    SELECT DISTINCT period FROM indicator_values
),
final AS (
    SELECT p.period, p.period_start, p.period_end, p.period_kind
    FROM periods p
    JOIN used USING (period)
)
SELECT * FROM final
ORDER BY period_start DESC, period
