/* Tab completion of a file or directory name in a text field, as a shell
 * does it: the last component of the text is completed from its
 * directory's listing, up to what every name that fits shares. Hidden
 * names are offered only when the component starts with '.'; "~/" is the
 * home directory. */
#ifndef MM_TUI_PATH_COMPLETE_H
#define MM_TUI_PATH_COMPLETE_H

/* The completed text (malloc'd; the text unchanged when nothing fits),
 * ending in '/' when it names one directory. *choices (malloc'd, or NULL
 * when at most one name fits) lists the names that fit, directories with a
 * '/', at most a screenful. */
char *mm_path_complete(const char *text, char **choices);

#endif
