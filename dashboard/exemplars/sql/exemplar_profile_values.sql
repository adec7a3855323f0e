-- The values behind "what a transformed council looks like": for every indicator, the exemplars'
-- values and the compared council's value in one period -- the chosen period, or, for an
-- indicator the publisher does not report for it, the latest earlier period in which an exemplar
-- has a value (real publishers report on different years; the period travels with each row).
-- Parameters: $exemplars (the exemplars' codes), $council (the compared council's code, may be
-- one of them), $period (the chosen period's label). Missing and suppressed values are left out.
WITH chosen AS (
    SELECT period_end FROM periods WHERE period = CAST($period AS VARCHAR)
),
members AS (
    SELECT DISTINCT unnest(list_append($exemplars, CAST($council AS VARCHAR))) AS authority_code
),
known AS (
    SELECT v.indicator_id, v.period, p.period_start, p.period_end, v.authority_code, v.value,
           list_contains($exemplars, v.authority_code) AS is_exemplar
    FROM indicator_values v
    JOIN periods p USING (period)
    JOIN members m USING (authority_code)
    WHERE v.value IS NOT NULL
      AND p.period_end <= (SELECT period_end FROM chosen)
),
latest AS (  -- per indicator, the latest period in which at least one exemplar has a value
    SELECT indicator_id, arg_max(period, period_end) AS period
    FROM known
    WHERE is_exemplar
    GROUP BY indicator_id
),
final AS (
    SELECT i.indicator_id, i.name, i.theme, i.unit, i.polarity, i.decimals,
           k.period, k.authority_code, k.is_exemplar, k.value
    FROM known k
    JOIN latest l USING (indicator_id, period)
    JOIN indicators i USING (indicator_id)
)
SELECT * FROM final
ORDER BY theme, name, indicator_id, authority_code
