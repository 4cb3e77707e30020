-- Every column type MariaDB 10.11 writes in ROW format, at its edges, and NULL
-- in every column. Inserts only, so every row the server holds is the row
-- rowcast printed: test_values.py checks each value against the server's own
-- SELECT, and types.jsonl is the reviewed output.
SET sql_mode = '';             -- zero dates, invalid ENUM values
SET time_zone = '+00:00';
SET timestamp = 1284037210;    -- 2010-09-09 13:00:10 UTC, the seed's example
CREATE DATABASE golden_types;
USE golden_types;

CREATE TABLE ints (
  id INT PRIMARY KEY,
  ti TINYINT, tiu TINYINT UNSIGNED,
  si SMALLINT, siu SMALLINT UNSIGNED,
  mi MEDIUMINT, miu MEDIUMINT UNSIGNED,
  i INT, iu INT UNSIGNED,
  bi BIGINT, biu BIGINT UNSIGNED,
  b1 BIT(1), b8 BIT(8), b13 BIT(13), b64 BIT(64),
  y YEAR
);
INSERT INTO ints VALUES
  (1, -128, 0, -32768, 0, -8388608, 0, -2147483648, 0,
      -9223372036854775808, 0, b'0', b'0', b'0', b'0', 1901),
  (2, 127, 255, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295,
      9223372036854775807, 18446744073709551615,
      b'1', b'11111111', b'1111111111111', x'FFFFFFFFFFFFFFFF', 2155),
  (3, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, b'1', b'10000000', b'1000000000001',
      x'8000000000000001', 0),
  (4, 0, 128, 0, 32768, 0, 8388608, 0, 2147483648, 0, 9223372036854775808,
      b'0', b'1', b'101', x'0102030405060708', 2024),
  (5, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
      NULL, NULL, NULL, NULL, NULL);

CREATE TABLE decimals (
  id INT PRIMARY KEY,
  d10_2 DECIMAL(10,2),
  d5_0 DECIMAL(5,0),
  d65_30 DECIMAL(65,30),
  d4_4 DECIMAL(4,4),
  d10_3u DECIMAL(10,3) UNSIGNED,
  d20_10 DECIMAL(20,10),
  d18_9 DECIMAL(18,9)
);
INSERT INTO decimals VALUES
  (1, 1.50, 0, 0, 0, 0, 0, 0),
  (2, -1.50, -99999, 12345678901234567890123456789012345.123456789012345678901234567890,
      0.9999, 1234567.890, -0.0000000001, 123456789.123456789),
  (3, 0.05, 10, -0.000000000000000000000000000001, -0.0001, 0.001,
      1000000000.0000000000, -0.000000001),
  (4, 99999999.99, -1,
      -99999999999999999999999999999999999.999999999999999999999999999999,
      -0.9999, 9999999.999, 9999999999.9999999999, -999999999.999999999),
  (5, -0.01, 100, 100.100000000000000000000000000000, 0.0100, 100.000,
      -10.5, 1.000000001),
  (6, NULL, NULL, NULL, NULL, NULL, NULL, NULL);

CREATE TABLE floats (
  id INT PRIMARY KEY,
  f FLOAT,
  d DOUBLE
);
INSERT INTO floats VALUES
  (1, 0, 0),
  (2, 1.5, -1.5),
  (3, 0.1, 0.1),
  (4, 123456.789, 3.141592653589793),
  (5, 3.4028234e38, 1.7976931348623157e308),
  (6, -3.4028234e38, -1.7976931348623157e308),
  (7, 1.17549435e-38, 2.2250738585072014e-308),
  (8, 1.4e-45, 4.9e-324),
  (9, 1e20, 1e21),
  (10, 16777217, 9007199254740993),
  (11, -0.000123, 1e-7),
  (12, NULL, NULL);

CREATE TABLE strings_utf8mb4 (
  id INT PRIMARY KEY,
  c CHAR(10),
  c100 CHAR(100),
  vc VARCHAR(50),
  vc300 VARCHAR(300),
  tt TINYTEXT,
  tx TEXT,
  mt MEDIUMTEXT,
  lt LONGTEXT,
  u3 VARCHAR(20) CHARACTER SET utf8mb3
) DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
INSERT INTO strings_utf8mb4 VALUES
  (1, '', '', '', '', '', '', '', '', ''),
  (2, 'abc', 'héllo wörld', 'ünïcödé', '日本語のテキスト', 'Ελληνικά',
      'emoji 😀🎉 and a clef 𝄞', 'Ж', 'ﬀ', 'naïve €'),
  (3, 'x', 'quote " apostrophe '' backslash \\ tab \t newline \n end',
      '<&>', REPEAT('ab', 150), 'é', REPEAT('€', 300), REPEAT('😀', 100), 'z', 'ß'),
  (4, '  pad', 'trailing spaces   ', ' lead', '   ', ' ', 'tx', 'mt', 'lt', 'u3'),
  (5, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);

CREATE TABLE strings_latin1 (
  id INT PRIMARY KEY,
  c CHAR(10),
  vc VARCHAR(50),
  tx TEXT
) DEFAULT CHARSET = latin1;
INSERT INTO strings_latin1 VALUES
  (1, 'é', 'café €', 'Ñandú ©® ÿ'),
  (2, '', '', ''),
  (3, '€‚ƒ„…', 'Š‹Œ Ž ‘’“”', 'plain ascii'),
  (4, NULL, NULL, NULL);

CREATE TABLE temporal (
  id INT PRIMARY KEY,
  d DATE,
  dt0 DATETIME, dt1 DATETIME(1), dt2 DATETIME(2), dt3 DATETIME(3),
  dt4 DATETIME(4), dt5 DATETIME(5), dt6 DATETIME(6),
  ts0 TIMESTAMP NULL DEFAULT NULL, ts1 TIMESTAMP(1) NULL DEFAULT NULL,
  ts2 TIMESTAMP(2) NULL DEFAULT NULL, ts3 TIMESTAMP(3) NULL DEFAULT NULL,
  ts4 TIMESTAMP(4) NULL DEFAULT NULL, ts5 TIMESTAMP(5) NULL DEFAULT NULL,
  ts6 TIMESTAMP(6) NULL DEFAULT NULL,
  t0 TIME, t1 TIME(1), t2 TIME(2), t3 TIME(3), t4 TIME(4), t5 TIME(5), t6 TIME(6)
);
INSERT INTO temporal VALUES
  (1, '2024-02-29',
      '2024-02-29 13:45:56', '2024-02-29 13:45:56.1', '2024-02-29 13:45:56.12',
      '2024-02-29 13:45:56.123', '2024-02-29 13:45:56.1234',
      '2024-02-29 13:45:56.12345', '2024-02-29 13:45:56.123456',
      '2024-02-29 13:45:56', '2024-02-29 13:45:56.1', '2024-02-29 13:45:56.12',
      '2024-02-29 13:45:56.123', '2024-02-29 13:45:56.1234',
      '2024-02-29 13:45:56.12345', '2024-02-29 13:45:56.123456',
      '13:45:56', '13:45:56.1', '13:45:56.12', '13:45:56.123', '13:45:56.1234',
      '13:45:56.12345', '13:45:56.123456'),
  (2, '0000-00-00',
      '0000-00-00 00:00:00', '0000-00-00 00:00:00', '0000-00-00 00:00:00',
      '0000-00-00 00:00:00', '0000-00-00 00:00:00', '0000-00-00 00:00:00',
      '0000-00-00 00:00:00',
      '0000-00-00 00:00:00', '0000-00-00 00:00:00', '0000-00-00 00:00:00',
      '0000-00-00 00:00:00', '0000-00-00 00:00:00', '0000-00-00 00:00:00',
      '0000-00-00 00:00:00',
      '-838:59:59', '-838:59:59.9', '-838:59:59.99', '-838:59:59.999',
      '-838:59:59.9999', '-838:59:59.99999', '-838:59:59.999999'),
  (3, '1000-01-01',
      '1000-01-01 00:00:00', '1000-01-01 00:00:00.0', '1000-01-01 00:00:00.00',
      '1000-01-01 00:00:00.000', '1000-01-01 00:00:00.0000',
      '1000-01-01 00:00:00.00000', '1000-01-01 00:00:00.000000',
      '1970-01-01 00:00:01', '1970-01-01 00:00:01.0', '1970-01-01 00:00:01.01',
      '1970-01-01 00:00:01.001', '1970-01-01 00:00:01.0001',
      '1970-01-01 00:00:01.00001', '1970-01-01 00:00:01.000001',
      '838:59:59', '838:59:59.9', '838:59:59.99', '838:59:59.999',
      '838:59:59.9999', '838:59:59.99999', '838:59:59.999999'),
  (4, '9999-12-31',
      '9999-12-31 23:59:59', '9999-12-31 23:59:59.9', '9999-12-31 23:59:59.99',
      '9999-12-31 23:59:59.999', '9999-12-31 23:59:59.9999',
      '9999-12-31 23:59:59.99999', '9999-12-31 23:59:59.999999',
      '2038-01-19 03:14:07', '2038-01-19 03:14:07.9', '2038-01-19 03:14:07.99',
      '2038-01-19 03:14:07.999', '2038-01-19 03:14:07.9999',
      '2038-01-19 03:14:07.99999', '2038-01-19 03:14:07.999999',
      '-00:00:01', '-00:00:00.5', '-00:00:00.01', '-00:00:00.001',
      '-00:00:00.0001', '-00:00:00.00001', '-00:00:00.000001'),
  (5, '2024-00-15',
      '2024-02-00 10:00:00', '2024-00-00 00:00:00.5', '1999-12-31 23:59:59.01',
      '2000-01-01 00:00:00.5', '2000-01-01 00:00:00.0005',
      '2000-01-01 00:00:00.00005', '2000-01-01 00:00:00.000005',
      '2001-09-09 01:46:40', '2001-09-09 01:46:40.5', '2001-09-09 01:46:40.05',
      '2001-09-09 01:46:40.005', '2001-09-09 01:46:40.0005',
      '2001-09-09 01:46:40.00005', '2001-09-09 01:46:40.000005',
      '00:00:00', '-12:34:56.7', '100:00:00.01', '-100:00:00.001',
      '24:00:00.0001', '-01:02:03.04005', '-12:34:56.789012'),
  (6, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
      NULL, NULL, NULL, NULL, NULL, NULL, NULL,
      NULL, NULL, NULL, NULL, NULL, NULL, NULL);

CREATE TABLE enums_sets (
  id INT PRIMARY KEY,
  e ENUM('a', 'b', 'c'),
  e_utf8 ENUM('ä', '😀', 'x y'),
  e_big ENUM(
    'v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7', 'v8', 'v9', 'v10', 'v11', 'v12', 'v13',
    'v14', 'v15', 'v16', 'v17', 'v18', 'v19', 'v20', 'v21', 'v22', 'v23', 'v24', 'v25',
    'v26', 'v27', 'v28', 'v29', 'v30', 'v31', 'v32', 'v33', 'v34', 'v35', 'v36', 'v37',
    'v38', 'v39', 'v40', 'v41', 'v42', 'v43', 'v44', 'v45', 'v46', 'v47', 'v48', 'v49',
    'v50', 'v51', 'v52', 'v53', 'v54', 'v55', 'v56', 'v57', 'v58', 'v59', 'v60', 'v61',
    'v62', 'v63', 'v64', 'v65', 'v66', 'v67', 'v68', 'v69', 'v70', 'v71', 'v72', 'v73',
    'v74', 'v75', 'v76', 'v77', 'v78', 'v79', 'v80', 'v81', 'v82', 'v83', 'v84', 'v85',
    'v86', 'v87', 'v88', 'v89', 'v90', 'v91', 'v92', 'v93', 'v94', 'v95', 'v96', 'v97',
    'v98', 'v99', 'v100', 'v101', 'v102', 'v103', 'v104', 'v105', 'v106', 'v107',
    'v108', 'v109', 'v110', 'v111', 'v112', 'v113', 'v114', 'v115', 'v116', 'v117',
    'v118', 'v119', 'v120', 'v121', 'v122', 'v123', 'v124', 'v125', 'v126', 'v127',
    'v128', 'v129', 'v130', 'v131', 'v132', 'v133', 'v134', 'v135', 'v136', 'v137',
    'v138', 'v139', 'v140', 'v141', 'v142', 'v143', 'v144', 'v145', 'v146', 'v147',
    'v148', 'v149', 'v150', 'v151', 'v152', 'v153', 'v154', 'v155', 'v156', 'v157',
    'v158', 'v159', 'v160', 'v161', 'v162', 'v163', 'v164', 'v165', 'v166', 'v167',
    'v168', 'v169', 'v170', 'v171', 'v172', 'v173', 'v174', 'v175', 'v176', 'v177',
    'v178', 'v179', 'v180', 'v181', 'v182', 'v183', 'v184', 'v185', 'v186', 'v187',
    'v188', 'v189', 'v190', 'v191', 'v192', 'v193', 'v194', 'v195', 'v196', 'v197',
    'v198', 'v199', 'v200', 'v201', 'v202', 'v203', 'v204', 'v205', 'v206', 'v207',
    'v208', 'v209', 'v210', 'v211', 'v212', 'v213', 'v214', 'v215', 'v216', 'v217',
    'v218', 'v219', 'v220', 'v221', 'v222', 'v223', 'v224', 'v225', 'v226', 'v227',
    'v228', 'v229', 'v230', 'v231', 'v232', 'v233', 'v234', 'v235', 'v236', 'v237',
    'v238', 'v239', 'v240', 'v241', 'v242', 'v243', 'v244', 'v245', 'v246', 'v247',
    'v248', 'v249', 'v250', 'v251', 'v252', 'v253', 'v254', 'v255', 'v256', 'v257',
    'v258', 'v259', 'v260'
  ),
  s SET('x', 'y', 'z'),
  s_big SET(
    'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9', 'm10', 'm11', 'm12', 'm13',
    'm14', 'm15', 'm16', 'm17', 'm18', 'm19', 'm20', 'm21', 'm22', 'm23', 'm24', 'm25',
    'm26', 'm27', 'm28', 'm29', 'm30', 'm31', 'm32', 'm33', 'm34', 'm35', 'm36', 'm37',
    'm38', 'm39', 'm40', 'm41', 'm42', 'm43', 'm44', 'm45', 'm46', 'm47', 'm48', 'm49',
    'm50', 'm51', 'm52', 'm53', 'm54', 'm55', 'm56', 'm57', 'm58', 'm59', 'm60', 'm61',
    'm62', 'm63', 'm64'
  )
) DEFAULT CHARSET = utf8mb4;
INSERT INTO enums_sets VALUES
  (1, 'a', 'ä', 'v1', 'x', 'm1'),
  (2, 'c', '😀', 'v260', 'z,x', 'm64,m1'),
  (3, 'b', 'x y', 'v256', '', 'm1,m2,m3,m4,m5,m6,m7,m8,m9,m10,m11,m12,m13,m14,m15,m16,m17,m18,m19,m20,m21,m22,m23,m24,m25,m26,m27,m28,m29,m30,m31,m32,m33,m34,m35,m36,m37,m38,m39,m40,m41,m42,m43,m44,m45,m46,m47,m48,m49,m50,m51,m52,m53,m54,m55,m56,m57,m58,m59,m60,m61,m62,m63,m64'),
  (4, 'not a label', 'x y', 'v255', 'x,y,z', 'm8,m9,m33'),
  (5, NULL, NULL, NULL, NULL, NULL);

CREATE TABLE binaries (
  id INT PRIMARY KEY,
  b4 BINARY(4),
  vb VARBINARY(300),
  tb TINYBLOB,
  bl BLOB,
  mb MEDIUMBLOB,
  lb LONGBLOB
);
INSERT INTO binaries VALUES
  (1, x'00', x'', x'', x'', x'', x''),
  (2, x'DEADBEEF', x'00FF80', 'text', x'C328', x'00', x'FFFE'),
  (3, 'ab', REPEAT(x'5A', 300), x'F09F9880', REPEAT(x'01', 300),
      REPEAT(x'AB', 256), 'a blob of plain text'),
  (4, NULL, NULL, NULL, NULL, NULL, NULL);

CREATE TABLE geometries (
  id INT PRIMARY KEY,
  g GEOMETRY,
  p POINT,
  ls LINESTRING,
  pg POLYGON,
  gc GEOMETRYCOLLECTION
);
INSERT INTO geometries VALUES
  (1, ST_GeomFromText('POINT(0 0)'), ST_GeomFromText('POINT(-1.5 2.25)'),
      ST_GeomFromText('LINESTRING(0 0,1 1,2 0)'),
      ST_GeomFromText('POLYGON((0 0,10 0,10 10,0 10,0 0),(2 2,3 2,3 3,2 2))'),
      ST_GeomFromText('GEOMETRYCOLLECTION(POINT(1 2),LINESTRING(0 0,1e15 1e-7))')),
  (2, ST_GeomFromText('MULTIPOLYGON(((0 0,1 0,1 1,0 0)),((5 5,6 5,6 6,5 5)))', 4326),
      ST_GeomFromText('POINT(123456789.123 -0.000001)'),
      ST_GeomFromText('LINESTRING(0.1 0.2,0.30000000000000004 1e20)'),
      ST_GeomFromText('POLYGON((0 0,1 0,0 1,0 0))'),
      ST_GeomFromText('GEOMETRYCOLLECTION EMPTY')),
  (3, ST_GeomFromText('MULTIPOINT(1 1,2 2)'), NULL, NULL, NULL, NULL),
  (4, NULL, NULL, NULL, NULL, NULL);
