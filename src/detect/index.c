/* index.c — reading licenses.idx (see index.h for the layout). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/index.h"
#include "util/util.h"

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
	tgpl_buf b = TGPL_BUF_INIT;
	char chunk[65536];
	size_t n;
	int rc = 0;

	if (!f)
		return tgpl_error(ctx, TGPL_EDATA, "cannot open licence index '%s': %s "
				  "(run 'make' to build it, or set TGPL_DATADIR)", path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (tgpl_buf_put(&b, chunk, n) < 0) {
			rc = tgpl_error(ctx, TGPL_ENOMEM, "out of memory reading '%s'", path);
			goto done;
		}
	}
	if (ferror(f)) {
		rc = tgpl_error(ctx, TGPL_EIO, "cannot read licence index '%s': %s", path, strerror(errno));
		goto done;
	}
	*len = b.len;
	*out = (unsigned char *)tgpl_buf_detach(&b);
	if (!*out)
		rc = tgpl_error(ctx, TGPL_ENOMEM, "out of memory reading '%s'", path);
done:
	tgpl_buf_release(&b);
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
	free(idx->sections);
	free(idx->raw);
	free(idx);
}
