/*
 * toml.h — a small, strict TOML 1.0 reader for package manifests
 * (Cargo.toml, pyproject.toml, REUSE.toml).
 *
 * The document is parsed into a tree of nodes that the caller only reads.
 * Everything TOML 1.0 defines is accepted: tables `[a.b]`, arrays of tables
 * `[[a]]`, bare, quoted and dotted keys, basic and literal strings (single
 * and multi-line, with every escape), integers (decimal, hex, octal, binary),
 * floats (inf, nan), booleans, dates and times (kept as written, not
 * interpreted), arrays (nested, multi-line, trailing comma), inline tables,
 * comments.  Anything else, including a key or table defined twice, invalid
 * UTF-8, a NUL or another control character, is an error: the reader never
 * guesses.  Input over TOML_MAX_SIZE, nesting deeper than TOML_MAX_DEPTH and
 * more than TOML_MAX_NODES values are refused with TGPL_ETOOBIG.
 */
#ifndef TGPL_TOML_H
#define TGPL_TOML_H

#include <stddef.h>
#include <stdint.h>

#include "tgpl/common.h"

#define TOML_MAX_SIZE  ((size_t)4 << 20)  /* bytes of input */
#define TOML_MAX_DEPTH 32                 /* tables and arrays, one inside another */
#define TOML_MAX_NODES 200000             /* keys, tables, values, array elements */

typedef enum {
	TOML_TABLE,
	TOML_ARRAY,
	TOML_STRING,
	TOML_INTEGER,
	TOML_FLOAT,
	TOML_BOOL,
	TOML_DATETIME
} toml_type;

/* One value.  Read-only for callers; the fields after `items` are the parser's. */
typedef struct toml_node toml_node;
struct toml_node {
	toml_type type;
	uint32_t line;        /* 1-based line where the value (or its table header) starts */
	char *key;            /* key in the parent table (NUL-terminated, may hold NULs:
	                         see key_len); NULL for the root and array elements */
	size_t key_len;
	char *str;            /* STRING: the decoded value; DATETIME: the text as written.
	                         NUL-terminated; a string may hold NULs (\u0000): see len */
	size_t len;
	int64_t integer;      /* INTEGER; BOOL: 0 or 1 */
	double number;        /* FLOAT */
	toml_node **items;    /* TABLE members / ARRAY elements, in document order */
	size_t n_items;
	/* private */
	size_t cap_items;
	unsigned int flags;
	unsigned int depth;
};

/* Where and why parsing failed. */
typedef struct {
	uint32_t line;        /* 1-based; 0 when the error is not tied to a line */
	char msg[160];
} toml_error;

/*
 * Parse `len` bytes of `data` (need not be NUL-terminated).  On success *out
 * is the root table: the caller frees it with toml_free().  Returns 0,
 * TGPL_EINVAL (malformed: `err`, if not NULL, says where and why),
 * TGPL_ETOOBIG (over a cap) or TGPL_ENOMEM.
 */
int toml_parse(toml_node **out, const char *data, size_t len, toml_error *err);
void toml_free(toml_node *root);

/* The member `key` (n bytes) of a table; NULL if absent or `table` is not a table. */
const toml_node *toml_child(const toml_node *table, const char *key, size_t n);

/*
 * Follow a dotted path of bare keys ("package.license", "tool.poetry.license")
 * down from `table`.  NULL if a part is missing or not a table.  For keys that
 * hold a dot, use toml_child().  The result is borrowed from the tree.
 */
const toml_node *toml_get(const toml_node *table, const char *path);

/* Name of a type: "table", "array", "string", ... */
const char *toml_type_name(toml_type type);

#endif
