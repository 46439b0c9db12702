/* Prints the Milvus 2.x messages and enums compiled into the engine as JSON,
 * walking protobuf-c's descriptors, for the cross-check against the
 * official .proto files in tests/emulator/check_descriptors.js. What is
 * checked is therefore what the binary really encodes. */
#include "common.pb-c.h"
#include "milvus.pb-c.h"
#include "schema.pb-c.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const ProtobufCMessageDescriptor *const roots[] = {
    &milvus__proto__common__status__descriptor,
    &milvus__proto__common__key_value_pair__descriptor,
    &milvus__proto__common__client_info__descriptor,
    &milvus__proto__common__server_info__descriptor,
    &milvus__proto__schema__value_field__descriptor,
    &milvus__proto__schema__field_schema__descriptor,
    &milvus__proto__schema__collection_schema__descriptor,
    &milvus__proto__milvus__connect_request__descriptor,
    &milvus__proto__milvus__connect_response__descriptor,
    &milvus__proto__milvus__get_version_request__descriptor,
    &milvus__proto__milvus__get_version_response__descriptor,
    &milvus__proto__milvus__bool_response__descriptor,
    &milvus__proto__milvus__create_collection_request__descriptor,
    &milvus__proto__milvus__drop_collection_request__descriptor,
    &milvus__proto__milvus__has_collection_request__descriptor,
    &milvus__proto__milvus__describe_collection_request__descriptor,
    &milvus__proto__milvus__describe_collection_response__descriptor,
    &milvus__proto__milvus__create_partition_request__descriptor,
    &milvus__proto__milvus__has_partition_request__descriptor,
    &milvus__proto__milvus__show_partitions_request__descriptor,
    &milvus__proto__milvus__show_partitions_response__descriptor,
    &milvus__proto__milvus__import_request__descriptor,
    &milvus__proto__milvus__import_response__descriptor,
    &milvus__proto__milvus__get_import_state_request__descriptor,
    &milvus__proto__milvus__get_import_state_response__descriptor,
    &milvus__proto__milvus__list_import_tasks_request__descriptor,
    &milvus__proto__milvus__list_import_tasks_response__descriptor,
    &milvus__proto__milvus__get_collection_statistics_request__descriptor,
    &milvus__proto__milvus__get_collection_statistics_response__descriptor,
    &milvus__proto__milvus__get_partition_statistics_request__descriptor,
    &milvus__proto__milvus__get_partition_statistics_response__descriptor,
    &milvus__proto__milvus__create_index_request__descriptor,
    &milvus__proto__milvus__describe_index_request__descriptor,
    &milvus__proto__milvus__index_description__descriptor,
    &milvus__proto__milvus__describe_index_response__descriptor,
    /* content verification */
    &milvus__proto__schema__long_array__descriptor,
    &milvus__proto__schema__float_array__descriptor,
    &milvus__proto__schema__scalar_field__descriptor,
    &milvus__proto__schema__vector_field__descriptor,
    &milvus__proto__schema__field_data__descriptor,
    &milvus__proto__milvus__query_request__descriptor,
    &milvus__proto__milvus__query_results__descriptor,
    &milvus__proto__milvus__load_collection_request__descriptor,
    &milvus__proto__milvus__release_collection_request__descriptor,
    &milvus__proto__milvus__get_load_state_request__descriptor,
    &milvus__proto__milvus__get_load_state_response__descriptor,
    &milvus__proto__milvus__get_loading_progress_request__descriptor,
    &milvus__proto__milvus__get_loading_progress_response__descriptor,
    &milvus__proto__milvus__drop_index_request__descriptor,
};

static const ProtobufCEnumDescriptor *const enum_roots[] = {
    &milvus__proto__common__error_code__descriptor,
    &milvus__proto__common__consistency_level__descriptor,
    &milvus__proto__common__import_state__descriptor,
    &milvus__proto__common__index_state__descriptor,
    &milvus__proto__schema__data_type__descriptor,
    &milvus__proto__common__load_state__descriptor,
};

static const char *type_name(ProtobufCType t)
{
    static const char *const names[] = {
        [PROTOBUF_C_TYPE_INT32] = "int32",     [PROTOBUF_C_TYPE_SINT32] = "sint32",
        [PROTOBUF_C_TYPE_SFIXED32] = "sfixed32", [PROTOBUF_C_TYPE_INT64] = "int64",
        [PROTOBUF_C_TYPE_SINT64] = "sint64",   [PROTOBUF_C_TYPE_SFIXED64] = "sfixed64",
        [PROTOBUF_C_TYPE_UINT32] = "uint32",   [PROTOBUF_C_TYPE_FIXED32] = "fixed32",
        [PROTOBUF_C_TYPE_UINT64] = "uint64",   [PROTOBUF_C_TYPE_FIXED64] = "fixed64",
        [PROTOBUF_C_TYPE_FLOAT] = "float",     [PROTOBUF_C_TYPE_DOUBLE] = "double",
        [PROTOBUF_C_TYPE_BOOL] = "bool",       [PROTOBUF_C_TYPE_ENUM] = "enum",
        [PROTOBUF_C_TYPE_STRING] = "string",   [PROTOBUF_C_TYPE_BYTES] = "bytes",
        [PROTOBUF_C_TYPE_MESSAGE] = "message",
    };
    return (size_t)t < sizeof names / sizeof names[0] && names[t] ? names[t] : "unknown";
}

static void add_enum(cJSON *enums, const ProtobufCEnumDescriptor *e)
{
    if (cJSON_GetObjectItemCaseSensitive(enums, e->name))
        return;
    cJSON *values = cJSON_AddObjectToObject(enums, e->name);
    for (unsigned i = 0; i < e->n_values; i++)
        cJSON_AddNumberToObject(values, e->values[i].name, e->values[i].value);
}

static void add_message(cJSON *messages, cJSON *enums, const ProtobufCMessageDescriptor *m)
{
    if (cJSON_GetObjectItemCaseSensitive(messages, m->name))
        return;
    cJSON *fields = cJSON_AddArrayToObject(messages, m->name);
    for (unsigned i = 0; i < m->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &m->fields[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", f->name);
        cJSON_AddNumberToObject(o, "number", f->id);
        cJSON_AddStringToObject(o, "label", f->label == PROTOBUF_C_LABEL_REPEATED ? "repeated" : "optional");
        cJSON_AddStringToObject(o, "type", type_name(f->type));
        if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
            const ProtobufCMessageDescriptor *sub = f->descriptor;
            cJSON_AddStringToObject(o, "typeName", sub->name);
            add_message(messages, enums, sub);
        } else if (f->type == PROTOBUF_C_TYPE_ENUM) {
            const ProtobufCEnumDescriptor *sub = f->descriptor;
            cJSON_AddStringToObject(o, "typeName", sub->name);
            add_enum(enums, sub);
        }
        cJSON_AddItemToArray(fields, o);
    }
}

int main(void)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *messages = cJSON_AddObjectToObject(root, "messages");
    cJSON *enums = cJSON_AddObjectToObject(root, "enums");
    for (size_t i = 0; i < sizeof roots / sizeof roots[0]; i++)
        add_message(messages, enums, roots[i]);
    for (size_t i = 0; i < sizeof enum_roots / sizeof enum_roots[0]; i++)
        add_enum(enums, enum_roots[i]);
    char *text = cJSON_Print(root);
    puts(text);
    free(text);
    cJSON_Delete(root);
    return 0;
}
