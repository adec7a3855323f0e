-- How an indicator's values combine across councils (sum | mean | NULL). Params: $indicator.
WITH final AS (
    SELECT indicator_id, aggregation
    FROM indicators
    WHERE indicator_id = $indicator
)
SELECT * FROM final
