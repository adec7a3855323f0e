-- Periods that hold indicator values, newest first (the outcome axis picks one).
WITH final AS (
    SELECT p.period, p.period_start
    FROM periods p
    WHERE p.period IN (SELECT DISTINCT period FROM indicator_values)
    ORDER BY p.period_start DESC
)
SELECT * FROM final
