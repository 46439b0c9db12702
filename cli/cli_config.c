/* migration.yaml for the headless commands: load + validate with warnings
 * on stderr, and the mapping of meta.* / source.* onto a source spec. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

/* Maps the meta.* and source.* keys onto a source spec. */
int mm_cli_source_spec_from_config(const mm_config *cfg, mm_source_spec *spec, mm_error *err)
{
    memset(spec, 0, sizeof *spec);
    switch (cfg->meta.mode) {
    case MM_META_SQLITE: spec->sqlite_path = cfg->meta.sqlite_file; break;
    case MM_META_MYSQL: spec->mysql_dsn = cfg->meta.mysql_url; break;
    case MM_META_LOCAL:
    case MM_META_MOCK: spec->meta_json_path = mm_config_meta_json_path(cfg); break;
    default:
        return mm_error_set(err, MM_ERR_CONFIG, "%s: meta.mode remote (meta.json in a bucket) is read by dump, "
                            "load, verify and run only; here, copy the meta.json locally and use meta.mode: local",
                            cfg->origin ? cfg->origin : "migration.yaml");
    }
    if (cfg->source.mode != MM_LOCATION_LOCAL)
        return mm_error_set(err, MM_ERR_CONFIG, "%s: source.mode remote (1.x segments in a bucket) is read by "
                            "dump, load, verify and run only; here, copy the tables directory locally and use "
                            "source.mode: local", cfg->origin ? cfg->origin : "migration.yaml");
    if (cfg->source.local.tables_dir[0])
        spec->tables_dir = cfg->source.local.tables_dir;
    spec->secondary_tables_dirs = (const char *const *)cfg->source.local.secondary_tables_dirs.items;
    spec->n_secondary_tables_dirs = cfg->source.local.secondary_tables_dirs.count;
    if (cfg->source.local.wal_dir[0])
        spec->wal_dir = cfg->source.local.wal_dir;
    return 0;
}

int mm_cli_load_config(const char *path, mm_config *cfg, unsigned phases, mm_error *err)
{
    mm_config_warnings warn = {0};
    int rc = mm_config_load_file(path, cfg, &warn, err);
    if (rc == 0)
        rc = mm_config_validate(cfg, phases, &warn, err);
    for (size_t i = 0; i < warn.count; i++)
        fprintf(stderr, "warning: %s\n", warn.items[i]);
    mm_config_warnings_free(&warn);
    return rc;
}

