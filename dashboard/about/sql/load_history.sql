SELECT load_id, finished_at, source_name, file_name, sha256, rows_read, rows_loaded, outcome
FROM load_history ORDER BY finished_at DESC, source_name, file_name
