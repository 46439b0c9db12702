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
     "Usage: milvus-migrate export (-s FILE | -m DSN) -o DIR [--wal-dir DIR]\n"
     "\n"
     "Reads the Milvus 1.x metadata (read-only) and writes DIR/meta.json in the\n"
     "reference tool's format, extended with partitions, metric, index type and\n"
     "parameters, the binary-vector flag and the flush LSNs. The file is replaced\n"
     "atomically. The 1.x WAL (found beside the db directory of FILE, or named by\n"
     "--wal-dir) is checked for data that was never flushed, which is refused, and\n"
     "the check is recorded in meta.json for a later dump from it.\n"
     "\n"
     "Options:\n"
     "  -s, --sqlite FILE       the 1.x meta.sqlite (keep meta.sqlite-wal/-shm beside it)\n"
     "  -m, --mysql DSN         the 1.x MySQL meta: user:pass@tcp(host:port)/db or\n"
     "                          mysql://user:pass@host:port/db\n"
     "  -o, --output DIR        directory for meta.json (created if missing)\n"
     "      --wal-dir DIR       the 1.x WAL directory (default: discovered)\n"
     "      --allow-unflushed   write meta.json even though some data was never\n"
     "                          flushed (recorded; a dump still refuses it unless\n"
     "                          source.allowUnflushed)\n"
     "      --col A,B           only these collections\n"
     "  -h, --help              show this help\n"
     "\n"
     "Exit status: 0 written, 1 the meta could not be read or written or holds\n"
     "unflushed data, 2 usage error or -o inside the 1.x installation.\n"},
    {"dump", mm_cli_dump, "write the live 1.x rows as NumPy files to the staging directory",
     "Usage: milvus-migrate dump [-c FILE] [--col A,B] [--restart]\n"
     "\n"
     "Reads migration.yaml, checks that the 1.x installation has no unflushed data\n"
     "(warning when no WAL can be found) and that no 1.x server still uses it, reads\n"
     "every live segment and writes <outputDir>/migration/tables/<collection>/\n"
     "<segment>/{id,data}.npy (deleted rows removed; a segment whose files would\n"
     "exceed dumper.maxFileSize is split into <segment>-<k> directories), then\n"
     "meta.json and batches.json. Progress goes to stderr once a second.\n"
     "\n"
     "Every completed batch is recorded in the journal (state.dir); a re-run after\n"
     "a failure or an interruption skips completed batches and never leaves a\n"
     "partial file under a final name. If the meta or the WAL changes while the\n"
     "dump runs, it stops and forgets the batches of the changed collections.\n"
     "Only one command at a time runs a migration (state.dir/milvus-migrate.lock).\n"
     "\n"
     "Options:\n"
     "  -c, --config FILE       migration.yaml (default: ./migration.yaml)\n"
     "      --col A,B           only these collections\n"
     "      --restart           discard a journal written for another configuration\n"
     "  -h, --help              show this help\n"
     "\n"
     "Exit status: 0 dumped, 1 failed (the message says what and how to resume),\n"
     "2 usage or configuration error.\n"},
    {"load", mm_cli_load, "import the staged NumPy files into Milvus 2.x, each batch exactly once",
     "Usage: milvus-migrate load [-c FILE] [--col A,B]\n"
     "\n"
     "Connects to target.milvus2x.endpoint, creates each collection (Int64 primary\n"
     "key with autoID off and one Float or Binary vector field of the 1.x dimension,\n"
     "under its 2.x name) and its partitions, then sends one Import per staged batch\n"
     "and waits for each task (loader.worker.limit at a time). A collection that\n"
     "already exists is handled by target.milvus2x.existingCollection: error (the\n"
     "default), append (after a schema check), drop, or skip.\n"
     "\n"
     "Every Import is recorded in the journal before it is sent and its task id as\n"
     "soon as Milvus answers. A re-run waits for recorded tasks instead of sending\n"
     "them again, and resolves an Import interrupted mid-call by asking Milvus, so\n"
     "no batch is ever imported twice. Staged files are kept.\n"
     "\n"
     "Options:\n"
     "  -c, --config FILE       migration.yaml (default: ./migration.yaml)\n"
     "      --col A,B           only these collections\n"
     "  -h, --help              show this help\n"
     "\n"
     "Exit status: 0 loaded, 1 failed (the message says what and how to resume),\n"
     "2 usage or configuration error.\n"},
    {"verify", mm_cli_verify, "reconcile 1.x live rows with Milvus 2.x row counts",
     "Usage: milvus-migrate verify [-c FILE] [--col A,B] [--report BASE]\n"
     "\n"
     "For every collection and partition compares the live rows of the 1.x\n"
     "segments, the rows staged by dump, the rows the import tasks reported and\n"
     "the row_count of GetCollectionStatistics / GetPartitionStatistics, read\n"
     "until it settles (verify.statsTimeoutSeconds). Prints a table and writes\n"
     "BASE.json and BASE.md (default: <state.dir>/report).\n"
     "\n"
     "Options:\n"
     "  -c, --config FILE       migration.yaml (default: ./migration.yaml)\n"
     "      --col A,B           only these collections\n"
     "      --report BASE       write the report to BASE.json and BASE.md\n"
     "  -h, --help              show this help\n"
     "\n"
     "Exit status: 0 all counts match, 1 failed, 2 usage or configuration error,\n"
     "3 a count does not match.\n"},
    {"run", mm_cli_run, "dump, load and verify in one go",
     "Usage: milvus-migrate run [-c FILE] [--col A,B] [--restart] [--report BASE]\n"
     "\n"
     "Checks that Milvus 2.x is reachable, then runs dump, load and verify with\n"
     "the same configuration and journal; each step resumes where an interrupted\n"
     "run stopped.\n"
     "\n"
     "Options:\n"
     "  -c, --config FILE       migration.yaml (default: ./migration.yaml)\n"
     "      --col A,B           only these collections\n"
     "      --restart           discard a journal written for another configuration\n"
     "      --report BASE       write the report to BASE.json and BASE.md\n"
     "  -h, --help              show this help\n"
     "\n"
     "Exit status: 0 migrated and verified, 1 failed, 2 usage or configuration\n"
     "error, 3 verification found a mismatch.\n"},
    {"wizard", mm_cli_wizard, "open the interactive migration wizard (needs a terminal)",
     "Usage: milvus-migrate wizard [-c FILE] [--theme NAME]\n"
     "       milvus-migrate wizard --script FILE --snapshot-dir DIR [--size COLSxLINES]\n"
     "\n"
     "Opens the full-screen wizard: choose the Milvus 1.x source and test the\n"
     "connection, preview every collection and partition (select, rename), edit\n"
     "migration.yaml in a form, set and test the staging target and Milvus 2.x,\n"
     "review the plan, then dump, load and verify with progress, cancel and\n"
     "resume. Press ? on any screen for its keys. Nothing is written to the 1.x\n"
     "installation; migration.yaml is saved only when asked (atomically, 0600).\n"
     "\n"
     "Options:\n"
     "  -c, --config FILE       migration.yaml to edit (default: ./migration.yaml,\n"
     "                          created on save)\n"
     "      --theme NAME        colour theme: default, dark, light, mono, or a path to a\n"
     "                          .theme file; NO_COLOR or a terminal without colours\n"
     "                          selects mono\n"
     "      --script FILE       run a scripted session without a terminal: FILE lists\n"
     "                          keys (Down, Enter, Tab, F2, q ...), 'type TEXT',\n"
     "                          'snapshot NAME', 'resize COLSxLINES', 'wait-idle',\n"
     "                          'wait-job', 'wait-text TEXT', 'quit'\n"
     "      --snapshot-dir DIR  where 'snapshot NAME' writes NAME.txt (default: .)\n"
     "      --size COLSxLINES   screen size of a scripted session (default: 100x30)\n"
     "  -h, --help              show this help\n"
     "\n"
     "Exit status: 0 closed normally, 1 a scripted session failed, 2 usage error or\n"
     "no terminal.\n"},
    {"demo", mm_cli_demo, "migrate a generated 1.x sample into a local Milvus 2.x emulator",
     "Usage: milvus-migrate demo [--headless] [--keep] [--generation 2.3|2.5]\n"
     "\n"
     "Shows the whole flow on this host: writes a sample Milvus 1.1.1 installation\n"
     "(a float collection with two partitions, one of them named in UTF-8, deleted\n"
     "rows, and a binary collection) into a new temporary directory, starts the\n"
     "Milvus 2.x emulator of the test suite on 127.0.0.1 (a free port, its own\n"
     "storage), writes a migration.yaml for the two (0600) and opens the wizard on\n"
     "it. However the demo ends, the emulator is stopped and the directory removed.\n"
     "\n"
     "Options:\n"
     "      --headless          no wizard: dump, load and verify as `run` does and\n"
     "                          print the verification\n"
     "      --keep              keep the temporary directory (sample, staged files,\n"
     "                          journal, report, migration.yaml, emulator log) and\n"
     "                          print where it is\n"
     "      --generation G      the Milvus 2.x generation the emulator plays: 2.3 or\n"
     "                          2.5 (default: 2.5)\n"
     "  -h, --help              show this help\n"
     "\n"
     "Environment:\n"
     "  MM_EMULATOR_DIR         the emulator (default: tests/emulator of the source\n"
     "                          tree this program was built from); it runs on Node.js\n"
     "                          (node on PATH) with its Node packages, both installed\n"
     "                          by scripts/install-deps.sh\n"
     "  TMPDIR                  where the temporary directory is made (default: /tmp)\n"
     "\n"
     "Exit status: 0 the demo ran (headless: all counts match), 1 failed, 2 usage\n"
     "error or no terminal without --headless, 3 (headless) a count does not match.\n"},
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
