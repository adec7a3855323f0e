-- Every peer group member's value for one indicator in each of the chosen periods, with the
-- member's rank within the group in that period (the polarity_rank macro: 1 = best by polarity,
-- ties share the best rank; neutral indicators unranked) and how many members were ranked.
-- Members without a usable value (no row, missing, suppressed) are listed with a NULL value and
-- no rank. Params: $codes (member codes), $indicator, $periods (list of period labels).
WITH indicator AS (
    SELECT indicator_id, polarity
    FROM indicators
    WHERE indicator_id = $indicator
),

members AS (
    SELECT * FROM group_members($codes)
),

chosen_periods AS (
    SELECT period, period_start
    FROM periods
    WHERE list_contains($periods, period)
),

member_values AS (
    SELECT authority_code, period, value, status
    FROM indicator_values
    WHERE indicator_id = $indicator
      AND list_contains($periods, period)
      AND list_contains($codes, authority_code)
),

grid AS (
    SELECT m.authority_code, m.short_name, p.period, p.period_start, v.value,
           value_status(v.value, v.status) AS status
    FROM members m
    CROSS JOIN chosen_periods p
    LEFT JOIN member_values v USING (authority_code, period)
),

ranked AS (
    SELECT g.*,
           i.polarity,
           polarity_rank(i.polarity, g.value, g.period) AS rank,
           ranked_count(i.polarity, g.value, g.period) AS n_ranked
    FROM grid g
    CROSS JOIN indicator i
),

final AS (
    SELECT authority_code, short_name, period, period_start, value, status, polarity, rank, n_ranked
    FROM ranked
)

SELECT * FROM final
ORDER BY period_start, rank NULLS LAST, value DESC NULLS LAST, short_name, authority_code
