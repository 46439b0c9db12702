/* Theme files: `role = fg bg [attr...]`, '#' comments. Colours are names
 * (default, black, red, green, yellow, blue, magenta, cyan, white, their
 * bright_ variants) or numbers 0-255; attributes are bold, dim, reverse,
 * underline, standout, italic, normal. */
#include "theme.h"

#include "base/datadir.h"
#include "base/strbuf.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const role_names[] = {
#define MM_ROLE_NAME(id, name) name,
    MM_ROLE_LIST(MM_ROLE_NAME)
#undef MM_ROLE_NAME
};

/* Used until a theme is loaded and when no theme file can be read, so the
 * wizard is still legible without its data files. */
static const attr_t mono_attrs[MM_ROLE_COUNT] = {
    [MM_ROLE_TITLE] = A_REVERSE | A_BOLD,
    [MM_ROLE_TAB] = A_REVERSE,
    [MM_ROLE_TAB_ACTIVE] = A_BOLD | A_UNDERLINE,
    [MM_ROLE_STATUS] = A_NORMAL,
    [MM_ROLE_KEY_HINT] = A_REVERSE,
    [MM_ROLE_SELECTED] = A_REVERSE,
    [MM_ROLE_HEADER] = A_BOLD | A_UNDERLINE,
    [MM_ROLE_SECTION] = A_BOLD,
    [MM_ROLE_FIELD_EDIT] = A_UNDERLINE,
    [MM_ROLE_ERROR] = A_BOLD,
    [MM_ROLE_WARNING] = A_BOLD,
    [MM_ROLE_MISMATCH] = A_BOLD | A_REVERSE,
    [MM_ROLE_DIM] = A_DIM,
    [MM_ROLE_PROGRESS_DONE] = A_REVERSE,
};

static attr_t attrs[MM_ROLE_COUNT];
static bool loaded;
static char theme_name[64] = "mono";

static const struct {
    const char *name;
    short color;
} color_names[] = {
    {"default", -1}, {"black", COLOR_BLACK}, {"red", COLOR_RED}, {"green", COLOR_GREEN},
    {"yellow", COLOR_YELLOW}, {"blue", COLOR_BLUE}, {"magenta", COLOR_MAGENTA},
    {"cyan", COLOR_CYAN}, {"white", COLOR_WHITE}, {"bright_black", 8}, {"bright_red", 9},
    {"bright_green", 10}, {"bright_yellow", 11}, {"bright_blue", 12}, {"bright_magenta", 13},
    {"bright_cyan", 14}, {"bright_white", 15},
};

static const struct {
    const char *name;
    attr_t attr;
} attr_names[] = {
    {"normal", A_NORMAL}, {"bold", A_BOLD},         {"dim", A_DIM},         {"reverse", A_REVERSE},
    {"underline", A_UNDERLINE}, {"standout", A_STANDOUT}, {"italic", A_ITALIC},
};

const char *mm_theme_dir(void)
{
    const char *env = getenv("MM_THEMES_DIR");
    if (env && *env)
        return env;
    /* Looked up once: only the UI thread loads themes. When there is none,
     * the installed place is named, so a message says where they belong. */
    static mm_data_place place;
    if (!place.path && mm_data_locate("themes", &place) != 0)
        return "themes";
    return place.path;
}

static int parse_color(const char *word, short *out)
{
    for (size_t i = 0; i < sizeof color_names / sizeof color_names[0]; i++)
        if (strcasecmp(word, color_names[i].name) == 0) {
            *out = color_names[i].color;
            return 0;
        }
    char *end;
    errno = 0;
    long n = strtol(word, &end, 10);
    if (*word && !*end && errno == 0 && n >= 0 && n <= 255) {
        *out = (short)n;
        return 0;
    }
    return -1;
}

static int parse_attr(const char *word, attr_t *out)
{
    for (size_t i = 0; i < sizeof attr_names / sizeof attr_names[0]; i++)
        if (strcasecmp(word, attr_names[i].name) == 0) {
            *out |= attr_names[i].attr;
            return 0;
        }
    return -1;
}

static int find_role(const char *name)
{
    for (int r = 0; r < MM_ROLE_COUNT; r++)
        if (strcasecmp(name, role_names[r]) == 0)
            return r;
    return -1;
}

/* Applies one `role = fg bg attrs` line. */
static int apply_line(char *line, const char *path, int lineno, bool use_colors, mm_error *err)
{
    char *eq = strchr(line, '=');
    if (!eq)
        return mm_error_set(err, MM_ERR_CONFIG, "theme %s:%d: expected 'role = fg bg [attributes]'",
                            path, lineno);
    *eq = '\0';
    char *role_name = strtok(line, " \t\r\n");
    int role = role_name ? find_role(role_name) : -1;
    if (role < 0)
        return mm_error_set(err, MM_ERR_CONFIG, "theme %s:%d: unknown role '%s'", path, lineno,
                            role_name ? role_name : "");
    char *fg_word = strtok(eq + 1, " \t\r\n");
    char *bg_word = fg_word ? strtok(NULL, " \t\r\n") : NULL;
    short fg, bg;
    if (!fg_word || !bg_word || parse_color(fg_word, &fg) != 0 || parse_color(bg_word, &bg) != 0)
        return mm_error_set(err, MM_ERR_CONFIG,
                            "theme %s:%d: expected two colours (a name like red or default, or 0-255) "
                            "after '='", path, lineno);
    attr_t a = A_NORMAL;
    for (char *w = strtok(NULL, " \t\r\n"); w; w = strtok(NULL, " \t\r\n"))
        if (parse_attr(w, &a) != 0)
            return mm_error_set(err, MM_ERR_CONFIG, "theme %s:%d: unknown attribute '%s'", path,
                                lineno, w);
    /* A 256-colour theme on an 8-colour terminal falls back to the basic eight. */
    if (use_colors && fg >= COLORS)
        fg = (short)(fg % 8);
    if (use_colors && bg >= COLORS)
        bg = (short)(bg % 8);
    if (use_colors && (fg != -1 || bg != -1)) {
        init_pair((short)(role + 1), fg, bg);
        a |= COLOR_PAIR(role + 1);
    }
    attrs[role] = a;
    return 0;
}

int mm_theme_load(const char *name_or_path, bool use_colors, mm_error *err)
{
    char *path = strchr(name_or_path, '/') ? mm_strdup(name_or_path)
                                           : mm_asprintf("%s/%s.theme", mm_theme_dir(), name_or_path);
    if (!path)
        return mm_error_set(err, MM_ERR_NOMEM, "load theme %s: out of memory", name_or_path);
    FILE *f = fopen(path, "r");
    if (!f) {
        int e = errno;
        mm_error_set(err, MM_ERR_CONFIG, "load theme %s: %s (themes are %s/NAME.theme: default, dark, "
                     "light, mono)", path, strerror(e), mm_theme_dir());
        free(path);
        return -1;
    }
    if (use_colors)
        use_default_colors();
    attr_t saved[MM_ROLE_COUNT];
    memcpy(saved, attrs, sizeof saved);
    for (int r = 0; r < MM_ROLE_COUNT; r++)
        attrs[r] = A_NORMAL;
    char line[512];
    int lineno = 0, rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        lineno++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *p = line;
        while (isspace((unsigned char)*p))
            p++;
        if (*p)
            rc = apply_line(p, path, lineno, use_colors, err);
    }
    fclose(f);
    free(path);
    if (rc != 0) {
        memcpy(attrs, saved, sizeof saved);
        return -1;
    }
    const char *base = strrchr(name_or_path, '/');
    base = base ? base + 1 : name_or_path;
    snprintf(theme_name, sizeof theme_name, "%.*s", (int)strcspn(base, "."), base);
    loaded = true;
    return 0;
}

attr_t mm_theme_attr(mm_role role)
{
    if (role < 0 || role >= MM_ROLE_COUNT)
        return A_NORMAL;
    return loaded ? attrs[role] : mono_attrs[role];
}

const char *mm_theme_name(void)
{
    return theme_name;
}
