-- The stand-in outcome score: each council's mean percentile rank across indicators within
-- the given councils in one period. Polarity-aware (lower-is-better indicators are flipped);
-- neutral indicators are never ranked. 1 = best in every indicator, 0 = worst.
-- Reads no responses. Parameters: $codes (list of authority codes), $period (period label).
WITH values_in_scope AS (
    SELECT v.indicator_id, v.authority_code, v.value, i.polarity
    FROM indicator_values v
    JOIN indicators i USING (indicator_id)
    WHERE v.period = $period::VARCHAR
      AND list_contains($codes, v.authority_code)
      AND v.value IS NOT NULL
      AND i.polarity IN ('higher', 'lower')
),
ranked AS (
    SELECT indicator_id, authority_code,
           CASE WHEN count(*) OVER (PARTITION BY indicator_id) = 1 THEN 0.5
                WHEN polarity = 'higher'
                    THEN percent_rank() OVER (PARTITION BY indicator_id ORDER BY value)
                ELSE percent_rank() OVER (PARTITION BY indicator_id ORDER BY value DESC)
           END AS percentile
    FROM values_in_scope
),
final AS (
    SELECT authority_code, avg(percentile) AS outcome_score, count(*) AS indicators_ranked
    FROM ranked
    GROUP BY authority_code
    ORDER BY authority_code
)
SELECT * FROM final
