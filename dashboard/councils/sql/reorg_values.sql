-- One indicator's values for a list of councils in every period, with the period's dates.
-- Params: $indicator, $codes.
WITH chosen AS (
    SELECT authority_code, period, value, status
    FROM indicator_values
    WHERE indicator_id = $indicator AND list_contains($codes, authority_code)
),
final AS (
    SELECT c.authority_code, c.period, p.period_start, p.period_end, c.value, c.status
    FROM chosen c
    JOIN periods p USING (period)
)
SELECT * FROM final
ORDER BY period_start, authority_code
