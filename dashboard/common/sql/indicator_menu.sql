-- An indicator menu: up to $limit indicators whose name, theme or code contains $find (any
-- case; '' matches every indicator), in theme order, plus every one of $chosen (those already
-- chosen, so a search never loses them); matched says which rows match. $rankable_only keeps
-- the indicators where higher or lower is better (neutral ones are never ranked). $find is only
-- ever a bound parameter.
-- Params: $find, $chosen (indicator ids), $limit, $rankable_only.
WITH definitions AS (
    SELECT indicator_id, name, theme, unit, polarity, description, source, decimals, polarity_reason, source_url
    FROM indicators
    WHERE NOT $rankable_only OR polarity IN ('higher', 'lower')
),

matches AS (
    SELECT *, true AS matched
    FROM definitions
    WHERE $find = ''
       OR contains(lower(name), lower($find))
       OR contains(lower(theme), lower($find))
       OR contains(lower(indicator_id), lower($find))
    ORDER BY theme, name, indicator_id
    LIMIT $limit
),

already_chosen AS (
    SELECT *, false AS matched
    FROM definitions
    WHERE indicator_id IN (SELECT unnest($chosen::VARCHAR[]))  -- a semi join, not a list scan per row
      AND indicator_id NOT IN (SELECT indicator_id FROM matches)
),

final AS (
    SELECT * FROM matches
    UNION ALL
    SELECT * FROM already_chosen
)

SELECT * FROM final
ORDER BY theme, name, indicator_id
