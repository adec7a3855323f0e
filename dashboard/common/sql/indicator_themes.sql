-- The indicator themes, alphabetically: the theme filters' choices.
WITH final AS (
    SELECT DISTINCT theme FROM indicators
)

SELECT * FROM final
ORDER BY theme
