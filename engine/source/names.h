/* Milvus 2.x identifier rules applied to 1.x names. 1.x partition tags are
 * free-form UTF-8 (and a hand-made meta may hold any name) while 2.x names
 * must match [A-Za-z_][A-Za-z0-9_]* (at most 255 bytes), so each name gets
 * a deterministic, collision-free 2.x name and every change is reported.
 * Names that are valid in 2.x keep their name; a rewritten name never
 * takes a name that a valid one owns. */
#ifndef MM_NAMES_H
#define MM_NAMES_H

#include <stdbool.h>
#include <stddef.h>

#define MM_MAX_NAME_LEN 255

bool mm_name_valid_2x(const char *name);

/* The readable 2.x spelling of a 1.x name: ASCII letters, digits and '_'
 * kept, Latin letters with diacritics written in ASCII ("café" -> "cafe"),
 * other ASCII bytes become '_', any other character (or byte that is not
 * UTF-8) is escaped visibly as "_x" and its bytes in hex ("データ" ->
 * "_xe38387_xe383bc_xe382bf"); a leading digit gets a '_' prefix and the
 * result is cut to the length limit. malloc'd. */
char *mm_name_sanitize(const char *name);

/* The escaped spelling, used when the readable one belongs to another
 * name: every byte sequence that is not a letter, digit or '_' is escaped
 * as above ("p 1" -> "p_x201", "café" -> "caf_xc3a9"). malloc'd. */
char *mm_name_sanitize_escaped(const char *name);

/* Makes `candidate` unique against taken[0..n): appends _2, _3, ... as
 * needed (keeping within the length limit). malloc'd. */
char *mm_name_unique(const char *candidate, const char *const *taken, size_t n);

/* Chooses the 2.x names of n distinct 1.x names (the collections of an
 * install, or the partition tags of a collection): a name valid in 2.x
 * and not `reserved` (may be NULL) keeps itself; the others, in the order
 * given, get their readable spelling, else (when that is taken) their
 * escaped one, else that with a numbered suffix. out[i] is malloc'd;
 * displaced[i] (may be NULL) is set, malloc'd, to the readable spelling
 * that was taken, or NULL. Returns -1 on allocation failure (out and
 * displaced then hold nothing). */
int mm_names_assign(const char *const *names, size_t n, const char *reserved, char **out, char **displaced);

/* Escapes a name for one-line display and the canonical TSV: '\\', tab,
 * newline, other control bytes and invalid UTF-8 become \\, \t, \n, \xHH.
 * malloc'd. */
char *mm_name_escape(const char *name);

/* The name for text that must be UTF-8 (JSON files, Milvus requests): the
 * name itself when it is valid UTF-8, else its escaped form as above (1.x
 * tags and hand-edited metas may hold any bytes). malloc'd. */
char *mm_name_utf8(const char *name);

/* One component of a staging path or object key for a 1.x name: the name
 * itself when it holds only ASCII letters, digits, '_' and '-', else those
 * bytes kept and every other byte written as %HH ("../x" -> "%2E%2E%2Fx").
 * Never empty, never holds '/', never "." or "..". malloc'd. */
char *mm_name_path_component(const char *name);

/* Whether a 1.x name can be used as it is as one component of a path into
 * the 1.x tables directory: not empty, no '/', not "." or "..". Segment
 * directories and file stems come from the meta, which must not be able to
 * point anywhere else. */
bool mm_name_safe_component(const char *name);

#endif
