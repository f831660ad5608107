/*
 * server/hba.h: host-based authentication rules (pg_hba.conf, PostgreSQL's
 * format): which authentication method a connection gets, by connection
 * type, database, role and client address; the first matching line wins.
 *
 *     # TYPE     DATABASE        USER       ADDRESS          METHOD
 *     local      all             all                         trust
 *     host       all             all        127.0.0.1/32     trust
 *     hostssl    db1,db2         +admins    10.0.0.0 255.0.0.0  scram-sha-256
 *
 * Types local, host, hostssl, hostnossl; databases all, sameuser,
 * samerole, replication or names; users all, names or +group; addresses
 * all, CIDR or address + mask (IPv4, IPv6); methods trust, reject,
 * password, md5, scram-sha-256.  Quoted names are never keywords.
 * A loaded SdbHba is immutable and reference counted, so a reload can
 * replace the server's while connections still match against the old.
 */
#ifndef SDB_SERVER_HBA_H
#define SDB_SERVER_HBA_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "config/settings.h"

typedef enum SdbHbaMethod {
    SDB_HBA_TRUST,
    SDB_HBA_REJECT,
    SDB_HBA_PASSWORD,
    SDB_HBA_MD5,
    SDB_HBA_SCRAM
} SdbHbaMethod;

typedef struct SdbHba SdbHba;

/* What a rule is matched against. */
typedef struct SdbHbaClient {
    bool local;                     /* Unix-domain socket */
    bool ssl;                       /* TLS in use */
    const struct sockaddr *addr;    /* TCP: the peer address */
    const char *user, *database;
    /* +group and samerole: whether `role` is `group` or a member of it
     * (NULL: only the role itself). */
    bool (*is_member)(void *arg, const char *role, const char *group);
    void *arg;
} SdbHbaClient;

/* Load and check the rules of `path`: *out with one reference.  F0000
 * with CONTEXT 'line N of configuration file "path"' for a malformed line
 * (PostgreSQL's messages), 58P01-style errno errors when unreadable. */
int sdb_hba_load(const char *path, SdbHba **out);
/* The same from text (`path` only names it in errors). */
int sdb_hba_parse(const char *path, const char *text, SdbHba **out);
void sdb_hba_retain(SdbHba *hba);
void sdb_hba_release(SdbHba *hba);

/* What the first matching rule says: its method, line number and text
 * (valid while the caller holds its reference to the rules). */
typedef struct SdbHbaMatch {
    SdbHbaMethod method;
    int line;
    const char *text;
} SdbHbaMatch;

/* The first rule matching `client` into *out; false when none does. */
bool sdb_hba_match(const SdbHba *hba, const SdbHbaClient *client, SdbHbaMatch *out);

/* PostgreSQL's name of a method ("scram-sha-256"). */
const char *sdb_hba_method_name(SdbHbaMethod method);

/* The file `hba_file` names: absolute, or relative to data_directory. */
void sdb_hba_path(const SdbSettings *s, char *buf, size_t size);

/* Write the default rules to `path` unless the file exists: trust for
 * local and loopback connections, scram-sha-256 for every other address. */
int sdb_hba_write_default(const char *path);

#endif /* SDB_SERVER_HBA_H */
