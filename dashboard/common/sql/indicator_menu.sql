-- An indicator menu: up to $limit indicators whose name, theme or code contains $find (any
-- case; '' matches every indicator), in theme order, plus the indicator $current (the one
-- already chosen, so a search never loses it); matched says which rows match. $find is only
-- ever a bound parameter.
-- Params: $find, $current, $limit.
WITH definitions AS (
    SELECT indicator_id, name, theme, unit, polarity, description, source, decimals, polarity_reason, source_url
    FROM indicators
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

current_choice AS (
    SELECT *, false AS matched
    FROM definitions
    WHERE indicator_id = $current
      AND indicator_id NOT IN (SELECT indicator_id FROM matches)
),

final AS (
    SELECT * FROM matches
    UNION ALL
    SELECT * FROM current_choice
)

SELECT * FROM final
ORDER BY theme, name, indicator_id
