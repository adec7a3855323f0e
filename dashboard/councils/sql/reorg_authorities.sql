-- The facts a predecessor series needs: every council's tier, dates, population and successors.
-- No parameters.
WITH final AS (
    SELECT authority_code, short_name, tier, start_date, end_date, population, successor_codes,
           is_current
    FROM ref.authorities
    WHERE is_council
)
SELECT * FROM final
ORDER BY authority_code
