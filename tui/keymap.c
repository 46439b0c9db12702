#include "keymap.h"

#include "base/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

static const mm_keybinding bindings[] = {
    /* The whole wizard, unless a text field, a dialog or the help is open. */
    {MM_ACT_NEXT_SCREEN, "global", {"Tab"}, "Go to the next screen", "next"},
    {MM_ACT_PREV_SCREEN, "global", {"Shift-Tab"}, "Go to the previous screen", NULL},
    {MM_ACT_BACK, "global", {"Esc"}, "Go back to the screen shown before this one", NULL},
    {MM_ACT_SCREEN_1, "global", {"F1"}, "Go to screen 1 (Source)", NULL},
    {MM_ACT_SCREEN_2, "global", {"F2"}, "Go to screen 2 (Preview)", NULL},
    {MM_ACT_SCREEN_3, "global", {"F3"}, "Go to screen 3 (Config)", NULL},
    {MM_ACT_SCREEN_4, "global", {"F4"}, "Go to screen 4 (Target)", NULL},
    {MM_ACT_SCREEN_5, "global", {"F5"}, "Go to screen 5 (Plan)", NULL},
    {MM_ACT_SCREEN_6, "global", {"F6"}, "Go to screen 6 (Run: dump and load)", NULL},
    {MM_ACT_SCREEN_7, "global", {"F7"}, "Go to screen 7 (Verify)", NULL},
    {MM_ACT_HELP, "global", {"?"}, "Show every key, those of this screen first", "help"},
    {MM_ACT_QUIT, "global", {"q", "F10", "C-c"},
     "Quit (asks first when a job is running or the configuration has unsaved changes)", "quit"},
    {MM_ACT_REDRAW, "global", {"C-l"}, "Redraw the screen", NULL},
    {MM_ACT_MOUSE, "global", {"M"},
     "Turn mouse clicks on tabs and rows on or off (NO_MOUSE=1 starts with them off)", NULL},

    /* Moving in lists, tables and forms (a mouse click highlights a row). */
    {MM_ACT_UP, "list", {"Up", "k"}, "Move up one row", NULL},
    {MM_ACT_DOWN, "list", {"Down", "j"}, "Move down one row", NULL},
    {MM_ACT_PAGE_UP, "list", {"PgUp"}, "Move up one page", NULL},
    {MM_ACT_PAGE_DOWN, "list", {"PgDn"}, "Move down one page", NULL},
    {MM_ACT_HOME, "list", {"Home", "g"}, "Go to the first row", NULL},
    {MM_ACT_END, "list", {"End", "G"}, "Go to the last row", NULL},

    /* Source screen. */
    {MM_ACT_ACTIVATE, "source", {"Enter"}, "Edit the field, or run the highlighted button", "edit"},
    {MM_ACT_TOGGLE, "source", {"Space"},
     "Use the highlighted kind of source; on Data directory, find installations as f does", "use"},
    {MM_ACT_FIND_INSTALLS, "source", {"f"},
     "Find Milvus 1.x installations in the usual places and pick one", "find"},
    {MM_ACT_TEST_SOURCE, "source", {"t"}, "Test connection: open the source and count what it holds",
     "test"},

    /* Preview screen. */
    {MM_ACT_TOGGLE, "preview", {"Space"}, "Select or deselect the collection (the --col filter)",
     "select"},
    {MM_ACT_SELECT_ALL, "preview", {"a"}, "Select all collections, or none when all are selected",
     NULL},
    {MM_ACT_FILTER, "preview", {"/"}, "Show only names containing a text", "filter"},
    {MM_ACT_RENAME, "preview", {"r"}, "Rename the Milvus 2.x collection or partition", "rename"},
    {MM_ACT_WARNINGS, "preview", {"w"}, "List every warning about the source", "warnings"},
    {MM_ACT_CANCEL, "preview", {"Esc"}, "Clear the name filter (without one, Esc goes back)", NULL},

    /* Config screen. */
    {MM_ACT_ACTIVATE, "config", {"Enter"}, "Edit the value (toggle a boolean, cycle a choice)", "edit"},
    {MM_ACT_TOGGLE, "config", {"Space"}, "Toggle a boolean or cycle a choice", NULL},
    {MM_ACT_RESET, "config", {"Del", "x"}, "Reset the value to its default", "default"},
    {MM_ACT_SAVE, "config", {"s"}, "Save migration.yaml (atomically, mode 0600)", "save"},
    {MM_ACT_OPEN, "config", {"o"}, "Open another migration.yaml", "open"},
    {MM_ACT_FILTER, "config", {"/"}, "Find the next key whose name contains a text", "find"},

    /* Target screen. */
    {MM_ACT_ACTIVATE, "target", {"Enter"}, "Edit the value (toggle a boolean, cycle a choice)", "edit"},
    {MM_ACT_TOGGLE, "target", {"Space"}, "Toggle a boolean or cycle a choice", NULL},
    {MM_ACT_RESET, "target", {"Del", "x"}, "Reset the value to its default", NULL},
    {MM_ACT_TEST_SOURCE, "target", {"t"}, "Test the staging target and the Milvus 2.x login", "test"},

    /* Plan screen. */
    {MM_ACT_CYCLE_POLICY, "plan", {"e"}, "Cycle existingCollection: error, append, drop, skip", "existing"},
    {MM_ACT_TEST_SOURCE, "plan", {"t"},
     "Check the target again: which 2.x collections exist, their rows, what the run would do to them", "check"},
    {MM_ACT_WARNINGS, "plan", {"w"}, "List every warning about the source", "warnings"},

    /* Run screen. */
    {MM_ACT_START, "run", {"Enter"}, "Dump, load and verify (resumes from the journal)", "start"},
    {MM_ACT_CANCEL, "run", {"c"}, "Cancel the running job (asks first)", "cancel"},
    {MM_ACT_LOG_FOCUS, "run", {"l"},
     "Switch the highlight between the batch table and the log; list keys then scroll the log", "log"},

    /* Verify screen. */
    {MM_ACT_VERIFY, "verify", {"v"}, "Verify again against the Milvus 2.x row counts", "verify"},
    {MM_ACT_WRITE_REPORT, "verify", {"w"}, "Write report.json and report.md to the state dir", "write report"},
    {MM_ACT_LOAD_FOR_SAMPLE, "verify", {"l"}, "Load the collections not loaded, sample them, release them (asks first)",
     "load+sample"},
    {MM_ACT_CANCEL, "verify", {"c"}, "Cancel the running verification", "cancel"},

    /* A text field being edited. */
    {MM_ACT_ACTIVATE, "edit", {"Enter"}, "Accept the text", "accept"},
    {MM_ACT_CANCEL, "edit", {"Esc"}, "Cancel the edit", "cancel"},
    {MM_ACT_COMPLETE, "edit", {"Tab"},
     "Complete a file or directory name (fields that hold a path); the choices are listed when several fit",
     "complete"},
    {MM_ACT_LEFT, "edit", {"Left"}, "Move the cursor left", NULL},
    {MM_ACT_RIGHT, "edit", {"Right"}, "Move the cursor right", NULL},
    {MM_ACT_HOME, "edit", {"Home", "C-a"}, "Go to the start of the text", NULL},
    {MM_ACT_END, "edit", {"End", "C-e"}, "Go to the end of the text", NULL},
    {MM_ACT_BACKSPACE, "edit", {"Backspace"}, "Delete the character before the cursor", NULL},
    {MM_ACT_DELETE_CHAR, "edit", {"Del"}, "Delete the character under the cursor", NULL},
    {MM_ACT_CLEAR_LINE, "edit", {"C-u"}, "Clear the text", NULL},

    /* A dialog (its own key hints name what each key does there). */
    {MM_ACT_LEFT, "dialog", {"Left", "Shift-Tab"}, "Highlight the previous button", NULL},
    {MM_ACT_RIGHT, "dialog", {"Right", "Tab"}, "Highlight the next button", NULL},
    {MM_ACT_ACTIVATE, "dialog", {"Enter"}, "Press the highlighted button", NULL},
    {MM_ACT_HOTKEY, "dialog", {"y", "n", "s", "d", "c", "r"},
     "Press the button marked with that letter: (y) yes, (n) no, (s) save, (d) discard, (c) continue, "
     "(r) start over", NULL},
    {MM_ACT_UP, "dialog", {"Up"}, "Scroll a long message up", NULL},
    {MM_ACT_DOWN, "dialog", {"Down"}, "Scroll a long message down", NULL},
    {MM_ACT_CANCEL, "dialog", {"Esc"}, "Press the last button, the one that changes nothing", NULL},

    /* The help and the list of warnings. */
    {MM_ACT_UP, "help", {"Up", "k"}, "Scroll up", NULL},
    {MM_ACT_DOWN, "help", {"Down", "j"}, "Scroll down", NULL},
    {MM_ACT_PAGE_UP, "help", {"PgUp"}, "Scroll up one page", NULL},
    {MM_ACT_PAGE_DOWN, "help", {"PgDn"}, "Scroll down one page", NULL},
    {MM_ACT_HOME, "help", {"Home", "g"}, "Go to the top", NULL},
    {MM_ACT_END, "help", {"End", "G"}, "Go to the bottom", NULL},
    {MM_ACT_CANCEL, "help", {"Esc", "?", "q"}, "Close this box", "close"},
};

static const char *const action_names[] = {
#define MM_ACTION_NAME(id, name) name,
    MM_ACTION_LIST(MM_ACTION_NAME)
#undef MM_ACTION_NAME
};

static const struct {
    const char *name;
    int key;
} key_names[] = {
    {"Up", MM_KEY_FN(KEY_UP)},        {"Down", MM_KEY_FN(KEY_DOWN)},
    {"Left", MM_KEY_FN(KEY_LEFT)},    {"Right", MM_KEY_FN(KEY_RIGHT)},
    {"Enter", MM_KEY_ENTER},          {"Tab", '\t'},
    {"BTab", MM_KEY_FN(KEY_BTAB)},    {"Shift-Tab", MM_KEY_FN(KEY_BTAB)},
    {"Esc", MM_KEY_ESC},              {"Space", ' '},
    {"Backspace", MM_KEY_FN(KEY_BACKSPACE)}, {"Del", MM_KEY_FN(KEY_DC)},
    {"Home", MM_KEY_FN(KEY_HOME)},    {"End", MM_KEY_FN(KEY_END)},
    {"PgUp", MM_KEY_FN(KEY_PPAGE)},   {"PgDn", MM_KEY_FN(KEY_NPAGE)},
};

const mm_keybinding *mm_keymap_bindings(size_t *n)
{
    *n = sizeof bindings / sizeof bindings[0];
    return bindings;
}

const char *mm_action_name(mm_action action)
{
    return action >= 0 && action < MM_ACT_COUNT ? action_names[action] : "?";
}

int mm_key_parse(const char *name)
{
    for (size_t i = 0; i < sizeof key_names / sizeof key_names[0]; i++)
        if (strcmp(name, key_names[i].name) == 0)
            return key_names[i].key;
    if ((name[0] == 'F' || name[0] == 'f') && name[1] >= '1' && name[1] <= '9') {
        char *end;
        long n = strtol(name + 1, &end, 10);
        if (!*end && n >= 1 && n <= 12)
            return MM_KEY_FN(KEY_F((int)n));
    }
    if (name[0] == 'C' && name[1] == '-' && name[2] >= 'a' && name[2] <= 'z' && !name[3])
        return name[2] - 'a' + 1;
    mbstate_t st;
    memset(&st, 0, sizeof st);
    wchar_t wc;
    size_t len = strlen(name);
    size_t used = mbrtowc(&wc, name, len, &st);
    if (len > 0 && used == len && wc > 32 && wc != 127)
        return (int)wc;
    return MM_KEY_NONE;
}

const char *mm_key_name(int key, char *buf, size_t n)
{
    for (size_t i = 0; i < sizeof key_names / sizeof key_names[0]; i++)
        if (key_names[i].key == key) {
            snprintf(buf, n, "%s", key_names[i].name);
            return buf;
        }
    for (int f = 1; f <= 12; f++)
        if (key == MM_KEY_FN(KEY_F(f))) {
            snprintf(buf, n, "F%d", f);
            return buf;
        }
    if (key >= 1 && key <= 26) {
        snprintf(buf, n, "C-%c", 'a' + key - 1);
        return buf;
    }
    if (!MM_KEY_IS_FN(key) && key > 32) {
        char mb[MB_LEN_MAX + 1];
        mbstate_t st;
        memset(&st, 0, sizeof st);
        size_t len = wcrtomb(mb, (wchar_t)key, &st);
        if (len != (size_t)-1) {
            mb[len] = '\0';
            snprintf(buf, n, "%s", mb);
            return buf;
        }
    }
    snprintf(buf, n, "key-%d", key);
    return buf;
}

int mm_key_from_curses(wint_t wch, bool fn)
{
    if (fn) {
        if (wch == KEY_ENTER)
            return MM_KEY_ENTER;
        return MM_KEY_FN((int)wch);
    }
    if (wch == '\r' || wch == '\n')
        return MM_KEY_ENTER;
    if (wch == 127 || wch == 8)
        return MM_KEY_FN(KEY_BACKSPACE);
    return (int)wch;
}

mm_action mm_keymap_lookup(int key, const char *const *contexts)
{
    for (const char *const *c = contexts; *c; c++)
        for (size_t i = 0; i < sizeof bindings / sizeof bindings[0]; i++) {
            if (strcmp(bindings[i].context, *c) != 0)
                continue;
            for (int k = 0; k < MM_KEYS_MAX && bindings[i].keys[k]; k++)
                if (mm_key_parse(bindings[i].keys[k]) == key)
                    return bindings[i].action;
        }
    return MM_ACT_NONE;
}

/* "Up, k" */
static void append_keys(mm_strbuf *sb, const mm_keybinding *b, const char *sep)
{
    for (int k = 0; k < MM_KEYS_MAX && b->keys[k]; k++) {
        if (k)
            mm_strbuf_append(sb, sep);
        mm_strbuf_append(sb, b->keys[k]);
    }
}

char *mm_keymap_hints(const char *const *contexts, mm_keymap_offers offers, void *ctx)
{
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    bool shown[MM_ACT_COUNT] = {false};
    for (const char *const *c = contexts; *c; c++)
        for (size_t i = 0; i < sizeof bindings / sizeof bindings[0]; i++) {
            const mm_keybinding *b = &bindings[i];
            if (!b->hint || strcmp(b->context, *c) != 0 || shown[b->action])
                continue;
            if (offers && !offers(ctx, *c, b->action))
                continue;
            shown[b->action] = true;
            if (sb.len)
                mm_strbuf_append(&sb, "  ");
            mm_strbuf_appendf(&sb, "%s %s", b->keys[0], b->hint);
        }
    return sb.data ? mm_strbuf_take(&sb) : mm_strdup("");
}

static const struct {
    const char *context, *title;
} context_titles[] = {
    {"global", "Everywhere"},
    {"list", "Lists, tables and forms"},
    {"source", "Source screen"},
    {"preview", "Preview screen"},
    {"config", "Config screen"},
    {"target", "Target screen"},
    {"plan", "Plan screen"},
    {"run", "Run screen (dump and load)"},
    {"verify", "Verify screen"},
    {"edit", "Editing a text field"},
    {"dialog", "Dialogs"},
    {"help", "The help and the list of warnings"},
};

const char *const *mm_keymap_contexts(void)
{
    static const char *const order[] = {"global", "list", "edit", "dialog", "help", "source", "preview",
                                        "config", "target", "plan", "run", "verify", NULL};
    return order;
}

static const char *context_title(const char *context)
{
    for (size_t i = 0; i < sizeof context_titles / sizeof context_titles[0]; i++)
        if (strcmp(context_titles[i].context, context) == 0)
            return context_titles[i].title;
    return context;
}

/* Escapes roff's leading '.'/'\'' and backslashes in a key or text. */
static void append_roff(mm_strbuf *sb, const char *text)
{
    if (*text == '.' || *text == '\'')
        mm_strbuf_append(sb, "\\&");
    for (const char *p = text; *p; p++) {
        if (*p == '\\')
            mm_strbuf_append(sb, "\\e");
        else if (*p == '-')
            mm_strbuf_append(sb, "\\-");
        else
            mm_strbuf_append_n(sb, p, 1);
    }
}

char *mm_keymap_man(void)
{
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    for (size_t c = 0; c < sizeof context_titles / sizeof context_titles[0]; c++) {
        const char *context = context_titles[c].context;
        mm_strbuf_appendf(&sb, ".SS %s\n", context_titles[c].title);
        for (size_t i = 0; i < sizeof bindings / sizeof bindings[0]; i++) {
            const mm_keybinding *b = &bindings[i];
            if (strcmp(b->context, context) != 0)
                continue;
            mm_strbuf_append(&sb, ".TP\n.B ");
            for (int k = 0; k < MM_KEYS_MAX && b->keys[k]; k++) {
                if (k)
                    mm_strbuf_append(&sb, ", ");
                append_roff(&sb, b->keys[k]);
            }
            mm_strbuf_append(&sb, "\n");
            append_roff(&sb, b->description);
            mm_strbuf_append(&sb, ".\n");
        }
    }
    return mm_strbuf_take(&sb);
}

char *mm_keymap_help_text(const char *const *contexts)
{
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    for (const char *const *c = contexts; *c; c++) {
        bool seen = false;
        for (const char *const *d = contexts; d < c; d++)
            seen = seen || strcmp(*d, *c) == 0;
        if (seen)
            continue;
        bool any = false;
        for (size_t i = 0; i < sizeof bindings / sizeof bindings[0]; i++) {
            const mm_keybinding *b = &bindings[i];
            if (strcmp(b->context, *c) != 0)
                continue;
            if (!any) {
                if (sb.len)
                    mm_strbuf_append(&sb, "\n");
                mm_strbuf_appendf(&sb, "%s\n", context_title(*c));
                any = true;
            }
            mm_strbuf sk;
            mm_strbuf_init(&sk);
            append_keys(&sk, b, ", ");
            mm_strbuf_appendf(&sb, "  %-14s\t%s\n", sk.data ? sk.data : "", b->description);
            mm_strbuf_free(&sk);
        }
    }
    return sb.data ? mm_strbuf_take(&sb) : mm_strdup("");
}
