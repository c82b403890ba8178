/*
 * index.h — the compiled licence index (licenses.idx), built at build time
 * by tools/mkindex from the pinned SPDX data package and read by the engine.
 *
 * File layout (all integers little-endian):
 *   "TGPLIDX\0"  u32 format  u32 n_sections
 *   per section: u32 tag  u64 length  bytes
 * Section INFO holds, per licence: str id, str name, str url, u8 osi, str text
 * (str = u32 length + bytes, no NUL).  Other sections belong to the matcher.
 * Unknown sections are skipped, so the matcher can add its own.
 */
#ifndef TGPL_INDEX_H
#define TGPL_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "tgpl/common.h"

#define LIDX_MAGIC "TGPLIDX"
#define LIDX_FORMAT 1
#define LIDX_SEC_INFO 0x4f464e49u  /* "INFO" */

typedef struct {
	char *id;
	char *name;
	char *url;
	int osi;
	char *text;
	size_t text_len;
} lidx_license;

typedef struct lidx {
	unsigned char *raw;       /* the whole file */
	size_t raw_len;
	lidx_license *licenses;   /* in file order (sorted by id) */
	size_t n_licenses;
	/* Sections other than INFO, borrowed from raw. */
	struct lidx_section { uint32_t tag; const unsigned char *data; uint64_t len; } *sections;
	size_t n_sections;
} lidx;

/* Read and check the index at `path`.  Caller frees with lidx_free(). */
int lidx_load(lidx **out, tgpl_ctx *ctx, const char *path);
void lidx_free(lidx *idx);
/* A section by tag, or NULL. */
const struct lidx_section *lidx_section(const lidx *idx, uint32_t tag);

#endif
