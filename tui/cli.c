#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const mm_command commands[] = {
    {"inspect", mm_cli_inspect, "show what a Milvus 1.x installation holds and every problem found",
     "Usage: milvus-migrate inspect [SOURCE | -c FILE] [options]\n"
     "\n"
     "Reads the Milvus 1.x metadata and every live segment (read-only) and prints,\n"
     "per collection and partition, the live and deleted rows, segments, bytes,\n"
     "dimension, vector type, metric and index, then every warning: unflushed data,\n"
     "row_count discrepancies, duplicate ids, names that are invalid in Milvus 2.x.\n"
     "\n"
     "SOURCE (exactly one):\n"
     "  DIR                     a 1.x data directory (storage.path), its db/ directory,\n"
     "                          or its server_config.yaml\n"
     "  -s, --sqlite FILE       the 1.x meta.sqlite (keep meta.sqlite-wal/-shm beside it)\n"
     "  -m, --mysql DSN         the 1.x MySQL meta: user:pass@tcp(host:port)/db or\n"
     "                          mysql://user:pass@host:port/db\n"
     "      --meta-json FILE    a meta.json written by `export` or the reference tool\n"
     "  -c, --config FILE       the source named by meta.* and source.* in migration.yaml\n"
     "\n"
     "Options:\n"
     "  -t, --tables-dir DIR    the 1.x db/tables directory (default: next to the meta)\n"
     "      --secondary DIR     another tables directory to probe (0.9 secondary_path);\n"
     "                          repeatable\n"
     "      --wal-dir DIR       the 1.x WAL directory (default: discovered)\n"
     "      --col A,B           only these collections\n"
     "      --json              print JSON instead of a table\n"
     "      --no-id-check       skip the duplicate-id check (it sorts all live ids in memory)\n"
     "      --missing-deleted-docs-ok\n"
     "                          treat a missing deleted_docs file as \"no deletes\"\n"
     "  -h, --help              show this help\n"
     "\n"
     "Exit status: 0 inventory printed, 1 a segment or the meta could not be read,\n"
     "2 usage error.\n"},
    {"export", mm_cli_export, "write the 1.x metadata as meta.json (reference tool compatible)",
     "Usage: milvus-migrate export (-s FILE | -m DSN) -o DIR\n"
     "\n"
     "Reads the Milvus 1.x metadata (read-only) and writes DIR/meta.json in the\n"
     "reference tool's format, extended with partitions, metric, index type and\n"
     "parameters and the binary-vector flag. The file is replaced atomically.\n"
     "\n"
     "Options:\n"
     "  -s, --sqlite FILE       the 1.x meta.sqlite (keep meta.sqlite-wal/-shm beside it)\n"
     "  -m, --mysql DSN         the 1.x MySQL meta: user:pass@tcp(host:port)/db or\n"
     "                          mysql://user:pass@host:port/db\n"
     "  -o, --output DIR        directory for meta.json (created if missing)\n"
     "      --col A,B           only these collections\n"
     "  -h, --help              show this help\n"
     "\n"
     "Exit status: 0 written, 1 the meta could not be read or written, 2 usage error.\n"},
    {"dump", mm_cli_dump, "write the live 1.x rows as NumPy files to the staging directory",
     "Usage: milvus-migrate dump [-c FILE] [--col A,B] [--restart]\n"
     "\n"
     "Reads migration.yaml, checks that the 1.x installation has no unflushed data,\n"
     "reads every live segment and writes <outputDir>/migration/tables/<collection>/\n"
     "<segment>/{id,data}.npy (deleted rows removed; a segment whose files would\n"
     "exceed dumper.maxFileSize is split into <segment>-<k> directories), then\n"
     "meta.json and batches.json. Progress goes to stderr once a second.\n"
     "\n"
     "Every completed batch is recorded in the journal (state.dir); a re-run after\n"
     "a failure or an interruption skips completed batches and never leaves a\n"
     "partial file under a final name.\n"
     "\n"
     "Options:\n"
     "  -c, --config FILE       migration.yaml (default: ./migration.yaml)\n"
     "      --col A,B           only these collections\n"
     "      --restart           discard a journal written for another configuration\n"
     "  -h, --help              show this help\n"
     "\n"
     "Exit status: 0 dumped, 1 failed (the message says what and how to resume),\n"
     "2 usage or configuration error.\n"},
    {NULL, NULL, NULL, NULL},
};

const mm_command *mm_cli_commands(void)
{
    return commands;
}

const mm_command *mm_cli_find(const char *name)
{
    for (const mm_command *c = commands; c->name; c++)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

int mm_cli_fail(const char *command, const mm_error *err)
{
    fprintf(stderr, "milvus-migrate %s: %s\n", command, err->message);
    return mm_error_exit_status(err->code);
}

int mm_cli_usage_error(const char *command, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "milvus-migrate %s: ", command);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'milvus-migrate %s --help'.\n", command);
    return 2;
}
