/*
 * storage/fsm.h: the free space map of a heap relation.
 *
 * Owns the FSM fork (SDB_FORK_FSM): one byte per heap page holding the
 * page's free space in units of page_size / 256 (rounded down, so a page
 * never has less room than its byte promises unless the map is stale).  FSM
 * pages are ordinary buffer-pool pages of kind SDB_PAGE_KIND_FSM whose
 * special area is the byte array (page_size - SDB_PAGE_HEADER_SIZE heap
 * pages per FSM page).
 *
 * The map is a hint and is NOT WAL-logged: after a crash it may be stale or
 * a torn FSM page may fail its checksum (it is then reset to zeros).  The
 * heap always checks a page's real free space before using it and corrects
 * the map, so the FSM can waste space but never lose data.
 *
 * Search: the last page found for the relation (remembered per relation in
 * a small process-wide table) is tried first, then the map is scanned from
 * that point to its end and around from the start.
 *
 * Thread safety: every function may be called from several threads; an FSM
 * page is changed under its exclusive latch.
 */
#ifndef SDB_FSM_H
#define SDB_FSM_H

#include <stddef.h>
#include <stdint.h>

#include "storage/types.h"

struct SdbEngine;

/* The byte the map stores for `free_bytes` of free space (rounded down). */
uint8_t sdb_fsm_category(size_t free_bytes, uint32_t page_size);

/* Find a heap page whose recorded free space is at least `needed` bytes:
 * *block gets it, or SDB_INVALID_BLOCK when the map knows of none (the
 * caller extends the relation).  The page is only a candidate: the caller
 * checks it and calls sdb_fsm_record with its real free space. */
int sdb_fsm_search(struct SdbEngine *engine, SdbRelFileId rel, size_t needed, SdbBlockNo *block);

/* Record that heap page `block` has `free_bytes` free (extending the map as
 * needed), and remember `block` as the relation's last used page when it
 * still has room. */
int sdb_fsm_record(struct SdbEngine *engine, SdbRelFileId rel, SdbBlockNo block, size_t free_bytes);

/* The free space recorded for `block` in map units (0 for pages beyond the
 * map); for tests and monitoring. */
int sdb_fsm_get(struct SdbEngine *engine, SdbRelFileId rel, SdbBlockNo block, uint8_t *category);

/* Forget the remembered last page of `rel` (its files were dropped or
 * truncated). */
void sdb_fsm_forget(SdbRelFileId rel);

#endif /* SDB_FSM_H */
