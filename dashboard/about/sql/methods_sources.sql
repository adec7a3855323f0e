-- Data and methods: the files behind the published data, with their SHA-256 hashes.
with source_files as (
    select * from main.source_files
),
final as (
    select source_name, file_name, holds, is_synthetic, publisher, licence, sha256, rows_loaded, load_id, loaded_at
    from source_files
)
select * from final
order by source_name, file_name
