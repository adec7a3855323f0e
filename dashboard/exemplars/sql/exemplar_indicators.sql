-- Indicators that can enter a composite (neutral ones are never ranked), by theme.
WITH rankable AS (
    SELECT indicator_id, name, theme, unit, polarity
    FROM indicators
    WHERE polarity IN ('higher', 'lower')
),
final AS (
    SELECT * FROM rankable
)
SELECT * FROM final
ORDER BY theme, name, indicator_id
