-- Aggregate areas' values (UK, nations, regions) kept from imported files, for one indicator
-- and period: shown beside a peer group, never ranked with councils. Params: $indicator, $period.
WITH final AS (
    SELECT area_name, area_code, value, status, source_name
    FROM comparator_values
    WHERE indicator_id = $indicator AND period = $period
)
SELECT * FROM final
ORDER BY area_name
