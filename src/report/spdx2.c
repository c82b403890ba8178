/*
 * spdx2.c — `--format spdx-json`: an SPDX 2.3 document in JSON.
 *
 * One package per repository (its reported revision), one file per regular
 * file, CONTAINS relationships between them, DESCRIBES from the document.
 * Licence expressions are rewritten for SPDX 2.3 (spdxexpr.c); every
 * LicenseRef- used is declared in hasExtractedLicensingInfos, with its text
 * when the corpus carries one (REUSE: LICENSES/<id>.txt), else NOASSERTION
 * and a comment saying where the id came from.
 *
 * SPDX 2.3 requires a SHA-1 of each file's content (not the git blob id,
 * which hashes a header too).  The database keeps no contents, so they are
 * read back through libgit2 (or from a scanned directory, checked against
 * the stored blob id).  A file whose content cannot be read any more is left
 * out of the document — a checksum is never invented — with a warning and a
 * comment on its package; a package none of whose files could be read says
 * "filesAnalyzed": false.  The package verification code is written only
 * when every file of the package is listed.
 */
#include <stdlib.h>
#include <string.h>

#include "report/report_int.h"

/* What the file pass leaves for the package pass, per revision. */
typedef struct {
	size_t listed;           /* files written */
	size_t omitted;          /* files whose content could not be read */
	unsigned char *bits;     /* bit i set: file number i (0-based, type 'file' order) is listed */
	char *pvc;               /* package verification code (hex), when nothing was omitted */
	report_strset infos;     /* licenseInfoFromFiles: the ids found */
	int unknown;             /* some file was not analysed (NOASSERTION) */
} pkg_state;

typedef struct {
	report *r;
	pkg_state *pkgs;
	spdx_refs refs;
	int first_file;
	size_t warned;
} spdx2_run;

#define MAX_WARNINGS 10

static int put_expr(spdx2_run *s, const char *expr)
{
	char *x = NULL;
	int rc;

	if (!expr)
		return rp_puts(s->r, "\"NOASSERTION\"");
	if ((rc = spdx_expr_rewrite(&x, s->r->engine, expr, SPDX_V2, &s->refs)) < 0)
		return tgpl_error(s->r->ctx, rc, "out of memory");
	rc = rp_json_z(s->r, x);
	free(x);
	return rc;
}

/* licenseInfoInFiles of one file; also fills the package's licenseInfoFromFiles. */
static int put_infos(spdx2_run *s, pkg_state *p, const report_file *f)
{
	report_strset seen = { 0 };
	size_t i;
	int rc = 0, any = 0;

	if ((rc = rp_puts(s->r, "\"licenseInfoInFiles\":[")) < 0)
		return rc;
	for (i = 0; f->det && i < f->det->n_licenses && rc >= 0; i++) {
		char *id = NULL;

		if ((rc = spdx_id_rewrite(&id, s->r->engine, f->det->licenses[i].spdx, SPDX_V2, &s->refs)) < 0)
			break;
		if (id && (rc = report_strset_add(&seen, id, NULL)) == 1) {
			if ((rc = report_strset_add(&p->infos, id, NULL)) >= 0 &&
			    (rc = rp_puts(s->r, any ? "," : "")) == 0)
				rc = rp_json_z(s->r, id);
			any = 1;
		}
		free(id);
	}
	report_strset_release(&seen);
	if (rc == TGPL_ENOMEM)
		return tgpl_error(s->r->ctx, rc, "out of memory");
	if (rc < 0)
		return rc;
	if (!any) {
		/* Nothing found in an analysed file is NONE; not analysed is NOASSERTION. */
		const char *none = f->analysed && !f->skipped ? "NONE" : "NOASSERTION";
		if ((rc = rp_printf(s->r, "\"%s\"", none)) < 0)
			return rc;
		if (none[2] == 'A')
			p->unknown = 1;
	}
	return rp_puts(s->r, "]");
}

static int put_file(spdx2_run *s, const report_rev *v, pkg_state *p, const report_file *f, size_t num,
		    const char *sha1)
{
	report *r = s->r;
	int rc;

	if ((rc = rp_printf(r, "%s{\"SPDXID\":\"SPDXRef-File-%zu-%zu\",\"fileName\":", s->first_file ? "" : ",",
			    v->index, num + 1)) < 0)
		return rc;
	s->first_file = 0;
	/* fileName: the path from the package root, "./" first as SPDX writes it. */
	{
		tgpl_buf name = TGPL_BUF_INIT;
		if (tgpl_buf_puts(&name, "./") < 0 || tgpl_buf_put(&name, f->path, f->path_len) < 0) {
			tgpl_buf_release(&name);
			return tgpl_error(r->ctx, TGPL_ENOMEM, "out of memory");
		}
		rc = rp_json(r, name.ptr, name.len);
		tgpl_buf_release(&name);
		if (rc < 0)
			return rc;
	}
	if ((rc = rp_printf(r, ",\"checksums\":[{\"algorithm\":\"SHA1\",\"checksumValue\":\"%s\"}],"
			       "\"licenseConcluded\":", sha1)) < 0 ||
	    (rc = put_expr(s, f->concluded)) < 0 || (rc = rp_puts(r, ",")) < 0 || (rc = put_infos(s, p, f)) < 0 ||
	    (rc = rp_printf(r, ",\"copyrightText\":\"NOASSERTION\",\"comment\":\"swh:1:cnt:%s", f->oid)) < 0)
		return rc;
	if (f->decided_by && ((rc = rp_puts(r, "; licence concluded from: ")) < 0 ||
			      (rc = rp_json_inner(r, f->decided_by)) < 0))
		return rc;
	if (f->skipped && ((rc = rp_puts(r, "; not analysed: ")) < 0 || (rc = rp_json_inner(r, f->skipped)) < 0))
		return rc;
	return rp_puts(r, "\"}");
}

static int hex_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 40);
}

/* The files of one revision: hash, write, remember what the package needs. */
static int files_of(spdx2_run *s, const report_rev *v, pkg_state *p)
{
	report *r = s->r;
	report_cursor c;
	tgpl_buf hexes = TGPL_BUF_INIT;
	size_t num = 0, nbits = v->n_files > 0 ? (size_t)v->n_files : 1;
	int rc;

	if (!(p->bits = tgpl_calloc((nbits + 7) / 8, 1)))
		return tgpl_error(r->ctx, TGPL_ENOMEM, "out of memory");
	if (!r->blobs && (rc = report_blobs_new(&r->blobs, r->ctx)) < 0)
		return rc;
	if ((rc = report_files_open(&c, r, v, "file", REPORT_FINDINGS)) < 0)
		return rc;
	while ((rc = report_files_next(&c)) > 0) {
		unsigned char digest[20];
		char hex[41], *data = NULL;
		size_t len = 0;

		rc = report_blob_read(r->blobs, v, &c.cur, REPORT_MAX_HASH_SIZE, &data, &len);
		if (rc == TGPL_ENOMEM)
			break;
		if (rc < 0) {
			if (s->warned++ < MAX_WARNINGS)
				tgpl_log(r->ctx, TGPL_LOG_WARN, "spdx-json: '%s' left out (no SHA-1 without its content): %s",
					 c.cur.path, tgpl_errmsg(r->ctx));
			p->omitted++;
			num++;
			continue;
		}
		rc = report_sha1(digest, data, len);
		free(data);
		if (rc < 0) {
			rc = tgpl_error(r->ctx, TGPL_ERROR, "spdx-json: SHA-1 failed (libcrypto)");
			break;
		}
		tgpl_hex(hex, digest, 20);
		if (num < nbits)
			p->bits[num / 8] |= (unsigned char)(1u << (num % 8));
		if ((rc = put_file(s, v, p, &c.cur, num, hex)) < 0)
			break;
		if (tgpl_buf_put(&hexes, hex, 40) < 0) {
			rc = tgpl_error(r->ctx, TGPL_ENOMEM, "out of memory");
			break;
		}
		p->listed++;
		num++;
	}
	report_files_close(&c);
	if (rc == 0 && p->omitted == 0 && p->listed > 0) {
		/* SPDX 2.3 §7.9: SHA-1 of the sorted, concatenated file SHA-1s. */
		unsigned char digest[20];
		char hex[41];

		qsort(hexes.ptr, p->listed, 40, hex_cmp);
		if (report_sha1(digest, hexes.ptr, hexes.len) < 0)
			rc = tgpl_error(r->ctx, TGPL_ERROR, "spdx-json: SHA-1 failed (libcrypto)");
		else {
			tgpl_hex(hex, digest, 20);
			if (!(p->pvc = tgpl_strdup(hex)))
				rc = tgpl_error(r->ctx, TGPL_ENOMEM, "out of memory");
		}
	}
	tgpl_buf_release(&hexes);
	if (rc == TGPL_ENOMEM)
		return tgpl_error(r->ctx, rc, "out of memory");
	return rc < 0 ? rc : 0;
}

/* "git+https://host/x.git@commit" for a URL origin; NULL otherwise. */
static int put_download(report *r, const report_rev *v)
{
	int rc;

	if (!v->origin || !strstr(v->origin, "://") || strchr(v->origin, '@') || strchr(v->origin, ' '))
		return rp_puts(r, "\"NOASSERTION\"");
	if ((rc = rp_puts(r, "\"git+")) < 0 || (rc = rp_json_inner(r, v->origin)) < 0)
		return rc;
	if (v->commit && (rc = rp_printf(r, "@%s", v->commit)) < 0)
		return rc;
	return rp_puts(r, "\"");
}

static int put_package(spdx2_run *s, const report_rev *v, pkg_state *p, int first)
{
	report *r = s->r;
	const char *name;
	size_t name_len, i;
	char when[32];
	int rc;

	report_repo_name(v, &name, &name_len);
	if ((rc = rp_printf(r, "%s{\"SPDXID\":\"SPDXRef-Package-%zu\",\"name\":", first ? "" : ",", v->index)) < 0 ||
	    (rc = rp_json(r, name, name_len)) < 0)
		return rc;
	if (v->commit && (rc = rp_printf(r, ",\"versionInfo\":\"%s\"", v->commit)) < 0)
		return rc;
	if ((rc = rp_puts(r, ",\"downloadLocation\":")) < 0 || (rc = put_download(r, v)) < 0 ||
	    (rc = rp_printf(r, ",\"filesAnalyzed\":%s", p->listed || !p->omitted ? "true" : "false")) < 0)
		return rc;
	if (p->pvc && (rc = rp_printf(r, ",\"packageVerificationCode\":{\"packageVerificationCodeValue\":\"%s\"}",
				      p->pvc)) < 0)
		return rc;
	if ((rc = rp_puts(r, ",\"licenseConcluded\":\"NOASSERTION\",\"licenseDeclared\":")) < 0 ||
	    (rc = put_expr(s, v->declared)) < 0)
		return rc;
	if (p->listed || !p->omitted) {
		if ((rc = rp_puts(r, ",\"licenseInfoFromFiles\":[")) < 0)
			return rc;
		for (i = 0; i < p->infos.n; i++)
			if ((rc = rp_puts(r, i ? "," : "")) < 0 || (rc = rp_json_z(r, p->infos.v[i])) < 0)
				return rc;
		if (p->infos.n == 0 && (rc = rp_puts(r, p->unknown ? "\"NOASSERTION\"" : "\"NONE\"")) < 0)
			return rc;
		if ((rc = rp_puts(r, "]")) < 0)
			return rc;
	}
	report_time(when, v->scanned_at);
	if ((rc = rp_puts(r, ",\"copyrightText\":\"NOASSERTION\",\"primaryPackagePurpose\":\"SOURCE\","
			     "\"sourceInfo\":\"")) < 0 ||
	    (rc = rp_printf(r, "%s ", v->kind)) < 0 ||
	    (rc = rp_json_inner_n(r, v->repo_path, v->repo_path_len)) < 0)
		return rc;
	if (v->commit && (rc = rp_printf(r, " at commit %s", v->commit)) < 0)
		return rc;
	if (v->ref && ((rc = rp_puts(r, " (")) < 0 || (rc = rp_json_inner(r, v->ref)) < 0 ||
		       (rc = rp_puts(r, ")")) < 0))
		return rc;
	if ((rc = rp_printf(r, ", scanned %s by tgpl engine ", when)) < 0 || (rc = rp_json_inner(r, v->engine)) < 0 ||
	    (rc = rp_puts(r, "\"")) < 0)
		return rc;
	if (p->omitted &&
	    (rc = rp_printf(r, ",\"comment\":\"%zu of %zu files are not listed: their content could not be read "
			       "back at report time (the repository moved, or the file changed), and SPDX 2.3 "
			       "requires each file's SHA-1\"", p->omitted, p->omitted + p->listed)) < 0)
		return rc;
	return rp_puts(r, "}");
}

static const char *ref_why(int why)
{
	switch (why) {
	case SPDX_REF_UNKNOWN: return "an identifier that is not on the SPDX License List";
	case SPDX_REF_ADDITION: return "an SPDX 3 licence addition, which SPDX 2.3 cannot express after WITH; "
				       "it applies together with the licence it was added to";
	default: return "a custom licence identifier";
	}
}

static int put_extracted(spdx2_run *s)
{
	report *r = s->r;
	size_t i;
	int rc = rp_puts(r, "],\"hasExtractedLicensingInfos\":[");

	for (i = 0; rc == 0 && i < s->refs.n; i++) {
		const spdx_ref *x = &s->refs.v[i];
		tgpl_buf path = TGPL_BUF_INIT;
		char *text = NULL;
		size_t len = 0;

		/* REUSE keeps custom licence texts in LICENSES/<id>.txt. */
		if (tgpl_buf_printf(&path, "LICENSES/%s.txt", x->source) < 0) {
			tgpl_buf_release(&path);
			return tgpl_error(r->ctx, TGPL_ENOMEM, "out of memory");
		}
		rc = report_read_named(r, path.ptr, (size_t)1 << 20, &text, &len);
		if (rc == 0 && text && !tgpl_utf8_valid(text, len)) {
			free(text);
			text = NULL;
		}
		if (rc == 0 &&
		    (rc = rp_printf(r, "%s{\"licenseId\":\"%s\",\"name\":", i ? "," : "", x->id)) == 0 &&
		    (rc = rp_json_z(r, x->source)) == 0 && (rc = rp_puts(r, ",\"extractedText\":")) == 0 &&
		    (rc = rp_json_z(r, text ? text : "NOASSERTION")) == 0 && (rc = rp_puts(r, ",\"comment\":\"")) == 0 &&
		    (rc = rp_json_inner(r, x->source)) == 0 && (rc = rp_puts(r, ": ")) == 0 &&
		    (rc = rp_puts(r, ref_why(x->why))) == 0 && (rc = rp_puts(r, text ? "; text from " : "; ")) == 0)
			rc = text ? rp_json_inner(r, path.ptr) : rp_puts(r, "its text is not in the scanned corpus");
		if (rc == 0)
			rc = rp_puts(r, "\"}");
		free(text);
		tgpl_buf_release(&path);
	}
	return rc;
}

static int put_relationships(spdx2_run *s)
{
	report *r = s->r;
	size_t i, k;
	int rc = rp_puts(r, "],\"relationships\":[");

	for (i = 0; rc == 0 && i < r->n_revs; i++)
		rc = rp_printf(r, "%s{\"spdxElementId\":\"SPDXRef-DOCUMENT\",\"relationshipType\":\"DESCRIBES\","
				  "\"relatedSpdxElement\":\"SPDXRef-Package-%zu\"}",
			       i ? "," : "", r->revs[i].index);
	for (i = 0; rc == 0 && i < r->n_revs; i++) {
		const pkg_state *p = &s->pkgs[i];
		size_t nbits = r->revs[i].n_files > 0 ? (size_t)r->revs[i].n_files : 0;

		for (k = 0; rc == 0 && k < nbits; k++)
			if (p->bits && (p->bits[k / 8] >> (k % 8)) & 1)
				rc = rp_printf(r, ",{\"spdxElementId\":\"SPDXRef-Package-%zu\",\"relationshipType\":"
						  "\"CONTAINS\",\"relatedSpdxElement\":\"SPDXRef-File-%zu-%zu\"}",
					       r->revs[i].index, r->revs[i].index, k + 1);
	}
	return rc == 0 ? rp_puts(r, "]") : rc;
}

int report_spdx2(report *r)
{
	spdx2_run s;
	char when[32], *ns = NULL;
	size_t i;
	int rc;

	memset(&s, 0, sizeof(s));
	s.r = r;
	s.first_file = 1;
	report_time(when, r->created);
	if ((rc = report_spdx_namespace(r, &ns)) < 0)
		return rc;
	if (r->n_revs && !(s.pkgs = tgpl_calloc(r->n_revs, sizeof(*s.pkgs)))) {
		free(ns);
		return tgpl_error(r->ctx, TGPL_ENOMEM, "out of memory");
	}
	rc = rp_printf(r, "{\"spdxVersion\":\"SPDX-2.3\",\"dataLicense\":\"CC0-1.0\",\"SPDXID\":\"SPDXRef-DOCUMENT\","
			  "\"name\":\"tgpl report of %zu repositor%s\",\"documentNamespace\":\"%s\","
			  "\"creationInfo\":{\"created\":\"%s\",\"creators\":[\"Tool: tgpl-%s\"],"
			  "\"comment\":\"Licences as concluded by tgpl: a file's own tags and texts, then the "
			  "nearest licence file above it, then the repository's package metadata.\"},"
			  "\"files\":[",
		       r->n_revs, r->n_revs == 1 ? "y" : "ies", ns, when, TGPL_VERSION);
	for (i = 0; rc == 0 && i < r->n_revs; i++)
		rc = files_of(&s, &r->revs[i], &s.pkgs[i]);
	if (rc == 0 && s.warned > MAX_WARNINGS)
		tgpl_log(r->ctx, TGPL_LOG_WARN, "spdx-json: %zu files left out in all (first %d named above)",
			 s.warned, MAX_WARNINGS);
	if (rc == 0)
		rc = rp_puts(r, "],\"packages\":[");
	for (i = 0; rc == 0 && i < r->n_revs; i++)
		rc = put_package(&s, &r->revs[i], &s.pkgs[i], i == 0);
	if (rc == 0)
		rc = put_extracted(&s);
	if (rc == 0)
		rc = put_relationships(&s);
	if (rc == 0)
		rc = rp_puts(r, "}\n");
	for (i = 0; s.pkgs && i < r->n_revs; i++) {
		free(s.pkgs[i].bits);
		free(s.pkgs[i].pvc);
		report_strset_release(&s.pkgs[i].infos);
	}
	free(s.pkgs);
	spdx_refs_release(&s.refs);
	free(ns);
	return rc;
}
