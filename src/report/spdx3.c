/*
 * spdx3.c — `--format spdx3-jsonld`: SPDX 3.0.1 in JSON-LD.
 *
 * The corpus is one dataset_DatasetPackage (the Dataset profile's required
 * properties: builtTime, originatedBy, releaseTime, software_downloadLocation,
 * software_primaryPurpose, dataset_datasetType; and exactly one
 * hasDeclaredLicense and one hasConcludedLicense relationship).  It contains
 * one software_Package per repository (content identifier: the SWHID of its
 * tree), which contains one software_File per regular file, identified by
 * software_contentIdentifier of type swhid (and gitoid: both are the git blob
 * id).  Each file has one hasConcludedLicense relationship (NoAssertion when
 * tgpl concluded none) and, when the file states one, one hasDeclaredLicense.
 *
 * Licences are simplelicensing_LicenseExpression elements, one per distinct
 * expression.  Every LicenseRef-/AdditionRef- id in them is mapped through
 * simplelicensing_customIdToUri to a simplelicensing_SimpleLicensingText
 * element of this document, holding the text when the corpus carries it
 * (REUSE: LICENSES/<id>.txt), else NOASSERTION with a comment.
 *
 * No content is read: the SWHID identifies each file's bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "report/report_int.h"

typedef struct {
	report *r;
	char *ns;               /* document namespace; element ids are ns#name */
	spdx_refs refs;
	report_strset exprs;    /* distinct rewritten expressions: element ns#license-<index> */
	report_strset concluded;/* distinct concluded expressions of the corpus (rewritten) */
	report_strset declared; /* distinct declared expressions of the repositories (rewritten) */
	int64_t no_concluded;   /* files without a concluded licence */
	size_t no_declared;     /* repositories without a declared licence */
	size_t rel;             /* relationship counter */
} spdx3_run;

#define CI "\"creationInfo\":\"_:creationinfo\""

static int oom(spdx3_run *s)
{
	return tgpl_error(s->r->ctx, TGPL_ENOMEM, "out of memory");
}

/* The element id of an expression ("ns#license-N"), registering it. */
static int expr_ref(spdx3_run *s, const char *rewritten, size_t *index)
{
	return report_strset_add(&s->exprs, rewritten, index) < 0 ? oom(s) : 0;
}

static int rewrite(spdx3_run *s, const char *expr, char **out)
{
	if (spdx_expr_rewrite(out, s->r->engine, expr, SPDX_V3, &s->refs) < 0)
		return oom(s);
	return 0;
}

/* One licence relationship from `from` (an element id) to an expression or an individual. */
static int put_license_rel(spdx3_run *s, const char *from, const char *type, const char *rewritten,
			   const char *comment)
{
	report *r = s->r;
	size_t index;
	int rc;

	if ((rc = rp_printf(r, ",{\"type\":\"Relationship\",\"spdxId\":\"%s#rel-%zu\"," CI
			       ",\"relationshipType\":\"%s\",\"from\":\"%s\",\"to\":[",
			    s->ns, ++s->rel, type, from)) < 0)
		return rc;
	if (!rewritten || strcmp(rewritten, "NOASSERTION") == 0)
		rc = rp_puts(r, "\"expandedlicensing_NoAssertionLicense\"");
	else if (strcmp(rewritten, "NONE") == 0)
		rc = rp_puts(r, "\"expandedlicensing_NoneLicense\"");
	else if ((rc = expr_ref(s, rewritten, &index)) == 0)
		rc = rp_printf(r, "\"%s#license-%zu\"", s->ns, index + 1);
	if (rc < 0)
		return rc;
	if (comment && ((rc = rp_puts(r, "],\"comment\":")) < 0 || (rc = rp_json_z(r, comment)) < 0))
		return rc;
	return rp_puts(r, comment ? "}" : "]}");
}

static int put_file(spdx3_run *s, const report_rev *v, const report_file *f, size_t num, tgpl_buf *ids)
{
	report *r = s->r;
	char *conc = NULL, *own = NULL;
	tgpl_buf id = TGPL_BUF_INIT;
	int rc;

	if (tgpl_buf_printf(&id, "%s#file-%zu-%zu", s->ns, v->index, num) < 0 ||
	    tgpl_buf_printf(ids, "%s\"%s\"", ids->len ? "," : "", id.ptr) < 0) {
		tgpl_buf_release(&id);
		return oom(s);
	}
	if ((rc = rp_printf(r, ",{\"type\":\"software_File\",\"spdxId\":\"%s\"," CI ",\"name\":", id.ptr)) < 0 ||
	    (rc = rp_json(r, f->path, f->path_len)) < 0 ||
	    (rc = rp_printf(r, ",\"software_contentIdentifier\":["
			       "{\"type\":\"software_ContentIdentifier\",\"software_contentIdentifierType\":\"swhid\","
			       "\"software_contentIdentifierValue\":\"swh:1:cnt:%s\"},"
			       "{\"type\":\"software_ContentIdentifier\",\"software_contentIdentifierType\":\"gitoid\","
			       "\"software_contentIdentifierValue\":\"gitoid:blob:sha1:%s\"}]",
			    f->oid, f->oid)) < 0)
		goto done;
	if (f->decided_by && ((rc = rp_puts(r, ",\"comment\":\"licence concluded from: ")) < 0 ||
			      (rc = rp_json_inner(r, f->decided_by)) < 0 || (rc = rp_puts(r, "\"")) < 0))
		goto done;
	if ((rc = rp_puts(r, "}")) < 0)
		goto done;
	if (f->concluded) {
		if ((rc = rewrite(s, f->concluded, &conc)) < 0)
			goto done;
		if (report_strset_add(&s->concluded, conc, NULL) < 0) {
			rc = oom(s);
			goto done;
		}
	} else {
		s->no_concluded++;
	}
	if ((rc = put_license_rel(s, id.ptr, "hasConcludedLicense", conc, NULL)) < 0)
		goto done;
	if (f->expression) {
		if ((rc = rewrite(s, f->expression, &own)) < 0 ||
		    (rc = put_license_rel(s, id.ptr, "hasDeclaredLicense", own, NULL)) < 0)
			goto done;
	}
done:
	free(conc);
	free(own);
	tgpl_buf_release(&id);
	return rc;
}

static int put_package(spdx3_run *s, const report_rev *v)
{
	report *r = s->r;
	tgpl_buf ids = TGPL_BUF_INIT, pkg = TGPL_BUF_INIT;
	report_cursor c;
	const char *name;
	size_t name_len, num = 0;
	char *decl = NULL;
	int rc;

	report_repo_name(v, &name, &name_len);
	if (tgpl_buf_printf(&pkg, "%s#package-%zu", s->ns, v->index) < 0) {
		rc = oom(s);
		goto done;
	}
	if ((rc = rp_printf(r, ",{\"type\":\"software_Package\",\"spdxId\":\"%s\"," CI ",\"name\":", pkg.ptr)) < 0 ||
	    (rc = rp_json(r, name, name_len)) < 0)
		goto done;
	if (v->commit && (rc = rp_printf(r, ",\"software_packageVersion\":\"%s\"", v->commit)) < 0)
		goto done;
	if (v->origin && ((rc = rp_puts(r, ",\"software_downloadLocation\":")) < 0 ||
			  (rc = rp_json_z(r, v->origin)) < 0))
		goto done;
	if (v->tree && (rc = rp_printf(r, ",\"software_contentIdentifier\":[{\"type\":\"software_ContentIdentifier\","
					  "\"software_contentIdentifierType\":\"swhid\","
					  "\"software_contentIdentifierValue\":\"swh:1:dir:%s\"}]", v->tree)) < 0)
		goto done;
	if ((rc = rp_puts(r, ",\"software_primaryPurpose\":\"source\",\"description\":\"")) < 0 ||
	    (rc = rp_printf(r, "%s ", v->kind)) < 0 ||
	    (rc = rp_json_inner_n(r, v->repo_path, v->repo_path_len)) < 0)
		goto done;
	if (v->commit && (rc = rp_printf(r, " at commit %s", v->commit)) < 0)
		goto done;
	if ((rc = rp_puts(r, "\"}")) < 0)
		goto done;
	if (v->declared) {
		if ((rc = rewrite(s, v->declared, &decl)) < 0)
			goto done;
		if (report_strset_add(&s->declared, decl, NULL) < 0) {
			rc = oom(s);
			goto done;
		}
	} else {
		s->no_declared++;
	}
	if ((rc = put_license_rel(s, pkg.ptr, "hasDeclaredLicense", decl ? decl : "NONE", NULL)) < 0)
		goto done;
	if ((rc = report_files_open(&c, r, v, "file", 0)) < 0)
		goto done;
	while ((rc = report_files_next(&c)) > 0 && (rc = put_file(s, v, &c.cur, ++num, &ids)) >= 0)
		;
	report_files_close(&c);
	if (rc < 0)
		goto done;
	if (ids.len && (rc = rp_printf(r, ",{\"type\":\"Relationship\",\"spdxId\":\"%s#rel-%zu\"," CI
					  ",\"relationshipType\":\"contains\",\"from\":\"%s\",\"to\":[",
				       s->ns, ++s->rel, pkg.ptr)) == 0 &&
	    (rc = rp_put(r, ids.ptr, ids.len)) == 0)
		rc = rp_puts(r, "],\"completeness\":\"complete\"}");
done:
	free(decl);
	tgpl_buf_release(&ids);
	tgpl_buf_release(&pkg);
	return rc;
}

/* "(A) AND (B) AND ..." of a set of expressions; NULL when it is empty. */
static int conjunction(const report_strset *set, char **out)
{
	tgpl_buf b = TGPL_BUF_INIT;
	size_t i;

	*out = NULL;
	if (set->n == 0)
		return 0;
	for (i = 0; i < set->n; i++) {
		int paren = set->n > 1 && strchr(set->v[i], ' ') != NULL;
		if (tgpl_buf_printf(&b, "%s%s%s%s", i ? " AND " : "", paren ? "(" : "", set->v[i], paren ? ")" : "") < 0) {
			tgpl_buf_release(&b);
			return TGPL_ENOMEM;
		}
	}
	*out = tgpl_buf_detach(&b);
	return *out ? 0 : TGPL_ENOMEM;
}

/* The corpus: the dataset, its licences, and what it contains. */
static int put_dataset(spdx3_run *s)
{
	report *r = s->r;
	tgpl_buf corpus = TGPL_BUF_INIT, comment = TGPL_BUF_INIT;
	char built[32], released[32], *decl = NULL, *conc = NULL;
	int64_t last_scan = 0;
	size_t i;
	int rc;

	for (i = 0; i < r->n_revs; i++)
		if (r->revs[i].scanned_at > last_scan)
			last_scan = r->revs[i].scanned_at;
	report_time(built, last_scan ? last_scan : r->created);
	report_time(released, r->created);
	if (tgpl_buf_printf(&corpus, "%s#corpus", s->ns) < 0) {
		rc = oom(s);
		goto done;
	}
	/* software_downloadLocation is required: the one origin of a one-repository
	 * corpus, else NOASSERTION (a corpus of many repositories has no one place). */
	if ((rc = rp_printf(r, ",{\"type\":\"dataset_DatasetPackage\",\"spdxId\":\"%s\"," CI ",\"name\":\"tgpl corpus "
			       "of %zu repositor%s\",\"builtTime\":\"%s\",\"releaseTime\":\"%s\","
			       "\"originatedBy\":[\"%s#agent\"],\"software_primaryPurpose\":\"data\","
			       "\"software_downloadLocation\":",
			    corpus.ptr, r->n_revs, r->n_revs == 1 ? "y" : "ies", built, released, s->ns)) < 0 ||
	    (rc = rp_json_z(r, r->n_revs == 1 && r->revs[0].origin ? r->revs[0].origin : "NOASSERTION")) < 0 ||
	    (rc = rp_printf(r, ",\"dataset_datasetType\":[\"text\"],\"dataset_datasetSize\":%lld,"
			       "\"dataset_dataCollectionProcess\":\"Every file of the listed git repositories "
			       "(at the commit named by each package) and directories, as walked by tgpl %s; "
			       "submodules are not followed.\"}",
			    (long long)r->bytes, TGPL_VERSION)) < 0)
		goto done;
	if (conjunction(&s->declared, &decl) < 0 || conjunction(&s->concluded, &conc) < 0) {
		rc = oom(s);
		goto done;
	}
	if (s->no_declared && tgpl_buf_printf(&comment, "%zu of %zu repositories declare no licence",
					      s->no_declared, r->n_revs) < 0) {
		rc = oom(s);
		goto done;
	}
	if ((rc = put_license_rel(s, corpus.ptr, "hasDeclaredLicense", decl ? decl : "NONE",
				  comment.len ? comment.ptr : NULL)) < 0)
		goto done;
	tgpl_buf_clear(&comment);
	if (s->no_concluded && tgpl_buf_printf(&comment, "%lld files have no concluded licence",
					       (long long)s->no_concluded) < 0) {
		rc = oom(s);
		goto done;
	}
	if ((rc = put_license_rel(s, corpus.ptr, "hasConcludedLicense", conc ? conc : "NOASSERTION",
				  comment.len ? comment.ptr : NULL)) < 0)
		goto done;
	if (r->n_revs) {
		if ((rc = rp_printf(r, ",{\"type\":\"Relationship\",\"spdxId\":\"%s#rel-%zu\"," CI
				       ",\"relationshipType\":\"contains\",\"from\":\"%s\",\"to\":[",
				    s->ns, ++s->rel, corpus.ptr)) < 0)
			goto done;
		for (i = 0; i < r->n_revs; i++)
			if ((rc = rp_printf(r, "%s\"%s#package-%zu\"", i ? "," : "", s->ns, r->revs[i].index)) < 0)
				goto done;
		rc = rp_puts(r, "],\"completeness\":\"complete\"}");
	}
done:
	free(decl);
	free(conc);
	tgpl_buf_release(&corpus);
	tgpl_buf_release(&comment);
	return rc;
}

static int put_expressions(spdx3_run *s)
{
	report *r = s->r;
	size_t i, k;
	int rc = 0;

	for (i = 0; rc == 0 && i < s->exprs.n; i++) {
		const char *x = s->exprs.v[i];
		int any = 0;

		if ((rc = rp_printf(r, ",{\"type\":\"simplelicensing_LicenseExpression\",\"spdxId\":\"%s#license-%zu\","
				       CI ",\"simplelicensing_licenseExpression\":", s->ns, i + 1)) < 0 ||
		    (rc = rp_json_z(r, x)) < 0)
			break;
		/* The custom ids this expression uses. */
		for (k = 0; rc == 0 && k < s->refs.n; k++) {
			const char *id = s->refs.v[k].id, *p = x;
			size_t n = strlen(id);
			int found = 0;

			while (!found && (p = strstr(p, id)) != NULL) {
				found = (p == x || strchr(" (", p[-1])) && (p[n] == '\0' || strchr(" )+", p[n]));
				p += n;
			}
			if (!found)
				continue;
			rc = rp_printf(r, "%s{\"type\":\"DictionaryEntry\",\"key\":\"%s\",\"value\":\"%s#%s\"}",
				       any ? "," : ",\"simplelicensing_customIdToUri\":[", id, s->ns, id);
			any = 1;
		}
		if (rc == 0)
			rc = rp_puts(r, any ? "]}" : "}");
	}
	return rc;
}

static int put_texts(spdx3_run *s)
{
	report *r = s->r;
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < s->refs.n; i++) {
		const spdx_ref *x = &s->refs.v[i];
		tgpl_buf path = TGPL_BUF_INIT;
		char *text = NULL;
		size_t len = 0;

		if (tgpl_buf_printf(&path, "LICENSES/%s.txt", x->source) < 0) {
			tgpl_buf_release(&path);
			return oom(s);
		}
		rc = report_read_named(r, path.ptr, (size_t)1 << 20, &text, &len);
		if (rc == 0 && text && !tgpl_utf8_valid(text, len)) {
			free(text);
			text = NULL;
		}
		if (rc == 0 &&
		    (rc = rp_printf(r, ",{\"type\":\"simplelicensing_SimpleLicensingText\",\"spdxId\":\"%s#%s\"," CI
				       ",\"name\":", s->ns, x->id)) == 0 &&
		    (rc = rp_json_z(r, x->source)) == 0 && (rc = rp_puts(r, ",\"simplelicensing_licenseText\":")) == 0 &&
		    (rc = rp_json_z(r, text ? text : "NOASSERTION")) == 0 && (rc = rp_puts(r, ",\"comment\":\"")) == 0 &&
		    (rc = rp_puts(r, x->why == SPDX_REF_UNKNOWN ? "an identifier that is not on the SPDX License List"
							      : "a custom identifier")) == 0 &&
		    (rc = rp_puts(r, text ? "; text from " : "; its text is not in the scanned corpus")) == 0 &&
		    (!text || (rc = rp_json_inner(r, path.ptr)) == 0))
			rc = rp_puts(r, "\"}");
		free(text);
		tgpl_buf_release(&path);
	}
	return rc;
}

int report_spdx3(report *r)
{
	spdx3_run s;
	char when[32];
	size_t i;
	int rc;

	memset(&s, 0, sizeof(s));
	s.r = r;
	report_time(when, r->created);
	if ((rc = report_spdx_namespace(r, &s.ns)) < 0)
		return rc;
	rc = rp_printf(r, "{\"@context\":\"https://spdx.org/rdf/3.0.1/spdx-context.jsonld\",\"@graph\":["
			  "{\"type\":\"CreationInfo\",\"@id\":\"_:creationinfo\",\"specVersion\":\"3.0.1\","
			  "\"created\":\"%s\",\"createdBy\":[\"%s#agent\"],\"createdUsing\":[\"%s#tool\"]},"
			  "{\"type\":\"SoftwareAgent\",\"spdxId\":\"%s#agent\"," CI ",\"name\":\"tgpl %s\"},"
			  "{\"type\":\"Tool\",\"spdxId\":\"%s#tool\"," CI ",\"name\":\"tgpl %s\"},"
			  "{\"type\":\"SpdxDocument\",\"spdxId\":\"%s#document\"," CI ",\"name\":\"tgpl report of "
			  "%zu repositor%s\",\"dataLicense\":\"https://spdx.org/licenses/CC0-1.0\","
			  "\"profileConformance\":[\"core\",\"software\",\"simpleLicensing\",\"dataset\"],"
			  "\"rootElement\":[\"%s#corpus\"]}",
		       when, s.ns, s.ns, s.ns, TGPL_VERSION, s.ns, TGPL_VERSION, s.ns, r->n_revs,
		       r->n_revs == 1 ? "y" : "ies", s.ns);
	for (i = 0; rc == 0 && i < r->n_revs; i++)
		rc = put_package(&s, &r->revs[i]);
	if (rc == 0)
		rc = put_dataset(&s);
	if (rc == 0)
		rc = put_expressions(&s);
	if (rc == 0)
		rc = put_texts(&s);
	if (rc == 0)
		rc = rp_puts(r, "]}\n");
	spdx_refs_release(&s.refs);
	report_strset_release(&s.exprs);
	report_strset_release(&s.concluded);
	report_strset_release(&s.declared);
	free(s.ns);
	return rc;
}
