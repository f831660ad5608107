/*
 * storage/page.h: the layout of a data page.
 *
 * Owns the page header (LSN, checksum, kind, free-space bounds), the slotted
 * layout for variable-length items, page checksums and the sanity check of a
 * page read from disk.  The page size is a run-time value (from the control
 * file, a power of two in 4096..32768); functions that need it take it.
 *
 *   +--------+------------------+--------------+-------------+---------+
 *   | header | slot 1, slot 2.. |  free space  |   items     | special |
 *   +--------+------------------+--------------+-------------+---------+
 *   0        24              lower           upper       special  page_size
 *
 * Slots grow up from the header, item data grows down from the special area
 * (kind-specific data at the page end, e.g. B+tree sibling links).  A slot is
 * 32 bits: offset (15 bits), state (2 bits), length (15 bits), so pages up to
 * 32 KiB fit.  Slots are numbered from 1 (SdbTid.slot).  Item data is placed
 * at SDB_PAGE_ITEM_ALIGN-aligned offsets so callers may cast it to their
 * structs.  The header and slots are in host byte order.
 *
 * A page is plain memory: these functions never lock; the caller holds the
 * buffer latch.  An all-zero page (a block of a newly extended file) is
 * valid and reads as "new" (sdb_page_is_new); initialise it before use.
 */
#ifndef SDB_PAGE_H
#define SDB_PAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "storage/types.h"

#define SDB_PAGE_MIN_SIZE 4096u
#define SDB_PAGE_MAX_SIZE 32768u
#define SDB_PAGE_ITEM_ALIGN 8u
#define SDB_PAGE_LAYOUT_VERSION 1

/* Page kinds (SdbPageHeader.kind).  0 only appears in a new (zero) page. */
typedef enum SdbPageKind {
    SDB_PAGE_KIND_HEAP = 1,       /* heap and TOAST tuples */
    SDB_PAGE_KIND_FSM = 2,        /* free space map */
    SDB_PAGE_KIND_BTREE_META = 3, /* B+tree metapage (block 0) */
    SDB_PAGE_KIND_BTREE = 4,      /* B+tree internal or leaf page */
    SDB_PAGE_KIND_CLOG = 5,       /* commit log (runtime/txn/clog.c) */
    SDB_PAGE_KIND_COUNT
} SdbPageKind;

/* The first 24 bytes of every page. */
typedef struct SdbPageHeader {
    SdbLsn lsn;             /* end LSN of the last WAL record that changed the page */
    uint32_t checksum;      /* CRC-32C, see sdb_page_checksum */
    uint16_t flags;         /* meaning belongs to the module owning the page kind */
    uint8_t kind;           /* SdbPageKind */
    uint8_t layout_version; /* SDB_PAGE_LAYOUT_VERSION */
    uint16_t lower;         /* end of the slot array (start of free space) */
    uint16_t upper;         /* start of item data (end of free space) */
    uint16_t special;       /* start of the special area (page_size if none) */
    uint16_t reserved;      /* 0 */
} SdbPageHeader;

#define SDB_PAGE_HEADER_SIZE ((uint16_t)sizeof(SdbPageHeader))
#define SDB_PAGE_SLOT_SIZE 4u

/* What a slot holds. */
typedef enum SdbSlotState {
    SDB_SLOT_UNUSED = 0, /* free: may be reused by sdb_page_add_item */
    SDB_SLOT_NORMAL = 1, /* holds an item */
    SDB_SLOT_DEAD = 2    /* item is gone but the slot stays reserved (index
                            entries may still point at it) */
} SdbSlotState;

/* Flag for sdb_page_add_item. */
#define SDB_PAGE_ADD_SHIFT 0x01u /* insert before the given slot, moving it and
                                    every later slot up by one (sorted pages) */

/* Result of sdb_page_add_item when the item does not fit. */
#define SDB_PAGE_NO_ROOM 0

static inline SdbPageHeader *sdb_page_header(void *page)
{
    return (SdbPageHeader *)page;
}

/* True when `size` is a page size this build supports. */
bool sdb_page_size_valid(uint32_t size);

/* Make `page` an empty page of `kind` with `special_size` bytes (rounded up
 * to SDB_PAGE_ITEM_ALIGN) of zeroed special area at its end; LSN 0.  The
 * special area must leave room for the header. */
void sdb_page_init(void *page, uint32_t page_size, SdbPageKind kind, uint16_t special_size);

/* True for a never-initialised page (header all zero: upper == 0). */
bool sdb_page_is_new(const void *page);

/* Add `len` bytes (len >= 1) of `item`.  slot 0: into the first UNUSED slot,
 * else a new slot at the end.  slot N without flags: exactly at slot N, which
 * must be UNUSED or one past the last (or beyond: slots in between are added
 * as UNUSED), as redo needs.  slot N with SDB_PAGE_ADD_SHIFT: insert at N
 * (1 <= N <= count + 1), renumbering the later slots.  Returns the slot
 * number (>= 1), SDB_PAGE_NO_ROOM when the item (plus a new slot, if one is
 * needed) does not fit in the free space (the page is unchanged; compaction
 * would not help if sdb_page_free_space was honoured), or SDB_ERROR with
 * SDB_ERR_INTERNAL_ERROR recorded when `slot` is not allowed (in use, out of
 * range, len 0 or too long). */
int sdb_page_add_item(void *page, const void *item, uint16_t len, uint16_t slot, unsigned flags);

/* The item in `slot`: pointer into the page and its length in *len.  NULL
 * (and *len 0) when the slot number is out of range or the slot is not
 * NORMAL. */
void *sdb_page_item(void *page, uint16_t slot, uint16_t *len);

/* Number of slots (used or not): the highest slot number. */
uint16_t sdb_page_item_count(const void *page);

/* State of `slot` (UNUSED when out of range). */
SdbSlotState sdb_page_slot_state(const void *page, uint16_t slot);

/* Mark a slot UNUSED (reusable) or DEAD (reserved).  Its item storage is
 * reclaimed by the next sdb_page_compact.  Out-of-range slots are ignored. */
void sdb_page_mark_unused(void *page, uint16_t slot);
void sdb_page_mark_dead(void *page, uint16_t slot);

/* Remove `slot` and its item now, renumbering later slots down by one (for
 * sorted index pages).  Out-of-range slots are ignored. */
void sdb_page_delete_item(void *page, uint16_t slot);

/* Replace the NORMAL item in `slot` by `len` bytes of the same length.
 * SDB_ERROR (SDB_ERR_INTERNAL_ERROR) when the slot is not NORMAL or the
 * length differs. */
int sdb_page_overwrite_item(void *page, uint16_t slot, const void *item, uint16_t len);

/* Bytes free for one new item, with room for a new slot already subtracted
 * (0 when not even a slot fits).  An item of up to this many bytes is sure to
 * fit (alignment included). */
size_t sdb_page_free_space(const void *page);

/* Move items together to the end of the page so all free space is one run;
 * storage of UNUSED and DEAD slots is reclaimed (their length becomes 0) and
 * trailing UNUSED slots are removed.  Slot numbers of remaining items do not
 * change. */
void sdb_page_compact(void *page);

/* The special area and its size. */
void *sdb_page_special(void *page);
uint16_t sdb_page_special_size(const void *page, uint32_t page_size);

static inline SdbLsn sdb_page_lsn(const void *page)
{
    return ((const SdbPageHeader *)page)->lsn;
}

static inline void sdb_page_set_lsn(void *page, SdbLsn lsn)
{
    ((SdbPageHeader *)page)->lsn = lsn;
}

/* CRC-32C of the page with its checksum field taken as zero, then chained
 * with `block` (4 bytes, little-endian), so a page written to the wrong
 * block fails the check. */
uint32_t sdb_page_checksum(const void *page, uint32_t page_size, SdbBlockNo block);

/* Store sdb_page_checksum in the header (done just before a write). */
void sdb_page_set_checksum(void *page, uint32_t page_size, SdbBlockNo block);

/* Check a page just read from block `block` of file `file` (relative path for
 * messages): an all-zero page is fine (new); otherwise the checksum must
 * match and the header and every slot must be in range (lower/upper/special
 * ordered and inside the page, items inside [upper, special) and not
 * overlapping the slot array).  SDB_ERR_DATA_CORRUPTED otherwise, e.g.
 * `invalid page in block 7 of file "base/1/16384": checksum mismatch
 * (stored 0x..., computed 0x...)`.  A page that passes can be used with every
 * function here without reading outside the page. */
int sdb_page_verify(const void *page, uint32_t page_size, SdbBlockNo block, const char *file);

/* The structural part of sdb_page_verify alone (no checksum), e.g. for
 * pages rebuilt from a WAL image. */
int sdb_page_check_layout(const void *page, uint32_t page_size, SdbBlockNo block, const char *file);

#endif /* SDB_PAGE_H */
