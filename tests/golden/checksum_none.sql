-- golden: server=binlog_checksum=NONE
-- A server that writes no CRC32 after each event: the same changes.
SET time_zone = '+00:00';
SET timestamp = 1284037210;
CREATE DATABASE golden_nocrc;
USE golden_nocrc;
CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20));
INSERT INTO t VALUES (1, 'a'), (2, 'b');
UPDATE t SET v = 'c' WHERE id = 1;
DELETE FROM t WHERE id = 2;
