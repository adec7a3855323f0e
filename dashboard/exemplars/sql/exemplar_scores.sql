-- Percentile ranks, theme scores, completeness and the weighted composite of every council in a
-- peer group, for each requested period. One row per (group, period, council, indicator with a
-- value); a member with no value at all gets one row with a NULL indicator_id, so it is listed.
-- Several peer groups can be scored at once: $group_keys (parallel to $codes) names each member's
-- group, and every rank, count and completeness is computed within its group.
-- The method is documented in docs/exemplar-method.md; in short:
--   pct_rank    = (n_ranked - rank) / (n_ranked - 1): rank 1 = best (polarity-aware, the
--                 polarity_rank macro), ties share the best rank, n_ranked = members with a value;
--                 0.5 when only one has a value.
--   theme_score = indicator-weighted mean of the council's pct_ranks in the theme.
--   composite   = theme-weighted mean of the council's theme scores (themes where it has a value),
--                 NULL when completeness < $min_completeness.
--   completeness = the council's values / chosen indicators with at least one value in the group.
-- Parameters: $codes + $group_keys (members, parallel lists); $periods; $indicator_ids (the chosen
-- indicators) or $all_indicators (true: every rankable one); $weight_ids + $weight_values and
-- $themes + $theme_weights (parallel lists of weights that are not 1; unlisted weigh 1);
-- $min_completeness (0..1); $detail (false: one row per council only, indicator columns NULL --
-- the lean answer when only composites are wanted).
WITH indicator_weights AS (
    SELECT unnest($weight_ids) AS indicator_id, unnest($weight_values)::DOUBLE AS indicator_weight
),
theme_weights AS (
    SELECT unnest($themes) AS theme, unnest($theme_weights)::DOUBLE AS theme_weight
),
members AS (
    SELECT DISTINCT unnest($codes) AS authority_code, unnest($group_keys) AS group_key
),
chosen_periods AS (
    SELECT DISTINCT unnest($periods) AS period
),
-- neutral indicators are never ranked; zero weights mean "not chosen"
weighted AS (
    SELECT i.indicator_id, i.theme, i.polarity,
           coalesce(w.indicator_weight, 1.0) AS indicator_weight,
           coalesce(t.theme_weight, 1.0) AS theme_weight
    FROM indicators i
    LEFT JOIN indicator_weights w USING (indicator_id)
    LEFT JOIN theme_weights t USING (theme)
    WHERE i.polarity IN ('higher', 'lower')
      -- IN (a semi join) rather than list_contains per row: the catalogue may hold a million
      AND ($all_indicators OR i.indicator_id IN (SELECT unnest($indicator_ids)))
),
chosen AS (
    SELECT * FROM weighted WHERE indicator_weight > 0 AND theme_weight > 0
),
group_values AS (
    SELECT m.group_key, v.period, v.authority_code, v.indicator_id, c.theme, c.polarity, v.value,
           c.indicator_weight, c.theme_weight
    FROM indicator_values v
    JOIN chosen c USING (indicator_id)
    JOIN members m USING (authority_code)
    -- `= ANY(list)` filters are checked against each row group's min/max (zone maps), so only
    -- the chosen indicators' rows are read; the joins above then keep the chosen set exactly
    WHERE v.period = ANY($periods)
      AND ($all_indicators OR v.indicator_id = ANY($indicator_ids))
      AND v.value IS NOT NULL
),
-- the polarity_rank macro: 1 = best by polarity, ties share the best rank (every value here is
-- non-missing and every indicator ranked, so n_ranked is the count of the indicator's values)
ranked AS (
    SELECT group_key, period, authority_code, indicator_id, theme, polarity, value,
           indicator_weight, theme_weight,
           polarity_rank(polarity, value, group_key, also := period, and_also := indicator_id) AS indicator_rank,
           ranked_count(polarity, value, group_key, also := period, and_also := indicator_id) AS n_ranked
    FROM group_values
),
percentiles AS (
    SELECT *,
           CASE WHEN n_ranked = 1 THEN 0.5
                ELSE (n_ranked - indicator_rank) / (n_ranked - 1) END AS pct_rank
    FROM ranked
),
-- completeness counts only indicators that apply to this group in this period (some
-- indicators have no rows at all for some authority types)
applicable AS (
    SELECT group_key, period, count(DISTINCT indicator_id) AS n_applicable
    FROM percentiles
    GROUP BY group_key, period
),
theme_scores AS (
    SELECT group_key, period, authority_code, theme,
           any_value(theme_weight) AS theme_weight,
           sum(indicator_weight * pct_rank) / sum(indicator_weight) AS theme_score,
           count(*) AS n_values
    FROM percentiles
    GROUP BY group_key, period, authority_code, theme
),
council_scores AS (
    SELECT group_key, period, authority_code,
           sum(theme_weight * theme_score) / sum(theme_weight) AS raw_composite,
           sum(n_values)::BIGINT AS n_values
    FROM theme_scores
    GROUP BY group_key, period, authority_code
),
councils AS (
    SELECT m.group_key, p.period, m.authority_code, a.n_applicable,
           coalesce(s.n_values, 0) AS n_values,
           coalesce(s.n_values, 0) / a.n_applicable AS completeness,
           s.raw_composite
    FROM members m
    CROSS JOIN chosen_periods p
    JOIN applicable a ON a.period = p.period AND a.group_key = m.group_key
    LEFT JOIN council_scores s
           ON s.group_key = m.group_key AND s.period = p.period AND s.authority_code = m.authority_code
),
-- composites equal to 12 decimals tie (summation order must not break a tie)
scored AS (
    SELECT *,
           CASE WHEN completeness >= $min_completeness THEN round(raw_composite, 12) END AS composite
    FROM councils
),
composite_ranked AS (
    SELECT *,
           CASE WHEN composite IS NOT NULL
                THEN rank() OVER (PARTITION BY group_key, period, composite IS NULL ORDER BY composite DESC)
           END AS composite_rank,
           count(composite) OVER (PARTITION BY group_key, period) AS n_composite
    FROM scored
),
final AS (
    SELECT c.group_key, c.period, c.authority_code, p.indicator_id, p.theme, p.polarity, p.value,
           p.indicator_rank, p.n_ranked, p.pct_rank, p.indicator_weight, p.theme_weight,
           t.theme_score, c.n_values, c.n_applicable, c.completeness, c.raw_composite,
           c.composite, c.composite_rank, c.n_composite
    FROM composite_ranked c
    LEFT JOIN percentiles p
           ON $detail AND p.group_key = c.group_key AND p.period = c.period AND p.authority_code = c.authority_code
    LEFT JOIN theme_scores t
           ON t.group_key = c.group_key AND t.period = c.period AND t.authority_code = c.authority_code
          AND t.theme = p.theme
)
SELECT * FROM final
ORDER BY group_key, period, authority_code, indicator_id
