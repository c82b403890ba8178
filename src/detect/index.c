/* index.c — reading licenses.idx (see index.h for the layout). */
#include <errno.h>
#include <stdint.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/index.h"
#include "util/util.h"

/* A sane upper bound on the index file (the real one is ~20 MB). */
#define LIDX_MAX_FILE ((uint64_t)512 << 20)

typedef struct {
	const unsigned char *p;
	size_t left;
} reader;

static int rd_u32(reader *r, uint32_t *v)
{
	if (r->left < 4)
		return -1;
	*v = (uint32_t)r->p[0] | (uint32_t)r->p[1] << 8 | (uint32_t)r->p[2] << 16 |
	     (uint32_t)r->p[3] << 24;
	r->p += 4;
	r->left -= 4;
	return 0;
}

static int rd_u64(reader *r, uint64_t *v)
{
	uint32_t lo, hi;

	if (rd_u32(r, &lo) < 0 || rd_u32(r, &hi) < 0)
		return -1;
	*v = (uint64_t)hi << 32 | lo;
	return 0;
}

static int rd_str(reader *r, char **out, size_t *len)
{
	uint32_t n;

	if (rd_u32(r, &n) < 0 || r->left < n)
		return -1;
	*out = tgpl_strndup((const char *)r->p, n);
	if (!*out)
		return TGPL_ENOMEM;
	if (len)
		*len = n;
	r->p += n;
	r->left -= n;
	return 0;
}

static int read_file(tgpl_ctx *ctx, const char *path, unsigned char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	struct stat st;
	size_t n;
	int rc = 0;

	if (!f)
		return tgpl_error(ctx, TGPL_EDATA, "cannot open licence index '%s': %s "
				  "(run 'make' to build it, or set TGPL_DATADIR)", path, strerror(errno));
	if (fstat(fileno(f), &st) < 0 || st.st_size < 0 || (uint64_t)st.st_size > LIDX_MAX_FILE) {
		rc = tgpl_error(ctx, TGPL_EDATA, "licence index '%s' is not a regular file of sane size", path);
		goto done;
	}
	/* One read of the whole file: the arrays in it are used in place. */
	buf = tgpl_malloc((size_t)st.st_size + 1);
	if (!buf) {
		rc = tgpl_error(ctx, TGPL_ENOMEM, "out of memory reading '%s'", path);
		goto done;
	}
	n = fread(buf, 1, (size_t)st.st_size, f);
	if (n != (size_t)st.st_size || ferror(f)) {
		rc = tgpl_error(ctx, TGPL_EIO, "cannot read licence index '%s': %s", path,
				ferror(f) ? strerror(errno) : "short read");
		goto done;
	}
	buf[n] = 0;
	*len = n;
	*out = buf;
	buf = NULL;
done:
	free(buf);
	fclose(f);
	return rc;
}

static void free_licenses(lidx_license *l, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(l[i].id);
		free(l[i].name);
		free(l[i].url);
		free(l[i].text);
	}
	free(l);
}

static int parse_info(lidx *idx, const unsigned char *data, uint64_t len)
{
	reader r = { data, (size_t)len };
	uint32_t n, i;

	if (rd_u32(&r, &n) < 0 || n > 100000)
		return -1;
	idx->licenses = tgpl_calloc(n, sizeof(*idx->licenses));
	if (!idx->licenses)
		return TGPL_ENOMEM;
	for (i = 0; i < n; i++) {
		lidx_license *l = &idx->licenses[i];
		int rc;

		idx->n_licenses = i + 1;
		if ((rc = rd_str(&r, &l->id, NULL)) || (rc = rd_str(&r, &l->name, NULL)) ||
		    (rc = rd_str(&r, &l->url, NULL)))
			return rc;
		if (r.left < 1)
			return -1;
		l->osi = *r.p++ != 0;
		r.left--;
		if ((rc = rd_str(&r, &l->text, &l->text_len)))
			return rc;
	}
	return 0;
}

/* ---- the matcher's sections ------------------------------------------------ */

static int host_is_big_endian(void)
{
	const uint16_t one = 1;
	return *(const unsigned char *)&one == 0;
}

/* The index is little-endian; on a big-endian host swap a u32 array in place. */
static void fix_u32(const uint32_t *a, size_t n)
{
	uint32_t *w = (uint32_t *)(uintptr_t)a;
	size_t i;

	if (!host_is_big_endian())
		return;
	for (i = 0; i < n; i++)
		w[i] = __builtin_bswap32(w[i]);
}

/* A section's data as an aligned u32 array of *n entries (NULL if absent or malformed). */
static const uint32_t *u32_section(const lidx *idx, uint32_t tag, size_t *n)
{
	const struct lidx_section *s = lidx_section(idx, tag);

	*n = 0;
	if (!s || s->len % 4 || ((uintptr_t)s->data & 3))
		return NULL;
	*n = (size_t)(s->len / 4);
	fix_u32((const uint32_t *)(const void *)s->data, *n);
	return (const uint32_t *)(const void *)s->data;
}

#define LIDX_NGRAM_MAX 16
/* The n-gram length from the NGRM header (validated later; clamped here). */
static uint32_t ng_len(const uint32_t *ng)
{
	return ng[3] < 1 ? 1 : ng[3] > LIDX_NGRAM_MAX ? LIDX_NGRAM_MAX : ng[3];
}

static int str_ok(const lidx *idx, uint32_t off)
{
	return off < idx->strs_len;
}

/*
 * Build the matcher's view from the sections.  An index without them (an
 * older mkindex) leaves n_refs at 0: the text matcher then finds nothing.
 * Every offset is checked so that a corrupt index fails here, not later.
 */
static int parse_matcher(lidx *idx)
{
	const struct lidx_section *strs = lidx_section(idx, LIDX_SEC_STRS);
	const struct lidx_section *flg = lidx_section(idx, LIDX_SEC_RFLG);
	const struct lidx_section *dfq = lidx_section(idx, LIDX_SEC_RDFQ);
	const uint32_t *refs, *alia, *rtok, *ng;
	size_t n_refs_w, n_alia, n_rtok, n_ng, i, need;
	uint32_t r;

	refs = u32_section(idx, LIDX_SEC_REFS, &n_refs_w);
	if (!refs)
		return lidx_section(idx, LIDX_SEC_REFS) ? -1 : 0;
	alia = u32_section(idx, LIDX_SEC_ALIA, &n_alia);
	rtok = u32_section(idx, LIDX_SEC_RTOK, &n_rtok);
	ng = u32_section(idx, LIDX_SEC_NGRM, &n_ng);
	if (!strs || !strs->len || strs->data[strs->len - 1] != 0 || !alia || !rtok || !ng || n_ng < 4 ||
	    !flg || flg->len != n_rtok || !dfq || dfq->len != n_rtok || n_refs_w < 1)
		return -1;
	idx->strs = (const char *)strs->data;
	idx->strs_len = (size_t)strs->len;
	if (refs[0] > 65535 || n_refs_w != 1 + (size_t)refs[0] * LIDX_REF_FIELDS)
		return -1;
	idx->refs = tgpl_calloc(refs[0] ? refs[0] : 1, sizeof(*idx->refs));
	if (!idx->refs)
		return TGPL_ENOMEM;
	idx->n_refs = refs[0];
	for (r = 0; r < idx->n_refs; r++) {
		const uint32_t *f = refs + 1 + (size_t)r * LIDX_REF_FIELDS;
		lidx_ref *x = &idx->refs[r];

		if (!str_ok(idx, f[LR_ID]) || (f[LR_EXPR] != LIDX_NONE && !str_ok(idx, f[LR_EXPR])) ||
		    f[LR_TOK_OFF] > n_rtok || f[LR_N_TOK] > n_rtok - f[LR_TOK_OFF] ||
		    f[LR_N_TOK] > LIDX_MAX_REF_TOKENS || f[LR_N_REQ] > f[LR_N_TOK] ||
		    f[LR_BODY_END] > f[LR_N_TOK] || f[LR_EMB_START] > f[LR_EMB_END] ||
		    f[LR_EMB_END] > f[LR_N_TOK] || f[LR_ALIAS_OFF] > n_alia ||
		    f[LR_N_ALIAS] > n_alia - f[LR_ALIAS_OFF])
			return -1;
		x->id = idx->strs + f[LR_ID];
		x->expr = f[LR_EXPR] == LIDX_NONE ? NULL : idx->strs + f[LR_EXPR];
		x->tok = rtok + f[LR_TOK_OFF];
		x->flags = flg->data + f[LR_TOK_OFF];
		x->ngdf = dfq->data + f[LR_TOK_OFF];
		x->n_tok = f[LR_N_TOK];
		x->n_req = f[LR_N_REQ];
		x->body_end = f[LR_BODY_END];
		x->emb_start = f[LR_EMB_START];
		x->emb_end = f[LR_EMB_END];
		x->alias = alia + f[LR_ALIAS_OFF];
		x->n_alias = f[LR_N_ALIAS];
	}
	for (i = 0; i < n_alia; i++)
		if (!str_ok(idx, alia[i]))
			return -1;
	/* per-token rarity: the rarest n-gram covering each token */
	idx->tokdf = tgpl_malloc(n_rtok ? n_rtok : 1);
	if (!idx->tokdf)
		return TGPL_ENOMEM;
	for (r = 0; r < idx->n_refs; r++) {
		lidx_ref *x = &idx->refs[r];
		uint8_t *d = idx->tokdf + (x->tok - rtok);
		uint32_t p, k;

		memset(d, 255, x->n_tok);
		for (p = 0; p + ng_len(ng) <= x->n_tok; p++)
			for (k = 0; k < ng_len(ng); k++)
				if (d[p + k] > x->ngdf[p])
					d[p + k] = x->ngdf[p];
		x->df = d;
	}
	/* NGRM */
	if (n_ng < 4)
		return -1;
	idx->n_keys = ng[0];
	idx->dir_bits = ng[1];
	idx->n_post = ng[2];
	idx->ngram = ng[3];
	if (idx->dir_bits > 24 || idx->ngram < 1 || idx->ngram > 16)
		return -1;
	need = 4 + ((size_t)1 << idx->dir_bits) + 1 + (size_t)idx->n_keys + (size_t)idx->n_keys + 1 +
	       idx->n_post;
	if (need != n_ng)
		return -1;
	idx->dir = ng + 4;
	idx->keys = idx->dir + ((size_t)1 << idx->dir_bits) + 1;
	idx->off = idx->keys + idx->n_keys;
	idx->post = idx->off + idx->n_keys + 1;
	for (i = 0; i < ((size_t)1 << idx->dir_bits); i++)
		if (idx->dir[i] > idx->dir[i + 1])
			return -1;
	if (idx->dir[0] != 0 || idx->dir[(size_t)1 << idx->dir_bits] != idx->n_keys)
		return -1;
	for (i = 0; i < idx->n_keys; i++)
		if (idx->off[i] > idx->off[i + 1])
			return -1;
	if (idx->off[0] != 0 || idx->off[idx->n_keys] != idx->n_post)
		return -1;
	for (i = 0; i < idx->n_post; i++) {
		uint32_t ref = idx->post[i] >> 16, pos = idx->post[i] & 0xffff;
		if (ref >= idx->n_refs || (uint64_t)pos + idx->ngram > idx->refs[ref].n_tok)
			return -1;
	}
	return 0;
}

const char *lidx_str(const lidx *idx, uint32_t off)
{
	return off < idx->strs_len ? idx->strs + off : NULL;
}

void lidx_lookup(const lidx *idx, uint32_t hash, const uint32_t **post, uint32_t *count)
{
	uint32_t b = idx->dir_bits ? hash >> (32 - idx->dir_bits) : 0;
	uint32_t lo, hi;

	*post = NULL;
	*count = 0;
	if (!idx->n_keys)
		return;
	lo = idx->dir[b];
	hi = idx->dir[b + 1];
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (idx->keys[mid] == hash) {
			*post = idx->post + idx->off[mid];
			*count = idx->off[mid + 1] - idx->off[mid];
			return;
		}
		if (idx->keys[mid] < hash)
			lo = mid + 1;
		else
			hi = mid;
	}
}

uint32_t lidx_ref_of(const lidx *idx, const char *id)
{
	uint32_t r, a;

	for (r = 0; r < idx->n_refs; r++)
		for (a = 0; a < idx->refs[r].n_alias; a++) {
			const char *s = lidx_str(idx, idx->refs[r].alias[a]);
			if (s && tgpl_strcasecmp(s, id) == 0)
				return r;
		}
	return LIDX_NONE;
}

int lidx_load(lidx **out, tgpl_ctx *ctx, const char *path)
{
	lidx *idx = NULL;
	reader r;
	uint32_t format, nsec, i;
	int rc;

	idx = tgpl_calloc(1, sizeof(*idx));
	if (!idx)
		return tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
	if ((rc = read_file(ctx, path, &idx->raw, &idx->raw_len)) < 0)
		goto done;
	r.p = idx->raw;
	r.left = idx->raw_len;
	if (r.left < 8 || memcmp(r.p, LIDX_MAGIC, 8) != 0) {
		rc = tgpl_error(ctx, TGPL_EDATA, "'%s' is not a tgpl licence index", path);
		goto done;
	}
	r.p += 8;
	r.left -= 8;
	if (rd_u32(&r, &format) < 0 || format != LIDX_FORMAT || rd_u32(&r, &nsec) < 0 || nsec > 64) {
		rc = tgpl_error(ctx, TGPL_EDATA, "licence index '%s' has an unknown format; rebuild it with 'make index'", path);
		goto done;
	}
	idx->sections = tgpl_calloc(nsec, sizeof(*idx->sections));
	if (!idx->sections) {
		rc = tgpl_error(ctx, TGPL_ENOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < nsec; i++) {
		struct lidx_section *s = &idx->sections[i];

		if (rd_u32(&r, &s->tag) < 0 || rd_u64(&r, &s->len) < 0 || s->len > r.left) {
			rc = tgpl_error(ctx, TGPL_EDATA, "licence index '%s' is truncated", path);
			goto done;
		}
		s->data = r.p;
		r.p += s->len;
		r.left -= (size_t)s->len;
		idx->n_sections++;
		if (s->tag == LIDX_SEC_INFO && (rc = parse_info(idx, s->data, s->len)) != 0) {
			rc = rc == TGPL_ENOMEM ? tgpl_error(ctx, rc, "out of memory")
					       : tgpl_error(ctx, TGPL_EDATA, "licence index '%s' is corrupt", path);
			goto done;
		}
	}
	if (!idx->n_licenses) {
		rc = tgpl_error(ctx, TGPL_EDATA, "licence index '%s' holds no licences", path);
		goto done;
	}
	if ((rc = parse_matcher(idx)) != 0) {
		rc = rc == TGPL_ENOMEM ? tgpl_error(ctx, rc, "out of memory")
				       : tgpl_error(ctx, TGPL_EDATA, "licence index '%s' has a corrupt "
						    "matcher section; rebuild it with 'make index'", path);
		goto done;
	}
	*out = idx;
	idx = NULL;
	rc = 0;
done:
	lidx_free(idx);
	return rc;
}

const struct lidx_section *lidx_section(const lidx *idx, uint32_t tag)
{
	size_t i;

	for (i = 0; i < idx->n_sections; i++)
		if (idx->sections[i].tag == tag)
			return &idx->sections[i];
	return NULL;
}

void lidx_free(lidx *idx)
{
	if (!idx)
		return;
	free_licenses(idx->licenses, idx->n_licenses);
	free(idx->refs);
	free(idx->tokdf);
	free(idx->sections);
	free(idx->raw);
	free(idx);
}
