/*
 * test_wal.c: WAL records and files (wal.h, rmgr.h): encoding and decoding
 * of records with blocks, images and data; full-page-image decisions; where
 * the reader finds the end of valid WAL (flipped bit, torn or truncated
 * tail, garbage, zeroes, stale recycled segments); records crossing segment
 * boundaries; resuming insertion at the end; segment recycling; archiving.
 * Group commit and I/O failures are in test_wal_flush.c.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>

#include "config/settings.h"
#include "storage/page.h"
#include "wal_testutil.h"

/* ---- file helpers ----------------------------------------------------------- */

static void segment_file(const char *dir, uint64_t segno, char *buf, size_t size)
{
    snprintf(buf, size, "%s/%016" PRIX64, dir, segno);
}

/* Read or overwrite `len` bytes of the WAL stream at `lsn` (inside one
 * segment) directly in the segment file. */
static void stream_bytes(const SdbWalConfig *cfg, SdbLsn lsn, void *buf, size_t len, bool write)
{
    char path[4200];
    segment_file(cfg->dir, sdb_wal_segment_of(lsn, cfg->segment_size), path, sizeof path);
    FILE *f = fopen(path, "r+b");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(fseek(f, (long)(lsn % cfg->segment_size), SEEK_SET), 0);
    size_t n = write ? fwrite(buf, 1, len, f) : fread(buf, 1, len, f);
    CU_ASSERT_EQUAL(n, len);
    CU_ASSERT_EQUAL(fclose(f), 0);
}

static int count_segment_files(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += strlen(e->d_name) == SDB_WAL_SEGMENT_NAME_LEN;
    closedir(d);
    return n;
}

static SdbWal *create_wal(const SdbWalConfig *cfg)
{
    SdbWal *wal = NULL;
    CU_ASSERT_EQUAL_FATAL(sdb_wal_create(cfg, &wal), SDB_OK);
    return wal;
}

/* Insert records xid first..first+count-1 of `len` bytes; lsns[i] gets the
 * end LSN of each (when not NULL). */
static void insert_many(SdbWal *wal, SdbXid first, int count, size_t len, SdbLsn *lsns)
{
    for (int i = 0; i < count; i++) {
        SdbLsn lsn = wal_test_insert(wal, first + (SdbXid)i, len);
        CU_ASSERT_NOT_EQUAL_FATAL(lsn, SDB_INVALID_LSN);
        if (lsns != NULL)
            lsns[i] = lsn;
    }
}

/* A heap page with a few items, so it has a hole between lower and upper. */
static void make_page(uint8_t *page, uint64_t seed, SdbLsn lsn)
{
    uint8_t item[120];
    sdb_page_init(page, TEST_BLOCK_SIZE, SDB_PAGE_KIND_HEAP, 0);
    for (int i = 0; i < 5; i++) {
        wal_test_pattern(item, sizeof item, seed * 10 + (uint64_t)i);
        CU_ASSERT(sdb_page_add_item(page, item, sizeof item, 0, 0) > 0);
    }
    sdb_page_set_lsn(page, lsn);
}

/* ---- records --------------------------------------------------------------- */

static uint8_t pages[SDB_WAL_MAX_BLOCKS][TEST_BLOCK_SIZE];

static unsigned block_flags(int i)
{
    return i % 3 == 0 ? SDB_WAL_FORCE_IMAGE : i % 3 == 1 ? SDB_WAL_WILL_INIT : 0;
}

static size_t block_data_len(int i)
{
    return (size_t)(i * 13) % 200;
}

/* Build a record with `nblocks` blocks: FORCE_IMAGE, WILL_INIT and plain
 * ones, data (in two chunks for odd blocks) and main data. */
static SdbLsn insert_with_blocks(SdbWal *wal, int nblocks)
{
    static uint8_t data[SDB_WAL_MAX_BLOCKS][200], main_data[50 * SDB_WAL_MAX_BLOCKS];
    SdbWalBuilder b;

    sdb_wal_begin(&b);
    for (int i = 0; i < nblocks; i++) {
        SdbRelFileId rel = {1, 1000 + (uint32_t)i};
        make_page(pages[i], (uint64_t)i, 100);
        sdb_wal_add_block(&b, rel, (SdbFork)(i % 2), (SdbBlockNo)i * 7, pages[i], block_flags(i));
        size_t len = block_data_len(i);
        wal_test_pattern(data[i], len, (uint64_t)i);
        if (i % 2) {
            sdb_wal_add_block_data(&b, i, data[i], len / 2);
            sdb_wal_add_block_data(&b, i, data[i] + len / 2, len - len / 2);
        } else {
            sdb_wal_add_block_data(&b, i, data[i], len);
        }
    }
    wal_test_pattern(main_data, 50 * (size_t)nblocks, 7);
    sdb_wal_add_data(&b, main_data, 50 * (size_t)nblocks);
    return sdb_wal_insert(wal, &b, SDB_RMGR_HEAP, (uint8_t)nblocks, 9);
}

static void check_blocks(const SdbWalRecord *rec, int nblocks, bool zstd)
{
    uint8_t expect[200], main_data[50 * SDB_WAL_MAX_BLOCKS], restored[TEST_BLOCK_SIZE];

    CU_ASSERT_EQUAL(rec->rmgr, SDB_RMGR_HEAP);
    CU_ASSERT_EQUAL(rec->info, nblocks);
    CU_ASSERT_EQUAL(rec->xid, 9);
    CU_ASSERT_EQUAL_FATAL(rec->block_count, nblocks);
    for (int i = 0; i < nblocks; i++) {
        const SdbWalBlockRef *ref = &rec->blocks[i];
        CU_ASSERT_EQUAL(ref->relfile.db_oid, 1);
        CU_ASSERT_EQUAL(ref->relfile.rel_number, 1000 + (uint32_t)i);
        CU_ASSERT_EQUAL(ref->fork, (SdbFork)(i % 2));
        CU_ASSERT_EQUAL(ref->block, (SdbBlockNo)i * 7);
        size_t len = block_data_len(i);
        wal_test_pattern(expect, len, (uint64_t)i);
        CU_ASSERT_EQUAL(ref->data_len, len);
        CU_ASSERT(len == 0 || memcmp(ref->data, expect, len) == 0);
        CU_ASSERT_EQUAL((ref->flags & SDB_WAL_BLOCK_WILL_INIT) != 0, i % 3 == 1);
        bool has_image = (ref->flags & SDB_WAL_BLOCK_HAS_IMAGE) != 0;
        CU_ASSERT_EQUAL(has_image, i % 3 == 0);
        if (has_image) {
            CU_ASSERT(ref->hole_len > 0);
            CU_ASSERT(ref->image_len < TEST_BLOCK_SIZE - (zstd ? ref->hole_len : 0) + 1);
            CU_ASSERT_EQUAL((ref->flags & SDB_WAL_BLOCK_IMAGE_ZSTD) != 0, zstd);
            memset(restored, 0xAA, sizeof restored);
            CU_ASSERT_EQUAL(sdb_wal_restore_image(ref, restored, TEST_BLOCK_SIZE), SDB_OK);
            CU_ASSERT_EQUAL(memcmp(restored, pages[i], TEST_BLOCK_SIZE), 0);
        }
    }
    wal_test_pattern(main_data, 50 * (size_t)nblocks, 7);
    CU_ASSERT_EQUAL(rec->main_len, 50 * (uint32_t)nblocks);
    CU_ASSERT(nblocks == 0 || memcmp(rec->main_data, main_data, rec->main_len) == 0);
}

static void round_trip(SdbSetting_wal_compression compression)
{
    static const int counts[] = {0, 1, 3, 7, SDB_WAL_MAX_BLOCKS};
    enum { N = sizeof counts / sizeof counts[0] };
    char dir[4096];
    SdbWalConfig cfg;
    SdbLsn lsns[N];

    wal_test_config(&cfg, dir, sizeof dir);
    cfg.compression = compression;
    SdbWal *wal = create_wal(&cfg);
    for (int k = 0; k < N; k++) {
        lsns[k] = insert_with_blocks(wal, counts[k]);
        CU_ASSERT_NOT_EQUAL_FATAL(lsns[k], SDB_INVALID_LSN);
    }
    CU_ASSERT_EQUAL(sdb_wal_flush(wal, lsns[N - 1]), SDB_OK);
    CU_ASSERT(sdb_wal_flushed_lsn(wal) >= lsns[N - 1]);

    SdbWalReader *r;
    const SdbWalRecord *rec;
    SdbLsn prev = SDB_INVALID_LSN;
    CU_ASSERT_EQUAL_FATAL(sdb_wal_reader_open(&cfg, SDB_WAL_FIRST_LSN, &r), SDB_OK);
    for (int k = 0; k < N; k++) {
        CU_ASSERT_EQUAL_FATAL(sdb_wal_reader_next(r, &rec), SDB_OK);
        CU_ASSERT_PTR_NOT_NULL_FATAL(rec);
        CU_ASSERT_EQUAL(rec->end_lsn, lsns[k]);
        CU_ASSERT_EQUAL(rec->prev_lsn, prev);
        CU_ASSERT_EQUAL(rec->lsn, k == 0 ? SDB_WAL_FIRST_LSN : lsns[k - 1]);
        prev = rec->lsn;
        check_blocks(rec, counts[k], compression == SDB_WAL_COMPRESSION_ZSTD);
    }
    CU_ASSERT_EQUAL(sdb_wal_reader_next(r, &rec), SDB_OK);
    CU_ASSERT_PTR_NULL(rec);
    CU_ASSERT_EQUAL(sdb_wal_reader_end_lsn(r), lsns[N - 1]);
    CU_ASSERT_EQUAL(sdb_wal_reader_last_lsn(r), prev);
    sdb_wal_reader_close(r);

    SdbWalStats stats;
    sdb_wal_stats(wal, &stats);
    CU_ASSERT_EQUAL(stats.records, N);
    CU_ASSERT_EQUAL(stats.fpi, 1 + 1 + 3 + 11); /* blocks 0, 3, 6 ... of each record */
    CU_ASSERT_EQUAL(stats.bytes, lsns[N - 1] - SDB_WAL_FIRST_LSN);
    CU_ASSERT_EQUAL(sdb_wal_close(wal), SDB_OK);
}

static void test_round_trip(void)
{
    round_trip(SDB_WAL_COMPRESSION_OFF);
}

static void test_round_trip_zstd(void)
{
    round_trip(SDB_WAL_COMPRESSION_ZSTD);
}

/* Whether the single block of the next record read from `r` has an image. */
static bool next_has_image(SdbWalReader *r)
{
    const SdbWalRecord *rec;
    CU_ASSERT_EQUAL(sdb_wal_reader_next(r, &rec), SDB_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rec);
    return (rec->blocks[0].flags & SDB_WAL_BLOCK_HAS_IMAGE) != 0;
}

/* Log a change to `page` (block 0 of 1/5000) and set its LSN. */
static void log_change(SdbWal *wal, uint8_t *page)
{
    SdbWalBuilder b;
    SdbRelFileId rel = {1, 5000};
    sdb_wal_begin(&b);
    sdb_wal_add_block(&b, rel, SDB_FORK_MAIN, 0, page, 0);
    SdbLsn lsn = sdb_wal_insert(wal, &b, SDB_RMGR_HEAP, 0, 3);
    CU_ASSERT_NOT_EQUAL_FATAL(lsn, SDB_INVALID_LSN);
    sdb_page_set_lsn(page, lsn);
}

static void test_full_page_image_decision(void)
{
    char dir[4096];
    SdbWalConfig cfg;
    uint8_t page[TEST_BLOCK_SIZE];
    SdbSettings settings;

    wal_test_config(&cfg, dir, sizeof dir);
    SdbWal *wal = create_wal(&cfg);
    make_page(page, 1, 0);
    sdb_wal_set_redo_lsn(wal, SDB_WAL_FIRST_LSN);
    log_change(wal, page); /* LSN 0 <= redo: image */
    log_change(wal, page); /* changed since the redo point: none */
    SdbLsn redo = sdb_wal_begin_redo_point(wal);
    CU_ASSERT_EQUAL(redo, sdb_wal_insert_lsn(wal));
    log_change(wal, page); /* first change after a checkpoint: image */
    log_change(wal, page);
    CU_ASSERT_EQUAL_FATAL(sdb_settings_init(&settings), SDB_OK);
    settings.full_page_writes = false;
    sdb_wal_reload(wal, &settings);
    sdb_wal_begin_redo_point(wal);
    log_change(wal, page); /* full_page_writes off: none */
    sdb_settings_free(&settings);
    CU_ASSERT_EQUAL(sdb_wal_flush(wal, sdb_wal_insert_lsn(wal)), SDB_OK);

    SdbWalReader *r;
    CU_ASSERT_EQUAL_FATAL(sdb_wal_reader_open(&cfg, SDB_WAL_FIRST_LSN, &r), SDB_OK);
    CU_ASSERT_TRUE(next_has_image(r));
    CU_ASSERT_FALSE(next_has_image(r));
    CU_ASSERT_TRUE(next_has_image(r));
    CU_ASSERT_FALSE(next_has_image(r));
    CU_ASSERT_FALSE(next_has_image(r));
    sdb_wal_reader_close(r);
    CU_ASSERT_EQUAL(sdb_wal_close(wal), SDB_OK);
}

static void test_builder_misuse(void)
{
    char dir[4096];
    SdbWalConfig cfg;
    SdbWalBuilder b;
    SdbRelFileId rel = {1, 2};

    wal_test_config(&cfg, dir, sizeof dir);
    SdbWal *wal = create_wal(&cfg);
    sdb_wal_begin(&b);
    for (int i = 0; i <= SDB_WAL_MAX_BLOCKS; i++)
        sdb_wal_add_block(&b, rel, SDB_FORK_MAIN, (SdbBlockNo)i, NULL, SDB_WAL_WILL_INIT);
    CU_ASSERT_EQUAL(sdb_wal_insert(wal, &b, SDB_RMGR_HEAP, 0, 1), SDB_INVALID_LSN);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_INTERNAL_ERROR);
    CU_ASSERT_PTR_NOT_NULL(strstr(sdb_error_last()->message, "too many block references"));

    sdb_wal_begin(&b);
    sdb_wal_add_block_data(&b, 0, "x", 1);
    CU_ASSERT_EQUAL(sdb_wal_insert(wal, &b, SDB_RMGR_HEAP, 0, 1), SDB_INVALID_LSN);
    sdb_wal_begin(&b);
    CU_ASSERT_EQUAL(sdb_wal_insert(wal, &b, SDB_RMGR_COUNT, 0, 1), SDB_INVALID_LSN);
    CU_ASSERT_EQUAL(sdb_wal_insert_lsn(wal), SDB_WAL_FIRST_LSN);
    CU_ASSERT_EQUAL(sdb_wal_close(wal), SDB_OK);

    /* A second create in the same folder is refused. */
    CU_ASSERT_EQUAL(sdb_wal_create(&cfg, &wal), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_DUPLICATE_FILE);
    cfg.segment_size = 100000;
    CU_ASSERT_EQUAL(sdb_wal_open(&cfg, SDB_WAL_FIRST_LSN, 0, &wal), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_INVALID_PARAMETER_VALUE);
}

static void test_rmgr_table(void)
{
    SdbWalRecord rec;
    char line[512];

    memset(&rec, 0, sizeof rec);
    CU_ASSERT_STRING_EQUAL(sdb_rmgr_name(SDB_RMGR_HEAP), "HEAP");
    CU_ASSERT_STRING_EQUAL(sdb_rmgr_name(200), "unknown");
    CU_ASSERT_PTR_NULL(sdb_rmgr_get(SDB_RMGR_COUNT));
    rec.lsn = 0x100000028ull;
    rec.rmgr = 200;
    CU_ASSERT_EQUAL(sdb_rmgr_redo(NULL, &rec), SDB_ERROR);
    CU_ASSERT_PTR_NOT_NULL(strstr(sdb_error_last()->message, "no redo routine"));
    CU_ASSERT_PTR_NOT_NULL(strstr(sdb_error_last()->message, "1/28"));
    for (int id = 0; id < SDB_RMGR_COUNT; id++) /* rows still without redo */
        if (sdb_rmgrs[id].redo == NULL) {
            rec.rmgr = (uint8_t)id;
            CU_ASSERT_EQUAL(sdb_rmgr_redo(NULL, &rec), SDB_ERROR);
            CU_ASSERT_PTR_NOT_NULL(strstr(sdb_error_last()->message, sdb_rmgrs[id].name));
        }
    rec.rmgr = SDB_RMGR_XACT;
    rec.block_count = 1;
    rec.blocks[0].relfile = (SdbRelFileId){5, 16384};
    rec.blocks[0].block = 3;
    rec.blocks[0].flags = SDB_WAL_BLOCK_HAS_IMAGE;
    rec.blocks[0].image_len = 812;
    sdb_rmgr_describe(&rec, line, sizeof line);
    CU_ASSERT_PTR_NOT_NULL(strstr(line, "lsn 1/28"));
    CU_ASSERT_PTR_NOT_NULL(strstr(line, "XACT"));
    CU_ASSERT_PTR_NOT_NULL(strstr(line, "rel 5/16384 fork 0 blk 3 image 812 bytes"));
    sdb_rmgr_describe(&rec, line, 10); /* truncates, stays terminated */
    CU_ASSERT_EQUAL(strlen(line), 9);
}

/* ---- the end of valid WAL ---------------------------------------------------- */

/* A closed WAL holding records xid 1..count of `len` bytes; lsns[i] = end of
 * record i. */
static void write_records(SdbWalConfig *cfg, char *dir, size_t dir_size, int count, size_t len,
                          SdbLsn *lsns)
{
    wal_test_config(cfg, dir, dir_size);
    SdbWal *wal = create_wal(cfg);
    insert_many(wal, 1, count, len, lsns);
    CU_ASSERT_EQUAL(sdb_wal_close(wal), SDB_OK);
}

/* Read the WAL of `cfg` from the start and check it has exactly the first
 * `expected` records, ending at `end`, for the reason containing `why`. */
static void expect_end(const SdbWalConfig *cfg, int expected, SdbLsn end, const char *why)
{
    SdbWalReader *r;
    const SdbWalRecord *rec;
    int n = 0;

    CU_ASSERT_EQUAL_FATAL(sdb_wal_reader_open(cfg, SDB_WAL_FIRST_LSN, &r), SDB_OK);
    while (sdb_wal_reader_next(r, &rec) == SDB_OK && rec != NULL) {
        CU_ASSERT_EQUAL(rec->xid, (SdbXid)n + 1);
        n++;
    }
    CU_ASSERT_PTR_NULL(rec);
    CU_ASSERT_EQUAL(n, expected);
    CU_ASSERT_EQUAL(sdb_wal_reader_end_lsn(r), end);
    if (strstr(sdb_wal_reader_end_reason(r), why) == NULL) {
        fprintf(stderr, "end reason \"%s\" lacks \"%s\"\n", sdb_wal_reader_end_reason(r), why);
        CU_FAIL("unexpected end reason");
    }
    CU_ASSERT_EQUAL(sdb_wal_reader_next(r, &rec), SDB_OK); /* stays at the end */
    CU_ASSERT_PTR_NULL(rec);
    sdb_wal_reader_close(r);
}

static void test_end_at_zeroes(void)
{
    char dir[4096];
    SdbWalConfig cfg;
    SdbLsn lsns[10];
    write_records(&cfg, dir, sizeof dir, 10, 100, lsns);
    expect_end(&cfg, 10, lsns[9], "invalid record length 0");
}

static void test_flipped_bit(void)
{
    char dir[4096];
    SdbWalConfig cfg;
    SdbLsn lsns[10];
    uint8_t byte, buf[200];
    SdbWalRecord rec;

    write_records(&cfg, dir, sizeof dir, 10, 100, lsns);
    /* The decoder alone: record 1 as stored is valid, with one bit flipped not. */
    size_t len = SDB_WAL_RECORD_HEADER_SIZE + 100;
    stream_bytes(&cfg, SDB_WAL_FIRST_LSN, buf, len, false);
    CU_ASSERT_EQUAL(sdb_wal_decode(buf, len, SDB_WAL_FIRST_LSN, &rec), SDB_OK);
    CU_ASSERT_TRUE(wal_test_check(&rec, 1, 100));
    buf[77] ^= 0x10;
    CU_ASSERT_EQUAL(sdb_wal_decode(buf, len, SDB_WAL_FIRST_LSN, &rec), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_DATA_CORRUPTED);

    /* In the file: the reader ends before record 6. */
    stream_bytes(&cfg, lsns[4] + 60, &byte, 1, false);
    byte ^= 0x04;
    stream_bytes(&cfg, lsns[4] + 60, &byte, 1, true);
    expect_end(&cfg, 5, lsns[4], "checksum");
}

static void test_torn_and_truncated_tail(void)
{
    char dir[4096], path[4200];
    SdbWalConfig cfg;
    SdbLsn lsns[10];
    uint8_t zero[200] = {0};

    write_records(&cfg, dir, sizeof dir, 10, 300, lsns);
    /* Torn: the second half of the last record never reached disk. */
    stream_bytes(&cfg, lsns[8] + 170, zero, 170, true);
    expect_end(&cfg, 9, lsns[8], "checksum");
    /* Truncated: the file ends inside record 8. */
    segment_file(dir, 0, path, sizeof path);
    CU_ASSERT_EQUAL(truncate(path, (off_t)(lsns[6] + 100)), 0);
    expect_end(&cfg, 7, lsns[6], "ends before");

    /* Insertion resumes exactly there, overwriting the invalid tail. */
    SdbWalReader *r;
    const SdbWalRecord *rec;
    SdbWal *wal;
    CU_ASSERT_EQUAL_FATAL(sdb_wal_reader_open(&cfg, SDB_WAL_FIRST_LSN, &r), SDB_OK);
    while (sdb_wal_reader_next(r, &rec) == SDB_OK && rec != NULL)
        ;
    CU_ASSERT_EQUAL_FATAL(sdb_wal_open(&cfg, sdb_wal_reader_end_lsn(r), sdb_wal_reader_last_lsn(r), &wal),
                          SDB_OK);
    sdb_wal_reader_close(r);
    CU_ASSERT_EQUAL(sdb_wal_insert_lsn(wal), lsns[6]);
    insert_many(wal, 8, 3, 40, lsns);
    CU_ASSERT_EQUAL(sdb_wal_close(wal), SDB_OK);
    expect_end(&cfg, 10, lsns[2], "invalid record length 0");
}

static void test_garbage_tail(void)
{
    char dir[4096];
    SdbWalConfig cfg;
    SdbLsn lsns[10];
    uint8_t garbage[1000];

    write_records(&cfg, dir, sizeof dir, 10, 100, lsns);
    srand(7);
    for (size_t i = 0; i < sizeof garbage; i++)
        garbage[i] = (uint8_t)rand();
    stream_bytes(&cfg, lsns[9], garbage, sizeof garbage, true);
    expect_end(&cfg, 10, lsns[9], "at 0/");

    /* A plausible length but garbage after it. */
    garbage[0] = 200;
    garbage[1] = garbage[2] = garbage[3] = 0;
    memset(garbage + 8, 0, 8); /* prev_lsn 0: accepted only as a first record */
    stream_bytes(&cfg, lsns[9], garbage, sizeof garbage, true);
    expect_end(&cfg, 10, lsns[9], "prev-link");
}

static void test_stale_record_and_segment(void)
{
    char dir[4096], from[4200], to[4200];
    SdbWalConfig cfg;
    SdbLsn lsns[400];
    uint8_t rec2[SDB_WAL_RECORD_HEADER_SIZE + 100];

    /* A valid old record (CRC fine) lying after the end: its prev_lsn
     * points elsewhere, so it is not taken as part of this WAL. */
    write_records(&cfg, dir, sizeof dir, 10, 100, lsns);
    stream_bytes(&cfg, lsns[1], rec2, sizeof rec2, false);
    stream_bytes(&cfg, lsns[9], rec2, sizeof rec2, true);
    expect_end(&cfg, 10, lsns[9], "prev-link");

    /* A segment file that still carries an older segment's contents. */
    write_records(&cfg, dir, sizeof dir, 400, 400, lsns);
    CU_ASSERT(sdb_wal_segment_of(lsns[399], TEST_SEGMENT_SIZE) == 2);
    segment_file(dir, 0, from, sizeof from);
    segment_file(dir, 3, to, sizeof to);
    char command[9000];
    snprintf(command, sizeof command, "cp '%s' '%s'", from, to);
    CU_ASSERT_EQUAL_FATAL(system(command), 0);
    SdbLsn end;
    CU_ASSERT_EQUAL(wal_test_read_all(&cfg, 3 * (SdbLsn)TEST_SEGMENT_SIZE, &end, NULL, 0), 0);
    CU_ASSERT_EQUAL(end, 3 * (SdbLsn)TEST_SEGMENT_SIZE);
    SdbWalReader *r;
    const SdbWalRecord *rec;
    CU_ASSERT_EQUAL_FATAL(sdb_wal_reader_open(&cfg, 3 * (SdbLsn)TEST_SEGMENT_SIZE, &r), SDB_OK);
    CU_ASSERT_EQUAL(sdb_wal_reader_next(r, &rec), SDB_OK);
    CU_ASSERT_PTR_NULL(rec);
    CU_ASSERT_PTR_NOT_NULL(strstr(sdb_wal_reader_end_reason(r), "segment number 0 in the header of segment 3"));
    sdb_wal_reader_close(r);
    expect_end(&cfg, 400, lsns[399], "invalid record length 0");
}

/* ---- segments ---------------------------------------------------------------- */

static void test_records_cross_segments(void)
{
    char dir[4096];
    SdbWalConfig cfg;
    enum { N = 80 };
    SdbLsn lsns[N + 3];
    size_t lens[N + 3];
    SdbWalStats stats;

    wal_test_config(&cfg, dir, sizeof dir);
    SdbWal *wal = create_wal(&cfg);
    for (int i = 0; i < N; i++) {
        lens[i] = i % 10 == 9 ? 150000 : (size_t)(i * 7919) % 20000; /* some bigger than the buffer */
        lsns[i] = wal_test_insert(wal, (SdbXid)i + 1, lens[i]);
        CU_ASSERT_NOT_EQUAL_FATAL(lsns[i], SDB_INVALID_LSN);
    }
    /* A record ending exactly at a segment boundary, then a redo point there. */
    size_t left = TEST_SEGMENT_SIZE - sdb_wal_insert_lsn(wal) % TEST_SEGMENT_SIZE;
    lens[N] = left >= SDB_WAL_RECORD_HEADER_SIZE
                  ? left - SDB_WAL_RECORD_HEADER_SIZE
                  : left + TEST_SEGMENT_SIZE - SDB_WAL_SEGMENT_HEADER_SIZE - SDB_WAL_RECORD_HEADER_SIZE;
    lsns[N] = wal_test_insert(wal, N + 1, lens[N]);
    CU_ASSERT_EQUAL(lsns[N] % TEST_SEGMENT_SIZE, 0);
    SdbLsn redo = sdb_wal_begin_redo_point(wal);
    CU_ASSERT_EQUAL(redo, lsns[N]);
    for (int i = N + 1; i < N + 3; i++) {
        lens[i] = 10;
        lsns[i] = wal_test_insert(wal, (SdbXid)i + 1, lens[i]);
    }
    CU_ASSERT_EQUAL(lsns[N + 1], redo + SDB_WAL_SEGMENT_HEADER_SIZE + 48);
    CU_ASSERT_EQUAL(sdb_wal_flush(wal, lsns[N + 2]), SDB_OK);
    sdb_wal_stats(wal, &stats);
    CU_ASSERT(stats.buffer_full_writes > 0);

    SdbWalReader *r;
    const SdbWalRecord *rec;
    CU_ASSERT_EQUAL_FATAL(sdb_wal_reader_open(&cfg, SDB_WAL_FIRST_LSN, &r), SDB_OK);
    for (int i = 0; i < N + 3; i++) {
        CU_ASSERT_EQUAL_FATAL(sdb_wal_reader_next(r, &rec), SDB_OK);
        CU_ASSERT_PTR_NOT_NULL_FATAL(rec);
        CU_ASSERT_TRUE(wal_test_check(rec, (SdbXid)i + 1, lens[i]));
        CU_ASSERT_EQUAL(rec->end_lsn, lsns[i]);
    }
    CU_ASSERT_EQUAL(sdb_wal_reader_next(r, &rec), SDB_OK);
    CU_ASSERT_PTR_NULL(rec);
    sdb_wal_reader_close(r);
    CU_ASSERT_EQUAL(wal_test_read_all(&cfg, redo, NULL, NULL, 0), 2);
    CU_ASSERT_EQUAL(sdb_wal_close(wal), SDB_OK);

    /* Reopening at a segment boundary works too. */
    SdbLsn last = lsns[N - 1] % TEST_SEGMENT_SIZE ? lsns[N - 1] : lsns[N - 1] + SDB_WAL_SEGMENT_HEADER_SIZE;
    CU_ASSERT_EQUAL_FATAL(sdb_wal_open(&cfg, redo, last, &wal), SDB_OK);
    CU_ASSERT_NOT_EQUAL(wal_test_insert(wal, 500, 10), SDB_INVALID_LSN);
    CU_ASSERT_EQUAL(sdb_wal_close(wal), SDB_OK);
    SdbXid xids[N + 2];
    CU_ASSERT_EQUAL(wal_test_read_all(&cfg, SDB_WAL_FIRST_LSN, NULL, xids, N + 2), N + 2);
    CU_ASSERT_EQUAL(xids[N + 1], 500);
}

static void test_recycling_keeps_folder_bounded(void)
{
    char dir[4096];
    SdbWalConfig cfg;
    SdbWalRemoveResult res;
    SdbWalStats stats;
    int max_files = 0;
    SdbLsn redo = SDB_WAL_FIRST_LSN;
    SdbXid xid = 1;

    wal_test_config(&cfg, dir, sizeof dir);
    cfg.min_wal_size = 3 * TEST_SEGMENT_SIZE;
    SdbWal *wal = create_wal(&cfg);
    for (int checkpoint = 0; checkpoint < 40; checkpoint++) {
        insert_many(wal, xid, 48, 2000, NULL); /* about 1.5 segments */
        xid += 48;
        CU_ASSERT_EQUAL(sdb_wal_flush(wal, sdb_wal_insert_lsn(wal)), SDB_OK);
        redo = sdb_wal_begin_redo_point(wal);
        CU_ASSERT_EQUAL(sdb_wal_remove_old(wal, redo, &res), SDB_OK);
        int files = count_segment_files(dir);
        if (files > max_files)
            max_files = files;
    }
    sdb_wal_stats(wal, &stats);
    CU_ASSERT(max_files <= 5); /* current, 3 kept ahead, one preallocated */
    CU_ASSERT(stats.segments_recycled > 30);
    CU_ASSERT(stats.segments_created <= 6); /* of ~60 segments written */
    /* A burst of WAL between two checkpoints: what is not kept is removed. */
    insert_many(wal, xid, 200, 2000, NULL);
    xid += 200;
    CU_ASSERT_EQUAL(sdb_wal_flush(wal, sdb_wal_insert_lsn(wal)), SDB_OK);
    redo = sdb_wal_begin_redo_point(wal);
    CU_ASSERT_EQUAL(sdb_wal_remove_old(wal, redo, &res), SDB_OK);
    CU_ASSERT(res.removed > 0);
    CU_ASSERT(count_segment_files(dir) <= 5);
    /* The WAL after the last redo point is intact, and the recycled
     * segments ahead (stale contents) are not mistaken for WAL. */
    insert_many(wal, xid, 100, 2000, NULL);
    CU_ASSERT_EQUAL(sdb_wal_flush(wal, sdb_wal_insert_lsn(wal)), SDB_OK);
    SdbLsn end;
    CU_ASSERT_EQUAL(wal_test_read_all(&cfg, redo, &end, NULL, 0), 100);
    CU_ASSERT_EQUAL(end, sdb_wal_insert_lsn(wal));
    CU_ASSERT_EQUAL(sdb_wal_close(wal), SDB_OK);
}

/* ---- archive ---------------------------------------------------------------- */

static bool files_equal(const char *a, const char *b)
{
    char command[9000];
    snprintf(command, sizeof command, "cmp -s '%s' '%s'", a, b);
    return system(command) == 0;
}

static void test_archive_round_trip(void)
{
    char dir[4096], seg[4200], archived[4200], restored[4200];
    SdbWalConfig cfg;
    SdbWalRemoveResult res;

    wal_test_config(&cfg, dir, sizeof dir);
    cfg.archive = true;
    SdbWal *wal = create_wal(&cfg);
    insert_many(wal, 1, 100, 1500, NULL); /* into segment 2 */
    CU_ASSERT_EQUAL(sdb_wal_flush(wal, sdb_wal_insert_lsn(wal)), SDB_OK);
    CU_ASSERT_EQUAL(sdb_wal_archive_segment(dir, 0), SDB_OK);
    segment_file(dir, 0, seg, sizeof seg);
    snprintf(archived, sizeof archived, "%s/archive/%016X.zst", dir, 0);
    snprintf(restored, sizeof restored, "%s/restored", dir);
    CU_ASSERT_EQUAL(access(archived, R_OK), 0);
    CU_ASSERT_EQUAL(sdb_wal_unarchive_segment(dir, 0, restored), SDB_OK);
    CU_ASSERT_TRUE(files_equal(seg, restored));

    /* Segments removed by a checkpoint are archived first. */
    CU_ASSERT_EQUAL(sdb_wal_remove_old(wal, sdb_wal_begin_redo_point(wal), &res), SDB_OK);
    CU_ASSERT_EQUAL(res.archived, 2);
    CU_ASSERT_EQUAL(res.archived, res.recycled + res.removed);
    CU_ASSERT_EQUAL(sdb_wal_close(wal), SDB_OK);
    CU_ASSERT_EQUAL(sdb_wal_unarchive_segment(dir, 1, restored), SDB_OK);

    /* A damaged archive file is reported, and the old copy stays. */
    CU_ASSERT_EQUAL(truncate(archived, 200), 0);
    CU_ASSERT_EQUAL(sdb_wal_unarchive_segment(dir, 0, restored), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_DATA_CORRUPTED);
    CU_ASSERT_EQUAL(sdb_wal_unarchive_segment(dir, 7, restored), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_UNDEFINED_FILE);
}

static CU_TestInfo record_tests[] = {
    {"round trip of records with 0..32 blocks, images, data", test_round_trip},
    {"round trip with zstd-compressed images", test_round_trip_zstd},
    {"full-page images follow the redo point", test_full_page_image_decision},
    {"builder misuse and bad configuration are reported", test_builder_misuse},
    {"rmgr table: names, missing redo, describe", test_rmgr_table},
    CU_TEST_INFO_NULL,
};

static CU_TestInfo end_tests[] = {
    {"reader stops at zeroes", test_end_at_zeroes},
    {"reader stops at a flipped bit", test_flipped_bit},
    {"reader stops at a torn or truncated tail; insertion resumes there", test_torn_and_truncated_tail},
    {"reader stops at garbage", test_garbage_tail},
    {"reader rejects stale records and recycled segments", test_stale_record_and_segment},
    CU_TEST_INFO_NULL,
};

static CU_TestInfo segment_tests[] = {
    {"records cross segment boundaries", test_records_cross_segments},
    {"recycling keeps the WAL folder bounded", test_recycling_keeps_folder_bounded},
    {"archive round trip", test_archive_round_trip},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"wal records", NULL, NULL, NULL, NULL, record_tests},
    {"wal end", NULL, NULL, NULL, NULL, end_tests},
    {"wal segments", NULL, NULL, NULL, NULL, segment_tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return sdb_test_run(suites);
}
