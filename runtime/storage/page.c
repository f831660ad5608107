/*
 * storage/page.c: the slotted page layout, checksums and on-read checks, see
 * page.h.
 *
 * A slot is one uint32_t: bits 0-14 item offset, bits 15-16 state, bits
 * 17-31 item length.  Item storage is SDB_PAGE_ITEM_ALIGN-aligned, so `upper`
 * is always aligned too.  An UNUSED or DEAD slot may still own its old
 * storage until sdb_page_compact sets its offset and length to 0.
 */
#include "storage/page.h"

#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "storage/crc32c.h"

#define SLOT_OFFSET_MASK 0x7FFFu
#define SLOT_STATE_SHIFT 15
#define SLOT_STATE_MASK 0x3u
#define SLOT_LENGTH_SHIFT 17
#define SLOT_LENGTH_MAX 0x7FFFu

#define ALIGN_ITEM(len) (((size_t)(len) + SDB_PAGE_ITEM_ALIGN - 1) & ~(size_t)(SDB_PAGE_ITEM_ALIGN - 1))

/* At most this many items with storage fit in the largest page. */
#define MAX_STORED_ITEMS (SDB_PAGE_MAX_SIZE / (SDB_PAGE_SLOT_SIZE + SDB_PAGE_ITEM_ALIGN))

typedef struct Slot {
    uint16_t offset;
    uint16_t length;
    SdbSlotState state;
} Slot;

static inline const SdbPageHeader *header_of(const void *page)
{
    return (const SdbPageHeader *)page;
}

static inline unsigned char *slot_address(const void *page, uint16_t slot)
{
    return (unsigned char *)page + SDB_PAGE_HEADER_SIZE + (size_t)(slot - 1) * SDB_PAGE_SLOT_SIZE;
}

static Slot slot_get(const void *page, uint16_t slot)
{
    uint32_t raw;
    memcpy(&raw, slot_address(page, slot), sizeof raw);
    return (Slot){.offset = (uint16_t)(raw & SLOT_OFFSET_MASK),
                  .length = (uint16_t)(raw >> SLOT_LENGTH_SHIFT),
                  .state = (SdbSlotState)((raw >> SLOT_STATE_SHIFT) & SLOT_STATE_MASK)};
}

static void slot_set(void *page, uint16_t slot, Slot value)
{
    uint32_t raw = (uint32_t)value.offset | ((uint32_t)value.state << SLOT_STATE_SHIFT) |
                   ((uint32_t)value.length << SLOT_LENGTH_SHIFT);
    memcpy(slot_address(page, slot), &raw, sizeof raw);
}

bool sdb_page_size_valid(uint32_t size)
{
    return size >= SDB_PAGE_MIN_SIZE && size <= SDB_PAGE_MAX_SIZE && (size & (size - 1)) == 0;
}

void sdb_page_init(void *page, uint32_t page_size, SdbPageKind kind, uint16_t special_size)
{
    SdbPageHeader *header = sdb_page_header(page);
    memset(page, 0, page_size);
    header->kind = (uint8_t)kind;
    header->layout_version = SDB_PAGE_LAYOUT_VERSION;
    header->lower = SDB_PAGE_HEADER_SIZE;
    header->special = (uint16_t)(page_size - ALIGN_ITEM(special_size));
    header->upper = header->special;
}

bool sdb_page_is_new(const void *page)
{
    return header_of(page)->upper == 0;
}

uint16_t sdb_page_item_count(const void *page)
{
    return (uint16_t)((header_of(page)->lower - SDB_PAGE_HEADER_SIZE) / SDB_PAGE_SLOT_SIZE);
}

SdbSlotState sdb_page_slot_state(const void *page, uint16_t slot)
{
    if (slot == 0 || slot > sdb_page_item_count(page))
        return SDB_SLOT_UNUSED;
    return slot_get(page, slot).state;
}

/* The first UNUSED slot, or 0 when there is none. */
static uint16_t find_unused_slot(const void *page)
{
    uint16_t count = sdb_page_item_count(page);
    for (uint16_t slot = 1; slot <= count; slot++)
        if (slot_get(page, slot).state == SDB_SLOT_UNUSED)
            return slot;
    return 0;
}

int sdb_page_add_item(void *page, const void *item, uint16_t len, uint16_t slot, unsigned flags)
{
    SdbPageHeader *header = sdb_page_header(page);
    uint16_t count = sdb_page_item_count(page);
    size_t new_slots;

    if (len == 0 || len > SLOT_LENGTH_MAX)
        return sdb_error(SDB_ERR_INTERNAL_ERROR, "cannot add an item of %u bytes to a page", len);
    if (flags & SDB_PAGE_ADD_SHIFT) {
        if (slot == 0 || slot > count + 1)
            return sdb_error(SDB_ERR_INTERNAL_ERROR, "cannot insert item at slot %u of a page with %u slots",
                             slot, count);
        new_slots = 1;
    } else if (slot == 0) {
        slot = find_unused_slot(page);
        new_slots = slot == 0 ? 1 : 0;
        if (slot == 0)
            slot = (uint16_t)(count + 1);
    } else if (slot <= count) {
        if (slot_get(page, slot).state != SDB_SLOT_UNUSED)
            return sdb_error(SDB_ERR_INTERNAL_ERROR, "cannot add item at slot %u of a page: slot is in use", slot);
        new_slots = 0;
    } else {
        new_slots = (size_t)slot - count;
    }

    size_t stored = ALIGN_ITEM(len);
    size_t lower = header->lower + new_slots * SDB_PAGE_SLOT_SIZE;
    if (header->upper < stored || lower > header->upper - stored)
        return SDB_PAGE_NO_ROOM;

    header->upper = (uint16_t)(header->upper - stored);
    memcpy((unsigned char *)page + header->upper, item, len);
    memset((unsigned char *)page + header->upper + len, 0, stored - len);
    header->lower = (uint16_t)lower;
    if (flags & SDB_PAGE_ADD_SHIFT)
        memmove(slot_address(page, slot + 1), slot_address(page, slot),
                (size_t)(count + 1 - slot) * SDB_PAGE_SLOT_SIZE);
    else
        for (uint16_t gap = (uint16_t)(count + 1); gap < slot; gap++)
            slot_set(page, gap, (Slot){0});
    slot_set(page, slot, (Slot){.offset = header->upper, .length = len, .state = SDB_SLOT_NORMAL});
    return slot;
}

void *sdb_page_item(void *page, uint16_t slot, uint16_t *len)
{
    *len = 0;
    if (sdb_page_slot_state(page, slot) != SDB_SLOT_NORMAL)
        return NULL;
    Slot s = slot_get(page, slot);
    *len = s.length;
    return (unsigned char *)page + s.offset;
}

static void set_slot_state(void *page, uint16_t slot, SdbSlotState state)
{
    if (slot == 0 || slot > sdb_page_item_count(page))
        return;
    Slot s = slot_get(page, slot);
    s.state = state;
    slot_set(page, slot, s);
}

void sdb_page_mark_unused(void *page, uint16_t slot)
{
    set_slot_state(page, slot, SDB_SLOT_UNUSED);
}

void sdb_page_mark_dead(void *page, uint16_t slot)
{
    set_slot_state(page, slot, SDB_SLOT_DEAD);
}

void sdb_page_delete_item(void *page, uint16_t slot)
{
    SdbPageHeader *header = sdb_page_header(page);
    uint16_t count = sdb_page_item_count(page);
    if (slot == 0 || slot > count)
        return;
    Slot victim = slot_get(page, slot);
    if (victim.length > 0) {
        /* Close the hole: move the items below it up, and their slots. */
        size_t stored = ALIGN_ITEM(victim.length);
        unsigned char *base = (unsigned char *)page;
        memmove(base + header->upper + stored, base + header->upper, (size_t)(victim.offset - header->upper));
        header->upper = (uint16_t)(header->upper + stored);
        for (uint16_t i = 1; i <= count; i++) {
            Slot s = slot_get(page, i);
            if (i != slot && s.length > 0 && s.offset < victim.offset) {
                s.offset = (uint16_t)(s.offset + stored);
                slot_set(page, i, s);
            }
        }
    }
    memmove(slot_address(page, slot), slot_address(page, slot + 1), (size_t)(count - slot) * SDB_PAGE_SLOT_SIZE);
    header->lower = (uint16_t)(header->lower - SDB_PAGE_SLOT_SIZE);
}

int sdb_page_overwrite_item(void *page, uint16_t slot, const void *item, uint16_t len)
{
    uint16_t old_len;
    void *old = sdb_page_item(page, slot, &old_len);
    if (old == NULL || old_len != len)
        return sdb_error(SDB_ERR_INTERNAL_ERROR, "cannot overwrite slot %u of a page with an item of %u bytes",
                         slot, len);
    memcpy(old, item, len);
    return SDB_OK;
}

size_t sdb_page_free_space(const void *page)
{
    const SdbPageHeader *header = header_of(page);
    size_t space = (size_t)(header->upper - header->lower);
    if (space < SDB_PAGE_SLOT_SIZE + SDB_PAGE_ITEM_ALIGN)
        return 0;
    return (space - SDB_PAGE_SLOT_SIZE) & ~(size_t)(SDB_PAGE_ITEM_ALIGN - 1);
}

typedef struct StoredItem {
    uint16_t slot;
    uint16_t offset;
    uint16_t length;
} StoredItem;

static int by_offset_descending(const void *a, const void *b)
{
    const StoredItem *x = a, *y = b;
    return (int)y->offset - (int)x->offset;
}

void sdb_page_compact(void *page)
{
    SdbPageHeader *header = sdb_page_header(page);
    StoredItem items[MAX_STORED_ITEMS];
    size_t stored_count = 0;
    uint16_t count = sdb_page_item_count(page);

    for (uint16_t slot = 1; slot <= count; slot++) {
        Slot s = slot_get(page, slot);
        if (s.state == SDB_SLOT_NORMAL)
            items[stored_count++] = (StoredItem){.slot = slot, .offset = s.offset, .length = s.length};
        else
            slot_set(page, slot, (Slot){.state = s.state});
    }
    /* Moving the highest item first, every item moves up (or stays), onto
     * space no unmoved item occupies. */
    qsort(items, stored_count, sizeof items[0], by_offset_descending);
    uint16_t cursor = header->special;
    for (size_t i = 0; i < stored_count; i++) {
        cursor = (uint16_t)(cursor - ALIGN_ITEM(items[i].length));
        memmove((unsigned char *)page + cursor, (unsigned char *)page + items[i].offset, items[i].length);
        slot_set(page, items[i].slot, (Slot){.offset = cursor, .length = items[i].length, .state = SDB_SLOT_NORMAL});
    }
    header->upper = cursor;
    while (count > 0 && slot_get(page, count).state == SDB_SLOT_UNUSED)
        count--;
    header->lower = (uint16_t)(SDB_PAGE_HEADER_SIZE + count * SDB_PAGE_SLOT_SIZE);
}

void *sdb_page_special(void *page)
{
    return (unsigned char *)page + header_of(page)->special;
}

uint16_t sdb_page_special_size(const void *page, uint32_t page_size)
{
    return (uint16_t)(page_size - header_of(page)->special);
}

uint32_t sdb_page_checksum(const void *page, uint32_t page_size, SdbBlockNo block)
{
    static const unsigned char zero_checksum[sizeof(uint32_t)];
    const size_t at = offsetof(SdbPageHeader, checksum);
    const size_t after = at + sizeof(uint32_t);
    unsigned char block_le[4] = {(unsigned char)block, (unsigned char)(block >> 8), (unsigned char)(block >> 16),
                                 (unsigned char)(block >> 24)};
    uint32_t crc = sdb_crc32c(0, page, at);
    crc = sdb_crc32c(crc, zero_checksum, sizeof zero_checksum);
    crc = sdb_crc32c(crc, (const unsigned char *)page + after, page_size - after);
    return sdb_crc32c(crc, block_le, sizeof block_le);
}

void sdb_page_set_checksum(void *page, uint32_t page_size, SdbBlockNo block)
{
    sdb_page_header(page)->checksum = sdb_page_checksum(page, page_size, block);
}

static int report_corrupt(SdbBlockNo block, const char *file, const char *what)
{
    return sdb_error(SDB_ERR_DATA_CORRUPTED, "invalid page in block %u of file \"%s\": %s", block, file, what);
}

static bool all_zero(const void *page, uint32_t page_size)
{
    const unsigned char *p = page;
    for (uint32_t i = 0; i < page_size; i++)
        if (p[i] != 0)
            return false;
    return true;
}

int sdb_page_check_layout(const void *page, uint32_t page_size, SdbBlockNo block, const char *file)
{
    const SdbPageHeader *header = header_of(page);
    if (sdb_page_is_new(page))
        return all_zero(page, page_size) ? SDB_OK : report_corrupt(block, file, "new page is not all zeros");
    if (header->layout_version != SDB_PAGE_LAYOUT_VERSION)
        return report_corrupt(block, file, "unknown page layout version");
    if (header->kind == 0 || header->kind >= SDB_PAGE_KIND_COUNT)
        return report_corrupt(block, file, "unknown page kind");
    if (header->lower < SDB_PAGE_HEADER_SIZE || header->lower > header->upper || header->upper > header->special ||
        header->special > page_size || (header->lower - SDB_PAGE_HEADER_SIZE) % SDB_PAGE_SLOT_SIZE != 0 ||
        header->upper % SDB_PAGE_ITEM_ALIGN != 0 || header->special % SDB_PAGE_ITEM_ALIGN != 0)
        return report_corrupt(block, file, "header bounds out of range");

    uint16_t count = sdb_page_item_count(page);
    size_t stored_total = 0;
    for (uint16_t slot = 1; slot <= count; slot++) {
        Slot s = slot_get(page, slot);
        if (s.state > SDB_SLOT_DEAD)
            return report_corrupt(block, file, "slot has an invalid state");
        if (s.state == SDB_SLOT_NORMAL && s.length == 0)
            return report_corrupt(block, file, "item has length 0");
        if (s.length == 0)
            continue;
        if (s.offset < header->upper || s.offset % SDB_PAGE_ITEM_ALIGN != 0 ||
            (size_t)s.offset + s.length > header->special)
            return report_corrupt(block, file, "item lies outside the item area");
        stored_total += ALIGN_ITEM(s.length);
    }
    /* Items share no space, so they add up to at most the item area; this
     * also keeps sdb_page_compact inside the page. */
    if (stored_total > (size_t)(header->special - header->upper))
        return report_corrupt(block, file, "items overlap");
    return SDB_OK;
}

int sdb_page_verify(const void *page, uint32_t page_size, SdbBlockNo block, const char *file)
{
    if (!sdb_page_is_new(page)) {
        uint32_t stored = header_of(page)->checksum;
        uint32_t computed = sdb_page_checksum(page, page_size, block);
        if (stored != computed) {
            sdb_error(SDB_ERR_DATA_CORRUPTED,
                      "invalid page in block %u of file \"%s\": checksum mismatch (stored 0x%08X, computed 0x%08X)",
                      block, file, stored, computed);
            return SDB_ERROR;
        }
    }
    return sdb_page_check_layout(page, page_size, block, file);
}
