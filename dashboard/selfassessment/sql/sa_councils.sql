-- Current councils to choose from, with the facts a fallback peer group needs.
WITH final AS (
    SELECT authority_code, short_name, official_name, nation, region, authority_type
    FROM ref.authorities
    WHERE is_council AND is_current
    ORDER BY short_name
)
SELECT * FROM final
