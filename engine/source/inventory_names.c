/* 2.x names for the collections and partitions of an inventory (the
 * rules are in names.h), each rewrite reported as a warning. */
#include "source/inventory_internal.h"

#include "source/names.h"
#include "base/strbuf.h"

#include <stdlib.h>
#include <string.h>

/* The rewrite of one name, as every warning about one words it. */
static int warn_rename(mm_inventory *inv, const char *subject, const char *kind, const char *name,
                       const char *target, const char *displaced)
{
    char *shown = mm_name_escape(name);
    int rc = -1;
    if (shown && displaced)
        rc = mm_inventory_warn(inv, "%s '%s' is not a valid 2.x %s name; it becomes '%s' ('%s' is the name of "
                               "another %s)", subject, shown, kind, target, displaced, kind);
    else if (shown)
        rc = mm_inventory_warn(inv, "%s '%s' is not a valid 2.x %s name; it becomes '%s'", subject, shown, kind,
                               target);
    free(shown);
    return rc;
}

/* Gives every partition a valid, unique 2.x name and reports renames.
 * "_default" is the collection's own data. */
int mm_inventory_name_partitions(mm_collection_info *c, mm_inventory *inv)
{
    size_t n = c->n_partitions - 1;
    const char **tags = calloc(n + 1, sizeof *tags);
    char **out = calloc(n + 1, sizeof *out), **displaced = calloc(n + 1, sizeof *displaced);
    int rc = tags && out && displaced ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < n; i++)
        tags[i] = c->partitions[i + 1].tag;
    if (rc == 0)
        rc = mm_names_assign(tags, n, "_default", out, displaced);
    if (rc == 0)
        c->partitions[0].target_name = mm_strdup("_default");
    char *owner = rc == 0 ? mm_name_escape(c->name) : NULL;
    char *subject = owner ? mm_asprintf("collection '%s': partition tag", owner) : NULL;
    if (rc == 0 && (!c->partitions[0].target_name || !subject))
        rc = -1;
    for (size_t i = 0; i < n && out; i++) {
        mm_partition_info *p = &c->partitions[i + 1];
        p->target_name = out[i];
        if (rc == 0 && out[i] && strcmp(out[i], p->tag) != 0)
            rc = warn_rename(inv, subject, "partition", p->tag, out[i], displaced[i]);
        free(displaced ? displaced[i] : NULL);
    }
    free(owner);
    free(subject);
    free(tags);
    free(out);
    free(displaced);
    return rc;
}

int mm_inventory_name_collections(mm_inventory *inv)
{
    size_t n = inv->n_collections;
    const char **names = calloc(n + 1, sizeof *names);
    char **out = calloc(n + 1, sizeof *out), **displaced = calloc(n + 1, sizeof *displaced);
    int rc = names && out && displaced ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < n; i++)
        names[i] = inv->collections[i].name;
    if (rc == 0)
        rc = mm_names_assign(names, n, NULL, out, displaced);
    for (size_t i = 0; i < n && out; i++) {
        mm_collection_info *c = &inv->collections[i];
        c->target_name = out[i];
        if (rc == 0 && out[i] && strcmp(out[i], c->name) != 0)
            rc = warn_rename(inv, "collection name", "collection", c->name, out[i], displaced[i]);
        free(displaced ? displaced[i] : NULL);
    }
    free(names);
    free(out);
    free(displaced);
    return rc;
}
