/* rc_file: binlog files on disk (`rowcast read`), framed into events for the
 * decoder. Reads through a buffer that grows only to the largest event, so
 * memory does not depend on the file's size. */
#ifndef RC_FILE_H
#define RC_FILE_H

#include "core/rc_err.h"
#include "decode/rc_binlog.h"

/* Decodes every event of the file at path. Errors name the file and the
 * offset: "PATH: bad magic (not a binlog file)", "PATH: truncated event
 * header at offset N (K of 19 bytes)", "PATH: offset N: ...". */
int rc_file_decode(const char *path, rc_decoder *d, rc_err *err);

/* The same for a binlog file held in memory (tests, the fuzzer); name is
 * used in errors and positions. */
int rc_mem_decode(const char *name, const uint8_t *p, size_t n, rc_decoder *d, rc_err *err);

#endif
