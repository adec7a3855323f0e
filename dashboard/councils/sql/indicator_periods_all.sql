-- Every period an indicator has values in, with its dates. Params: $indicator.
WITH chosen AS (
    SELECT DISTINCT period FROM indicator_values WHERE indicator_id = $indicator
),
final AS (
    SELECT p.period, p.period_start, p.period_end
    FROM chosen c
    JOIN periods p USING (period)
)
SELECT * FROM final
ORDER BY period_start
