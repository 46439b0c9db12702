/* Adding a member to a JSON object that is already text. Reports carry
 * exact 64-bit numbers (1.x ids, sample seeds) written raw; parsing them
 * with cJSON and printing again would round them to doubles above 2^53,
 * so what is added goes in as text before the object's closing brace. */
#ifndef MM_JSON_TEXT_H
#define MM_JSON_TEXT_H

/* object_text: a JSON object as cJSON_Print writes it (tab-indented);
 * value_text: the member's value, printed the same way. Returns the new
 * text (malloc'd), the value indented one level deeper; takes and frees
 * object_text (value_text stays the caller's). NULL when either is NULL,
 * object_text has no closing brace, or out of memory. */
char *mm_json_text_add_member(char *object_text, const char *name, const char *value_text);

#endif
