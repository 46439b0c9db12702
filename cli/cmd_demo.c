/* `milvus-migrate demo`: a sample 1.x installation in a fresh temporary
 * directory, the Milvus 2.x emulator (Node.js, installed with the program:
 * demo_prereq.h) on loopback with its own storage, a migration.yaml for the
 * two, then the wizard on it or (--headless) the steps of `run`. Whatever
 * ends the demo, the emulator's process group is stopped by its PID and the
 * directory removed (unless --keep).
 *
 * The wizard runs in a child process: it re-raises a quit signal once the
 * terminal is restored, which would end this process before it could clean
 * up; the parent only waits, forwards signals sent to it, and cleans up. */
#include "base/strbuf.h"
#include "cmd_wizard.h"
#include "commands.h"
#include "config/config.h"
#include "demo_prereq.h"
#include "exit_status.h"
#include "options.h"
#include "output.h"
#include "sample/sample_install.h"
#include "steps.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define EMULATOR_READY_SECONDS 60
#define EMULATOR_STOP_SECONDS 5

typedef struct demo {
    bool headless, keep;
    const char *generation;
    const char *theme;    /* --theme, for the wizard */
    char *node;           /* node on PATH */
    char *emulator_dir;
    char *work;           /* the temporary directory */
    char *config_path;
    pid_t emulator;       /* process group leader, 0 when not running */
    int port;
} demo;

static volatile sig_atomic_t demo_signal;
static volatile sig_atomic_t wizard_pid;

/* Records the first quit signal and cancels a headless job. A signal sent
 * with kill() is passed on to the wizard; one the terminal sent (Ctrl-C)
 * reached the wizard already, being in the same process group. */
static void on_quit_signal(int sig, siginfo_t *info, void *uctx)
{
    (void)uctx;
    int saved = errno;
    if (!demo_signal)
        demo_signal = sig;
    atomic_store(&mm_cli_interrupted, true);
    pid_t child = (pid_t)wizard_pid;
    if (child > 0 && info && info->si_code != SI_KERNEL)
        kill(child, sig);
    errno = saved;
}

static const int quit_signals[] = {SIGINT, SIGTERM, SIGHUP};

static void catch_quit_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_sigaction = on_quit_signal;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    for (size_t i = 0; i < sizeof quit_signals / sizeof quit_signals[0]; i++)
        sigaction(quit_signals[i], &sa, NULL);
}

static void default_quit_signals(void)
{
    for (size_t i = 0; i < sizeof quit_signals / sizeof quit_signals[0]; i++)
        signal(quit_signals[i], SIG_DFL);
}

static const struct {
    int sig;
    const char *name;
} signal_names[] = {{SIGINT, "SIGINT"}, {SIGTERM, "SIGTERM"}, {SIGHUP, "SIGHUP"}};

static int cancelled(mm_error *err, const char *while_doing)
{
    const char *name = "a signal";
    for (size_t i = 0; i < sizeof signal_names / sizeof signal_names[0]; i++)
        if (signal_names[i].sig == demo_signal)
            name = signal_names[i].name;
    return mm_error_set(err, MM_ERR_CANCELLED, "cancelled by %s while %s", name, while_doing);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* ---- the temporary directory ------------------------------------------------ */

static int make_work_dir(demo *d, mm_error *err)
{
    const char *tmp = getenv("TMPDIR");
    char *tmpl = mm_asprintf("%s/milvus-migrate-demo.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!tmpl)
        return mm_error_set(err, MM_ERR_NOMEM, "out of memory");
    if (!mkdtemp(tmpl)) {
        mm_error_errno(err, errno, "create the demo directory", tmpl);
        free(tmpl);
        return -1;
    }
    d->work = tmpl;
    return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static char *work_path(const demo *d, const char *name)
{
    return mm_asprintf("%s/%s", d->work, name);
}

/* ---- the emulator ------------------------------------------------------------- */

/* In the child between fork and exec: a process group of its own (so that
 * Ctrl-C on the wizard's terminal does not reach it and one kill stops all
 * of it), ended by the kernel should this process die without cleaning up,
 * output into the log. Only async-signal-safe calls. */
static void exec_emulator(const demo *d, char *const argv[], const char *log, pid_t parent)
{
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent)
        _exit(127);
    default_quit_signals();
    int in = open("/dev/null", O_RDONLY);
    int out = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (in < 0 || out < 0 || dup2(in, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 ||
        dup2(out, STDERR_FILENO) < 0 || chdir(d->work) != 0)
        _exit(127);
    execv(d->node, argv);
    static const char msg[] = "demo: cannot execute node\n";
    ssize_t ignored = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)ignored;
    _exit(127);
}

static char *log_tail(const char *log)
{
    size_t max = 1200;
    FILE *f = fopen(log, "rb");
    if (!f)
        return mm_strdup("(no log)");
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, size > (long)max ? size - (long)max : 0, SEEK_SET);
    char *buf = calloc(max + 1, 1);
    size_t n = buf ? fread(buf, 1, max, f) : 0;
    fclose(f);
    while (buf && n > 0 && buf[n - 1] == '\n')
        buf[--n] = '\0';
    if (buf && n == 0) {
        free(buf);
        return mm_strdup("(nothing)");
    }
    return buf;
}

/* The ready file is written (atomically) once both ports listen. */
static int read_ready(demo *d, const char *ready, bool *done, mm_error *err)
{
    size_t len = 0;
    FILE *f = fopen(ready, "rb");
    if (!f)
        return 0;
    char buf[512];
    len = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[len] = '\0';
    cJSON *json = cJSON_Parse(buf);
    const cJSON *port = cJSON_GetObjectItemCaseSensitive(json, "port");
    int rc = 0;
    if (!cJSON_IsNumber(port) || port->valueint <= 0 || port->valueint > 65535)
        rc = mm_error_set(err, MM_ERR_FORMAT, "start the Milvus 2.x emulator: %s does not name its port: %s", ready,
                          buf);
    else
        d->port = port->valueint;
    cJSON_Delete(json);
    *done = true;
    return rc;
}

static int start_emulator(demo *d, mm_error *err)
{
    char *script = mm_asprintf("%s/emulator.js", d->emulator_dir);
    char *storage = work_path(d, "milvus-2.x");
    char *ready = work_path(d, "emulator.ready");
    char *log = work_path(d, "emulator.log");
    int rc = script && storage && ready && log ? mkdir(storage, 0700) : -1;
    if (rc != 0) {
        rc = script && storage && ready && log ? mm_error_errno(err, errno, "create", storage)
                                               : mm_error_set(err, MM_ERR_NOMEM, "out of memory");
        goto out;
    }
    char *argv[] = {"node", script, "--port", "0", "--control-port", "0", "--generation", (char *)d->generation,
                    "--storage-dir", storage, "--ready-file", ready, NULL};
    fflush(NULL);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        rc = mm_error_errno(err, errno, "start the Milvus 2.x emulator: fork for", d->node);
        goto out;
    }
    if (pid == 0)
        exec_emulator(d, argv, log, parent);
    setpgid(pid, pid); /* also here: a kill right after fork must reach the group */
    d->emulator = pid;
    bool done = false;
    for (int waited = 0; rc == 0 && !done; waited += 50) {
        rc = read_ready(d, ready, &done, err);
        if (rc != 0 || done)
            break;
        /* Not reaped here: stop_emulator still has to stop what it started. */
        siginfo_t info;
        memset(&info, 0, sizeof info);
        if (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid) {
            char *tail = log_tail(log);
            rc = mm_error_set(err, MM_ERR_IO, "start the Milvus 2.x emulator: it exited with status %d during "
                              "startup; its log ends with:\n%s",
                              info.si_code == CLD_EXITED ? info.si_status : 128 + info.si_status, tail ? tail : "");
            free(tail);
        } else if (demo_signal) {
            rc = cancelled(err, "starting the Milvus 2.x emulator");
        } else if (waited >= EMULATOR_READY_SECONDS * 1000) {
            char *tail = log_tail(log);
            rc = mm_error_set(err, MM_ERR_IO, "start the Milvus 2.x emulator: not ready after %d s; its log ends "
                              "with:\n%s", EMULATOR_READY_SECONDS, tail ? tail : "");
            free(tail);
        } else {
            sleep_ms(50);
        }
    }
out:
    free(log);
    free(ready);
    free(storage);
    free(script);
    return rc;
}

/* SIGTERM to its process group, SIGKILL to whatever is left after a grace
 * period, then the leader reaped. The leader is reaped last on purpose:
 * until then its PID, which is the group's id, cannot be given to another
 * process, so the SIGKILL can only reach what we started. */
static void stop_emulator(demo *d)
{
    pid_t pid = d->emulator;
    if (pid <= 0)
        return;
    kill(-pid, SIGTERM);
    for (int waited = 0; waited < EMULATOR_STOP_SECONDS * 1000; waited += 20) {
        siginfo_t info;
        memset(&info, 0, sizeof info);
        int rc = waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT);
        if ((rc == 0 && info.si_pid == pid) || (rc < 0 && errno != EINTR))
            break;
        sleep_ms(20);
    }
    kill(-pid, SIGKILL);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    d->emulator = 0;
    printf("Stopped the Milvus 2.x emulator (pid %d).\n", (int)pid);
}

/* ---- migration.yaml ------------------------------------------------------------ */

static int write_config(demo *d, mm_error *err)
{
    char *data = work_path(d, "milvus-1.x");
    char *sqlite = mm_asprintf("%s/db/meta.sqlite", data ? data : "");
    char *tables = mm_asprintf("%s/db/tables", data ? data : "");
    char *wal = mm_asprintf("%s/wal", data ? data : "");
    /* Inside the emulator's storage: it plays a Milvus with local storage
     * on this host, which reads nothing outside its own storage. */
    char *staging = work_path(d, "milvus-2.x/staging");
    char *state = work_path(d, "state");
    char *endpoint = mm_asprintf("127.0.0.1:%d", d->port);
    d->config_path = work_path(d, "migration.yaml");
    const char *const values[][2] = {
        {"meta.mode", "sqlite"},
        {"meta.sqliteFile", sqlite},
        {"source.mode", "local"},
        {"source.local.tablesDir", tables},
        {"source.local.walDir", wal},
        {"target.mode", "local"},
        {"target.local.outputDir", staging},
        {"target.milvus2x.endpoint", endpoint},
        /* The emulator answers at once: no reason to wait as long as for a cluster. */
        {"loader.pollIntervalSeconds", "1"},
        {"verify.statsTimeoutSeconds", "10"},
        /* The emulator holds nothing else: loading for the content sample costs nothing. */
        {"verify.loadForSample", "true"},
        {"state.dir", state},
    };
    mm_config cfg;
    mm_config_init_defaults(&cfg);
    int rc = data && sqlite && tables && wal && staging && state && endpoint && d->config_path
                 ? 0
                 : mm_error_set(err, MM_ERR_NOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < sizeof values / sizeof values[0]; i++) {
        const mm_config_key *key = mm_config_find_key(values[i][0]);
        rc = key ? mm_config_set_string(&cfg, key, values[i][1], err)
                 : mm_error_set(err, MM_ERR_INTERNAL, "write %s: no configuration key %s", d->config_path,
                                values[i][0]);
    }
    if (rc == 0)
        rc = mm_config_save_file(&cfg, d->config_path, err);
    mm_config_free(&cfg);
    free(endpoint);
    free(state);
    free(staging);
    free(wal);
    free(tables);
    free(sqlite);
    free(data);
    return rc;
}

/* ---- the two ways to run it ------------------------------------------------------ */

/* The steps of `run`, on the demo's configuration; the demo's own signal
 * handlers cancel it. */
static int run_headless(demo *d)
{
    mm_steps_args args = {.config_path = d->config_path};
    return mm_cli_run_steps("demo", &args, MM_STEP_DUMP | MM_STEP_LOAD | MM_STEP_VERIFY, 0);
}

/* The wizard in a child process (see the top of the file). Returns its
 * exit status, or 128 + the signal that ended it. */
static int run_wizard(demo *d)
{
    fflush(NULL);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "milvus-migrate demo: start the wizard: fork: %s\n", strerror(errno));
        return 1;
    }
    if (pid == 0) {
        default_quit_signals();
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent)
            _exit(1);
        /* The wizard says where the demo's files and emulator are: the
         * lines printed before it opened are behind the alternate screen. */
        char *banner = mm_asprintf("Demo: sample 1.x installation, staging and journal in %s; Milvus 2.x emulator "
                                   "(generation %s) on 127.0.0.1:%d. Quitting stops the emulator and removes the "
                                   "directory.", d->work, d->generation, d->port);
        mm_wizard_options opt = {.config_path = d->config_path, .theme = d->theme, .banner = banner};
        int status = mm_cli_run_wizard(&opt);
        free(banner);
        exit(status);
    }
    wizard_pid = pid;
    if (demo_signal && demo_signal != SIGINT)
        kill(pid, demo_signal); /* arrived before wizard_pid was known */
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    wizard_pid = 0;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* ---- the command ----------------------------------------------------------------- */

static int prepare(demo *d, mm_error *err)
{
    if (make_work_dir(d, err) != 0)
        return -1;
    char *data = work_path(d, "milvus-1.x");
    int rc = data ? mm_sample_install_write(data, err) : mm_error_set(err, MM_ERR_NOMEM, "out of memory");
    if (rc == 0) {
        mm_sample_summary s;
        mm_sample_install_summary(&s);
        printf("Sample Milvus %s installation: %s (%zu collections, %zu partitions, %zu segments; %lld live rows, "
               "%lld deleted)\n",
               MM_SAMPLE_MILVUS_VERSION, data, s.collections, s.partitions, s.segments, (long long)s.live,
               (long long)s.deleted);
    }
    free(data);
    if (rc == 0 && demo_signal)
        rc = cancelled(err, "writing the sample installation");
    if (rc == 0)
        rc = start_emulator(d, err);
    if (rc == 0)
        printf("Milvus 2.x emulator (generation %s): 127.0.0.1:%d, pid %d, log %s/emulator.log\n", d->generation,
               d->port, (int)d->emulator, d->work);
    if (rc == 0)
        rc = write_config(d, err);
    if (rc == 0)
        printf("Configuration: %s\n", d->config_path);
    if (rc == 0 && demo_signal)
        rc = cancelled(err, "starting the demo");
    fflush(stdout);
    return rc;
}

static void finish(demo *d)
{
    stop_emulator(d);
    if (!d->work)
        return;
    if (d->keep) {
        printf("Kept %s (remove it with: rm -rf %s)\n", d->work, d->work);
    } else if (nftw(d->work, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0) {
        fprintf(stderr, "milvus-migrate demo: remove %s: %s\n", d->work, strerror(errno));
    } else {
        printf("Removed %s\n", d->work);
    }
    fflush(stdout);
}

typedef struct demo_args {
    const char *generation, *theme;
    bool headless, keep;
} demo_args;

#define ARG(field) .offset = offsetof(demo_args, field)

static const char *const generations[] = {"2.3", "2.5", "2.6", "3.0", NULL};

static const mm_option options[] = {
    MM_OPT_GROUP_ENTRY("Options:"),
    {.kind = MM_OPT_FLAG, .long_name = "headless", ARG(headless),
     .help = "no wizard: dump, load and verify as `run` does and\nprint the verification"},
    {.kind = MM_OPT_FLAG, .long_name = "keep", ARG(keep),
     .help = "keep the temporary directory (sample, staged files,\njournal, report, migration.yaml, emulator log) and\n"
             "print where it is"},
    {.kind = MM_OPT_STRING, .long_name = "generation", .value_name = "G", ARG(generation),
     .value_kind = MM_VALUE_CHOICE, .choices = generations,
     .help = "the Milvus 2.x generation the emulator plays: 2.3,\n2.5, 2.6 or 3.0 (default: 2.5)"},
    {.kind = MM_OPT_STRING, .long_name = "theme", .value_name = "NAME", ARG(theme), .value_kind = MM_VALUE_THEME,
     .help = "the wizard's colour theme, as for `wizard --theme`"},
    MM_OPT_HELP_ENTRY,
    {0},
};
MM_COMMAND_OPTIONS(demo, options)

static const mm_option_text text = {
    .usage = "Usage: milvus-migrate demo [--headless] [--keep] [--generation 2.3|2.5|2.6|3.0] [--theme NAME]\n"
             "\n"
             "Shows the whole flow on this host: writes a sample Milvus 1.1.1 installation\n"
             "(a float collection with two partitions, one of them named in UTF-8, deleted\n"
             "rows, and a binary collection) into a new temporary directory, starts the\n"
             "Milvus 2.x emulator of the test suite on 127.0.0.1 (a free port, its own\n"
             "storage), writes a migration.yaml for the two (0600) and opens the wizard on\n"
             "it. However the demo ends, the emulator is stopped and the directory removed.\n"
             "\n",
    .epilog = "\n"
              "Environment:\n"
              "  MM_EMULATOR_DIR         the emulator (default: share/milvus-migrate/emulator\n"
              "                          of the installation, or tests/emulator of the source\n"
              "                          tree for a program in its build directory); it runs\n"
              "                          on Node.js (node on PATH) with its Node packages\n"
              "  TMPDIR                  where the temporary directory is made (default: /tmp)\n"
              "\n"
              "Exit status: 0 the demo ran (headless: all counts match), 1 failed, 2 usage\n"
              "error or no terminal without --headless, 3 (headless) a count does not match.\n",
};

int mm_cmd_demo(int argc, char **argv)
{
    demo_args a = {.generation = "2.5"};
    int parsed = mm_options_parse("demo", options, &text, argc, argv, &a);
    if (parsed != MM_OPTIONS_GO_ON)
        return parsed;
    demo d = {.generation = a.generation, .theme = a.theme, .headless = a.headless, .keep = a.keep};
    if (!d.headless && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
        fprintf(stderr, "milvus-migrate demo: the wizard needs a terminal (standard input and output are not both "
                        "terminals); run 'milvus-migrate demo --headless' to migrate the sample without it\n");
        return 2;
    }
    mm_error err;
    mm_error_clear(&err);
    mm_demo_prereq prereq;
    if (mm_demo_prereq_find(&prereq, &err) != 0)
        return mm_cli_fail("demo", &err);
    d.node = prereq.node;
    d.emulator_dir = prereq.emulator_dir;
    signal(SIGPIPE, SIG_IGN);
    catch_quit_signals();
    int status;
    if (prepare(&d, &err) != 0)
        status = mm_cli_fail("demo", &err);
    else if (d.headless)
        status = run_headless(&d);
    else
        status = run_wizard(&d);
    finish(&d);
    int sig = demo_signal;
    free(d.config_path);
    free(d.work);
    free(d.emulator_dir);
    free(d.node);
    /* A quit signal ends the wizard demo the way it ends the wizard. */
    if (sig && !d.headless) {
        signal(sig, SIG_DFL);
        raise(sig);
    }
    return status;
}
