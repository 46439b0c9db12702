#include "demo_prereq.h"

#include "base/datadir.h"
#include "base/strbuf.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define SOURCE_TREE_FIX "run 'bash scripts/install-deps.sh' in the milvus-migrate source tree"
#define PACKAGE_FIX "reinstall the milvus-migrate package"

/* Where the emulator came from decides what to tell the user to do. */
typedef enum { FROM_ENVIRONMENT, FROM_INSTALLATION, FROM_BUILD_TREE } emulator_origin;

static char *find_in_path(const char *name)
{
    const char *path = getenv("PATH");
    if (!path || !*path)
        return NULL;
    for (const char *p = path;;) {
        const char *end = strchr(p, ':');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        /* An empty entry means the current directory. */
        char *candidate = len ? mm_asprintf("%.*s/%s", (int)len, p, name) : mm_asprintf("./%s", name);
        struct stat st;
        if (candidate && stat(candidate, &st) == 0 && S_ISREG(st.st_mode) && access(candidate, X_OK) == 0)
            return candidate;
        free(candidate);
        if (!end)
            return NULL;
        p = end + 1;
    }
}

static bool is_file(const char *dir, const char *relative)
{
    char *path = mm_asprintf("%s/%s", dir, relative);
    struct stat st;
    bool ok = path && stat(path, &st) == 0;
    free(path);
    return ok;
}

static int locate_emulator(mm_demo_prereq *p, emulator_origin *origin, mm_error *err)
{
    const char *env = getenv("MM_EMULATOR_DIR");
    if (env && *env) {
        *origin = FROM_ENVIRONMENT;
        p->emulator_dir = mm_strdup(env);
        if (!p->emulator_dir)
            return mm_error_set(err, MM_ERR_NOMEM, "out of memory");
        if (!is_file(env, "emulator.js"))
            return mm_error_set(err, MM_ERR_IO,
                                "no Milvus 2.x emulator in %s (emulator.js is missing); set MM_EMULATOR_DIR to the "
                                "tests/emulator directory of the milvus-migrate source tree",
                                env);
        return 0;
    }
    mm_data_place place;
    if (mm_data_locate("emulator", &place) != 0)
        return mm_error_set(err, MM_ERR_IO, "cannot tell where this program is installed (/proc/self/exe): set "
                            "MM_EMULATOR_DIR to the Milvus 2.x emulator's directory");
    *origin = place.build_tree ? FROM_BUILD_TREE : FROM_INSTALLATION;
    int rc = 0;
    if (!place.found || !is_file(place.path, "emulator.js"))
        rc = mm_error_set(err, MM_ERR_IO,
                          "the Milvus 2.x emulator of the demo is not installed (looked in %s); " PACKAGE_FIX
                          ", which installs it in share/milvus-migrate/emulator, or set MM_EMULATOR_DIR to its "
                          "directory",
                          place.looked_in);
    p->emulator_dir = place.path;
    place.path = NULL;
    mm_data_place_free(&place);
    return rc;
}

/* The emulator's package.json, parsed; NULL when it cannot be read. */
static cJSON *read_manifest(const char *emulator_dir)
{
    char *path = mm_asprintf("%s/package.json", emulator_dir);
    FILE *f = path ? fopen(path, "rb") : NULL;
    free(path);
    if (!f)
        return NULL;
    char buf[16384];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return cJSON_Parse(buf);
}

/* The N of `"engines": {"node": ">=N..."}`; 0 when it names no such lower
 * bound. */
static int required_node_major(const cJSON *manifest)
{
    const cJSON *engines = cJSON_GetObjectItemCaseSensitive(manifest, "engines");
    const cJSON *node = cJSON_GetObjectItemCaseSensitive(engines, "node");
    if (!cJSON_IsString(node) || strncmp(node->valuestring, ">=", 2) != 0)
        return 0;
    const char *v = node->valuestring + 2;
    while (*v == ' ')
        v++;
    return isdigit((unsigned char)*v) ? atoi(v) : 0;
}

/* Whether every package the manifest depends on is in node_modules, read
 * from the manifest so that the emulator's dependencies can change without
 * this program knowing their names. Without a manifest, the directory. */
static bool has_node_packages(const char *emulator_dir, const cJSON *manifest)
{
    if (!is_file(emulator_dir, "node_modules"))
        return false;
    const cJSON *dependencies = cJSON_GetObjectItemCaseSensitive(manifest, "dependencies");
    const cJSON *dependency;
    cJSON_ArrayForEach(dependency, dependencies)
    {
        char *relative = mm_asprintf("node_modules/%s/package.json", dependency->string);
        bool present = relative && is_file(emulator_dir, relative);
        free(relative);
        if (!present)
            return false;
    }
    return true;
}

/* `node --version` ("v20.11.1"), into version; -1 when it cannot be run. */
static int node_version(const char *node, char *version, size_t size)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return -1;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    char *argv[] = {"node", "--version", NULL};
    pid_t pid;
    int rc = posix_spawn(&pid, node, &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    size_t len = 0;
    if (rc == 0) {
        ssize_t got;
        while (len + 1 < size && ((got = read(fds[0], version + len, size - 1 - len)) > 0 || (got < 0 && errno == EINTR)))
            if (got > 0)
                len += (size_t)got;
    }
    close(fds[0]);
    version[len] = '\0';
    version[strcspn(version, "\r\n")] = '\0';
    int status = 0;
    if (rc == 0)
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    return rc == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 && version[0] == 'v' ? 0 : -1;
}

static int check_node(mm_demo_prereq *p, int need, emulator_origin origin, mm_error *err)
{
    char *wanted = need > 0 ? mm_asprintf("Node.js %d or later", need) : mm_strdup("Node.js");
    /* scripts/install-deps.sh puts a node on PATH, but does not replace
     * one that is there already. */
    char *install = mm_asprintf("install %s (the nodejs package, or Node.js's own packages where the "
                                "distribution's is older) so that 'node' is on PATH", wanted ? wanted : "Node.js");
    const char *missing_fix = origin == FROM_INSTALLATION ? install : SOURCE_TREE_FIX;
    int rc = 0;
    char version[64];
    p->node = find_in_path("node");
    if (!wanted || !install)
        rc = mm_error_set(err, MM_ERR_NOMEM, "out of memory");
    else if (!p->node)
        rc = mm_error_set(err, MM_ERR_IO, "the Milvus 2.x emulator needs %s, but 'node' is not on PATH; %s", wanted,
                          missing_fix);
    else if (need > 0 && node_version(p->node, version, sizeof version) != 0)
        rc = mm_error_set(err, MM_ERR_IO, "the Milvus 2.x emulator needs %s, but '%s --version' failed; %s", wanted,
                          p->node, install);
    else if (need > 0 && atoi(version + 1) < need)
        rc = mm_error_set(err, MM_ERR_IO, "the Milvus 2.x emulator needs %s, but %s is %s; %s", wanted, p->node,
                          version, install);
    free(wanted);
    free(install);
    return rc;
}

int mm_demo_prereq_find(mm_demo_prereq *p, mm_error *err)
{
    memset(p, 0, sizeof *p);
    emulator_origin origin = FROM_BUILD_TREE;
    int rc = locate_emulator(p, &origin, err);
    cJSON *manifest = rc == 0 ? read_manifest(p->emulator_dir) : NULL;
    if (rc == 0 && !has_node_packages(p->emulator_dir, manifest))
        rc = mm_error_set(err, MM_ERR_IO, "the Node packages of the Milvus 2.x emulator are not installed in %s/"
                          "node_modules; %s", p->emulator_dir,
                          origin == FROM_INSTALLATION ? PACKAGE_FIX : SOURCE_TREE_FIX);
    if (rc == 0)
        rc = check_node(p, required_node_major(manifest), origin, err);
    cJSON_Delete(manifest);
    if (rc != 0)
        mm_demo_prereq_free(p);
    return rc;
}

void mm_demo_prereq_free(mm_demo_prereq *p)
{
    free(p->node);
    free(p->emulator_dir);
    memset(p, 0, sizeof *p);
}
