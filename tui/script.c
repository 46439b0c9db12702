#include "script.h"

#include "base/fsutil.h"
#include "keymap.h"
#include "base/strbuf.h"

#include <ctype.h>
#include <curses.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <wchar.h>

int mm_parse_size(const char *text, int *cols, int *lines)
{
    char *end;
    long c = strtol(text, &end, 10);
    if (end == text || *end != 'x')
        return -1;
    const char *rest = end + 1;
    long l = strtol(rest, &end, 10);
    if (end == rest || *end || c < 20 || c > 1000 || l < 5 || l > 1000)
        return -1;
    *cols = (int)c;
    *lines = (int)l;
    return 0;
}

static mm_script_step *add_step(mm_script *s, mm_step_kind kind, int lineno)
{
    if (s->n_steps == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        mm_script_step *ns = realloc(s->steps, cap * sizeof *ns);
        if (!ns)
            return NULL;
        s->steps = ns;
        s->cap = cap;
    }
    mm_script_step *st = &s->steps[s->n_steps++];
    memset(st, 0, sizeof *st);
    st->kind = kind;
    st->lineno = lineno;
    return st;
}

/* Snapshot names become file names: keep them to a safe alphabet. */
static bool valid_name(const char *name)
{
    if (!*name)
        return false;
    for (const char *p = name; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-' && *p != '.')
            return false;
    return name[0] != '.';
}

static int parse_line(mm_script *s, char *line, int lineno, mm_error *err)
{
    char *p = line;
    while (*p == ' ' || *p == '\t')
        p++;
    size_t len = strlen(p);
    while (len && (p[len - 1] == '\n' || p[len - 1] == '\r' || p[len - 1] == ' ' || p[len - 1] == '\t'))
        p[--len] = '\0';
    if (!*p || *p == '#')
        return 0;
    mm_script_step *st;
#define NEED(x)                                                                                    \
    if (!(x))                                                                                      \
        return mm_error_set(err, MM_ERR_NOMEM, "read script %s: out of memory", s->path)
    if (strncmp(p, "type ", 5) == 0) {
        NEED(st = add_step(s, MM_STEP_TYPE, lineno));
        NEED(st->text = mm_strdup(p + 5));
        return 0;
    }
    if (strncmp(p, "snapshot ", 9) == 0) {
        const char *name = p + 9;
        if (!valid_name(name))
            return mm_error_set(err, MM_ERR_ARGUMENT, "%s:%d: snapshot name '%s' must be letters, digits, "
                                "'_', '-' or '.'", s->path, lineno, name);
        NEED(st = add_step(s, MM_STEP_SNAPSHOT, lineno));
        NEED(st->text = mm_strdup(name));
        return 0;
    }
    if (strncmp(p, "resize ", 7) == 0) {
        int cols, lines;
        if (mm_parse_size(p + 7, &cols, &lines) != 0)
            return mm_error_set(err, MM_ERR_ARGUMENT, "%s:%d: expected 'resize COLSxLINES' (e.g. 80x24), "
                                "got '%s'", s->path, lineno, p);
        NEED(st = add_step(s, MM_STEP_RESIZE, lineno));
        st->cols = cols;
        st->lines = lines;
        return 0;
    }
    if (strcmp(p, "wait-idle") == 0) {
        NEED(add_step(s, MM_STEP_WAIT_IDLE, lineno));
        return 0;
    }
    if (strcmp(p, "wait-job") == 0) {
        NEED(add_step(s, MM_STEP_WAIT_JOB, lineno));
        return 0;
    }
    if (strncmp(p, "wait-text ", 10) == 0) {
        NEED(st = add_step(s, MM_STEP_WAIT_TEXT, lineno));
        NEED(st->text = mm_strdup(p + 10));
        return 0;
    }
    if (strncmp(p, "signal ", 7) == 0) {
        static const struct {
            const char *name;
            int sig;
        } sigs[] = {{"INT", SIGINT}, {"TERM", SIGTERM}, {"HUP", SIGHUP}};
        int sig = 0;
        for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
            if (strcmp(p + 7, sigs[i].name) == 0)
                sig = sigs[i].sig;
        if (!sig)
            return mm_error_set(err, MM_ERR_ARGUMENT, "%s:%d: expected 'signal INT', 'signal TERM' or 'signal HUP', "
                                "got '%s'", s->path, lineno, p);
        NEED(st = add_step(s, MM_STEP_SIGNAL, lineno));
        st->lines = sig;
        return 0;
    }
    if (strncmp(p, "click ", 6) == 0) {
        int col, row;
        char extra;
        if (sscanf(p + 6, "%d %d %c", &col, &row, &extra) != 2 || col < 0 || row < 0)
            return mm_error_set(err, MM_ERR_ARGUMENT, "%s:%d: expected 'click COLUMN LINE' (0-based), got '%s'",
                                s->path, lineno, p);
        NEED(st = add_step(s, MM_STEP_CLICK, lineno));
        st->cols = col;
        st->lines = row;
        return 0;
    }
    if (strcmp(p, "quit") == 0) {
        NEED(add_step(s, MM_STEP_QUIT, lineno));
        return 0;
    }
    for (char *tok = strtok(p, " \t"); tok; tok = strtok(NULL, " \t")) {
        int key = mm_key_parse(tok);
        if (key == MM_KEY_NONE)
            return mm_error_set(err, MM_ERR_ARGUMENT, "%s:%d: unknown key or command '%s' (keys: Up, Down, "
                                "Enter, Tab, Esc, F1-F12, Space, Backspace, PgDn, one character; "
                                "commands: type, snapshot, resize, wait-idle, wait-job, wait-text, signal, click, quit)", s->path, lineno, tok);
        NEED(st = add_step(s, MM_STEP_KEY, lineno));
        st->key = key;
    }
#undef NEED
    return 0;
}

int mm_script_load(mm_script *s, const char *path, const char *snapshot_dir, mm_error *err)
{
    memset(s, 0, sizeof *s);
    FILE *f = fopen(path, "r");
    if (!f)
        return mm_error_errno(err, errno, "read script", path);
    s->path = mm_strdup(path);
    s->snapshot_dir = mm_strdup(snapshot_dir ? snapshot_dir : ".");
    char *line = NULL;
    size_t cap = 0;
    int lineno = 0, rc = 0;
    while (rc == 0 && getline(&line, &cap, f) >= 0)
        rc = parse_line(s, line, ++lineno, err);
    free(line);
    fclose(f);
    if (rc != 0)
        mm_script_free(s);
    return rc;
}

void mm_script_free(mm_script *s)
{
    for (size_t i = 0; i < s->n_steps; i++)
        free(s->steps[i].text);
    free(s->steps);
    free(s->path);
    free(s->snapshot_dir);
    memset(s, 0, sizeof *s);
}

const mm_script_step *mm_script_next(mm_script *s)
{
    return s->next < s->n_steps ? &s->steps[s->next++] : NULL;
}

/* The screen as UTF-8 text, one line per row, trailing spaces trimmed. */
static int screen_text(mm_strbuf *sb)
{
    wchar_t *row = calloc((size_t)COLS + 1, sizeof *row);
    if (!row)
        return -1;
    for (int y = 0; y < LINES; y++) {
        /* mvwinnwstr skips the continuation cells of wide characters, so a
         * double-width name comes back as one character. */
        int n = mvwinnwstr(stdscr, y, 0, row, COLS);
        if (n < 0)
            n = 0;
        row[n] = 0;
        size_t start = sb->len;
        mbstate_t st;
        memset(&st, 0, sizeof st);
        for (int i = 0; i < n; i++) {
            char mb[MB_LEN_MAX];
            size_t len = wcrtomb(mb, row[i], &st);
            if (len == (size_t)-1) {
                mb[0] = '?';
                len = 1;
                memset(&st, 0, sizeof st);
            }
            mm_strbuf_append_n(sb, mb, len);
        }
        while (sb->len > start && sb->data[sb->len - 1] == ' ')
            sb->data[--sb->len] = '\0';
        mm_strbuf_append(sb, "\n");
    }
    free(row);
    return mm_strbuf_ok(sb) ? 0 : -1;
}

bool mm_script_screen_contains(const char *text)
{
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    bool found = screen_text(&sb) == 0 && strstr(sb.data, text) != NULL;
    mm_strbuf_free(&sb);
    return found;
}

int mm_script_snapshot(const mm_script *s, const char *name, mm_error *err)
{
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    int text_rc = screen_text(&sb);
    char *path = mm_asprintf("%s/%s.txt", s->snapshot_dir, name);
    int rc = 0;
    if (text_rc != 0 || !path)
        rc = mm_error_set(err, MM_ERR_NOMEM, "snapshot %s: out of memory", name);
    else
        rc = mm_write_file_atomic(path, sb.data, sb.len, 0644, err);
    free(path);
    mm_strbuf_free(&sb);
    return rc;
}
