/*
 * jsonpos.h — where values lie in JSON text.  jansson gives values but not
 * their positions, so detectors that report line numbers walk the raw text
 * again.  The text must already be known to be valid JSON (parsed by
 * jansson); on anything else these return `n` rather than read past it.
 */
#ifndef TGPL_JSONPOS_H
#define TGPL_JSONPOS_H

#include <stddef.h>

/* Offset of the first non-white-space byte at or after i. */
size_t jsonpos_ws(const char *s, size_t n, size_t i);
/* Offset just past the value that starts at i. */
size_t jsonpos_skip(const char *s, size_t n, size_t i);
/* Offset of the value of member `key` of the object at s[obj]; n if absent. */
size_t jsonpos_member(const char *s, size_t n, size_t obj, const char *key);
/* Offset of element `idx` of the array at s[arr]; n if absent. */
size_t jsonpos_element(const char *s, size_t n, size_t arr, size_t idx);

#endif
