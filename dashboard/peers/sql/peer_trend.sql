-- One indicator over every period it has values: the council's value against its peer group's
-- median, quartiles (quantile_cont, linear) and min/max, from members' non-NULL values.
-- Params: $codes (member codes), $council, $indicator.
WITH indicator_periods AS (
    SELECT DISTINCT v.period, p.period_start, p.period_kind
    FROM indicator_values v
    JOIN periods p USING (period)
    WHERE v.indicator_id = $indicator
),

group_values AS (
    SELECT period, value
    FROM indicator_values
    WHERE indicator_id = $indicator
      AND value IS NOT NULL
      AND list_contains($codes, authority_code)
),

stats AS (
    SELECT period,
           count(*) AS n_values,
           quantile_cont(value, 0.5) AS median,
           quantile_cont(value, 0.25) AS lower_quartile,
           quantile_cont(value, 0.75) AS upper_quartile,
           min(value) AS min,
           max(value) AS max
    FROM group_values
    GROUP BY period
),

council AS (
    SELECT period, value, status
    FROM indicator_values
    WHERE indicator_id = $indicator AND authority_code = $council
),

final AS (
    SELECT ip.period, ip.period_start, ip.period_kind,
           c.value AS council_value,
           value_status(c.value, c.status) AS council_status,
           coalesce(s.n_values, 0) AS n_values,
           s.median, s.lower_quartile, s.upper_quartile, s.min, s.max
    FROM indicator_periods ip
    LEFT JOIN stats s USING (period)
    LEFT JOIN council c USING (period)
)

SELECT * FROM final
ORDER BY period_start, period
