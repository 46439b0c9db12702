/* `inspect`: the inventory of a 1.x installation, headless. */
#include "commands.h"
#include "exit_status.h"
#include "job/job.h"
#include "job/source_check.h"
#include "options.h"
#include "output.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct inspect_args {
    const char *data_dir, *sqlite, *mysql, *meta_json, *config;
    const char *tables_dir, *wal_dir, *collections;
    mm_option_list secondary;
    bool json, no_id_check, missing_deleted_docs_ok;
} inspect_args;

#define ARG(field) .offset = offsetof(inspect_args, field)

static const mm_option options[] = {
    MM_OPT_GROUP_ENTRY("SOURCE (exactly one):"),
    {.kind = MM_OPT_OPERAND, .value_name = "DIR", ARG(data_dir),
     .help = "a 1.x data directory (storage.path), its db/ directory,\nor its server_config.yaml"},
    {.kind = MM_OPT_STRING, .short_name = 's', .long_name = "sqlite", .value_name = "FILE", ARG(sqlite),
     .help = "the 1.x meta.sqlite (keep meta.sqlite-wal/-shm beside it)"},
    {.kind = MM_OPT_STRING, .short_name = 'm', .long_name = "mysql", .value_name = "DSN", ARG(mysql),
     .help = "the 1.x MySQL meta: user:pass@tcp(host:port)/db or\nmysql://user:pass@host:port/db"},
    {.kind = MM_OPT_STRING, .long_name = "meta-json", .value_name = "FILE", ARG(meta_json),
     .help = "a meta.json written by `export` or the reference tool"},
    {.kind = MM_OPT_STRING, .short_name = 'c', .long_name = "config", .value_name = "FILE", ARG(config),
     .help = "the source named by meta.* and source.* in migration.yaml"},
    MM_OPT_GROUP_ENTRY("Options:"),
    {.kind = MM_OPT_STRING, .short_name = 't', .long_name = "tables-dir", .value_name = "DIR", ARG(tables_dir),
     .help = "the 1.x db/tables directory (default: next to the meta)"},
    {.kind = MM_OPT_LIST, .long_name = "secondary", .value_name = "DIR", ARG(secondary),
     .help = "another tables directory to probe (0.9 secondary_path);\nrepeatable"},
    {.kind = MM_OPT_STRING, .long_name = "wal-dir", .value_name = "DIR", ARG(wal_dir),
     .help = "the 1.x WAL directory (default: discovered)"},
    {.kind = MM_OPT_STRING, .long_name = "col", .value_name = "A,B", ARG(collections),
     .help = "only these collections"},
    {.kind = MM_OPT_FLAG, .long_name = "json", ARG(json), .help = "print JSON instead of a table"},
    {.kind = MM_OPT_FLAG, .long_name = "no-id-check", ARG(no_id_check),
     .help = "skip the duplicate-id check (it sorts all live ids in memory)"},
    {.kind = MM_OPT_FLAG, .long_name = "missing-deleted-docs-ok", ARG(missing_deleted_docs_ok),
     .help = "treat a missing deleted_docs file as \"no deletes\""},
    MM_OPT_HELP_ENTRY,
    {0},
};
MM_COMMAND_OPTIONS(inspect, options)

static const mm_option_text text = {
    .usage = "Usage: milvus-migrate inspect [SOURCE | -c FILE] [options]\n"
             "\n"
             "Reads the Milvus 1.x metadata and every live segment (read-only) and prints,\n"
             "per collection and partition, the live and deleted rows, segments, bytes,\n"
             "dimension, vector type, metric and index, the import plan (batches after\n"
             "packing small segments, dumper.batchSize) and how many workers the dump uses\n"
             "and why (not with --json), then every warning: unflushed data,\n"
             "row_count discrepancies, duplicate ids, names that are invalid in Milvus 2.x.\n"
             "\n",
    .epilog = "\n"
              "Exit status: 0 inventory printed, 1 a segment or the meta could not be read,\n"
              "2 usage error.\n",
};

static int sources_given(const inspect_args *a)
{
    return (a->data_dir != NULL) + (a->sqlite != NULL) + (a->mysql != NULL) + (a->meta_json != NULL);
}

/* The source from the command line (spec points into a). */
static void spec_of(const inspect_args *a, mm_source_spec *spec)
{
    *spec = (mm_source_spec){
        .data_dir = a->data_dir, .sqlite_path = a->sqlite, .mysql_dsn = a->mysql, .meta_json_path = a->meta_json,
        .tables_dir = a->tables_dir, .tables_key = "--tables-dir DIR", .secondary_tables_dirs = a->secondary.items,
        .n_secondary_tables_dirs = a->secondary.count, .wal_dir = a->wal_dir,
        .wal_key = a->wal_dir ? "--wal-dir" : NULL, .meta_key = a->sqlite ? "-s" : "--meta-json",
    };
}

int mm_cmd_inspect(int argc, char **argv)
{
    inspect_args a = {0};
    int parsed = mm_options_parse("inspect", options, &text, argc, argv, &a);
    if (parsed != MM_OPTIONS_GO_ON)
        return parsed;
    mm_cli_output out;
    mm_cli_output_init(&out);
    mm_error err;
    mm_error_clear(&err);
    mm_config cfg;
    mm_config_init_defaults(&cfg);
    mm_inspect_options o = {.collections = a.collections, .check_duplicate_ids = !a.no_id_check,
                            .missing_deleted_docs_ok = a.missing_deleted_docs_ok, .json = a.json,
                            .cfg = &cfg};
    spec_of(&a, &o.spec);
    int status = -1;
    if (a.config) {
        if (sources_given(&a)) {
            status = mm_cli_usage_error("inspect", "give either --config or a source, not both");
        } else if (mm_job_load_config(a.config, &cfg, MM_CONFIG_PHASE_SOURCE, &out.sink, &err) != 0 ||
                   mm_job_source_spec(&cfg, &o.spec, &err) != 0) {
            status = mm_cli_fail("inspect", &err);
        } else {
            o.missing_deleted_docs_ok = o.missing_deleted_docs_ok || cfg.source.missing_deleted_docs_ok;
        }
    } else if (sources_given(&a) != 1) {
        mm_error_set(&err, MM_ERR_USAGE, "name exactly one 1.x source: a data directory, -s meta.sqlite, -m MySQL "
                     "DSN or --meta-json FILE");
        status = mm_cli_fail("inspect", &err);
    }
    mm_inspect r;
    if (status < 0 && mm_job_inspect(&o, &out.sink, &r, &err) != 0) {
        if (err.code == MM_ERR_NOT_FOUND && a.collections)
            mm_error_wrap(&err, "--col");
        status = mm_cli_fail("inspect", &err);
    } else if (status < 0) {
        if (r.text)
            fputs(r.text, stdout);
        if (a.json && r.text)
            fputc('\n', stdout);
        fflush(stdout);
        /* Every problem is said, the last decides the status. */
        status = 0;
        if (r.schema_rc != 0)
            status = mm_cli_fail("inspect", &r.schema_err);
        if (r.wal_rc != 0)
            status = mm_cli_fail("inspect", &r.wal_err);
        if (r.scan_rc != 0)
            status = mm_cli_fail("inspect", &r.scan_err);
        if (!r.text) {
            mm_error_set(&err, MM_ERR_NOMEM, "render the inventory: out of memory");
            status = mm_cli_fail("inspect", &err);
        }
        mm_inspect_free(&r);
    }
    mm_config_free(&cfg);
    mm_cli_output_fini(&out);
    return status;
}
