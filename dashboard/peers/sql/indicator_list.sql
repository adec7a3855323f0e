-- Every indicator's definition, for menus, labels and export headers.
WITH final AS (
    SELECT indicator_id, name, theme, unit, polarity, description, source, decimals, polarity_reason, source_url
    FROM indicators
)
SELECT * FROM final
ORDER BY theme, name, indicator_id
