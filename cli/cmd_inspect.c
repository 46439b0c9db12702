/* `inspect` and `export`: the source side, headless. */
#include "cli.h"

#include "base/fsutil.h"
#include "path_safety.h"
#include "source/inventory.h"
#include "source/inventory_render.h"
#include "source/meta_json.h"
#include "source/scan.h"
#include "source/live_server.h"
#include "source/source.h"
#include "source/wal_guard.h"
#include "base/strbuf.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { MAX_SECONDARY = 16 };

enum {
    OPT_META_JSON = 256,
    OPT_SECONDARY,
    OPT_WAL_DIR,
    OPT_COL,
    OPT_JSON,
    OPT_NO_ID_CHECK,
    OPT_MISSING_DD_OK,
    OPT_ALLOW_UNFLUSHED,
};

typedef struct source_args {
    mm_source_spec spec;
    const char *secondary[MAX_SECONDARY];
    const char *collections;
    const char *output;
    const char *config;
    bool json;
    bool id_check;
    bool missing_deleted_docs_ok;
    bool allow_unflushed;
    bool help;
} source_args;

static const struct option source_options[] = {
    {"config", required_argument, NULL, 'c'},
    {"sqlite", required_argument, NULL, 's'},
    {"mysql", required_argument, NULL, 'm'},
    {"meta-json", required_argument, NULL, OPT_META_JSON},
    {"tables-dir", required_argument, NULL, 't'},
    {"secondary", required_argument, NULL, OPT_SECONDARY},
    {"wal-dir", required_argument, NULL, OPT_WAL_DIR},
    {"col", required_argument, NULL, OPT_COL},
    {"output", required_argument, NULL, 'o'},
    {"json", no_argument, NULL, OPT_JSON},
    {"no-id-check", no_argument, NULL, OPT_NO_ID_CHECK},
    {"missing-deleted-docs-ok", no_argument, NULL, OPT_MISSING_DD_OK},
    {"allow-unflushed", no_argument, NULL, OPT_ALLOW_UNFLUSHED},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Parses the options both commands share; `allowed` lists the long option
 * names the command accepts so each --help stays truthful. Returns 0, or
 * the exit status of a usage error. */
static int parse_source_args(const char *command, const char *const *allowed, int argc, char **argv,
                             source_args *a)
{
    memset(a, 0, sizeof *a);
    a->id_check = true;
    optind = 1;
    opterr = 0;
    int opt, index = -1;
    while ((opt = getopt_long(argc, argv, ":c:s:m:t:o:h", source_options, &index)) != -1) {
        if (opt == '?')
            return mm_cli_usage_error(command, "unknown option '%s'", argv[optind - 1]);
        if (opt == ':')
            return mm_cli_usage_error(command, "option '%s' needs a value", argv[optind - 1]);
        const char *name = NULL;
        for (const struct option *o = source_options; o->name; o++)
            if (o->val == opt)
                name = o->name;
        bool ok = false;
        for (const char *const *p = allowed; *p; p++)
            if (name && strcmp(*p, name) == 0)
                ok = true;
        if (!ok)
            return mm_cli_usage_error(command, "option '--%s' does not apply to %s", name ? name : "?", command);
        switch (opt) {
        case 'c': a->config = optarg; break;
        case 's': a->spec.sqlite_path = optarg; break;
        case 'm': a->spec.mysql_dsn = optarg; break;
        case OPT_META_JSON: a->spec.meta_json_path = optarg; break;
        case 't': a->spec.tables_dir = optarg; break;
        case OPT_SECONDARY:
            if (a->spec.n_secondary_tables_dirs == MAX_SECONDARY)
                return mm_cli_usage_error(command, "at most %d --secondary directories", MAX_SECONDARY);
            a->secondary[a->spec.n_secondary_tables_dirs++] = optarg;
            break;
        case OPT_WAL_DIR: a->spec.wal_dir = optarg; break;
        case OPT_COL: a->collections = optarg; break;
        case 'o': a->output = optarg; break;
        case OPT_JSON: a->json = true; break;
        case OPT_NO_ID_CHECK: a->id_check = false; break;
        case OPT_MISSING_DD_OK: a->missing_deleted_docs_ok = true; break;
        case OPT_ALLOW_UNFLUSHED: a->allow_unflushed = true; break;
        case 'h': a->help = true; break;
        }
    }
    a->spec.secondary_tables_dirs = a->secondary;
    if (a->spec.wal_dir)
        a->spec.wal_key = "--wal-dir";
    if (optind < argc) {
        if (!a->spec.data_dir && argc - optind == 1 && strcmp(command, "inspect") == 0)
            a->spec.data_dir = argv[optind];
        else
            return mm_cli_usage_error(command, "unexpected argument '%s'", argv[optind]);
    }
    return 0;
}

static int print_help(const char *command)
{
    fputs(mm_cli_find(command)->usage, stdout);
    return 0;
}

/* Reads the meta and applies the live-set rules and the --col filter. */
static int load_inventory(const source_args *a, mm_source *src, mm_inventory *inv, mm_error *err)
{
    if (mm_source_open(&a->spec, src, err) != 0)
        return -1;
    if (mm_inventory_build(&src->rows, inv, err) != 0) {
        mm_source_free(src);
        return -1;
    }
    if (mm_inventory_filter(inv, a->collections, err) != 0) {
        mm_inventory_free(inv);
        mm_source_free(src);
        return -1;
    }
    return 0;
}

static bool show_scan_progress(void *ctx, size_t done, size_t total)
{
    (void)ctx;
    fprintf(stderr, "\rscanning segments: %zu/%zu", done, total);
    if (done == total)
        fputc('\n', stderr);
    return true;
}

/* A 1.x server still using the installation: inspect and export only
 * read it, so they say so and go on (dump refuses). */
static void warn_in_use(const mm_source *src)
{
    mm_live_probe probe = {
        .storage_roots = (const char *const *)src->wal.roots, .n_storage_roots = src->wal.n_roots,
        .wal_dir = src->wal.dir, .sqlite_path = src->rows.kind == MM_META_KIND_SQLITE ? src->rows.origin : NULL,
    };
    mm_live_server live;
    if (mm_live_server_probe(&probe, &live, NULL) != 0)
        return;
    if (live.n_evidence) {
        fprintf(stderr, "warning: a Milvus 1.x server (or another program) is still using the 1.x installation, so "
                "what is shown may already be out of date (dump refuses to start until it is stopped):\n");
        for (size_t i = 0; i < live.n_evidence; i++)
            fprintf(stderr, "  %s\n", live.evidence[i]);
    }
    mm_live_server_free(&live);
}

int mm_cli_inspect(int argc, char **argv)
{
    static const char *const allowed[] = {"config", "sqlite", "mysql", "meta-json", "tables-dir", "secondary",
                                          "wal-dir", "col", "json", "no-id-check",
                                          "missing-deleted-docs-ok", "help", NULL};
    source_args a;
    int status = parse_source_args("inspect", allowed, argc, argv, &a);
    if (status != 0)
        return status;
    if (a.help)
        return print_help("inspect");

    mm_error err;
    mm_error_clear(&err);
    mm_config cfg;
    mm_config_init_defaults(&cfg);
    bool missing_dd_ok = a.missing_deleted_docs_ok;
    if (a.config) {
        if (a.spec.data_dir || a.spec.sqlite_path || a.spec.mysql_dsn || a.spec.meta_json_path) {
            mm_config_free(&cfg);
            return mm_cli_usage_error("inspect", "give either --config or a source, not both");
        }
        if (mm_cli_load_config(a.config, &cfg, MM_CONFIG_PHASE_SOURCE, &err) != 0 ||
            mm_cli_source_spec_from_config(&cfg, &a.spec, &err) != 0) {
            mm_config_free(&cfg);
            return mm_cli_fail("inspect", &err);
        }
        missing_dd_ok = missing_dd_ok || cfg.source.missing_deleted_docs_ok;
    }
    mm_source src;
    mm_inventory inv;
    if (load_inventory(&a, &src, &inv, &err) != 0) {
        mm_config_free(&cfg);
        return mm_cli_fail("inspect", &err);
    }

    mm_scan_options scan = {
        .tables_dirs = (const char *const *)src.tables_dirs,
        .n_tables_dirs = src.n_tables_dirs,
        .missing_deleted_docs_ok = missing_dd_ok,
        .check_duplicate_ids = a.id_check,
        .progress = isatty(STDERR_FILENO) ? show_scan_progress : NULL,
    };
    mm_error scan_err;
    mm_error_clear(&scan_err);
    int scan_rc = mm_inventory_scan(&inv, &scan, &scan_err);

    mm_wal_guard wal;
    mm_error wal_err;
    mm_error_clear(&wal_err);
    int wal_rc = mm_wal_guard_check(&src, &wal, &wal_err);
    warn_in_use(&src);
    if (wal_rc == 0 && wal.warning)
        fprintf(stderr, "warning: %s\n", wal.warning);

    char *text = a.json ? mm_inventory_render_json(&inv, wal_rc == 0 ? &wal : NULL)
                        : mm_inventory_render_text(&inv, wal_rc == 0 ? &wal : NULL);
    if (text)
        fputs(text, stdout);
    if (a.json && text)
        fputc('\n', stdout);
    free(text);
    fflush(stdout);

    status = 0;
    mm_error schema_err;
    mm_error_clear(&schema_err);
    if (mm_inventory_check_schemas(&inv, &schema_err) != 0)
        status = mm_cli_fail("inspect", &schema_err);
    if (wal_rc != 0)
        status = mm_cli_fail("inspect", &wal_err);
    if (scan_rc != 0) {
        mm_error_wrap(&scan_err, "not every segment could be read; first failure");
        status = mm_cli_fail("inspect", &scan_err);
    }
    if (!text) {
        mm_error_set(&err, MM_ERR_NOMEM, "render the inventory: out of memory");
        status = mm_cli_fail("inspect", &err);
    }
    if (wal_rc == 0)
        mm_wal_guard_free(&wal);
    mm_inventory_free(&inv);
    mm_source_free(&src);
    mm_config_free(&cfg);
    return status;
}

/* export writes DIR/meta.json and, while reading the meta, a private copy
 * of meta.sqlite in TMPDIR: neither may lie inside the 1.x installation. */
static int check_export_paths(const source_args *a, mm_error *err)
{
    mm_path_set *set = mm_path_set_new();
    if (!set)
        return mm_error_set(err, MM_ERR_NOMEM, "export: out of memory");
    char *db = NULL;
    if (a->spec.sqlite_path) {
        db = mm_strdup(a->spec.sqlite_path);
        char *slash = db ? strrchr(db, '/') : NULL;
        if (slash)
            slash[slash == db ? 1 : 0] = '\0';
        mm_path_set_add_source(set, "the 1.x db directory", db && slash ? db : ".");
        char *tables = mm_asprintf("%s/tables", db && slash ? db : ".");
        mm_path_set_add_source(set, "the 1.x tables directory (beside -s)", tables);
        free(tables);
    }
    mm_wal_hints h = {.given = a->spec.wal_dir, .given_key = "--wal-dir", .sqlite_path = a->spec.sqlite_path};
    mm_wal_location wal;
    int rc = mm_wal_locate(&h, &wal, err);
    if (rc == 0) {
        mm_path_set_add_source(set, "the 1.x WAL directory", wal.dir);
        mm_wal_location_free(&wal);
    }
    mm_path_set_add_write(set, "-o", a->output, a->output, false);
    const char *tmp = getenv("TMPDIR");
    mm_path_set_add_write(set, "TMPDIR (environment variable)", tmp && *tmp ? tmp : "/tmp", tmp && *tmp ? tmp : "/tmp",
                          false);
    if (rc == 0)
        rc = mm_path_set_check(set, err);
    mm_path_set_free(set);
    free(db);
    return rc;
}

/* meta.json with the record of the WAL check (an extension field the
 * reference tool ignores): a dump from it later tells what was checked. */
static char *render_meta_json(const mm_inventory *inv, const mm_wal_guard *wal, bool allowed, mm_error *err)
{
    char *text = mm_meta_json_render(inv, err);
    cJSON *root = text ? cJSON_Parse(text) : NULL;
    free(text);
    if (!root) {
        mm_error_set(err, MM_ERR_NOMEM, "export: out of memory");
        return NULL;
    }
    cJSON_AddItemToObject(root, "walCheck", mm_wal_guard_record(wal, allowed));
    text = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (!text)
        mm_error_set(err, MM_ERR_NOMEM, "export: out of memory");
    return text;
}

int mm_cli_export(int argc, char **argv)
{
    static const char *const allowed[] = {"sqlite", "mysql", "output", "col", "wal-dir", "allow-unflushed", "help",
                                          NULL};
    source_args a;
    int status = parse_source_args("export", allowed, argc, argv, &a);
    if (status != 0)
        return status;
    if (a.help)
        return print_help("export");
    if (!a.spec.sqlite_path && !a.spec.mysql_dsn)
        return mm_cli_usage_error("export", "give the 1.x meta with -s meta.sqlite or -m DSN");
    if (a.spec.sqlite_path && a.spec.mysql_dsn)
        return mm_cli_usage_error("export", "give either -s or -m, not both");
    if (!a.output)
        return mm_cli_usage_error("export", "give the output directory with -o DIR");
    /* The meta alone is exported; segment files are not needed here. */
    a.spec.meta_only = true;

    mm_error err;
    mm_error_clear(&err);
    if (check_export_paths(&a, &err) != 0)
        return mm_cli_fail("export", &err);
    mm_source src;
    mm_inventory inv;
    if (load_inventory(&a, &src, &inv, &err) != 0)
        return mm_cli_fail("export", &err);
    mm_wal_guard wal;
    char *note = NULL;
    int rc = mm_wal_guard_check(&src, &wal, &err);
    bool have_wal = rc == 0;
    if (rc == 0) {
        warn_in_use(&src);
        rc = mm_wal_guard_refuse(&wal, a.allow_unflushed, "give --allow-unflushed (a dump from the meta.json then "
                                 "still refuses unless source.allowUnflushed: true)", &note, &err);
    }
    if (note)
        fprintf(stderr, "warning: %s", note);
    free(note);
    if (rc == 0 && wal.warning)
        fprintf(stderr, "warning: %s\n", wal.warning);
    char *json = rc == 0 ? render_meta_json(&inv, &wal, a.allow_unflushed, &err) : NULL;
    char *path = mm_asprintf("%s/meta.json", a.output);
    if (rc != 0 || !json || !path || mm_mkdir_p(a.output, &err) != 0 ||
        mm_write_file_atomic(path, json, strlen(json), 0644, &err) != 0) {
        if (!path)
            mm_error_set(&err, MM_ERR_NOMEM, "export: out of memory");
        status = mm_cli_fail("export", &err);
    } else {
        mm_inventory_totals t;
        mm_inventory_totals_of(&inv, &t);
        printf("wrote %s/meta.json: %zu collection(s), %zu partition(s), %zu segment(s); unflushed data %s\n",
               a.output, t.collections, t.partitions, t.segments, wal.summary);
        for (size_t i = 0; i < inv.n_warnings; i++)
            fprintf(stderr, "warning: %s\n", inv.warnings[i]);
    }
    if (have_wal)
        mm_wal_guard_free(&wal);
    free(path);
    free(json);
    mm_inventory_free(&inv);
    mm_source_free(&src);
    return status;
}
