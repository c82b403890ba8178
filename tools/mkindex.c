/*
 * mkindex — compile the SPDX licence data into licenses.idx (see
 * src/detect/index.h for the layout).
 *
 * usage: mkindex -o OUT spdx-full.json LICENSES_DIR
 *
 * spdx-full.json comes from the pinned registry package spdx-license-list
 * (fetched and checksummed by the Makefile); LICENSES_DIR is the project's own
 * licenses/ folder.  The output is deterministic: the same inputs give the
 * same bytes, so the engine version (a hash of the data) is stable.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "detect/index.h"
#include "util/util.h"

static int put_u32(tgpl_buf *b, uint32_t v)
{
	unsigned char c[4] = { (unsigned char)v, (unsigned char)(v >> 8),
			       (unsigned char)(v >> 16), (unsigned char)(v >> 24) };
	return tgpl_buf_put(b, c, 4);
}

static int put_u64(tgpl_buf *b, uint64_t v)
{
	return put_u32(b, (uint32_t)v) || put_u32(b, (uint32_t)(v >> 32)) ? -1 : 0;
}

static int put_str(tgpl_buf *b, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	return put_u32(b, (uint32_t)n) || tgpl_buf_put(b, s ? s : "", n) ? -1 : 0;
}

static int cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int build_info(tgpl_buf *out, json_t *root)
{
	const char **keys = NULL;
	const char *key;
	json_t *val;
	size_t n = 0, i;
	int rc = -1;

	keys = calloc(json_object_size(root) + 1, sizeof(*keys));
	if (!keys)
		return -1;
	json_object_foreach(root, key, val)
		keys[n++] = key;
	qsort(keys, n, sizeof(*keys), cmp_keys);
	if (put_u32(out, (uint32_t)n))
		goto done;
	for (i = 0; i < n; i++) {
		json_t *l = json_object_get(root, keys[i]);
		json_t *osi = json_object_get(l, "osiApproved");
		int is_osi = json_is_true(osi) ||
			     (json_is_string(osi) && strcmp(json_string_value(osi), "True") == 0);

		if (put_str(out, keys[i]) ||
		    put_str(out, json_string_value(json_object_get(l, "name"))) ||
		    put_str(out, json_string_value(json_object_get(l, "url"))) ||
		    tgpl_buf_putc(out, (char)is_osi) ||
		    put_str(out, json_string_value(json_object_get(l, "licenseText"))))
			goto done;
	}
	rc = 0;
done:
	free(keys);
	return rc;
}

int main(int argc, char **argv)
{
	tgpl_buf info = TGPL_BUF_INIT, file = TGPL_BUF_INIT;
	json_error_t jerr;
	json_t *root = NULL;
	const char *outpath = NULL;
	FILE *f = NULL;
	int rc = 1;

	if (argc == 5 && strcmp(argv[1], "-o") == 0) {
		outpath = argv[2];
	} else {
		fprintf(stderr, "usage: mkindex -o OUT spdx-full.json LICENSES_DIR\n");
		return 2;
	}
	root = json_load_file(argv[3], 0, &jerr);
	if (!root || !json_is_object(root)) {
		fprintf(stderr, "mkindex: cannot read '%s': %s (line %d)\n", argv[3], jerr.text, jerr.line);
		goto done;
	}
	if (build_info(&info, root) < 0) {
		fprintf(stderr, "mkindex: out of memory\n");
		goto done;
	}
	if (tgpl_buf_put(&file, LIDX_MAGIC, 8) || put_u32(&file, LIDX_FORMAT) || put_u32(&file, 1) ||
	    put_u32(&file, LIDX_SEC_INFO) || put_u64(&file, info.len) ||
	    tgpl_buf_put(&file, info.ptr, info.len)) {
		fprintf(stderr, "mkindex: out of memory\n");
		goto done;
	}
	f = fopen(outpath, "wb");
	if (!f || fwrite(file.ptr, 1, file.len, f) != file.len || fclose(f) != 0) {
		fprintf(stderr, "mkindex: cannot write '%s': %s\n", outpath, strerror(errno));
		f = NULL;
		goto done;
	}
	f = NULL;
	rc = 0;
done:
	if (f)
		fclose(f);
	json_decref(root);
	tgpl_buf_release(&info);
	tgpl_buf_release(&file);
	return rc;
}
