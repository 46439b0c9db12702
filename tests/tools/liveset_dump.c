/* Prints the live set of a 1.x source in the canonical order the fixture
 * generator writes to expected/liveset.tsv:
 *   collection \t partition tag or _default \t segment \t id \t vector hex
 * Usage: liveset_dump (-s FILE | -m DSN | -d DIR | -j META_JSON) [-t TABLES]
 *                     [-2 SECONDARY]... [-b BLOCK_ROWS] */
#include "source/inventory.h"
#include "source/names.h"
#include "source/segment.h"
#include "source/source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int dump_segment(const mm_collection_info *c, const mm_partition_info *p, const mm_segment_info *s,
                        const mm_source *src, size_t block_rows, const char *coll, const char *tag)
{
    mm_segment_source spec = {
        .tables_dirs = (const char *const *)src->tables_dirs,
        .n_tables_dirs = src->n_tables_dirs,
        .table_id = s->table_id,
        .segment_id = s->segment_id,
        .file_id = s->file_id,
        .dim = c->dim,
        .binary = c->binary,
    };
    mm_error err;
    mm_segment_reader *r = NULL;
    if (mm_segment_open(&spec, &r, &err) != 0) {
        fprintf(stderr, "liveset_dump: %s\n", err.message);
        return -1;
    }
    size_t bpv = mm_segment_vector_bytes(r);
    int64_t *ids = malloc(block_rows * sizeof *ids);
    unsigned char *vecs = malloc(block_rows * bpv + 1);
    int rc = 0;
    for (;;) {
        size_t n = 0;
        if (mm_segment_read_live(r, block_rows, ids, vecs, NULL, &n, &err) != 0) {
            fprintf(stderr, "liveset_dump: %s\n", err.message);
            rc = -1;
            break;
        }
        if (n == 0)
            break;
        for (size_t i = 0; i < n; i++) {
            printf("%s\t%s\t%s\t%lld\t", coll, tag, s->segment_id, (long long)ids[i]);
            for (size_t b = 0; b < bpv; b++)
                printf("%02x", vecs[i * bpv + b]);
            putchar('\n');
        }
    }
    (void)p;
    free(ids);
    free(vecs);
    mm_segment_close(r);
    return rc;
}

int main(int argc, char **argv)
{
    mm_source_spec spec = {0};
    const char *secondary[16];
    size_t block_rows = 7;
    int opt;
    while ((opt = getopt(argc, argv, "s:m:d:j:t:2:b:")) != -1) {
        switch (opt) {
        case 's': spec.sqlite_path = optarg; break;
        case 'm': spec.mysql_dsn = optarg; break;
        case 'd': spec.data_dir = optarg; break;
        case 'j': spec.meta_json_path = optarg; break;
        case 't': spec.tables_dir = optarg; break;
        case '2':
            if (spec.n_secondary_tables_dirs < 16)
                secondary[spec.n_secondary_tables_dirs++] = optarg;
            break;
        case 'b': block_rows = (size_t)strtoul(optarg, NULL, 10); break;
        default: return 2;
        }
    }
    spec.secondary_tables_dirs = secondary;
    if (block_rows == 0)
        block_rows = 1;

    mm_error err;
    mm_source src;
    mm_inventory inv;
    if (mm_source_open(&spec, &src, &err) != 0 || mm_inventory_build(&src.rows, &inv, &err) != 0) {
        fprintf(stderr, "liveset_dump: %s\n", err.message);
        return 1;
    }
    int rc = 0;
    for (size_t i = 0; i < inv.n_collections && rc == 0; i++) {
        const mm_collection_info *c = &inv.collections[i];
        char *coll = mm_name_escape(c->name);
        for (size_t j = 0; j < c->n_partitions && rc == 0; j++) {
            const mm_partition_info *p = &c->partitions[j];
            char *tag = mm_name_escape(p->tag[0] ? p->tag : "_default");
            for (size_t k = 0; k < p->n_segments && rc == 0; k++)
                rc = dump_segment(c, p, &p->segments[k], &src, block_rows, coll, tag);
            free(tag);
        }
        free(coll);
    }
    mm_inventory_free(&inv);
    mm_source_free(&src);
    return rc == 0 ? 0 : 1;
}
