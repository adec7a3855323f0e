-- How many indicators there are in theme $theme ('' = every theme), only those where higher or
-- lower is better when $rankable_only: sizes menus and pages.
-- Params: $theme, $rankable_only.
WITH final AS (
    SELECT count(*) AS indicators
    FROM indicators
    WHERE ($theme = '' OR theme = $theme)
      AND (NOT $rankable_only OR polarity IN ('higher', 'lower'))
)

SELECT * FROM final
