-- How many indicators there are in theme $theme ('' = every theme): sizes menus and pages.
-- Params: $theme.
WITH final AS (
    SELECT count(*) AS indicators
    FROM indicators
    WHERE $theme = '' OR theme = $theme
)

SELECT * FROM final
