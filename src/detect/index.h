/*
 * index.h — the compiled licence index (licenses.idx), built at build time
 * by tools/mkindex from the pinned SPDX data package and read by the engine.
 *
 * File layout (all integers little-endian):
 *   "TGPLIDX\0"  u32 format  u32 n_sections
 *   per section: u32 tag  u64 length  bytes
 * Unknown sections are skipped (mkindex writes PAD sections so that every
 * array section starts on an 8-byte boundary of the file).
 *
 *   INFO  u32 n; per licence: str id, str name, str url, u8 osi, str text
 *         (str = u32 length + bytes, no NUL), sorted by id.
 * The matcher's sections, precomputed so that loading costs a read:
 *   STRS  NUL-terminated strings, referred to by byte offset.
 *   REFS  u32 n_refs, then n_refs records of LIDX_REF_FIELDS u32 (lidx_ref
 *         below, in field order): one per distinct reference text, after
 *         de-duplication of identical token streams.
 *   ALIA  u32 string offsets: the licence ids each reference stands for.
 *   RTOK  u32 token ids of every reference, concatenated (tokenize.h).
 *   RFLG  u8 TOKF_* flags per reference token.
 *   RDFQ  u8 per reference position: in how many references the n-gram
 *         starting there occurs (255: none starts there, or 255 and more).
 *   NGRM  u32 n_keys, u32 dir_bits, u32 n_post, u32 ngram;
 *         u32 dir[(1 << dir_bits) + 1]  (first key of each top-bits bucket),
 *         u32 keys[n_keys] (sorted n-gram hashes), u32 off[n_keys + 1],
 *         u32 post[n_post] (ref << 16 | position, sorted).
 */
#ifndef TGPL_INDEX_H
#define TGPL_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "tgpl/common.h"

#define LIDX_MAGIC "TGPLIDX"
#define LIDX_FORMAT 2
#define LIDX_TAG(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#define LIDX_SEC_INFO LIDX_TAG('I', 'N', 'F', 'O')
#define LIDX_SEC_STRS LIDX_TAG('S', 'T', 'R', 'S')
#define LIDX_SEC_REFS LIDX_TAG('R', 'E', 'F', 'S')
#define LIDX_SEC_ALIA LIDX_TAG('A', 'L', 'I', 'A')
#define LIDX_SEC_RTOK LIDX_TAG('R', 'T', 'O', 'K')
#define LIDX_SEC_RFLG LIDX_TAG('R', 'F', 'L', 'G')
#define LIDX_SEC_RDFQ LIDX_TAG('R', 'D', 'F', 'Q')
#define LIDX_SEC_NGRM LIDX_TAG('N', 'G', 'R', 'M')
#define LIDX_SEC_PAD  LIDX_TAG('P', 'A', 'D', ' ')

/* Reference positions are 16 bits in a posting. */
#define LIDX_MAX_REF_TOKENS 65535u
#define LIDX_NONE 0xffffffffu

typedef struct {
	char *id;
	char *name;
	char *url;
	int osi;
	char *text;
	size_t text_len;
} lidx_license;

/* One reference text as the matcher sees it. */
typedef struct {
	const char *id;        /* the id a match reports (canonical, non-deprecated) */
	const char *expr;      /* NULL, or the expression it stands for
	                          ("GPL-2.0-only WITH Classpath-exception-2.0") */
	const uint32_t *tok;   /* n_tok token ids */
	const uint8_t *flags;  /* TOKF_* */
	const uint8_t *ngdf;   /* references sharing the n-gram starting at each position */
	const uint8_t *df;     /* per token: the least ngdf of the n-grams covering it
	                          (computed at load; owned by the lidx) */
	uint32_t n_tok;
	uint32_t n_req;        /* tokens neither placeholder, optional nor appendix */
	uint32_t body_end;     /* first appendix token (n_tok if none) */
	uint32_t emb_start;    /* another reference embedded here (LGPL-3.0 holds */
	uint32_t emb_end;      /*  the GPL-3.0), or 0, 0 */
	const uint32_t *alias; /* string offsets of the ids it stands for */
	uint32_t n_alias;
} lidx_ref;

/* Fields of a REFS record, in order. */
enum { LR_ID, LR_EXPR, LR_TOK_OFF, LR_N_TOK, LR_N_REQ, LR_BODY_END, LR_EMB_START,
       LR_EMB_END, LR_ALIAS_OFF, LR_N_ALIAS, LIDX_REF_FIELDS };

typedef struct lidx {
	unsigned char *raw;       /* the whole file */
	size_t raw_len;
	lidx_license *licenses;   /* in file order (sorted by id) */
	size_t n_licenses;
	/* Sections other than INFO, borrowed from raw. */
	struct lidx_section { uint32_t tag; const unsigned char *data; uint64_t len; } *sections;
	size_t n_sections;
	/* The matcher's view (pointers into raw). */
	lidx_ref *refs;
	uint32_t n_refs;
	uint8_t *tokdf;           /* storage of every refs[].df */
	const char *strs;
	size_t strs_len;
	uint32_t ngram;           /* n-gram length the index was built with */
	uint32_t n_keys, dir_bits, n_post;
	const uint32_t *dir, *keys, *off, *post;
} lidx;

/* Read and check the index at `path`.  Caller frees with lidx_free(). */
int lidx_load(lidx **out, tgpl_ctx *ctx, const char *path);
void lidx_free(lidx *idx);
/* A section by tag, or NULL. */
const struct lidx_section *lidx_section(const lidx *idx, uint32_t tag);

/* The string at offset `off` of STRS (NULL for LIDX_NONE or out of range). */
const char *lidx_str(const lidx *idx, uint32_t off);

/*
 * The postings of an n-gram hash: *post gets a pointer to *count entries
 * (ref << 16 | position, sorted), or count 0.
 */
void lidx_lookup(const lidx *idx, uint32_t hash, const uint32_t **post, uint32_t *count);

/* The reference that stands for licence `id` (case-insensitive), or LIDX_NONE. */
uint32_t lidx_ref_of(const lidx *idx, const char *id);

#endif
