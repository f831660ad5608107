/*
 * storage/engine.c: opening (initializing, recovering) and closing a data
 * directory (see engine.h).
 *
 * Open, in order: decide whether the directory is new; for a new one make
 * its folders and the WAL; read (or, for a new one, build in memory) the
 * control data; open smgr and the buffer pool (no WAL attached yet); find
 * the end of the WAL, replaying it from the last checkpoint's redo LSN when
 * the last shutdown was not clean; open the WAL for insertion at that end;
 * take the startup checkpoint (which writes the control file: for a new
 * directory, for the first time, so a crash during initialization leaves
 * no control file and the directory is refused rather than half-used);
 * start the background writer and the checkpointer.
 */
#include "storage/engine.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/error.h"
#include "common/log.h"
#include "common/memory.h"
#include "storage/fileio.h"
#include "storage/rmgr.h"

#define CONF_FILE_NAME "specdb.conf"

struct SdbEngine {
    char *datadir;
    char *wal_dir;
    SdbControlData control; /* as read or initialized at open */
    SdbWalConfig wal_config;
    SdbSmgr *smgr;
    SdbBufPool *pool;
    SdbWal *wal;
    SdbCheckpointer *checkpointer;
    bool created;
    SdbRecoveryResult recovery;
};

/* ---- the directory ------------------------------------------------------------------ */

typedef enum DirState {
    DIR_NEW,        /* missing, or empty but for specdb.conf */
    DIR_INITIALIZED /* has a control file */
} DirState;

static char *path_join(const char *dir, const char *name)
{
    size_t len = strlen(dir) + 1 + strlen(name) + 1;
    char *path = sdb_malloc(len);
    if (path != NULL)
        snprintf(path, len, "%s/%s", dir, name);
    return path;
}

static int directory_state(const char *datadir, DirState *state)
{
    DIR *dir = opendir(datadir);
    if (dir == NULL) {
        if (errno == ENOENT) {
            *state = DIR_NEW;
            return SDB_OK;
        }
        return sdb_error_errno(errno, "could not open data directory \"%s\"", datadir);
    }
    bool has_global = false, has_other = false;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        const char *name = entry->d_name;
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strcmp(name, CONF_FILE_NAME) == 0)
            continue;
        if (strcmp(name, "global") == 0)
            has_global = true;
        else
            has_other = true;
    }
    closedir(dir);
    if (!has_global && !has_other) {
        *state = DIR_NEW;
        return SDB_OK;
    }
    char *control = path_join(datadir, SDB_CONTROL_PATH);
    if (control == NULL)
        return SDB_ERROR;
    bool has_control = access(control, F_OK) == 0;
    sdb_free(control);
    if (!has_control) {
        sdb_error(SDB_ERR_SYSTEM_ERROR, "directory \"%s\" is not empty and is not a specdb data directory", datadir);
        sdb_error_detail("It has no control file (%s); an initialization may have been interrupted.",
                         SDB_CONTROL_PATH);
        sdb_error_hint("Remove the directory or its contents, or choose another one.");
        return SDB_ERROR;
    }
    *state = DIR_INITIALIZED;
    return SDB_OK;
}

/* Folders and WAL of a new data directory; the control file comes with the
 * first checkpoint. */
static int create_directory(SdbEngine *e, const SdbSettings *settings)
{
    if (sdb_control_init(&e->control, (uint32_t)settings->block_size,
                         (uint32_t)(settings->wal_segment_size * 1024)) != SDB_OK)
        return SDB_ERROR;
    char *global = path_join(e->datadir, "global");
    char *base = path_join(e->datadir, "base");
    int rc = global != NULL && base != NULL && sdb_file_make_dir(global) == SDB_OK &&
                     sdb_file_make_dir(base) == SDB_OK
                 ? SDB_OK
                 : SDB_ERROR;
    sdb_free(global);
    sdb_free(base);
    if (rc != SDB_OK)
        return SDB_ERROR;
    e->control.state = SDB_DB_IN_PRODUCTION;
    e->created = true;
    return SDB_OK;
}

/* ---- finding the end of the WAL ----------------------------------------------------------- */

static int no_checkpoint_error(const SdbEngine *e, const char *why)
{
    char lsn[24];
    sdb_error(SDB_ERR_DATA_CORRUPTED, "could not locate a valid checkpoint record at %s in \"%s\"",
              sdb_lsn_format(e->control.checkpoint_lsn, lsn), e->wal_dir);
    sdb_error_detail("%s", why);
    return SDB_ERROR;
}

/* Open a reader at the control file's checkpoint record and check that it
 * is the checkpoint the control file describes.  *shutdown says whether
 * it is a shutdown checkpoint. */
static int open_at_checkpoint(SdbEngine *e, SdbWalReader **reader, bool *shutdown)
{
    const SdbWalRecord *rec;
    SdbCheckpointRecord cp;
    *reader = NULL;
    if (sdb_wal_reader_open(&e->wal_config, e->control.checkpoint_lsn, reader) != SDB_OK ||
        sdb_wal_reader_next(*reader, &rec) != SDB_OK)
        return SDB_ERROR;
    if (rec == NULL)
        return no_checkpoint_error(e, sdb_wal_reader_end_reason(*reader));
    if (rec->rmgr != SDB_RMGR_XLOG ||
        (rec->info != SDB_XLOG_CHECKPOINT_SHUTDOWN && rec->info != SDB_XLOG_CHECKPOINT_ONLINE) ||
        rec->main_len != sizeof cp)
        return no_checkpoint_error(e, "The record there is not a checkpoint record.");
    memcpy(&cp, rec->main_data, sizeof cp);
    if (cp.redo_lsn != e->control.checkpoint_redo_lsn)
        return no_checkpoint_error(e, "Its redo LSN differs from the control file's.");
    *shutdown = rec->info == SDB_XLOG_CHECKPOINT_SHUTDOWN;
    return SDB_OK;
}

/* After a clean shutdown: the shutdown checkpoint must be the last record.
 * Sets *clean, and the end of WAL in e->recovery when it is. */
static int find_clean_end(SdbEngine *e, bool *clean)
{
    SdbWalReader *reader;
    const SdbWalRecord *rec = NULL;
    bool shutdown = false;
    int rc = open_at_checkpoint(e, &reader, &shutdown);
    if (rc == SDB_OK)
        rc = sdb_wal_reader_next(reader, &rec);
    *clean = rc == SDB_OK && shutdown && rec == NULL;
    if (*clean) {
        e->recovery.end_lsn = sdb_wal_reader_end_lsn(reader);
        e->recovery.last_record_lsn = sdb_wal_reader_last_lsn(reader);
    } else if (rc == SDB_OK) {
        sdb_log(SDB_SEVERITY_WARNING, "recovery",
                "WAL continues after the shutdown checkpoint; running recovery");
    }
    sdb_wal_reader_close(reader);
    return rc;
}

static int recover(SdbEngine *e)
{
    SdbWalReader *reader;
    bool shutdown;
    int rc = open_at_checkpoint(e, &reader, &shutdown);
    sdb_wal_reader_close(reader);
    if (rc != SDB_OK)
        return SDB_ERROR;

    sdb_log(SDB_SEVERITY_LOG, "recovery", "database system was not shut down cleanly (state: %s); automatic recovery in progress",
            sdb_control_state_name(e->control.state));
    SdbControlData in_recovery = e->control;
    in_recovery.state = SDB_DB_IN_RECOVERY;
    if (sdb_control_update(e->datadir, &in_recovery) != SDB_OK)
        return SDB_ERROR;
    if (sdb_recovery_replay(e->pool, e->smgr, &e->wal_config, e->control.checkpoint_redo_lsn, e->control.next_xid,
                            e->control.next_oid, &e->recovery) != SDB_OK)
        return SDB_ERROR;
    e->control.next_xid = e->recovery.next_xid;
    e->control.next_oid = e->recovery.next_oid;
    return SDB_OK;
}

/* Open the WAL for insertion, replaying it first if needed.  Sets
 * *startup_flags for the startup checkpoint. */
static int open_wal(SdbEngine *e, unsigned *startup_flags)
{
    *startup_flags = SDB_CHECKPOINT_REQUESTED;
    if (e->created)
        return sdb_wal_create(&e->wal_config, &e->wal);

    bool clean = false;
    if (e->control.state == SDB_DB_SHUT_DOWN && find_clean_end(e, &clean) != SDB_OK)
        return SDB_ERROR;
    if (!clean) {
        if (recover(e) != SDB_OK)
            return SDB_ERROR;
        *startup_flags = SDB_CHECKPOINT_END_OF_RECOVERY;
    }
    if (sdb_wal_open(&e->wal_config, e->recovery.end_lsn, e->recovery.last_record_lsn, &e->wal) != SDB_OK)
        return SDB_ERROR;
    sdb_wal_set_redo_lsn(e->wal, e->control.checkpoint_redo_lsn);
    return SDB_OK;
}

/* ---- open / close ---------------------------------------------------------------------------- */

/* Record `saved` again as this thread's error. */
static void restore_error(const SdbErrorData *saved)
{
    sdb_error(saved->code, "%s", saved->message);
    if (saved->detail[0] != '\0')
        sdb_error_detail("%s", saved->detail);
    if (saved->hint[0] != '\0')
        sdb_error_hint("%s", saved->hint);
}

/* Stop and free everything.  `rc` is the outcome so far: when it is
 * SDB_ERROR its recorded error is kept (a failure while closing files
 * cannot change the outcome); otherwise a failure here is the result. */
static int free_engine(SdbEngine *e, int rc)
{
    SdbErrorData first;
    if (rc != SDB_OK)
        first = *sdb_error_last();
    sdb_checkpointer_destroy(e->checkpointer);
    sdb_bufpool_destroy(e->pool);
    int close_rc = sdb_wal_close(e->wal);
    if (sdb_smgr_close(e->smgr) != SDB_OK)
        close_rc = SDB_ERROR;
    sdb_io_shutdown();
    sdb_free(e->datadir);
    sdb_free(e->wal_dir);
    sdb_free(e);
    if (rc != SDB_OK)
        restore_error(&first);
    return rc != SDB_OK ? rc : close_rc;
}

static int open_storage(SdbEngine *e, const SdbSettings *settings)
{
    DirState state = DIR_NEW;
    if (directory_state(e->datadir, &state) != SDB_OK)
        return SDB_ERROR;
    if (state == DIR_NEW) {
        if (sdb_file_make_dir(e->datadir) != SDB_OK || create_directory(e, settings) != SDB_OK)
            return SDB_ERROR;
    } else if (sdb_control_read(e->datadir, &e->control) != SDB_OK) {
        return SDB_ERROR;
    }

    sdb_wal_config_from_settings(&e->wal_config, settings, e->wal_dir, e->control.system_id);
    e->wal_config.segment_size = e->control.wal_segment_size;
    e->wal_config.block_size = e->control.page_size;

    SdbBufPoolConfig pool_config = {
        .page_size = e->control.page_size,
        .frames = sdb_bufpool_frames_for(settings->shared_buffers, e->control.page_size),
        .eviction = settings->buffer_eviction,
        .bgwriter_delay_ms = 0, /* started once recovery is over */
        .log_hint_images = settings->full_page_writes,
    };
    unsigned startup_flags;
    if (sdb_io_setup((SdbSetting_io_method)settings->io_method) != SDB_OK ||
        (e->smgr = sdb_smgr_open(e->datadir, e->control.page_size, settings->direct_io)) == NULL ||
        (e->pool = sdb_bufpool_create(e->smgr, NULL, &pool_config)) == NULL || open_wal(e, &startup_flags) != SDB_OK)
        return SDB_ERROR;
    sdb_bufpool_set_wal(e->pool, e->wal);

    e->checkpointer = sdb_checkpointer_create(e->datadir, &e->control, e->pool, e->wal,
                                              settings->checkpoint_timeout,
                                              (uint64_t)settings->max_wal_size * 1024 * 1024);
    if (e->checkpointer == NULL || sdb_checkpoint_run(e->checkpointer, startup_flags) != SDB_OK)
        return SDB_ERROR;
    sdb_checkpointer_control(e->checkpointer, &e->control);
    if (settings->bgwriter_delay > 0 &&
        sdb_bufpool_start_bgwriter(e->pool, (uint32_t)settings->bgwriter_delay) != SDB_OK)
        return SDB_ERROR;
    return sdb_checkpointer_start(e->checkpointer);
}

SdbEngine *sdb_engine_open(const char *datadir, const SdbSettings *settings)
{
    SdbEngine *e = sdb_malloc(sizeof *e);
    if (e == NULL)
        return NULL;
    memset(e, 0, sizeof *e);
    e->datadir = sdb_malloc(strlen(datadir) + 1);
    e->wal_dir = e->datadir != NULL ? path_join(datadir, "wal") : NULL;
    if (e->wal_dir != NULL) {
        strcpy(e->datadir, datadir);
        if (open_storage(e, settings) == SDB_OK)
            return e;
    }
    sdb_error_prefix("could not open data directory \"%s\"", datadir);
    free_engine(e, SDB_ERROR);
    return NULL;
}

int sdb_engine_close(SdbEngine *engine)
{
    if (engine == NULL)
        return SDB_OK;
    sdb_checkpointer_stop(engine->checkpointer);
    sdb_bufpool_stop_bgwriter(engine->pool);
    int rc = sdb_checkpoint_run(engine->checkpointer, SDB_CHECKPOINT_SHUTDOWN);
    if (rc != SDB_OK)
        sdb_error_prefix("shutdown of \"%s\" was not clean; it will be recovered when opened", engine->datadir);
    return free_engine(engine, rc);
}

/* ---- accessors --------------------------------------------------------------------------------- */

SdbSmgr *sdb_engine_smgr(SdbEngine *engine)
{
    return engine->smgr;
}

SdbWal *sdb_engine_wal(SdbEngine *engine)
{
    return engine->wal;
}

SdbBufPool *sdb_engine_bufpool(SdbEngine *engine)
{
    return engine->pool;
}

const char *sdb_engine_datadir(const SdbEngine *engine)
{
    return engine->datadir;
}

uint32_t sdb_engine_page_size(const SdbEngine *engine)
{
    return engine->control.page_size;
}

void sdb_engine_control(SdbEngine *engine, SdbControlData *out)
{
    sdb_checkpointer_control(engine->checkpointer, out);
}

bool sdb_engine_created(const SdbEngine *engine)
{
    return engine->created;
}

const SdbRecoveryResult *sdb_engine_recovery_result(const SdbEngine *engine)
{
    return &engine->recovery;
}

int sdb_engine_checkpoint(SdbEngine *engine)
{
    return sdb_checkpoint_run(engine->checkpointer, SDB_CHECKPOINT_REQUESTED);
}

void sdb_engine_set_checkpoint_hook(SdbEngine *engine, SdbCheckpointHook hook, void *arg)
{
    sdb_checkpointer_set_hook(engine->checkpointer, hook, arg);
}

int sdb_engine_add_checkpoint_hook(SdbEngine *engine, SdbCheckpointHook hook, void *arg)
{
    return sdb_checkpointer_add_hook(engine->checkpointer, hook, arg);
}

void sdb_engine_remove_checkpoint_hook(SdbEngine *engine, SdbCheckpointHook hook, void *arg)
{
    sdb_checkpointer_remove_hook(engine->checkpointer, hook, arg);
}

void sdb_engine_checkpoint_stats(SdbEngine *engine, SdbCheckpointStats *out)
{
    sdb_checkpointer_stats(engine->checkpointer, out);
}

int sdb_engine_drop_relation(SdbEngine *engine, SdbRelFileId rel, SdbXid xid)
{
    int rc = SDB_OK;
    sdb_checkpointer_hold(engine->checkpointer);
    for (int fork = 0; fork < SDB_FORK_COUNT && rc == SDB_OK; fork++) {
        if (sdb_bufpool_drop_rel(engine->pool, rel, (SdbFork)fork, 0) != SDB_OK ||
            sdb_smgr_drop_logged(engine->smgr, engine->wal, rel, (SdbFork)fork, xid) != SDB_OK)
            rc = SDB_ERROR;
    }
    sdb_checkpointer_release(engine->checkpointer);
    return rc;
}

int sdb_engine_truncate_relation(SdbEngine *engine, SdbRelFileId rel, SdbFork fork, SdbBlockNo nblocks, SdbXid xid)
{
    sdb_checkpointer_hold(engine->checkpointer);
    int rc = sdb_bufpool_drop_rel(engine->pool, rel, fork, nblocks);
    if (rc == SDB_OK)
        rc = sdb_smgr_truncate_logged(engine->smgr, engine->wal, rel, fork, nblocks, xid);
    sdb_checkpointer_release(engine->checkpointer);
    return rc;
}
