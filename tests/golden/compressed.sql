-- golden: server=log_bin_compress=ON,log_bin_compress_min_len=10
-- MariaDB's compressed binlog events (QUERY_COMPRESSED, WRITE/UPDATE/DELETE
-- ROWS_COMPRESSED): the same changes as uncompressed ones.
SET time_zone = '+00:00';
SET timestamp = 1284037210;
CREATE DATABASE golden_compressed;
USE golden_compressed;
CREATE TABLE t (id INT PRIMARY KEY, body TEXT) DEFAULT CHARSET=utf8mb4;
INSERT INTO t VALUES (1, REPEAT('compress me ', 40)), (2, 'short'), (3, NULL);
UPDATE t SET body = CONCAT(body, ' ünïcödé') WHERE id = 2;
DELETE FROM t WHERE id = 1;
