SELECT nation, authority_type, count(*) AS councils
FROM ref.authorities
WHERE is_council AND is_current
GROUP BY nation, authority_type
ORDER BY nation, authority_type
