/* Did-you-mean for keys: what an unknown or misplaced key probably meant. */
#ifndef MM_CONFIG_SUGGEST_H
#define MM_CONFIG_SUGGEST_H

#include <stdbool.h>
#include <stddef.h>

/* Case-insensitive OSA edit distance (adjacent transpositions count 1). */
size_t mm_cfg_edit_distance(const char *a, const char *b);
/* For an unknown dotted key (any case): " did you mean X?" style suggestion
 * text ("X", "X or Y"), or "" when nothing is close. */
void mm_cfg_suggest_key(const char *unknown, char *out, size_t n);
/* Whether lower_prefix (lower-case dotted) names a map of keys; when it
 * does, its canonical spelling goes to canonical. */
bool mm_cfg_group(const char *lower_prefix, char *canonical, size_t n);

#endif
