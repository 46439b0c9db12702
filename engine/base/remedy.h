/* How the user takes a remedy that engine messages advise ("start over",
 * "leave the collection out", ...). Each front end says it in its own
 * terms (a flag on the command line, a key or field in the wizard), so
 * engine messages name none of them: they say the remedy through this
 * table, which the front end hands in once at start-up, before any
 * thread runs. */
#ifndef MM_REMEDY_H
#define MM_REMEDY_H

typedef enum mm_remedy {
    /* "start over <how>": discard the journal and stage everything again */
    MM_REMEDY_START_OVER,
    /* "leave it out <how>": migrate the other collections only */
    MM_REMEDY_LEAVE_OUT,
    /* "set source.local.walDir<how>": where else the WAL directory is given */
    MM_REMEDY_WAL_DIR,
    /* "set source.local.tablesDir<how>": where else the tables directory is given */
    MM_REMEDY_TABLES_DIR,
    MM_REMEDY_COUNT
} mm_remedy;

/* words[r] completes the phrase of remedy r (see above); NULL restores the
 * front-end-neutral wording. The table must outlive every message. */
void mm_remedy_words_set(const char *const *words);
const char *mm_remedy_how(mm_remedy r);

#endif
