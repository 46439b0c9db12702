#include "plan_check.h"

#include "base/strbuf.h"
#include "job/preflight.h"
#include "tui/loop.h"

#include <stdlib.h>
#include <string.h>

typedef struct check_run {
    mm_config cfg;
    mm_inventory collections;
    bool restart;
    mm_findings found;
} check_run;

/* What the findings depend on: the target keys, the policy, the 2.x
 * names, the selection, a start-over and the staging probe's last verdict
 * (Target's t or a run probed meanwhile). */
static char *settings(const mm_app *app)
{
    static const char *const keys[] = {"target.milvus2x.endpoint", "target.milvus2x.username",
                                       "target.milvus2x.database", "target.milvus2x.existingCollection",
                                       "target.milvus2x.fields.id", "target.milvus2x.fields.vector",
                                       "target.milvus2x.tls.enabled", "state.dir", "target.mode",
                                       "target.local.outputDir", "target.remote.cloud", "target.remote.endpoint",
                                       "target.remote.region", "target.remote.bucket", "target.remote.outputDir",
                                       "target.remote.useIAM", "loader.probeStaging", "dumper.maxFileSize", NULL};
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    for (const char *const *k = keys; *k; k++) {
        const mm_config_key *key = mm_config_find_key(*k);
        char value[1024] = "";
        if (key)
            mm_config_get_string(&app->cfg, key, value, sizeof value);
        mm_strbuf_appendf(&sb, "%s=%s\n", *k, value);
    }
    mm_strbuf_appendf(&sb, "restart=%d inventory=%llu probe=%lu\n", app->restart,
                      (unsigned long long)app->inventory_generation, mm_preflight_probe_generation());
    for (size_t i = 0; app->have_inventory && i < app->inv.n_collections; i++)
        mm_strbuf_appendf(&sb, "%s:%s:%d\n", app->inv.collections[i].name, app->inv.collections[i].target_name,
                          app->selected[i]);
    return sb.data ? mm_strbuf_take(&sb) : mm_strdup("");
}

static void run_check(mm_task *task, void *arg)
{
    (void)task;
    check_run *r = arg;
    mm_target_preflight_check(&r->cfg, &r->collections, r->restart, &r->found);
}

static void free_run(check_run *r)
{
    if (!r)
        return;
    mm_config_free(&r->cfg);
    mm_inventory_free(&r->collections);
    mm_findings_free(&r->found);
    free(r);
}

void mm_plan_check_init(mm_plan_check *c)
{
    memset(c, 0, sizeof *c);
}

void mm_plan_check_fini(mm_plan_check *c)
{
    if (c->task)
        mm_task_join(c->task);
    free_run(c->run);
    mm_findings_free(&c->findings);
    free(c->about);
    memset(c, 0, sizeof *c);
}

void mm_plan_check_start(mm_plan_check *c, mm_app *app)
{
    if (c->task || !app->have_inventory)
        return;
    check_run *r = calloc(1, sizeof *r);
    if (!r)
        abort();
    mm_config_init_defaults(&r->cfg);
    mm_inventory_init(&r->collections);
    r->restart = app->restart;
    mm_error err;
    mm_error_clear(&err);
    if (mm_config_copy(&r->cfg, &app->cfg, &err) != 0 ||
        mm_preflight_collections_copy(&app->inv, app->selected, &r->collections, &err) != 0 ||
        !(c->task = mm_task_start(run_check, r, mm_tui_wake, &err))) {
        free_run(r);
        mm_app_message(app, MM_ROLE_ERROR, "Target check: %s", err.message[0] ? err.message : "out of memory");
        return;
    }
    c->run = r;
    free(c->about);
    c->about = settings(app);
}

bool mm_plan_check_tick(mm_plan_check *c)
{
    if (!c->task || !mm_task_done(c->task))
        return false;
    mm_task_join(c->task);
    c->task = NULL;
    mm_findings_free(&c->findings);
    c->findings = c->run->found;
    mm_findings_init(&c->run->found);
    free_run(c->run);
    c->run = NULL;
    c->have = true;
    return true;
}

bool mm_plan_check_busy(const mm_plan_check *c)
{
    return c->task != NULL;
}

bool mm_plan_check_stale(const mm_plan_check *c, const mm_app *app)
{
    if (!c->about)
        return true;
    char *now = settings(app);
    bool stale = !now || strcmp(now, c->about) != 0;
    free(now);
    return stale;
}
