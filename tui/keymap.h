/* Keys become named actions through one table (name, keys, description,
 * context). The same table feeds the dispatch, the `?` help overlay, the
 * status line hints and the man page's key list.
 *
 * Key codes: a Unicode character is its code point; a curses function key
 * k (KEY_UP, KEY_F(2), ...) is MM_KEY_FN(k), above the Unicode range so the
 * two never collide. Enter is always '\n', Backspace MM_KEY_FN(KEY_BACKSPACE). */
#ifndef MM_TUI_KEYMAP_H
#define MM_TUI_KEYMAP_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

#define MM_KEY_FN(k) (0x200000 + (k))
#define MM_KEY_IS_FN(code) ((code) >= 0x200000)
#define MM_KEY_ENTER '\n'
#define MM_KEY_ESC 27
#define MM_KEY_NONE (-1)

#define MM_ACTION_LIST(X)                                                                         \
    X(NONE, "none")                                                                                \
    X(UP, "up")                                                                                    \
    X(DOWN, "down")                                                                                \
    X(PAGE_UP, "page-up")                                                                          \
    X(PAGE_DOWN, "page-down")                                                                      \
    X(HOME, "home")                                                                                \
    X(END, "end")                                                                                  \
    X(LEFT, "left")                                                                                \
    X(RIGHT, "right")                                                                              \
    X(ACTIVATE, "activate")                                                                        \
    X(TOGGLE, "toggle")                                                                            \
    X(CANCEL, "cancel")                                                                            \
    X(NEXT_SCREEN, "next-screen")                                                                  \
    X(PREV_SCREEN, "prev-screen")                                                                  \
    X(SCREEN_1, "screen-1")                                                                        \
    X(SCREEN_2, "screen-2")                                                                        \
    X(SCREEN_3, "screen-3")                                                                        \
    X(SCREEN_4, "screen-4")                                                                        \
    X(SCREEN_5, "screen-5")                                                                        \
    X(SCREEN_6, "screen-6")                                                                        \
    X(SCREEN_7, "screen-7")                                                                        \
    X(HELP, "help")                                                                                \
    X(QUIT, "quit")                                                                                \
    X(REDRAW, "redraw")                                                                            \
    X(TEST_SOURCE, "test-connection")                                                              \
    X(FILTER, "filter")                                                                            \
    X(RENAME, "rename")                                                                            \
    X(SELECT_ALL, "select-all")                                                                    \
    X(SAVE, "save")                                                                                \
    X(OPEN, "open")                                                                                \
    X(RESET, "reset")                                                                              \
    X(DELETE_CHAR, "delete-char")                                                                  \
    X(BACKSPACE, "backspace")                                                                      \
    X(CLEAR_LINE, "clear-line")                                                                    \
    X(START, "start")                                                                              \
    X(CYCLE_POLICY, "existing-policy")                                                             \
    X(VERIFY, "verify")                                                                            \
    X(WRITE_REPORT, "write-report")                                                                \
    X(BACK, "back")                                                                                \
    X(COMPLETE, "complete")                                                                        \
    X(WARNINGS, "warnings")                                                                        \
    X(FIND_INSTALLS, "find-installs")                                                              \
    X(LOG_FOCUS, "log-focus")                                                                      \
    X(MOUSE, "mouse")                                                                              \
    X(HOTKEY, "button-letter")                                                                     \
    X(LOAD_FOR_SAMPLE, "load-for-sample")

typedef enum {
#define MM_ACTION_ENUM(id, name) MM_ACT_##id,
    MM_ACTION_LIST(MM_ACTION_ENUM)
#undef MM_ACTION_ENUM
    MM_ACT_COUNT
} mm_action;

#define MM_KEYS_MAX 6

typedef struct mm_keybinding {
    mm_action action;
    const char *context;            /* "global", "list", "edit", "dialog" or a screen name */
    const char *keys[MM_KEYS_MAX];  /* key names as in scripts (see mm_key_parse) */
    const char *description;
    const char *hint;               /* short label for the status line, or NULL */
} mm_keybinding;

const mm_keybinding *mm_keymap_bindings(size_t *n);
const char *mm_action_name(mm_action action);

/* The action bound to key in the first context that binds it, trying the
 * NULL-terminated contexts in order. MM_ACT_NONE when unbound. */
mm_action mm_keymap_lookup(int key, const char *const *contexts);

/* Key names: Up Down Left Right Enter Tab Shift-Tab (or BTab) Esc Space
 * Backspace Del Home End PgUp PgDn F1-F12, C-a..C-z, or one character
 * (UTF-8). Returns the key code or MM_KEY_NONE. */
int mm_key_parse(const char *name);
/* The display name of a key code ("Down", "q", "F2"); writes into buf. */
const char *mm_key_name(int key, char *buf, size_t n);
/* Normalises a key as read from curses: Enter variants -> '\n', Backspace
 * variants -> MM_KEY_FN(KEY_BACKSPACE). fn = the code came as KEY_CODE_YES. */
int mm_key_from_curses(wint_t wch, bool fn);

/* Whether an action applies now (the key hints leave out those that do
 * not); NULL offers every action. */
typedef bool (*mm_keymap_offers)(void *ctx, const char *context, mm_action action);

/* "Tab next  ? help  q quit" style hints for the contexts (first binding
 * of each action with a hint that `offers` accepts). malloc'd. */
char *mm_keymap_hints(const char *const *contexts, mm_keymap_offers offers, void *ctx);
/* Every context of the table in the order the help shows them after the
 * current screen's: NULL-terminated, static. */
const char *const *mm_keymap_contexts(void);
/* The key table as man(7) lines (.SS per context, .TP per action), for the
 * KEYS section of milvus-migrate(1). malloc'd. */
char *mm_keymap_man(void);
/* Help overlay lines "  KEYS\tdescription" under a heading per context,
 * for the given contexts (each once). malloc'd, '\n'-separated. */
char *mm_keymap_help_text(const char *const *contexts);

#endif
