/*
 * storage/crc32c.h: CRC-32C (Castagnoli polynomial 0x1EDC6F41, reflected,
 * as in iSCSI, ext4 and PostgreSQL), used for page checksums, WAL records and
 * the control file.  Uses the SSE4.2 crc32 instruction when the CPU has it
 * (decided once, at the first call) and a table-driven software version
 * otherwise; both give identical results.
 */
#ifndef SDB_CRC32C_H
#define SDB_CRC32C_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* CRC-32C of `len` bytes at `data`, continuing from `crc`.  Start with 0;
 * chaining is exact: sdb_crc32c(sdb_crc32c(0, a, n), b, m) equals the CRC of
 * the n + m bytes a||b.  The CRC of "123456789" is 0xE3069283.  `data` may
 * have any alignment and may be NULL when len is 0.  Thread-safe. */
uint32_t sdb_crc32c(uint32_t crc, const void *data, size_t len);

/* The software (table-driven) implementation, same contract as sdb_crc32c.
 * Exposed so tests can compare the two paths. */
uint32_t sdb_crc32c_software(uint32_t crc, const void *data, size_t len);

/* The SSE4.2 implementation, same contract as sdb_crc32c.  Only call it when
 * sdb_crc32c_hardware_available() is true (otherwise it would fault). */
uint32_t sdb_crc32c_hardware(uint32_t crc, const void *data, size_t len);

/* Whether this CPU has the SSE4.2 crc32 instruction (always false on
 * non-x86 builds). */
bool sdb_crc32c_hardware_available(void);

/* Which implementation sdb_crc32c uses: "sse4.2" or "software". */
const char *sdb_crc32c_implementation(void);

#endif /* SDB_CRC32C_H */
