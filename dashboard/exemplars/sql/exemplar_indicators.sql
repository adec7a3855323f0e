-- Indicators that can enter a composite (neutral ones are never ranked), by theme: up to $limit
-- whose name, theme or code contains $find (any case; '' matches every one), plus every one of
-- $chosen (those already chosen stay choosable whatever the search). $find is only ever bound.
-- Params: $find, $chosen (indicator ids), $limit.
WITH rankable AS (
    SELECT indicator_id, name, theme, unit, polarity
    FROM indicators
    WHERE polarity IN ('higher', 'lower')
),

matches AS (
    SELECT *
    FROM rankable
    WHERE $find = ''
       OR contains(lower(name), lower($find))
       OR contains(lower(theme), lower($find))
       OR contains(lower(indicator_id), lower($find))
    ORDER BY theme, name, indicator_id
    LIMIT $limit
),

already_chosen AS (
    SELECT *
    FROM rankable
    WHERE indicator_id IN (SELECT unnest($chosen::VARCHAR[]))
),

final AS (
    SELECT * FROM matches
    UNION
    SELECT * FROM already_chosen
)

SELECT * FROM final
ORDER BY theme, name, indicator_id
