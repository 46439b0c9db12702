/* Azure Blob Storage over libcurl: Shared Key authorization (HMAC-SHA256 by
 * OpenSSL) or a SAS token, block blobs uploaded whole or as parallel blocks
 * (Put Block + Put Block List) with Content-MD5, retries with backoff on
 * 5xx/429 and connection failures. The backend of engine/storage/storage.h
 * for cloud: azure. Secrets never appear in errors. */
#ifndef MM_AZURE_H
#define MM_AZURE_H

#include "base/error.h"

#include <stdint.h>

struct mm_storage;

typedef struct mm_azure_options {
    const char *account;      /* storage account name */
    const char *account_key;  /* base64 account key (Shared Key); NULL/"" with sas_token */
    const char *sas_token;    /* "sv=...&sig=..." (a leading '?' is dropped); wins over account_key */
    /* Where the container lives: "https://acct.blob.core.windows.net", or
     * with the account as first path segment "http://127.0.0.1:10000/acct". */
    const char *service_url;
    const char *container;
    const char *side;         /* "target.remote": names the keys in messages */
    const char *ca_file;      /* PEM bundle for https; NULL/"" = system CAs */
    uint64_t block_size;      /* blocks above this; 0 = 64 MiB, at most 4000 MiB */
    int max_retries;          /* per request */
    int retry_base_ms;        /* first backoff; doubles; 0 = 200 */
} mm_azure_options;

int mm_storage_azure_open(const mm_azure_options *opt, struct mm_storage **out, mm_error *err);

#endif
