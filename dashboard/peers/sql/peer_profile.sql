-- A council against its peer group in one period: one row per indicator, for one page of the
-- indicators (in theme order, $limit from $offset; a warehouse may hold a million indicators,
-- and every figure below is read for the page's indicators only).
-- Params: $codes (the peer group's member codes), $council, $period, $min_band_n, $theme (''
-- for every theme), $indicators (the indicator ids to keep; NULL: every one), $limit, $offset.
-- `= ANY($indicators)` on the values too: DuckDB checks it against each row group's min/max, so a
-- short list reads only its indicators' blocks (a semi join alone reads the whole period).
--   * peer statistics use members' non-NULL values only (missing and suppressed are left out);
--     quartiles are quantile_cont (linear interpolation, as pandas' default quantile);
--   * rank: the polarity_rank macro (1 = best by polarity, ties share the best rank); neutral: none;
--   * band: the quartile_band macro (1 = best quarter .. 4; a value on a cut point takes the
--     better band; none below $min_band_n values); only when the council is in the group;
--   * change (rounded to 10 decimals): against the council's latest earlier period of the same
--     kind that has a value (direction: the change_direction macro); previous_consecutive is
--     false when that period is not the one just before.
--   * lower_ci, upper_ci: the council's 95% confidence limits when published; mad: the group's
--     median absolute deviation, median(|value - median|), unscaled (DuckDB mad()); the labels
--     built on them (significance, distance in MADs) are dashboard.peers.significance's.
WITH indicators AS (
    SELECT indicator_id, name, theme, unit, polarity, decimals
    FROM indicators
    WHERE ($theme = '' OR theme = $theme) AND ($indicators IS NULL OR indicator_id = ANY($indicators))
    ORDER BY theme, name, indicator_id
    LIMIT $limit OFFSET $offset
),

chosen_period AS (
    SELECT period, period_start, period_kind
    FROM periods
    WHERE period = $period
),

members AS (
    SELECT DISTINCT unnest($codes) AS authority_code
),

-- The group's and the council's values in $period, read once for both (is_period narrows the
-- scan by the label's year first); the semi join keeps a group's worth. `= ANY($indicators)`
-- (not a join, not list_contains) is a filter DuckDB checks against each row group's min/max
-- indicator, so a theme's or a few indicators' profile skips the rest of the table.
period_rows AS (
    SELECT v.indicator_id, v.authority_code, v.value, v.status, v.lower_ci, v.upper_ci
    FROM indicator_values v
    SEMI JOIN (SELECT authority_code FROM members UNION SELECT $council) w USING (authority_code)
    SEMI JOIN indicators USING (indicator_id)
    WHERE is_period(v.period, v.period_start, $period)
      AND ($indicators IS NULL OR v.indicator_id = ANY($indicators))
),

-- a join, not list_contains per row: one hash lookup per value instead of a list scan
group_values AS (
    SELECT r.indicator_id, r.authority_code, r.value
    FROM period_rows r
    JOIN members m USING (authority_code)
    WHERE r.value IS NOT NULL
),

ranked AS (
    SELECT g.indicator_id, g.authority_code,
           polarity_rank(i.polarity, g.value, g.indicator_id) AS rank
    FROM group_values g
    JOIN indicators i USING (indicator_id)
),

stats AS (
    SELECT indicator_id,
           count(*) AS n,
           quantile_cont(value, 0.5) AS median,
           quantile_cont(value, 0.25) AS lower_quartile,
           quantile_cont(value, 0.75) AS upper_quartile,
           min(value) AS min,
           max(value) AS max,
           avg(value) AS mean,
           mad(value) AS mad
    FROM group_values
    GROUP BY indicator_id
),

council_now AS (
    SELECT indicator_id, value, status, lower_ci, upper_ci
    FROM period_rows
    WHERE authority_code = $council
),

council_earlier AS (
    SELECT v.indicator_id, v.period, v.value, p.period_start, p.period_end
    FROM indicator_values v
    JOIN periods p USING (period)
    JOIN chosen_period c ON p.period_kind = c.period_kind AND p.period_start < c.period_start
    SEMI JOIN indicators USING (indicator_id)
    WHERE v.authority_code = $council AND v.value IS NOT NULL
      AND ($indicators IS NULL OR v.indicator_id = ANY($indicators))
),

previous AS (
    SELECT indicator_id,
           arg_max(period, period_start) AS previous_period,
           arg_max(value, period_start) AS previous_value,
           arg_max(period_end, period_start) AS previous_end
    FROM council_earlier
    GROUP BY indicator_id
),

joined AS (
    SELECT i.indicator_id, i.name, i.theme, i.unit, i.polarity, i.decimals,
           $period AS period,
           n.value, n.status,
           s.n, s.median, s.lower_quartile, s.upper_quartile, s.min, s.max, s.mean,
           r.rank,
           p.previous_period, p.previous_value,
           round(n.value - p.previous_value, 10) AS change,  -- strip binary float noise (12.4 - 12.3)
           p.previous_end + 1 = c.period_start AS previous_consecutive,
           n.lower_ci, n.upper_ci, s.mad
    FROM indicators i
    CROSS JOIN chosen_period c
    LEFT JOIN council_now n USING (indicator_id)
    LEFT JOIN stats s USING (indicator_id)
    LEFT JOIN ranked r ON r.indicator_id = i.indicator_id AND r.authority_code = $council
    LEFT JOIN previous p USING (indicator_id)
),

final AS (
    SELECT indicator_id, name, theme, unit, polarity, decimals, period, value,
           value_status(value, status) AS status,
           median, lower_quartile, upper_quartile, min, max, mean,
           rank,
           CASE WHEN polarity <> 'neutral' THEN coalesce(n, 0) END AS n_ranked,
           coalesce(n, 0) AS n_values,
           CASE WHEN list_contains($codes, $council)
                THEN quartile_band(polarity, value, lower_quartile, median, upper_quartile, n, $min_band_n)
           END AS band,
           previous_period, previous_value, change,
           change_direction(polarity, change) AS direction,
           previous_consecutive,
           lower_ci, upper_ci, mad
    FROM joined
)

SELECT * FROM final
ORDER BY theme, name, indicator_id
