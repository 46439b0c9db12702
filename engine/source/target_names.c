#include "source/target_names.h"

#include "source/names.h"
#include "base/strbuf.h"

#include <stdlib.h>
#include <string.h>

typedef struct parsed_entry {
    char *collection, *tag; /* tag NULL: the collection itself */
    const char *new_name;   /* points into the entry */
} parsed_entry;

static int parse_entry(const char *entry, const char *key, parsed_entry *out, mm_error *err)
{
    memset(out, 0, sizeof *out);
    const char *eq = strrchr(entry, '=');
    if (!eq || eq == entry)
        return mm_error_set(err, MM_ERR_CONFIG, "%s: entry '%s' is not <collection>=<2.x name> or "
                            "<collection>/<partition tag>=<2.x name>", key, entry);
    const char *slash = memchr(entry, '/', (size_t)(eq - entry));
    out->collection = mm_strndup(entry, (size_t)((slash ? slash : eq) - entry));
    out->tag = slash ? mm_strndup(slash + 1, (size_t)(eq - slash - 1)) : NULL;
    out->new_name = eq + 1;
    if (!out->collection || (slash && !out->tag))
        return mm_error_set(err, MM_ERR_NOMEM, "%s: out of memory", key);
    if (!mm_name_valid_2x(out->new_name))
        return mm_error_set(err, MM_ERR_CONFIG, "%s: entry '%s': '%s' is not a valid Milvus 2.x name (letters, "
                            "digits and '_', not starting with a digit, at most %d bytes)",
                            key, entry, out->new_name, MM_MAX_NAME_LEN);
    if (slash && !out->tag[0])
        return mm_error_set(err, MM_ERR_CONFIG, "%s: entry '%s': the default partition is always _default in "
                            "Milvus 2.x and cannot be renamed", key, entry);
    return 0;
}

static void free_entry(parsed_entry *e)
{
    free(e->collection);
    free(e->tag);
}

static mm_collection_info *find_collection(mm_inventory *inv, const char *name)
{
    for (size_t i = 0; i < inv->n_collections; i++)
        if (strcmp(inv->collections[i].name, name) == 0)
            return &inv->collections[i];
    return NULL;
}

static int apply_one(mm_inventory *inv, const char *entry, const char *key, mm_error *err)
{
    parsed_entry e;
    int rc = parse_entry(entry, key, &e, err);
    mm_collection_info *c = rc == 0 ? find_collection(inv, e.collection) : NULL;
    if (rc == 0 && c && !e.tag) {
        for (size_t i = 0; i < inv->n_collections && rc == 0; i++)
            if (&inv->collections[i] != c && strcmp(inv->collections[i].target_name, e.new_name) == 0)
                rc = mm_error_set(err, MM_ERR_CONFIG, "%s: entry '%s': 1.x collection '%s' is already migrated "
                                  "as '%s'; choose another name", key, entry, inv->collections[i].name, e.new_name);
        char *copy = rc == 0 ? mm_strdup(e.new_name) : NULL;
        if (copy) {
            free(c->target_name);
            c->target_name = copy;
        }
    } else if (rc == 0 && c) {
        mm_partition_info *p = NULL;
        for (size_t i = 0; i < c->n_partitions; i++)
            if (strcmp(c->partitions[i].tag, e.tag) == 0)
                p = &c->partitions[i];
        if (!p)
            rc = mm_error_set(err, MM_ERR_CONFIG, "%s: entry '%s': collection '%s' has no partition tag '%s'",
                              key, entry, e.collection, e.tag);
        for (size_t i = 0; rc == 0 && i < c->n_partitions; i++)
            if (&c->partitions[i] != p && strcmp(c->partitions[i].target_name, e.new_name) == 0)
                rc = mm_error_set(err, MM_ERR_CONFIG, "%s: entry '%s': partition '%s' of '%s' is already migrated "
                                  "as '%s'; choose another name", key, entry, c->partitions[i].tag, e.collection,
                                  e.new_name);
        char *copy = rc == 0 ? mm_strdup(e.new_name) : NULL;
        if (copy) {
            free(p->target_name);
            p->target_name = copy;
        }
    }
    free_entry(&e);
    return rc;
}

int mm_target_names_apply(mm_inventory *inv, const mm_config_list *names, const char *key, mm_error *err)
{
    for (size_t i = 0; i < names->count; i++)
        if (apply_one(inv, names->items[i], key, err) != 0)
            return -1;
    return 0;
}

/* The entry's left-hand side ("docs" or "docs/p 1") matches? */
static bool same_subject(const char *entry, const char *subject)
{
    const char *eq = strrchr(entry, '=');
    return eq && (size_t)(eq - entry) == strlen(subject) && strncmp(entry, subject, (size_t)(eq - entry)) == 0;
}

int mm_target_names_set(mm_config_list *names, const char *collection, const char *tag, const char *new_name,
                        mm_error *err)
{
    char *subject = tag ? mm_asprintf("%s/%s", collection, tag) : mm_strdup(collection);
    if (!subject)
        return mm_error_set(err, MM_ERR_NOMEM, "rename: out of memory");
    bool is_default = false;
    if (tag) {
        char *generated = mm_name_sanitize(tag);
        is_default = generated && strcmp(generated, new_name) == 0;
        free(generated);
    } else {
        char *generated = mm_name_sanitize(collection);
        is_default = generated && strcmp(generated, new_name) == 0;
        free(generated);
    }
    size_t at = names->count;
    for (size_t i = 0; i < names->count; i++)
        if (same_subject(names->items[i], subject))
            at = i;
    int rc = 0;
    if (is_default) {
        if (at < names->count) {
            free(names->items[at]);
            memmove(&names->items[at], &names->items[at + 1], (names->count - at - 1) * sizeof *names->items);
            names->count--;
        }
    } else {
        char *entry = mm_asprintf("%s=%s", subject, new_name);
        char **grown = at == names->count ? realloc(names->items, (names->count + 1) * sizeof *names->items)
                                          : names->items;
        if (!entry || !grown) {
            free(entry);
            if (grown)
                names->items = grown;
            rc = mm_error_set(err, MM_ERR_NOMEM, "rename: out of memory");
        } else {
            names->items = grown;
            if (at == names->count)
                names->count++;
            else
                free(names->items[at]);
            names->items[at] = entry;
        }
    }
    free(subject);
    return rc;
}
