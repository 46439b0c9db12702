/* migration.yaml: the typed configuration model.
 *
 * One table of keys (mm_config_keys) drives everything: parsing (libyaml),
 * saving, validation, the wizard's forms and the key list of
 * migration.yaml(5). Every key of the reference tool's milvus1x mode is
 * accepted under its own name, so existing configs keep working; our
 * additions are marked "ours". Keys are matched case-insensitively on input
 * (the reference reads them through viper) and written in canonical
 * camelCase.
 *
 * Relative paths are kept as written and resolved against the current
 * directory, as the reference tool does, except state.dir whose default is
 * computed from the config file's directory (mm_config_state_dir).
 *
 * Sources: config_keys.c (the table), config_checks.c (per-value checks),
 * config_parse.c (text scanners), config_types.c (one operations table
 * per value type: parse, store, free, compare, text), config_suggest.c
 * (did-you-mean), config.c (the model, single keys, conditions),
 * config_yaml.c (loading), config_render.c (rendering, atomic save),
 * config_validate.c (cross-key rules), config_man.c (the man page's key
 * list), dsn.c (MySQL connection strings). */
#ifndef MM_CONFIG_H
#define MM_CONFIG_H

#include "base/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- the typed model ---------------------------------------------------- */

/* Choice-valued keys store one of these enums. Value 0 of the three modes is
 * "not set": those keys are required and have no default. */
typedef enum { MM_WORK_MODE_MILVUS1X = 0 } mm_work_mode;
typedef enum {
    MM_META_UNSET = 0,
    MM_META_SQLITE,
    MM_META_MYSQL,
    MM_META_LOCAL,  /* meta.json at meta.localFile */
    MM_META_MOCK,   /* meta.json at meta.mockFile (same reader as local) */
    MM_META_REMOTE  /* meta.json object meta.remoteMetaFile in the source bucket */
} mm_meta_mode;
typedef enum { MM_LOCATION_UNSET = 0, MM_LOCATION_LOCAL, MM_LOCATION_REMOTE } mm_location_mode;
typedef enum {
    MM_CLOUD_AWS = 0,
    MM_CLOUD_GCP,
    MM_CLOUD_AZURE,
    MM_CLOUD_ALI,
    MM_CLOUD_TC,
    MM_CLOUD_MINIO  /* S3 API at `endpoint`: behaves as aws, endpoint required */
} mm_cloud;
typedef enum { MM_NAN_FAIL = 0, MM_NAN_SKIP } mm_nan_policy;
typedef enum {
    MM_EXISTING_ERROR = 0,
    MM_EXISTING_APPEND,
    MM_EXISTING_DROP,
    MM_EXISTING_SKIP
} mm_existing_policy;

typedef struct mm_config_list {
    char **items;
    size_t count;
} mm_config_list;

/* One bucket: source.remote.* or target.remote.*. */
typedef struct mm_config_remote {
    mm_cloud cloud;
    char *endpoint;     /* host[:port], no scheme; "" = the provider's default */
    char *region;
    char *bucket;
    char *ak;           /* access key id; Azure: the storage account name */
    char *sk;           /* secret */
    char *sas_token;    /* Azure: shared access signature, instead of sk */
    bool use_ssl;
    char *ca_file;      /* PEM CA bundle for https; "" = the system's CAs */
    bool use_iam;
    bool use_imds;      /* with use_iam: may ask the EC2 instance metadata service */
    bool check_bucket;
    /* Key prefix inside the bucket: source.remote.tablesDir (kept verbatim) or
     * target.remote.outputDir (leading '/' removed). */
    char *prefix;
} mm_config_remote;

#define MM_CONFIG_KEY_MAX 96

/* Every string field is non-NULL after mm_config_init_defaults ("" when
 * empty). */
typedef struct mm_config {
    struct {
        struct {
            mm_work_mode work_mode;
            int limit;              /* segments dumped concurrently */
            int reader_buffer_kb;   /* read buffer per source file, KiB */
            int writer_buffer_kb;   /* write buffer per local output file, KiB */
        } worker;
        mm_nan_policy nan_policy;
        uint64_t max_file_size;     /* no staged .npy file above this */
        uint64_t batch_size;        /* small segments packed into batches up to this; 0 = never */
        uint64_t part_size;         /* S3 multipart part size */
    } dumper;
    struct {
        struct {
            int limit;              /* concurrent Import tasks */
        } worker;
        int poll_interval_seconds;
        int import_timeout_minutes; /* 0 = wait forever */
        int settle_seconds;         /* 2.6+: wait for a late import job before counting */
        bool probe_staging;         /* prove Milvus reads the staging place before anything is created */
        bool delete_staged_files;
    } loader;
    struct {
        mm_meta_mode mode;
        char *sqlite_file;
        char *mysql_url;            /* DSN; contains a password */
        char *local_file;
        char *mock_file;
        char *remote_meta_file;
    } meta;
    struct {
        mm_location_mode mode;
        struct {
            char *tables_dir;
            mm_config_list secondary_tables_dirs;
            char *wal_dir;
        } local;
        mm_config_remote remote;
        bool allow_unflushed;
        bool allow_running_server;
        bool missing_deleted_docs_ok;
    } source;
    struct {
        mm_location_mode mode;
        struct {
            char *output_dir;
        } local;
        mm_config_remote remote;
        struct {
            char *endpoint;         /* [http://|https://]host:port */
            char *username;
            char *password;
            char *database;
            struct {
                uint64_t max_call_recv_msg_size; /* 0 = gRPC default */
                uint64_t max_call_send_msg_size;
            } grpc;
            struct {
                bool enabled;       /* see mm_config_tls_enabled */
                char *ca_file;
                char *cert_file;
                char *key_file;
                char *server_name;
            } tls;
            int timeout_seconds;
            int retries;            /* on UNAVAILABLE */
            mm_existing_policy existing_collection;
            mm_config_list names;  /* "coll=name", "coll/tag=name" */
            bool create_index;
            struct {
                char *id;
                char *vector;
            } fields;
            char *write_mode;       /* reference key, ignored */
        } milvus2x;
        struct {                    /* reference keys, ignored for 1.x */
            struct {
                char *name;
                int shards_num;
                int dim;
                char *metric_type;
            } collection;
        } create;
    } target;
    struct {
        int stats_timeout_seconds;
        int sample;                 /* rows per 2.x partition read back; 0 = off */
        int sample_seed;
        bool load_for_sample;       /* may load (and index) a collection to sample it */
    } verify;
    struct {
        char *dir;                  /* "" = <config file dir>/.milvus-migrate */
    } state;

    /* Where the values came from, for messages (not part of the value). */
    char *origin;       /* file name as given to load, or NULL */
    char *config_dir;   /* directory of that file, or NULL */
    struct mm_config_pos {
        int line, column;           /* 1-based position of the key; 0 = not from a file */
    } where[MM_CONFIG_KEY_MAX];
    bool given[MM_CONFIG_KEY_MAX];  /* set in the file or since, not left to its default */
} mm_config;

/* ---- the key table ------------------------------------------------------- */

typedef enum {
    MM_CFG_STRING,
    MM_CFG_PATH,     /* a local file or directory path */
    MM_CFG_SECRET,   /* a string never shown in logs, reports or errors */
    MM_CFG_INT,
    MM_CFG_SIZE,     /* bytes; accepts 16GiB, 512MiB, 64K, 1.5GB ... */
    MM_CFG_BOOL,
    MM_CFG_CHOICE,
    MM_CFG_LIST      /* list of paths: a YAML sequence or one ';'-separated string */
} mm_config_type;

enum {
    MM_CFG_F_SECRET = 1u << 0,       /* masked as "***" in renders and the wizard */
    MM_CFG_F_ALWAYS_SAVE = 1u << 1,  /* written even when equal to the default */
    MM_CFG_F_NONPOSITIVE_DEFAULT = 1u << 2, /* a value <= 0 means the default (reference) */
    MM_CFG_F_REQUIRED = 1u << 3,     /* must be set when shown_if and required_if hold */
    MM_CFG_F_OURS = 1u << 4,         /* not a key of the reference tool */
    MM_CFG_F_INT_OUTPUT = 1u << 5,   /* SIZE written as plain bytes (reference reads an int) */
    MM_CFG_F_DSN = 1u << 6           /* a connection string whose password is masked */
};

/* Which commands need a key: validation checks only the phases asked for. */
enum {
    MM_CONFIG_PHASE_SOURCE = 1u << 0, /* 1.x meta and segment files (inspect, dump) */
    MM_CONFIG_PHASE_STAGE = 1u << 1,  /* where the .npy files go (dump, load) */
    MM_CONFIG_PHASE_MILVUS = 1u << 2, /* the Milvus 2.x server (load, verify) */
    MM_CONFIG_PHASE_ALL = 7u
};

#define MM_CFG_CHOICE_REJECTED (-1)

typedef struct mm_config_choice {
    const char *name;   /* matched case-insensitively */
    int value;          /* enum value, or MM_CFG_CHOICE_REJECTED */
    const char *note;   /* what it means, or (rejected) why it is refused */
    bool alias;         /* accepted on input, never written */
} mm_config_choice;

/* "key has one of the values in mask" (bit 1<<enum value); key NULL = always. */
typedef struct mm_config_cond {
    const char *key;
    unsigned mask;
} mm_config_cond;

/* A parsed value before it is stored; strings and lists are owned. */
typedef union mm_config_value {
    char *str;
    int64_t i;
    uint64_t size;
    bool b;
    int choice;
    mm_config_list list;
} mm_config_value;

typedef struct mm_config_key {
    const char *name;           /* canonical dotted key */
    mm_config_type type;
    size_t offset;              /* of the field in mm_config */
    const char *default_text;   /* parsed by the same code as input; NULL = empty/unset */
    const char *default_shown;  /* for man page and wizard when computed at run time */
    const char *doc;            /* one line, starts upper-case, no final period */
    const char *help;           /* a paragraph */
    unsigned flags;             /* MM_CFG_F_* */
    unsigned phases;            /* MM_CONFIG_PHASE_* that use the key */
    const mm_config_choice *choices; /* NULL-name terminated */
    int64_t min, max;           /* INT and SIZE bounds; both 0 = unbounded */
    mm_config_cond shown_if;    /* relevant (wizard shows it) only when this holds */
    mm_config_cond required_if; /* with MM_CFG_F_REQUIRED: required when this holds too */
    const char *ignored;        /* non-NULL: accepted, warned with this reason, unused */
    /* Extra per-value check after parsing; may normalise v in place.
     * Writes "expected ..., got ..." into problem and returns -1. Must not
     * echo the value of a secret key. */
    int (*check)(mm_config_value *v, char *problem, size_t n);
} mm_config_key;

const mm_config_key *mm_config_keys(size_t *n);
/* Case-insensitive lookup of a dotted key; NULL if unknown. */
const mm_config_key *mm_config_find_key(const char *name);
/* The reference tool's key this one comes from, or "ours". */
const char *mm_config_key_origin(const mm_config_key *key);
/* "string", "path", "secret", "integer", "size", "boolean", "choice", "list". */
const char *mm_config_type_name(mm_config_type type);
/* What a value must look like, e.g. "an integer from 1 to 256",
 * "one of sqlite, mysql, local, mock, remote". Returns buf. */
const char *mm_config_key_expectation(const mm_config_key *key, char *buf, size_t n);

/* ---- lifetime -------------------------------------------------------------- */

void mm_config_init_defaults(mm_config *cfg);
/* Frees everything; cfg may be zeroed or already freed. */
void mm_config_free(mm_config *cfg);
int mm_config_copy(mm_config *dst, const mm_config *src, mm_error *err);
/* Values only (not where the values came from). */
bool mm_config_equal(const mm_config *a, const mm_config *b);

/* ---- warnings ------------------------------------------------------------- */

typedef struct mm_config_warnings {
    char **items;
    size_t count;
} mm_config_warnings;

void mm_config_warnings_add(mm_config_warnings *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void mm_config_warnings_free(mm_config_warnings *w);

/* ---- reading and writing files --------------------------------------------- */

/* Loads a migration.yaml. cfg must be initialised (mm_config_init_defaults) or
 * zeroed; on success its old content is replaced by the defaults overlaid
 * with the file, on failure it is left unchanged. Only per-key checks run
 * here; call mm_config_validate before using the config for a command.
 * Errors are MM_ERR_CONFIG, "<file>:<line>:<column>: <key>: <problem>".
 * Warnings (unknown keys with a suggestion, ignored reference keys) are
 * appended to warn, which may be NULL. */
int mm_config_load_file(const char *path, mm_config *cfg, mm_config_warnings *warn,
                        mm_error *err);
int mm_config_load_text(const char *text, size_t len, const char *origin, mm_config *cfg,
                        mm_config_warnings *warn, mm_error *err);

/* Cross-key checks for the given phases (MM_CONFIG_PHASE_*): required keys
 * per mode, credentials given in pairs, TLS files only with TLS, ... Every
 * problem is reported, one per line, in err (MM_ERR_CONFIG). */
int mm_config_validate(const mm_config *cfg, unsigned phases, mm_config_warnings *warn,
                       mm_error *err);

/* Writes the keys whose value differs from the default, plus the keys
 * flagged MM_CFG_F_ALWAYS_SAVE (dumper.worker.workMode and the three modes,
 * which the reference tool requires), as nested maps in table order.
 * Secrets are written (the user asked for them to be saved); the file is
 * replaced atomically and always has mode 0600. */
int mm_config_save_file(const mm_config *cfg, const char *path, mm_error *err);
/* The same YAML as saved (without the header comment), malloc'd. */
char *mm_config_render(const mm_config *cfg);
/* The same YAML with secrets as "***" and the password inside meta.mysqlUrl
 * masked: for logs and reports. */
char *mm_config_render_redacted(const mm_config *cfg);

/* ---- single values (wizard forms) ------------------------------------------ */

/* The value as text (size canonical like "16GiB", list joined with ';',
 * secrets as they are: the caller masks them). Returns the length of the
 * full text like snprintf (>= n means truncated). */
int mm_config_get_string(const mm_config *cfg, const mm_config_key *key, char *buf, size_t n);
/* The value for display: secrets "***" when set, DSN password masked.
 * malloc'd. */
char *mm_config_get_display(const mm_config *cfg, const mm_config_key *key);
/* Parses and checks one value (the same rules as the file). Empty text means
 * the default. Errors: "<key>: expected ..., got ...". */
int mm_config_set_string(mm_config *cfg, const mm_config_key *key, const char *text,
                         mm_error *err);
void mm_config_reset_key(mm_config *cfg, const mm_config_key *key);
bool mm_config_is_default(const mm_config *cfg, const mm_config_key *key);
/* Whether the key was set (in the file loaded, or since), rather than left
 * to its default: a default the program computes applies only then. */
bool mm_config_given(const mm_config *cfg, const char *name);
/* Whether the key matters under the current modes (its shown_if holds). */
bool mm_config_key_shown(const mm_config *cfg, const mm_config_key *key);

/* ---- derived values -------------------------------------------------------- */

/* state.dir, or <directory of the loaded file>/.milvus-migrate, or
 * ./.milvus-migrate without a file. malloc'd. */
char *mm_config_state_dir(const mm_config *cfg);
/* tls.enabled, or an endpoint written as https://... */
bool mm_config_tls_enabled(const mm_config *cfg);
/* meta.localFile or meta.mockFile for the two meta.json modes, else NULL. */
const char *mm_config_meta_json_path(const mm_config *cfg);
/* Text with the password of a MySQL DSN (Go form or mysql:// URL) replaced
 * by "***". malloc'd. */
char *mm_config_mask_dsn(const char *dsn);

/* ---- documentation -------------------------------------------------------- */

/* The roff text of the KEYS section of migration.yaml(5), generated from the
 * table. malloc'd. */
char *mm_config_man_section(void);

#endif
