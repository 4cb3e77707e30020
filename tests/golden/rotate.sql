-- The stream follows the server across binlog files (FLUSH BINARY LOGS
-- between statements, one file left empty): positions name each file.
SET time_zone = '+00:00';
SET timestamp = 1284037210;
CREATE DATABASE golden_rotate;
USE golden_rotate;
CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20));
INSERT INTO t VALUES (1, 'in file 1');
FLUSH BINARY LOGS;
INSERT INTO t VALUES (2, 'in file 2');
UPDATE t SET v = 'changed in file 2' WHERE id = 1;
FLUSH BINARY LOGS;
FLUSH BINARY LOGS;
DELETE FROM t WHERE id = 2;
INSERT INTO t VALUES (3, 'in file 4'), (4, 'also in file 4');
