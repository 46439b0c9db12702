/* Did-you-mean for keys (config_suggest.h): the closest key or map by edit
 * distance, else the same leaf name at another place. */
#include "config/config_suggest.h"

#include "config/config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

size_t mm_cfg_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 128 || lb > 128)
        return SIZE_MAX;
    size_t rows[3][129];
    size_t *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            int ca = tolower((unsigned char)a[i - 1]), cb = tolower((unsigned char)b[j - 1]);
            size_t cost = ca == cb ? 0 : 1;
            size_t best = prev[j] + 1;
            if (cur[j - 1] + 1 < best)
                best = cur[j - 1] + 1;
            if (prev[j - 1] + cost < best)
                best = prev[j - 1] + cost;
            if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == cb && prev2[j - 2] + 1 < best)
                best = prev2[j - 2] + 1;
            cur[j] = best;
        }
        size_t *t = prev2;
        prev2 = prev;
        prev = cur;
        cur = t;
    }
    return prev[lb];
}

bool mm_cfg_group(const char *lower_prefix, char *canonical, size_t n)
{
    size_t len = strlen(lower_prefix), count;
    const mm_config_key *keys = mm_config_keys(&count);
    for (size_t i = 0; i < count; i++) {
        if (strncasecmp(keys[i].name, lower_prefix, len) == 0 && keys[i].name[len] == '.') {
            snprintf(canonical, n, "%.*s", (int)len, keys[i].name);
            return true;
        }
    }
    return false;
}

static const char *last_segment(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot ? dot + 1 : name;
}

/* Another last word of the same words before it (remoteMetaPath for
 * remoteMetaFile, tablesPath for tablesDir): the one key of the same map
 * whose name starts with the same 6 or more characters, at least half of
 * the unknown name. */
static bool same_map_same_start(const char *unknown, char *out, size_t n)
{
    size_t count;
    const mm_config_key *keys = mm_config_keys(&count);
    const char *leaf = last_segment(unknown);
    size_t map_len = (size_t)(leaf - unknown), leaf_len = strlen(leaf);
    const char *match = NULL;
    for (size_t i = 0; i < count; i++) {
        const char *name = keys[i].name, *key_leaf = last_segment(name);
        if ((size_t)(key_leaf - name) != map_len || strncasecmp(name, unknown, map_len) != 0)
            continue;
        size_t common = 0;
        while (leaf[common] && tolower((unsigned char)leaf[common]) == tolower((unsigned char)key_leaf[common]))
            common++;
        if (common < 6 || common * 2 < leaf_len)
            continue;
        if (match)
            return false;   /* two of them: no guess */
        match = name;
    }
    if (match)
        snprintf(out, n, "%s", match);
    return match != NULL;
}

void mm_cfg_suggest_key(const char *unknown, char *out, size_t n)
{
    size_t count;
    const mm_config_key *keys = mm_config_keys(&count);
    char best[128] = "";
    size_t best_d = SIZE_MAX, unknown_len = strlen(unknown);
    size_t limit = 1 + unknown_len / 8;
    if (limit > 3)
        limit = 3;
    /* Whole keys and the maps above them are both candidates, so that a
     * misspelt map name (soruce:) is matched too. */
    for (size_t i = 0; i < count; i++) {
        const char *name = keys[i].name;
        for (const char *p = name;; p++) {
            if (*p != '.' && *p != '\0')
                continue;
            char cand[128];
            size_t cand_len = (size_t)(p - name);
            /* The distance is at least the length difference: skip what
             * cannot be close, which keeps a file full of unknown keys
             * (or aliases merging them) from taking seconds. */
            bool too_far = (cand_len > unknown_len ? cand_len - unknown_len : unknown_len - cand_len) > limit;
            if (too_far && *p == '\0')
                break;
            if (too_far)
                continue;
            snprintf(cand, sizeof cand, "%.*s", (int)cand_len, name);
            size_t d = mm_cfg_edit_distance(cand, unknown);
            if (d < best_d) {
                best_d = d;
                snprintf(best, sizeof best, "%s", cand);
            }
            if (*p == '\0')
                break;
        }
    }
    if (best_d <= limit) {
        snprintf(out, n, "%s", best);
        return;
    }
    if (same_map_same_start(unknown, out, n))
        return;
    /* Right name at the wrong place (sqliteFile: at the top level). */
    const char *leaf = last_segment(unknown);
    const char *found[3];
    size_t nfound = 0;
    for (size_t i = 0; i < count && nfound < 3; i++)
        if (strcasecmp(last_segment(keys[i].name), leaf) == 0)
            found[nfound++] = keys[i].name;
    out[0] = '\0';
    if (nfound == 1)
        snprintf(out, n, "%s", found[0]);
    else if (nfound == 2)
        snprintf(out, n, "%s or %s", found[0], found[1]);
    else if (nfound == 3)
        snprintf(out, n, "%s, %s or %s", found[0], found[1], found[2]);
}
