/* `export`: the 1.x metadata as meta.json, reference tool compatible. */
#include "commands.h"
#include "exit_status.h"
#include "job/source_check.h"
#include "options.h"
#include "output.h"

#include <stddef.h>

typedef struct export_args {
    const char *sqlite, *mysql, *output, *wal_dir, *collections;
    bool allow_unflushed;
} export_args;

#define ARG(field) .offset = offsetof(export_args, field)

static const mm_option options[] = {
    MM_OPT_GROUP_ENTRY("Options:"),
    {.kind = MM_OPT_STRING, .short_name = 's', .long_name = "sqlite", .value_name = "FILE", ARG(sqlite),
     .help = "the 1.x meta.sqlite (keep meta.sqlite-wal/-shm beside it)"},
    {.kind = MM_OPT_STRING, .short_name = 'm', .long_name = "mysql", .value_name = "DSN", ARG(mysql),
     .help = "the 1.x MySQL meta: user:pass@tcp(host:port)/db or\nmysql://user:pass@host:port/db"},
    {.kind = MM_OPT_STRING, .short_name = 'o', .long_name = "output", .value_name = "DIR", ARG(output),
     .help = "directory for meta.json (created if missing)"},
    {.kind = MM_OPT_STRING, .long_name = "wal-dir", .value_name = "DIR", ARG(wal_dir),
     .help = "the 1.x WAL directory (default: discovered)"},
    {.kind = MM_OPT_FLAG, .long_name = "allow-unflushed", ARG(allow_unflushed),
     .help = "write meta.json even though some data was never\nflushed (recorded; a dump still refuses it unless\n"
             "source.allowUnflushed)"},
    {.kind = MM_OPT_STRING, .long_name = "col", .value_name = "A,B", ARG(collections),
     .help = "only these collections"},
    MM_OPT_HELP_ENTRY,
    {0},
};
MM_COMMAND_OPTIONS(export, options)

static const mm_option_text text = {
    .usage = "Usage: milvus-migrate export (-s FILE | -m DSN) -o DIR [--wal-dir DIR]\n"
             "\n"
             "Reads the Milvus 1.x metadata (read-only) and writes DIR/meta.json in the\n"
             "reference tool's format, extended with partitions, metric, index type and\n"
             "parameters, the binary-vector flag and the flush LSNs. The file is replaced\n"
             "atomically. The 1.x WAL (found beside the db directory of FILE, or named by\n"
             "--wal-dir) is checked for data that was never flushed, which is refused, and\n"
             "the check is recorded in meta.json for a later dump from it.\n"
             "\n",
    .epilog = "\n"
              "Exit status: 0 written, 1 the meta could not be read or written or holds\n"
              "unflushed data, 2 usage error or -o inside the 1.x installation.\n",
};

int mm_cmd_export(int argc, char **argv)
{
    export_args a = {0};
    int parsed = mm_options_parse("export", options, &text, argc, argv, &a);
    if (parsed != MM_OPTIONS_GO_ON)
        return parsed;
    if (!a.sqlite && !a.mysql)
        return mm_cli_usage_error("export", "give the 1.x meta with -s meta.sqlite or -m DSN");
    if (a.sqlite && a.mysql)
        return mm_cli_usage_error("export", "give either -s or -m, not both");
    if (!a.output)
        return mm_cli_usage_error("export", "give the output directory with -o DIR");
    mm_export_options o = {
        /* The meta alone is exported; segment files are not needed here. */
        .spec = {.sqlite_path = a.sqlite, .mysql_dsn = a.mysql, .wal_dir = a.wal_dir, .meta_key = "-s",
                 .wal_key = a.wal_dir ? "--wal-dir" : NULL, .meta_only = true},
        .collections = a.collections, .output_dir = a.output, .allow_unflushed = a.allow_unflushed,
        .output_label = "-o", .wal_label = "--wal-dir", .sqlite_label = "-s",
        .allow_hint = "give --allow-unflushed (a dump from the meta.json then still refuses unless "
                      "source.allowUnflushed: true)",
    };
    mm_cli_output out;
    mm_cli_output_init(&out);
    mm_error err;
    mm_error_clear(&err);
    int status = MM_EXIT_OK;
    if (mm_job_export(&o, &out.sink, &err) != 0) {
        if (err.code == MM_ERR_NOT_FOUND && a.collections)
            mm_error_wrap(&err, "--col");
        status = mm_cli_fail("export", &err);
    }
    mm_cli_output_fini(&out);
    return status;
}
