/* What a run would meet and do on the target, found before any work: the
 * 2.x collections that already exist (with their rows) and what the
 * existing-collection policy does to them, and what the run would lose
 * (a 2.x collection dropped, staged files deleted or written again, the
 * journal discarded). One findings list for the headless `run`, `dump`
 * and `load`, the Plan screen and the wizard's Run.
 *
 * A finding is a sentence naming the collection or place, the rows and
 * the way out. Blockers stop a run before anything is dumped; losses are
 * asked about (default no) and the run refuses without a yes; the rest is
 * said. */
#ifndef MM_JOB_TARGET_PREFLIGHT_H
#define MM_JOB_TARGET_PREFLIGHT_H

#include "base/error.h"
#include "config/config.h"
#include "journal.h"
#include "milvus2/client.h"
#include "source/inventory.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    MM_FINDING_INFO,     /* what the run will do, for the record */
    MM_FINDING_WARNING,  /* the run goes on, but the user must know */
    MM_FINDING_BLOCKER,  /* the run would fail here: it stops before anything is dumped */
    MM_FINDING_LOSS      /* the run would lose this: asked first */
} mm_finding_kind;

typedef enum {
    MM_LOSS_NONE,
    MM_LOSS_DROP,        /* an existing 2.x collection dropped */
    MM_LOSS_STALE,       /* staged files of segments no longer live deleted */
    MM_LOSS_JOURNAL      /* the journal discarded and its staged files written again */
} mm_loss_kind;

typedef struct mm_finding {
    mm_finding_kind kind;
    mm_loss_kind loss;
    char *text;
    char *collection;    /* the 2.x collection concerned, or NULL */
    int64_t rows;        /* its rows (or the rows lost), -1 when not known */
} mm_finding;

typedef struct mm_findings {
    mm_finding *items;
    size_t n, cap;
    bool target_checked; /* Milvus answered: what exists in 2.x is known */
} mm_findings;

typedef struct mm_preflight_input {
    const mm_config *cfg;
    const mm_inventory *inv;    /* scanned, with its 2.x names */
    const bool *selected;       /* per collection of inv, NULL: all */
    mm_milvus *milvus;          /* connected; NULL: 2.x is not looked at */
    mm_journal *journal;        /* the job's; NULL: none yet */
    bool restart;               /* the journal is to be discarded (--restart) */
    bool dumps;                 /* the run dumps (stale batches are retired) */
} mm_preflight_input;

int mm_target_preflight(const mm_preflight_input *in, mm_findings *out, mm_error *err);

void mm_findings_init(mm_findings *f);
void mm_findings_free(mm_findings *f);
/* Adds one finding; text is malloc'd and owned from here (NULL: out of
 * memory, reported in err). */
int mm_findings_add(mm_findings *f, mm_finding_kind kind, mm_loss_kind loss, const char *collection, int64_t rows,
                    char *text, mm_error *err);
size_t mm_findings_count(const mm_findings *f, mm_finding_kind kind);
/* The findings of one kind, one "- text" line each. malloc'd. */
char *mm_findings_text(const mm_findings *f, mm_finding_kind kind);
/* The 2.x collections the losses drop: a NULL-terminated array of copies
 * (free with mm_findings_drops_free), NULL when out of memory. */
char **mm_findings_drops(const mm_findings *f);
void mm_findings_drops_free(char **names);

#endif
