-- How many indicators can enter a composite (higher or lower is better): sizes the finder's choice.
WITH final AS (
    SELECT count(*) AS indicators
    FROM indicators
    WHERE polarity IN ('higher', 'lower')
)

SELECT * FROM final
