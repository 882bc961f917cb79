DROP TABLE import_lock;
DROP TABLE import_staging;
DROP TABLE import_chunk;
DROP TABLE import_fanout;
