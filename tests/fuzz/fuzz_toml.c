/*
 * fuzz_toml.c — the TOML reader (src/util/toml.c) on arbitrary bytes.
 *
 * toml_parse() must return 0 with a tree, or TGPL_EINVAL / TGPL_ETOOBIG
 * with a message; the tree is walked in full (every key and string read)
 * and checked against the caps and types toml.h promises, and the lookups
 * the manifest parsers use are run on it.
 */
#include "fuzz.h"

#include "util/toml.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static size_t walk(const toml_node *n, unsigned int depth)
{
	size_t count = 1, i;

	FUZZ_CHECK(depth <= TOML_MAX_DEPTH + 1, "tree deeper than %u", depth);
	FUZZ_CHECK(toml_type_name(n->type) != NULL, "node of type %d", (int)n->type);
	if (n->key)
		FUZZ_CHECK(n->key[n->key_len] == '\0', "key not NUL-terminated");
	switch (n->type) {
	case TOML_STRING:
	case TOML_DATETIME:
		FUZZ_CHECK(n->str != NULL && n->str[n->len] == '\0', "string not NUL-terminated");
		break;
	case TOML_BOOL:
		FUZZ_CHECK(n->integer == 0 || n->integer == 1, "boolean %lld", (long long)n->integer);
		break;
	case TOML_TABLE:
		for (i = 0; i < n->n_items; i++) {
			FUZZ_CHECK(n->items[i]->key != NULL, "table member %zu without a key", i);
			/* Every member is found by its key. */
			FUZZ_CHECK(toml_child(n, n->items[i]->key, n->items[i]->key_len) != NULL,
				   "member %zu not found by its key", i);
		}
		break;
	case TOML_ARRAY:
		for (i = 0; i < n->n_items; i++)
			FUZZ_CHECK(n->items[i]->key == NULL, "array element %zu with a key", i);
		break;
	default:
		break;
	}
	if (n->type == TOML_TABLE || n->type == TOML_ARRAY)
		for (i = 0; i < n->n_items; i++)
			count += walk(n->items[i], depth + 1);
	return count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const paths[] = {
		"package.license", "package.license-file", "project.license", "project.license.text",
		"project.license.file", "tool.poetry.license", "annotations", "version", "a.b.c",
	};
	toml_node *root = NULL;
	toml_error err;
	size_t i;
	int rc;

	memset(&err, 0, sizeof(err));
	rc = toml_parse(&root, (const char *)data, size, &err);
	if (rc != 0) {
		FUZZ_CHECK(rc == TGPL_EINVAL || rc == TGPL_ETOOBIG, "toml_parse returned %d", rc);
		FUZZ_CHECK(root == NULL, "failure left a tree");
		FUZZ_CHECK(memchr(err.msg, '\0', sizeof(err.msg)) != NULL && err.msg[0],
			   "failure without a message");
		return 0;
	}
	FUZZ_CHECK(root != NULL && root->type == TOML_TABLE, "the root is not a table");
	FUZZ_CHECK(walk(root, 0) <= TOML_MAX_NODES + 1, "more nodes than TOML_MAX_NODES");
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		const toml_node *v = toml_get(root, paths[i]);
		if (v && v->type == TOML_STRING)
			fuzz_touch(v->str);
	}
	toml_free(root);
	return 0;
}
