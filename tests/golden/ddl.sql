-- Statements travel as operation "query": DDL (and DML written in statement
-- format), with the default database as schema. Row events after an ALTER
-- carry the new column list; names with spaces and non-ASCII letters.
SET time_zone = '+00:00';
SET timestamp = 1284037210;
CREATE DATABASE golden_ddl;
USE golden_ddl;
CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(10)) DEFAULT CHARSET=utf8mb4;
INSERT INTO t VALUES (1, 'one');
ALTER TABLE t ADD COLUMN b INT DEFAULT 7 AFTER id;
INSERT INTO t VALUES (2, 8, 'two');
UPDATE t SET a = 'uno' WHERE id = 1;
ALTER TABLE t DROP COLUMN a;
DELETE FROM t WHERE id = 2;
RENAME TABLE t TO t2;
INSERT INTO t2 VALUES (3, 9);
TRUNCATE TABLE t2;
CREATE TABLE `naïve table` (`spaced col` INT PRIMARY KEY, `ünï` VARCHAR(5)) DEFAULT CHARSET=utf8mb4;
INSERT INTO `naïve table` VALUES (1, 'ö');
/* a comment with ünïcödé */ CREATE VIEW v AS SELECT * FROM t2;
DROP VIEW v;
-- DML in statement format is a query too.
SET SESSION binlog_format = 'STATEMENT';
INSERT INTO t2 VALUES (4, 10);
SET SESSION binlog_format = 'ROW';
USE mysql;
DROP TABLE golden_ddl.t2;
DROP DATABASE golden_ddl;
