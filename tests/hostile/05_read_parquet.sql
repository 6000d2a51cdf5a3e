-- expect: error
-- attack: reads a parquet file
SELECT * FROM read_parquet('hostile_any.parquet')
