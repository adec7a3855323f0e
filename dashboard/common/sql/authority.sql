-- One authority's reference facts (any authority, current or former), by code.
WITH authorities AS (
    SELECT authority_code, short_name, official_name, nation, region, authority_type,
           tier, is_council, is_current, start_date, end_date, successor_codes, population
    FROM ref.authorities
),
final AS (
    SELECT * FROM authorities WHERE authority_code = $code
)
SELECT * FROM final
