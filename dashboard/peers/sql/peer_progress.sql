-- Progress of every peer group member on one indicator between two periods: values, change,
-- direction (change_direction macro), and rank in each period within the group (polarity_rank:
-- 1 = best by polarity, ties share the best rank, neutral unranked). rank_change > 0 means the
-- member moved up (towards 1). Params: $codes (member codes), $indicator, $from, $to.
WITH indicator AS (
    SELECT indicator_id, polarity
    FROM indicators
    WHERE indicator_id = $indicator
),

members AS (
    SELECT * FROM group_members($codes)
),

usable AS (
    SELECT authority_code, period, value, status
    FROM indicator_values
    WHERE indicator_id = $indicator
      AND period IN ($from, $to)
      AND list_contains($codes, authority_code)
),

ranked AS (
    SELECT u.authority_code, u.period, u.value, u.status,
           polarity_rank(i.polarity, u.value, u.period) AS rank,
           ranked_count(i.polarity, u.value, u.period) AS n_ranked
    FROM usable u
    CROSS JOIN indicator i
),

paired AS (
    SELECT m.authority_code, m.short_name, i.polarity,
           f.value AS value_from, value_status(f.value, f.status) AS status_from,
           t.value AS value_to, value_status(t.value, t.status) AS status_to,
           round(t.value - f.value, 10) AS change,  -- strip binary float noise
           f.rank AS rank_from, t.rank AS rank_to,
           f.rank - t.rank AS rank_change,
           (SELECT max(n_ranked) FROM ranked WHERE period = $from) AS n_ranked_from,
           (SELECT max(n_ranked) FROM ranked WHERE period = $to) AS n_ranked_to
    FROM members m
    CROSS JOIN indicator i
    LEFT JOIN ranked f ON f.authority_code = m.authority_code AND f.period = $from
    LEFT JOIN ranked t ON t.authority_code = m.authority_code AND t.period = $to
),

final AS (
    SELECT *, change_direction(polarity, change) AS direction
    FROM paired
)

SELECT * FROM final
ORDER BY rank_to NULLS LAST, short_name, authority_code
