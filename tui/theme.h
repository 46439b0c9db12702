/* Colour themes as data: every drawing call names a semantic role and gets
 * its attributes from the loaded theme (themes/NAME.theme, lines of
 * `role = fg bg attrs`). Without colours (NO_COLOR, a terminal without
 * colour support) the mono theme is used, which only sets attributes. */
#ifndef MM_TUI_THEME_H
#define MM_TUI_THEME_H

#include "base/error.h"

#include <curses.h>
#include <stdbool.h>

#define MM_ROLE_LIST(X)                                                                           \
    X(NORMAL, "normal")                                                                            \
    X(TITLE, "title")                                                                              \
    X(TAB, "tab")                                                                                  \
    X(TAB_ACTIVE, "tab_active")                                                                    \
    X(STATUS, "status")                                                                            \
    X(KEY_HINT, "key_hint")                                                                        \
    X(SELECTED, "selected")                                                                        \
    X(HEADER, "header")                                                                            \
    X(SECTION, "section")                                                                          \
    X(FIELD, "field")                                                                              \
    X(FIELD_EDIT, "field_edit")                                                                    \
    X(ERROR, "error")                                                                              \
    X(WARNING, "warning")                                                                          \
    X(OK, "ok")                                                                                    \
    X(MISMATCH, "mismatch")                                                                        \
    X(DIM, "dim")                                                                                  \
    X(BORDER, "border")                                                                            \
    X(DIALOG, "dialog")                                                                            \
    X(PROGRESS_DONE, "progress_done")                                                              \
    X(PROGRESS_TODO, "progress_todo")

typedef enum {
#define MM_ROLE_ENUM(id, name) MM_ROLE_##id,
    MM_ROLE_LIST(MM_ROLE_ENUM)
#undef MM_ROLE_ENUM
    MM_ROLE_COUNT
} mm_role;

/* Loads a theme by name (themes dir, NAME.theme) or by path (contains '/').
 * Must be called after the terminal is started; use_colors=false loads
 * the theme's attributes only. Unknown roles, colours or attributes are
 * MM_ERR_CONFIG errors naming file and line. */
int mm_theme_load(const char *name_or_path, bool use_colors, mm_error *err);
/* The attributes (colour pair included) for a role. */
attr_t mm_theme_attr(mm_role role);
/* The name of the loaded theme ("mono" before any load). */
const char *mm_theme_name(void);
/* Directory searched for NAME.theme: $MM_THEMES_DIR, else the program's
 * themes (base/datadir.h: installed, or in the build directory). */
const char *mm_theme_dir(void);

#endif
