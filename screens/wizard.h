/* The wizard's entry: the seven screens registered with the shell
 * (shell.h) and run, interactively or as a scripted session. This header
 * is what the command line sees of the wizard; it needs no terminal
 * headers. */
#ifndef MM_SCREENS_WIZARD_H
#define MM_SCREENS_WIZARD_H

#include "base/error.h"

#include <stdbool.h>

typedef struct mm_wizard_options {
    const char *config_path;    /* -c FILE, or NULL: ./migration.yaml when it exists */
    const char *theme;          /* --theme NAME, or NULL: default */
    const char *script_path;    /* --script FILE: headless scripted session */
    const char *snapshot_dir;
    int cols, lines;            /* --size for scripted sessions */
    const char *banner;         /* shown on the Source screen and in the help (the demo's directory and port) */
    bool restart;               /* the first run discards the journal (asked before it does) */
} mm_wizard_options;

enum { MM_WIZARD_SCRIPT_FAILED = 1 };

/* Runs the wizard. Returns 0 when it closed normally,
 * MM_WIZARD_SCRIPT_FAILED when a step of a scripted session failed, or -1
 * when it could not run (a script, configuration or theme that cannot be
 * used, no terminal); err says why in the last two cases. A quit signal
 * is re-raised once the terminal is restored. */
int mm_wizard_run(const mm_wizard_options *opt, mm_error *err);
/* The key table as man(7) lines (.SS per context, .TP per action), for the
 * KEYS section of milvus-migrate(1). malloc'd. */
char *mm_wizard_keys_man(void);
/* "100x30" -> cols, lines; 0 or -1. */
int mm_wizard_parse_size(const char *text, int *cols, int *lines);

#endif
