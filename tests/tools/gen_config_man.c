/* Prints the generated KEYS section of migration.yaml(5); with
 * `--splice PAGE` replaces the text between the BEGIN/END GENERATED KEYS
 * markers of PAGE with it; with `--check FILE` loads and validates a
 * migration.yaml (for the page's examples) and fails on any error or
 * warning. */
#include "config/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BEGIN_MARK ".\\\" BEGIN GENERATED KEYS\n"
#define END_MARK ".\\\" END GENERATED KEYS\n"

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += got;
        if (len + 1 == cap) {
            char *bigger = realloc(buf, cap *= 2);
            if (!bigger)
                free(buf);
            buf = bigger;
        }
    }
    fclose(f);
    if (buf)
        buf[len] = '\0';
    return buf;
}

static int splice(const char *page, const char *section)
{
    char *text = read_all(page);
    if (!text) {
        perror(page);
        return 1;
    }
    char *begin = strstr(text, BEGIN_MARK);
    char *end = begin ? strstr(begin, END_MARK) : NULL;
    if (!begin || !end) {
        fprintf(stderr, "%s: markers %s and %s not found\n", page, ".\\\" BEGIN GENERATED KEYS",
                ".\\\" END GENERATED KEYS");
        free(text);
        return 1;
    }
    FILE *f = fopen(page, "wb");
    if (!f) {
        perror(page);
        free(text);
        return 1;
    }
    begin += strlen(BEGIN_MARK);
    fwrite(text, 1, (size_t)(begin - text), f);
    fputs(section, f);
    fputs(end, f);
    free(text);
    return fclose(f) == 0 ? 0 : 1;
}

static int check(const char *path)
{
    mm_config cfg;
    mm_config_init_defaults(&cfg);
    mm_config_warnings warn = {0};
    mm_error err;
    mm_error_clear(&err);
    int rc = mm_config_load_file(path, &cfg, &warn, &err) == 0 &&
                     mm_config_validate(&cfg, MM_CONFIG_PHASE_ALL, &warn, &err) == 0
                 ? 0
                 : 1;
    for (size_t i = 0; i < warn.count; i++)
        fprintf(stderr, "warning: %s\n", warn.items[i]);
    if (rc)
        fprintf(stderr, "error: %s\n", err.message);
    rc = rc || warn.count;
    mm_config_warnings_free(&warn);
    mm_config_free(&cfg);
    return rc;
}

int main(int argc, char **argv)
{
    char *section = mm_config_man_section();
    if (!section) {
        fprintf(stderr, "gen_config_man: out of memory\n");
        return 1;
    }
    int rc = 0;
    if (argc == 3 && strcmp(argv[1], "--splice") == 0) {
        rc = splice(argv[2], section);
    } else if (argc == 3 && strcmp(argv[1], "--check") == 0) {
        rc = check(argv[2]);
    } else if (argc == 1) {
        fputs(section, stdout);
    } else {
        fprintf(stderr, "usage: gen_config_man [--splice man/migration.yaml.5 | --check "
                        "migration.yaml]\n");
        rc = 2;
    }
    free(section);
    return rc;
}
