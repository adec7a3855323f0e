-- Council $council's own values of the indicators $indicators (the profile's page of them) in
-- the periods of $period's kind up to and including $period, oldest first: the profile table's
-- small trend line per indicator.
-- Params: $council, $period, $indicators.
WITH chosen AS (
    SELECT period_start, period_kind
    FROM periods
    WHERE period = $period
),
final AS (
    SELECT v.indicator_id, v.period, v.period_start, v.value
    FROM indicator_values v
    JOIN periods p USING (period)
    JOIN chosen c ON p.period_kind = c.period_kind AND p.period_start <= c.period_start
    SEMI JOIN (SELECT unnest($indicators::VARCHAR[]) AS indicator_id) chosen_ids USING (indicator_id)
    WHERE v.authority_code = $council
      AND v.value IS NOT NULL
)
SELECT * FROM final
ORDER BY indicator_id, period_start
