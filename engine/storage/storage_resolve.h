/* How mm_storage_open turns source.remote.* / target.remote.* into one
 * backend's options: the server, addressing, signing region and
 * credentials of each cloud. Separate from opening so that the mapping can
 * be checked without a server. */
#ifndef MM_STORAGE_RESOLVE_H
#define MM_STORAGE_RESOLVE_H

#include "storage/storage.h"
#include "storage/azure.h"
#include "storage/credentials.h"
#include "storage/s3.h"

typedef enum { MM_STORAGE_KIND_S3, MM_STORAGE_KIND_AZURE } mm_storage_kind;

typedef struct mm_storage_plan {
    mm_storage_kind kind;
    mm_s3_options s3;          /* kind S3; strings point into remote, creds or endpoint */
    mm_azure_options azure;    /* kind AZURE; strings point into remote or service_url */
    mm_credentials creds;      /* from useIAM */
    char *endpoint;            /* S3 host[:port] chosen */
    char *service_url;         /* Azure scheme://host[:port][/account] */
    char credentials[256];     /* how it authenticates, for the user */
} mm_storage_plan;

/* Fills plan from remote (which must outlive it). Errors are MM_ERR_CONFIG
 * naming the <side>.* keys, or those of mm_credentials_aws. */
int mm_storage_plan_make(const mm_config_remote *remote, const char *side, const mm_storage_tuning *tuning,
                         mm_storage_plan *plan, mm_error *err);
void mm_storage_plan_free(mm_storage_plan *plan);

#endif
