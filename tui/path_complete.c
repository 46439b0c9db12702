/* By hand rather than with readline's completer: the wizard's fields are
 * curses widgets, and readline would want the terminal for itself. */
#include "path_complete.h"

#include "base/strbuf.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { CHOICES_SHOWN = 40 };

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The directory to list for the part of the text before its last '/'. */
static char *listing_dir(const char *dir_part)
{
    if (!*dir_part)
        return mm_strdup(".");
    if (strncmp(dir_part, "~/", 2) == 0) {
        const char *home = getenv("HOME");
        return mm_asprintf("%s/%s", home && *home ? home : ".", dir_part + 2);
    }
    return mm_strdup(dir_part);
}

static bool is_dir(const char *dir, const char *name)
{
    char *path = mm_asprintf("%s/%s", dir, name);
    struct stat st;
    bool yes = path && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
    free(path);
    return yes;
}

char *mm_path_complete(const char *text, char **choices)
{
    *choices = NULL;
    const char *slash = strrchr(text, '/');
    size_t dir_len = slash ? (size_t)(slash - text) + 1 : 0;
    char *dir_part = strndup(text, dir_len);
    const char *base = text + dir_len;
    char *dir = dir_part ? listing_dir(dir_part) : NULL;
    DIR *d = dir ? opendir(dir) : NULL;
    char **names = NULL;
    size_t n = 0, cap = 0;
    for (struct dirent *e; d && (e = readdir(d));) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (e->d_name[0] == '.' && base[0] != '.')
            continue;
        if (strncmp(e->d_name, base, strlen(base)) != 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            char **grown = realloc(names, cap * sizeof *names);
            if (!grown)
                break;
            names = grown;
        }
        names[n++] = mm_strdup(e->d_name);
    }
    if (d)
        closedir(d);
    char *out = NULL;
    if (n == 0) {
        out = mm_strdup(text);
    } else {
        qsort(names, n, sizeof *names, by_name);
        size_t common = strlen(names[0]);
        for (size_t i = 1; i < n; i++) {
            size_t k = 0;
            while (k < common && names[i][k] == names[0][k])
                k++;
            common = k;
        }
        while (common > 0 && ((unsigned char)names[0][common] & 0xC0) == 0x80)
            common--; /* not inside a UTF-8 character */
        bool one_dir = n == 1 && is_dir(dir, names[0]);
        out = mm_asprintf("%s%.*s%s", dir_part, (int)common, names[0], one_dir ? "/" : "");
        if (n > 1) {
            mm_strbuf sb;
            mm_strbuf_init(&sb);
            for (size_t i = 0; i < n && i < CHOICES_SHOWN; i++)
                mm_strbuf_appendf(&sb, "%s%s%s", i ? "  " : "", names[i], is_dir(dir, names[i]) ? "/" : "");
            if (n > CHOICES_SHOWN)
                mm_strbuf_appendf(&sb, "  ... and %zu more", n - CHOICES_SHOWN);
            *choices = mm_strbuf_take(&sb);
        }
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    free(dir);
    free(dir_part);
    return out ? out : mm_strdup(text);
}
