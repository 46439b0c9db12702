#include "source/remote_fetch.h"

#include "base/fsutil.h"
#include "source/inventory_render.h"
#include "source/meta_json.h"
#include "base/strbuf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

typedef struct listed {
    char *rel;          /* key without the tables prefix: <table_id>/<segment_id>/<file> */
    int64_t size;
} listed;

struct mm_remote_source {
    mm_storage *st;
    char *prefix;       /* as listed: "" or ending in '/' */
    char *written;      /* source.remote.tablesDir as the user wrote it */
    char *bucket;       /* "s3://bucket" (the description without " at <server>") */
    char *cache_dir, *tables_dir, *scan_dir;
    listed *objects;
    size_t n, cap;
    bool oom;
};

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st, (void)ftw;
    if (type == FTW_DP)
        rmdir(path);
    else
        unlink(path);
    return 0;
}

/* Only ever called on the cache: <state dir>/source-cache-<pid> and below. */
static void remove_tree(const char *dir)
{
    if (dir && access(dir, F_OK) == 0)
        nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static const char cache_name[] = "source-cache-";

/* Caches left by runs that were killed; those of live processes (another
 * command on the same state dir) are left alone. */
static void remove_stale_caches(const char *state_dir)
{
    DIR *d = opendir(state_dir);
    if (!d)
        return;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (strncmp(e->d_name, cache_name, sizeof cache_name - 1) != 0)
            continue;
        char *end = NULL;
        long pid = strtol(e->d_name + sizeof cache_name - 1, &end, 10);
        if (pid <= 0 || *end != '-' || (kill((pid_t)pid, 0) != 0 && errno == ESRCH)) {
            char *path = mm_asprintf("%s/%s", state_dir, e->d_name);
            remove_tree(path);
            free(path);
        }
    }
    closedir(d);
}

static int add_listed(void *ctx, const char *key, int64_t size)
{
    mm_remote_source *rs = ctx;
    if (rs->n == rs->cap) {
        size_t cap = rs->cap ? rs->cap * 2 : 256;
        listed *grown = realloc(rs->objects, cap * sizeof *grown);
        if (!grown) {
            rs->oom = true;
            return 1;
        }
        rs->objects = grown;
        rs->cap = cap;
    }
    size_t skip = strlen(rs->prefix);
    rs->objects[rs->n].rel = mm_strdup(strncmp(key, rs->prefix, skip) == 0 ? key + skip : key);
    rs->objects[rs->n].size = size;
    if (!rs->objects[rs->n].rel) {
        rs->oom = true;
        return 1;
    }
    rs->n++;
    return 0;
}

static int by_rel(const void *a, const void *b)
{
    return strcmp(((const listed *)a)->rel, ((const listed *)b)->rel);
}

static const listed *find(const mm_remote_source *rs, const char *rel)
{
    listed key = {.rel = (char *)rel};
    return rs->n ? bsearch(&key, rs->objects, rs->n, sizeof *rs->objects, by_rel) : NULL;
}

static int list_prefix(mm_remote_source *rs, const char *prefix, mm_error *err)
{
    free(rs->prefix);
    rs->prefix = mm_strdup(prefix);
    if (!rs->prefix)
        return mm_error_set(err, MM_ERR_NOMEM, "list the source bucket: out of memory");
    int rc = mm_storage_list(rs->st, prefix, add_listed, rs, err);
    if (rs->oom)
        return mm_error_set(err, MM_ERR_NOMEM, "list the source bucket: out of memory");
    if (rc != 0)
        return mm_error_wrap(err, "list the 1.x tables directory (source.remote.tablesDir '%s')", rs->written);
    /* Listings come in key order already; sorting makes the lookups independent of the server. */
    if (rs->n > 1)
        qsort(rs->objects, rs->n, sizeof *rs->objects, by_rel);
    return 0;
}

/* "a/b", "a/b/", "a//b/" -> "a/b/" as a directory prefix, "" for the root. */
static char *directory_prefix(const char *written)
{
    size_t len = strlen(written);
    while (len && written[len - 1] == '/')
        len--;
    return len ? mm_asprintf("%.*s/", (int)len, written) : mm_strdup("");
}

int mm_remote_source_open(const mm_remote_source_options *opt, mm_remote_source **out, mm_error *err)
{
    *out = NULL;
    mm_remote_source *rs = calloc(1, sizeof *rs);
    if (!rs)
        return mm_error_set(err, MM_ERR_NOMEM, "open the source bucket: out of memory");
    rs->st = opt->storage;
    const char *describe = mm_storage_describe(opt->storage);
    const char *at = strstr(describe, " at ");
    rs->bucket = mm_strndup(describe, at ? (size_t)(at - describe) : strlen(describe));
    rs->written = mm_strdup(opt->tables_prefix ? opt->tables_prefix : "");
    /* One per open source, so that two jobs never share (or remove) a cache. */
    static atomic_uint opened;
    rs->cache_dir = mm_asprintf("%s/%s%ld-%u", opt->state_dir, cache_name, (long)getpid(), atomic_fetch_add(&opened, 1));
    rs->tables_dir = rs->cache_dir ? mm_asprintf("%s/tables", rs->cache_dir) : NULL;
    rs->scan_dir = rs->cache_dir ? mm_asprintf("%s/scan", rs->cache_dir) : NULL;
    char *prefix = rs->written ? directory_prefix(rs->written) : NULL;
    int rc = (!rs->bucket || !rs->written || !rs->cache_dir || !rs->tables_dir || !rs->scan_dir || !prefix)
                 ? mm_error_set(err, MM_ERR_NOMEM, "open the source bucket: out of memory")
                 : 0;
    if (rc == 0)
        remove_stale_caches(opt->state_dir);
    if (rc == 0)
        rc = mm_mkdir_p(rs->tables_dir, err);
    if (rc == 0)
        rc = list_prefix(rs, prefix, err);
    /* Object keys rarely start with '/': "/milvus/db/tables" most likely
     * means the keys "milvus/db/tables/...". */
    if (rc == 0 && rs->n == 0 && prefix[0] == '/') {
        size_t slashes = strspn(prefix, "/");
        rc = list_prefix(rs, prefix + slashes, err);
    }
    free(prefix);
    if (rc != 0) {
        mm_remote_source_close(rs);
        return -1;
    }
    *out = rs;
    return 0;
}

void mm_remote_source_close(mm_remote_source *rs)
{
    if (!rs)
        return;
    remove_tree(rs->cache_dir);
    for (size_t i = 0; i < rs->n; i++)
        free(rs->objects[i].rel);
    free(rs->objects);
    free(rs->prefix);
    free(rs->written);
    free(rs->bucket);
    free(rs->cache_dir);
    free(rs->tables_dir);
    free(rs->scan_dir);
    free(rs);
}

const char *mm_remote_source_tables_dir(const mm_remote_source *rs)
{
    return rs->tables_dir;
}

int mm_remote_source_read_meta(mm_remote_source *rs, const char *key, mm_meta_rows *rows, mm_error *err)
{
    mm_meta_rows_init(rows);
    int64_t size = -1;
    if (mm_storage_head(rs->st, key, &size, err) != 0)
        return mm_error_wrap(err, "read meta.remoteMetaFile");
    if (size < 0)
        return mm_error_set(err, MM_ERR_CONFIG, "meta.remoteMetaFile: there is no object '%s' in %s; set it to the "
                            "key of the meta.json written by `milvus-migrate export` and uploaded to the source "
                            "bucket", key, mm_storage_describe(rs->st));
    char *path = mm_asprintf("%s/meta.json", rs->cache_dir);
    char *origin = mm_asprintf("%s/%s", rs->bucket, key);
    int rc = (!path || !origin) ? mm_error_set(err, MM_ERR_NOMEM, "read meta.remoteMetaFile: out of memory") : 0;
    if (rc == 0 && mm_storage_get_file(rs->st, key, path, err) != 0)
        rc = mm_error_wrap(err, "read meta.remoteMetaFile");
    size_t len = 0;
    char *text = NULL;
    if (rc == 0) {
        FILE *f = fopen(path, "rb");
        mm_strbuf sb;
        mm_strbuf_init(&sb);
        char buf[65536];
        for (size_t got; f && (got = fread(buf, 1, sizeof buf, f)) > 0;)
            mm_strbuf_append_n(&sb, buf, got);
        if (!f || ferror(f) || !mm_strbuf_ok(&sb))
            rc = mm_error_set(err, MM_ERR_IO, "read the downloaded copy %s of %s: %s", path, origin,
                              !f ? strerror(errno) : "read error or out of memory");
        if (f)
            fclose(f);
        len = sb.len;
        text = mm_strbuf_take(&sb);
    }
    if (rc == 0 && mm_meta_json_parse(text ? text : "", len, origin, rows, err) != 0) {
        rc = -1;
        if (err && err->code == MM_ERR_FORMAT) {
            size_t n = strlen(err->message);
            snprintf(err->message + n, sizeof err->message - n, "; write it again from the 1.x meta with "
                     "`milvus-migrate export -s meta.sqlite -o DIR` (or -m DSN) and upload DIR/meta.json");
        }
    }
    if (path)
        unlink(path);
    free(text);
    free(path);
    free(origin);
    return rc;
}

static const char *stem(const mm_segment_info *s)
{
    return s->file_id && s->file_id[0] ? s->file_id : s->segment_id;
}

/* A sparse file of the listed length whose header agrees with it: enough
 * for the scan, which reads headers and lengths only. */
static int placeholder(const char *path, int64_t size, mm_error *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return mm_error_errno(err, errno, "create", path);
    int rc = 0;
    if (size >= 8) {
        uint64_t header = (uint64_t)size - 8;
        rc = mm_write_full(fd, &header, 8, path, err);
    }
    if (rc == 0 && ftruncate(fd, (off_t)size) != 0)
        rc = mm_error_errno(err, errno, "extend", path);
    close(fd);
    return rc;
}

static int get_checked(mm_remote_source *rs, const listed *obj, const char *path, mm_error *err)
{
    char *key = mm_asprintf("%s%s", rs->prefix, obj->rel);
    if (!key)
        return mm_error_set(err, MM_ERR_NOMEM, "fetch: out of memory");
    int rc = mm_storage_get_file(rs->st, key, path, err);
    struct stat st;
    if (rc == 0 && stat(path, &st) != 0)
        rc = mm_error_errno(err, errno, "stat", path);
    if (rc == 0 && st.st_size != obj->size)
        rc = mm_error_set(err, MM_ERR_IO, "%s/%s holds %lld bytes but was listed with %lld at the start: the "
                          "source changed during the migration; stop writing to it and run the command again",
                          rs->bucket, key, (long long)st.st_size, (long long)obj->size);
    free(key);
    return rc;
}

static int prepare_segment(mm_remote_source *rs, const mm_segment_info *s, mm_error *err)
{
    char *dir = mm_asprintf("%s/%s/%s", rs->scan_dir, s->table_id, s->segment_id);
    int rc = dir ? mm_mkdir_p(dir, err) : mm_error_set(err, MM_ERR_NOMEM, "scan: out of memory");
    const char *suffixes[] = {".uid", ".rv", NULL};
    for (size_t i = 0; rc == 0 && i < 3; i++) {
        char *name = suffixes[i] ? mm_asprintf("%s%s", stem(s), suffixes[i]) : mm_strdup("deleted_docs");
        char *rel = name ? mm_asprintf("%s/%s/%s", s->table_id, s->segment_id, name) : NULL;
        char *path = name ? mm_asprintf("%s/%s", dir, name) : NULL;
        const listed *obj = rel ? find(rs, rel) : NULL;
        if (!rel || !path)
            rc = mm_error_set(err, MM_ERR_NOMEM, "scan: out of memory");
        else if (obj)   /* an absent one is reported by the scan, as for a local copy */
            rc = suffixes[i] ? placeholder(path, obj->size, err) : get_checked(rs, obj, path, err);
        free(name);
        free(rel);
        free(path);
    }
    free(dir);
    return rc;
}

static char *replace_all(const char *text, const char *from, const char *to)
{
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    size_t n = strlen(from);
    for (const char *at; (at = strstr(text, from)) != NULL; text = at + n) {
        mm_strbuf_append_n(&sb, text, (size_t)(at - text));
        mm_strbuf_append(&sb, to);
    }
    mm_strbuf_append(&sb, text);
    return mm_strbuf_take(&sb);
}

/* The reader's messages name the files in the cache (or the scan's stand-ins
 * for them); the user needs the objects. */
static void name_objects(const mm_remote_source *rs, const char *dir, mm_inventory *inv, mm_error *err)
{
    char *from = mm_asprintf("%s/", dir), *to = mm_asprintf("%s/%s", rs->bucket, rs->prefix);
    if (!from || !to)
        goto done;
    for (size_t i = 0; inv && i < inv->n_warnings; i++) {
        char *fixed = replace_all(inv->warnings[i], from, to);
        if (fixed) {
            free(inv->warnings[i]);
            inv->warnings[i] = fixed;
        }
    }
    if (err && err->code != MM_OK) {
        char *fixed = replace_all(err->message, from, to);
        if (fixed)
            snprintf(err->message, sizeof err->message, "%s", fixed);
        free(fixed);
    }
done:
    free(from);
    free(to);
}

void mm_remote_source_name_objects(const mm_remote_source *rs, mm_error *err)
{
    name_objects(rs, rs->tables_dir, NULL, err);
}

int mm_remote_source_scan(mm_remote_source *rs, mm_inventory *inv, const mm_scan_options *opt, mm_error *err)
{
    size_t segments = 0;
    for (size_t i = 0; i < inv->n_collections; i++)
        for (size_t j = 0; j < inv->collections[i].n_partitions; j++)
            segments += inv->collections[i].partitions[j].n_segments;
    if (segments && rs->n == 0)
        return mm_error_set(err, MM_ERR_CONFIG, "source.remote.tablesDir '%s': no object of %s is under it, but the "
                            "1.x meta lists %zu segment(s); set it to the key prefix the 1.x db/tables directory was "
                            "uploaded to (its objects are <tablesDir>/<table_id>/<segment_id>/<file>)", rs->written,
                            mm_storage_describe(rs->st), segments);
    remove_tree(rs->scan_dir);
    int rc = mm_mkdir_p(rs->scan_dir, err);
    for (size_t i = 0; rc == 0 && i < inv->n_collections; i++)
        for (size_t j = 0; rc == 0 && j < inv->collections[i].n_partitions; j++)
            for (size_t k = 0; rc == 0 && k < inv->collections[i].partitions[j].n_segments; k++)
                rc = prepare_segment(rs, &inv->collections[i].partitions[j].segments[k], err);
    if (rc == 0) {
        const char *dirs[] = {rs->scan_dir};
        mm_scan_options o = *opt;
        o.tables_dirs = dirs;
        o.n_tables_dirs = 1;
        o.check_duplicate_ids = false;    /* the ids are not downloaded */
        rc = mm_inventory_scan(inv, &o, err);
        name_objects(rs, rs->scan_dir, inv, rc != 0 ? err : NULL);
    }
    remove_tree(rs->scan_dir);
    return rc;
}

/* The segment files, in the order the reader opens them. */
static int segment_objects(const mm_remote_source *rs, const mm_segment_info *s, const listed *objs[3],
                           char *names[3], mm_error *err)
{
    names[0] = mm_asprintf("%s.uid", stem(s));
    names[1] = mm_asprintf("%s.rv", stem(s));
    names[2] = mm_strdup("deleted_docs");
    for (size_t i = 0; i < 3; i++) {
        char *rel = names[i] ? mm_asprintf("%s/%s/%s", s->table_id, s->segment_id, names[i]) : NULL;
        if (!rel)
            return mm_error_set(err, MM_ERR_NOMEM, "fetch: out of memory");
        objs[i] = find(rs, rel);
        free(rel);
        /* A missing deleted_docs is the reader's to judge (source.missingDeletedDocsOk). */
        if (!objs[i] && i < 2)
            return mm_error_set(err, MM_ERR_IO, "segment %s/%s: %s/%s%s/%s/%s is not in the bucket; upload the "
                                "segment directory again from the stopped 1.x server", s->table_id, s->segment_id,
                                rs->bucket, rs->prefix, s->table_id, s->segment_id, names[i]);
    }
    return 0;
}

static int check_space(const mm_remote_source *rs, const mm_segment_info *s, uint64_t need, mm_error *err)
{
    struct statvfs vfs;
    if (statvfs(rs->tables_dir, &vfs) != 0)
        return 0;   /* no figure to judge by: the download itself will say */
    uint64_t avail = (uint64_t)vfs.f_bavail * vfs.f_frsize;
    if (avail >= need)
        return 0;
    char need_text[32], avail_text[32];
    mm_format_bytes(need, need_text, sizeof need_text);
    mm_format_bytes(avail, avail_text, sizeof avail_text);
    return mm_error_set(err, MM_ERR_IO, "fetch segment %s/%s from %s: its files need %s but %s has %s free; the "
                        "source cache holds the segments being dumped (one per dumper.worker.limit): free space "
                        "there or set state.dir to a larger disk", s->table_id, s->segment_id, rs->bucket, need_text,
                        rs->cache_dir, avail_text);
}

int mm_remote_source_fetch_segment(mm_remote_source *rs, const mm_segment_info *s, mm_error *err)
{
    const listed *objs[3] = {NULL, NULL, NULL};
    char *names[3] = {NULL, NULL, NULL};
    int rc = segment_objects(rs, s, objs, names, err);
    uint64_t need = 0;
    for (size_t i = 0; i < 3; i++)
        need += objs[i] && objs[i]->size > 0 ? (uint64_t)objs[i]->size : 0;
    char *dir = mm_asprintf("%s/%s/%s", rs->tables_dir, s->table_id, s->segment_id);
    if (rc == 0 && !dir)
        rc = mm_error_set(err, MM_ERR_NOMEM, "fetch: out of memory");
    if (rc == 0)
        rc = check_space(rs, s, need, err);
    if (rc == 0)
        rc = mm_mkdir_p(dir, err);
    for (size_t i = 0; rc == 0 && i < 3; i++) {
        if (!objs[i])
            continue;
        char *path = mm_asprintf("%s/%s", dir, names[i]);
        rc = path ? get_checked(rs, objs[i], path, err) : mm_error_set(err, MM_ERR_NOMEM, "fetch: out of memory");
        free(path);
    }
    if (rc != 0)
        mm_remote_source_release_segment(rs, s);
    for (size_t i = 0; i < 3; i++)
        free(names[i]);
    free(dir);
    return rc;
}

void mm_remote_source_release_segment(mm_remote_source *rs, const mm_segment_info *s)
{
    char *dir = mm_asprintf("%s/%s/%s", rs->tables_dir, s->table_id, s->segment_id);
    remove_tree(dir);
    free(dir);
}
