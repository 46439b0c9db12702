/* The schema a collection gets in Milvus 2.x comes from its Tables row;
 * a value outside what 1.x could have written (and 2.x can take) is found
 * here, when the source is opened, instead of by Milvus at load time. */
#include "source/inventory_internal.h"

#include "source/names.h"
#include "base/remedy.h"
#include "base/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_DIM = 32768 }; /* 1.x stores dimension as uint16; 2.x proxy.maxDimension */

typedef struct problems {
    mm_strbuf sb;
} problems;

static void add(problems *p, const char *text)
{
    if (p->sb.len)
        mm_strbuf_append(&p->sb, "; ");
    mm_strbuf_append(&p->sb, text);
}

char *mm_schema_problem(const mm_table_row *t, bool *oom)
{
    *oom = false;
    problems p;
    mm_strbuf_init(&p.sb);
    char text[512];
    bool binary = t->metric_type >= 3 && t->metric_type <= 7;
    if (t->metric_type < 1 || t->metric_type > 7) {
        snprintf(text, sizeof text, "metric_type %d is not a Milvus 1.x metric (1 L2, 2 IP, 3 HAMMING, 4 JACCARD, "
                 "5 TANIMOTO, 6 SUBSTRUCTURE, 7 SUPERSTRUCTURE)", t->metric_type);
        add(&p, text);
    }
    if (t->dimension_text) {
        snprintf(text, sizeof text, "dim %.100s is not a number", t->dimension_text);
        add(&p, text);
    } else if (t->dimension < 1 || t->dimension > MAX_DIM) {
        snprintf(text, sizeof text, "dim %lld is outside 1..%d, the dimensions Milvus accepts", (long long)t->dimension,
                 MAX_DIM);
        add(&p, text);
    } else if (binary && t->dimension % 8 != 0) {
        snprintf(text, sizeof text, "dim %lld is not a multiple of 8, as binary vectors (metric %s) need",
                 (long long)t->dimension, mm_metric_name(t->metric_type));
        add(&p, text);
    }
    if (t->engine_type < 1 || t->engine_type > 12) {
        snprintf(text, sizeof text, "engine_type %d is not a Milvus 1.x index type (1 FLAT .. 12 ANNOY)",
                 t->engine_type);
        add(&p, text);
    }
    if (!mm_strbuf_ok(&p.sb)) {
        *oom = true;
        mm_strbuf_free(&p.sb);
        return NULL;
    }
    return p.sb.len ? mm_strbuf_take(&p.sb) : NULL;
}

int mm_inventory_check_schemas(const mm_inventory *inv, mm_error *err)
{
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    size_t bad = 0;
    for (size_t i = 0; i < inv->n_collections; i++) {
        const mm_collection_info *c = &inv->collections[i];
        if (!c->schema_problem)
            continue;
        char *name = mm_name_escape(c->name);
        mm_strbuf_appendf(&sb, "\n  collection '%s': %s", name ? name : "?", c->schema_problem);
        free(name);
        bad++;
    }
    int rc = 0;
    if (bad)
        rc = mm_error_set(err, MM_ERR_META, "the 1.x meta %s describes %zu collection(s) that Milvus 2.x cannot take, "
                          "so nothing is staged:%s\nCorrect these rows of the Tables table, or leave the "
                          "collection(s) out %s", inv->origin, bad, sb.data ? sb.data : "",
                          mm_remedy_how(MM_REMEDY_LEAVE_OUT));
    mm_strbuf_free(&sb);
    return rc;
}
