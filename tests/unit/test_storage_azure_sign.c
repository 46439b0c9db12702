/* Azure Shared Key: the string to sign and its HMAC against vectors
 * computed independently (Python's hmac over the documented layout), key
 * decoding and the listing parser. */
#include "storage/azure_internal.h"
#include "testlib.h"

#include <stdlib.h>

static const char *const key_b64 = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
static const mm_azure_pair date_version[] = {
    {"x-ms-version", "2021-08-06"}, {"x-ms-date", "Mon, 01 Jan 2024 00:00:00 GMT"}};

MM_TEST(put_block_string_to_sign_and_signature)
{
    const mm_azure_pair q[] = {{"comp", "block"}, {"blockid", "bW0tYmxvY2stMDAwMDAwMDE="}};
    mm_azure_signing s = {
        .method = "PUT", .path = "/mmtest/cont/a%20b/id.npy", .query = q, .n_query = 2, .headers = date_version,
        .n_headers = 2, .content_length = 5, .content_md5 = "XUFAKrxLKna5cZ2REBfFkg==",
    };
    char *text = mm_azure_string_to_sign("mmtest", &s);
    MM_CHECK_STR(text, "PUT\n\n\n5\nXUFAKrxLKna5cZ2REBfFkg==\n\n\n\n\n\n\n\nx-ms-date:Mon, 01 Jan 2024 00:00:00 GMT\n"
                       "x-ms-version:2021-08-06\n/mmtest/mmtest/cont/a%20b/id.npy\n"
                       "blockid:bW0tYmxvY2stMDAwMDAwMDE=\ncomp:block");
    free(text);
    unsigned char key[64];
    int key_len = mm_azure_decode_key(key_b64, key, sizeof key);
    MM_CHECK_INT(key_len, 32);
    MM_CHECK_MEM(key, "0123456789abcdef0123456789abcdef", 32);
    char auth[256];
    MM_CHECK_INT(mm_azure_authorization(key, (size_t)key_len, "mmtest", &s, auth, sizeof auth), 0);
    MM_CHECK_STR(auth, "SharedKey mmtest:5jZBXxzpzWOJUxKmCMWPQvyJKjPBAJn+XKSIL0DWR2c=");
}

MM_TEST(list_query_is_sorted_and_decoded)
{
    /* Values are signed raw (not percent-encoded) and sorted by name;
     * a zero Content-Length signs as an empty line. */
    const mm_azure_pair q[] = {
        {"restype", "container"}, {"comp", "list"}, {"prefix", "a b/"}, {"maxresults", "1"}};
    mm_azure_signing s = {.method = "GET", .path = "/cont", .query = q, .n_query = 4, .headers = date_version,
                          .n_headers = 2};
    unsigned char key[64];
    int key_len = mm_azure_decode_key(key_b64, key, sizeof key);
    char auth[256];
    MM_CHECK_INT(mm_azure_authorization(key, (size_t)key_len, "mmtest", &s, auth, sizeof auth), 0);
    MM_CHECK_STR(auth, "SharedKey mmtest:1BOazLfOPSIE8OjrGR3eaJJbhV5wsFCQ9RFb/U8O6x4=");
}

MM_TEST(account_keys_must_be_base64)
{
    unsigned char key[64];
    MM_CHECK_INT(mm_azure_decode_key("not base64!", key, sizeof key), -1);
    MM_CHECK_INT(mm_azure_decode_key("abc", key, sizeof key), -1);
    MM_CHECK_INT(mm_azure_decode_key("", key, sizeof key), -1);
    MM_CHECK_INT(mm_azure_decode_key("YWI=", key, sizeof key), 2);
    MM_CHECK_MEM(key, "ab", 2);
    MM_CHECK_INT(mm_azure_decode_key("YQ==", key, sizeof key), 1);
}

MM_TEST(encoding_keeps_slashes_of_keys_only)
{
    char *a = mm_azure_encode("tables/c 1/x+y=z.npy", true);
    char *b = mm_azure_encode("bW0=/+", false);
    MM_CHECK_STR(a, "tables/c%201/x%2By%3Dz.npy");
    MM_CHECK_STR(b, "bW0%3D%2F%2B");
    free(a);
    free(b);
}

MM_TEST(listing_names_are_entity_decoded)
{
    const char *xml = "<EnumerationResults><Blobs><Blob><Name>a&amp;b/&lt;c&gt;&#233;&#x41;</Name><Properties>"
                      "<Content-Length>12</Content-Length></Properties></Blob><Blob><Name>z</Name></Blob></Blobs>"
                      "<NextMarker>m&amp;1</NextMarker></EnumerationResults>";
    const char *end = xml + strlen(xml), *at = xml;
    char *blob = mm_azure_xml_next(&at, end, "Blob");
    const char *inner = blob;
    char *name = mm_azure_xml_next(&inner, blob + strlen(blob), "Name");
    char *len = mm_azure_xml_next(&inner, blob + strlen(blob), "Content-Length");
    MM_CHECK_STR(name, "a&b/<c>\xc3\xa9" "A");
    MM_CHECK_STR(len, "12");
    char *second = mm_azure_xml_next(&at, end, "Blob");
    MM_CHECK_STR(second, "<Name>z</Name>");
    MM_CHECK(mm_azure_xml_next(&at, end, "Blob") == NULL);
    at = xml;
    char *marker = mm_azure_xml_next(&at, end, "NextMarker");
    MM_CHECK_STR(marker, "m&1");
    free(blob);
    free(name);
    free(len);
    free(second);
    free(marker);
}

int main(void)
{
    MM_RUN(put_block_string_to_sign_and_signature);
    MM_RUN(list_query_is_sorted_and_decoded);
    MM_RUN(account_keys_must_be_base64);
    MM_RUN(encoding_keeps_slashes_of_keys_only);
    MM_RUN(listing_names_are_entity_decoded);
    return MM_TEST_EXIT();
}
