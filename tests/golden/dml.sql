-- Row changes as they travel: the seed README's example on its own table,
-- multi-row statements, a multi-statement transaction over two tables,
-- UPDATE with both images (also of the primary key), DELETE, a composite
-- primary key with a unique key, a table without a primary key, a
-- non-transactional table (no XID), a rolled-back transaction (nothing), and a
-- transaction big enough for several rows events (commit only on its last row).
SET time_zone = '+00:00';
SET timestamp = 1284037210;    -- 2010-09-09 13:00:10 UTC, the seed's example
CREATE DATABASE test;
USE test;

-- The seed README's table and statements, verbatim.
CREATE TABLE test (
  test_id int(11) NOT NULL AUTO_INCREMENT,
  name varchar(255) NOT NULL,
  value varchar(255) DEFAULT NULL,
  modified timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (test_id),
  UNIQUE KEY name (name)
) ENGINE=InnoDB;
INSERT INTO test (name, value) VALUES ("shizzle", "nizzle");
UPDATE test SET name="foo", value="bar" WHERE name="shizzle";
DELETE FROM test WHERE name="foo";

CREATE TABLE orders (
  region CHAR(2) NOT NULL,
  order_no INT NOT NULL,
  sku VARCHAR(20),
  qty INT,
  note TEXT,
  PRIMARY KEY (region, order_no),
  UNIQUE KEY sku (sku)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE journal (
  msg VARCHAR(50),
  n INT
) ENGINE=InnoDB;

-- One statement, three rows.
INSERT INTO orders VALUES ('EU', 1, 'a-1', 1, NULL), ('EU', 2, 'b-2', 2, 'gift'),
                          ('US', 1, 'c-3', 3, 'rush');

-- One transaction, four statements over two tables.
BEGIN;
INSERT INTO orders VALUES ('US', 2, 'd-4', 4, NULL);
UPDATE orders SET qty = qty + 10 WHERE region = 'EU';
INSERT INTO journal VALUES ('raised EU', 10), ('second', 2);
DELETE FROM orders WHERE region = 'US' AND order_no = 1;
COMMIT;

-- The primary key itself changes.
UPDATE orders SET order_no = 5, note = 'moved' WHERE region = 'EU' AND order_no = 1;

-- No primary key: rows are whole images.
UPDATE journal SET n = n + 1;
DELETE FROM journal WHERE msg = 'second';

-- Rolled back: never reaches the binlog.
BEGIN;
INSERT INTO orders VALUES ('XX', 9, 'z-9', 9, 'never');
ROLLBACK;

-- Non-transactional table: no XID event closes these.
CREATE TABLE counters (id INT PRIMARY KEY, hits INT) ENGINE=MyISAM;
INSERT INTO counters VALUES (1, 0), (2, 0);
UPDATE counters SET hits = hits + 1 WHERE id = 2;

-- 60 rows of 200 bytes: more than one 8 KiB rows event in one transaction.
CREATE TABLE bulk (id INT PRIMARY KEY, pad CHAR(200)) ENGINE=InnoDB DEFAULT CHARSET=latin1;
INSERT INTO bulk SELECT seq, REPEAT(CHAR(64 + seq % 26), 200) FROM seq_1_to_60;
DELETE FROM bulk WHERE id > 2;

DELETE FROM orders;
