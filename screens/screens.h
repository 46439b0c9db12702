/* The wizard's screens, in order. Adding a screen is adding its file
 * (defining `const mm_screen mm_screen_<name>`) and one X(<name>) line to
 * MM_SCREEN_LIST below; wizard.c hands the list to the shell. */
#ifndef MM_SCREENS_H
#define MM_SCREENS_H

#include "shell.h"

#define MM_SCREEN_LIST(X)                                                                          \
    X(source)                                                                                      \
    X(preview)                                                                                     \
    X(config)                                                                                      \
    X(target)                                                                                      \
    X(plan)                                                                                        \
    X(run)                                                                                         \
    X(verify)

#define MM_SCREEN_DECLARE(name) extern const mm_screen mm_screen_##name;
MM_SCREEN_LIST(MM_SCREEN_DECLARE)
#undef MM_SCREEN_DECLARE

#endif
