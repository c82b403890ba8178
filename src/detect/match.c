/*
 * match.c — the licence-text matcher: finds whole, partial and modified
 * licence texts anywhere in a blob (detect_license_text()).
 *
 * Pipeline, cheapest first:
 *  1. Prefilter: a blob without a licence-ish word ("licen", "copyright",
 *     "permission", "warrant", "distribut", "freely", "creative commons")
 *     stops here, after one pass (tok_prefilter()).
 *  2. Tokenise (tokenize.h) into token ids with line numbers; a blob over
 *     MATCH_HEAD_BYTES + MATCH_TAIL_BYTES is read at its head and tail only,
 *     and at most MATCH_MAX_TOKENS tokens are kept.
 *  3. Candidates: every n-gram of TOK_NGRAM tokens is looked up in the
 *     index's inverted n-gram table; each reference gets one vote per file
 *     position whose n-gram it holds (n-grams held by more than
 *     MATCH_COMMON_DF references don't vote).  The MATCH_MAX_CAND best, by
 *     votes relative to their length and by raw votes, go on.  The cost per
 *     blob does not depend on how many licences the index holds.
 *  4. Alignment, per candidate: the n-gram hits become diagonal runs
 *     (file position, reference position, length); runs are chained greedily,
 *     longest first, keeping both orders consistent; the gaps between runs
 *     are filled by an LCS on tokens (small gaps) or by extension (large
 *     ones); a placeholder of the reference (<year>, <copyright holders>)
 *     absorbs up to MATCH_VAR_TOKENS file tokens.  The result: matched and
 *     absorbed segments, a region, and the file tokens the reference lacks.
 *  5. Selection, repeated while something qualifies: the candidate with the
 *     best net score (matched - extra - missing tokens) claims its region;
 *     the others are re-aligned without it.  So MIT and MIT-0, BSD-2 and
 *     BSD-3, GPL-3.0 and LGPL-3.0 are told apart by which explains the
 *     region best, and several licences in one file each get their span.
 *  6. Appended text: prose after a licence's end that the reference lacks
 *     (a rider paragraph) — up to the next licence, a code line, the end of
 *     a comment block or MATCH_APPEND_LINES lines — is reported in
 *     `unmatched` and lowers the score, like text added inside.
 *
 * Thresholds (a hit needs one of):
 *  - full:    coverage >= MATCH_COV_MIN of the reference's required tokens
 *             AND weighted coverage >= MATCH_WCOV_MIN, where each token
 *             weighs 1/(number of references sharing its n-gram): a
 *             warranty disclaimer shared by a hundred licences weighs little;
 *             AND, below MATCH_FULL_COV, at least MATCH_RARE_MIN matched
 *             tokens that at most MATCH_RARE_DF references share (or all the
 *             reference has); AND half of the reference's words that are not
 *             in a long run of capitals (a disclaimer) when it has at least
 *             MATCH_PLAIN_MIN of them: so a disclaimer alone never makes a
 *             licence;
 *  - partial: at least MATCH_PARTIAL_TOKENS matched tokens of the body (not
 *             of the appendix: the "how to apply" header of the GPL or the
 *             Apache licence is a notice, another detector's job) weighing
 *             at least MATCH_PARTIAL_WEIGHT, and no more extra than matched
 *             tokens in the region.
 * Score = matched / (reference tokens + extra tokens inside + appended),
 * 1.0 only for the whole reference with nothing added (placeholders and the
 * optional title aside).  Rule "text" when coverage >= MATCH_FULL_COV, else
 * "text:partial".
 */
#include <stdlib.h>
#include <string.h>

#include "detect/detect_int.h"
#include "detect/index.h"
#include "detect/tokenize.h"
#include "util/util.h"

#define MATCH_MAX_TOKENS 131072
#define MATCH_HEAD_BYTES ((size_t)768 << 10)
#define MATCH_TAIL_BYTES ((size_t)256 << 10)
#define MATCH_COMMON_DF 128
#define MATCH_MIN_VOTES 3
#define MATCH_MIN_LEFT 8
#define MATCH_MAX_CAND 64
#define MATCH_CAND_RATIO 5
#define MATCH_MAX_ANCHORS ((size_t)1 << 18)
#define MATCH_MAX_RUNS 8192
#define MATCH_MIN_PIECE 3
#define MATCH_MAX_HITS 32
#define MATCH_GAP_LCS 96
#define MATCH_VAR_TOKENS 24
#define MATCH_HEAD_LCS 16
#define MATCH_COV_MIN 0.5
#define MATCH_WCOV_MIN 0.5
#define MATCH_RARE_DF 8
#define MATCH_RARE_MIN 5
#define MATCH_PLAIN_MIN 10
#define MATCH_FULL_COV 0.9
#define MATCH_PARTIAL_TOKENS 100
#define MATCH_PARTIAL_WEIGHT 30.0
#define MATCH_DENSE_COV 0.8
#define MATCH_SUB_GAIN 0.1
#define MATCH_UNMATCHED_MIN 2
#define MATCH_APPEND_LINES 400
#define MATCH_MAX_SPANS 64
#define MATCH_CR_ABOVE 8

typedef struct {
	uint32_t fi, ri, len;
} run_t;

/* A stretch of the alignment: `len` file tokens from fi either matched to
 * the reference from ri (kind SEG_MATCH) or absorbed by a placeholder. */
enum { SEG_MATCH, SEG_ABSORB };
typedef struct {
	uint32_t fi, ri, len;
	int kind;
} seg_t;

typedef struct {
	uint32_t ref;
	run_t *runs;
	size_t n_runs;
	seg_t *segs;
	size_t n_segs, cap_segs;
	/* precomputed on the reference */
	uint32_t body_req;      /* required tokens: not placeholder, title, appendix */
	uint32_t rare_total;    /* required tokens in few references (df <= MATCH_RARE_DF) */
	uint32_t rare_m;        /* ... of them matched */
	uint32_t plain_req;     /* required tokens not in capitals (not a disclaimer) */
	uint32_t plain_m;       /* ... of them matched */
	uint32_t emb_req;       /* required tokens inside the embedded part */
	double w_total, w_emb;  /* weight of the required tokens, and of the embedded part */
	/* the latest alignment */
	int dirty, dead;
	uint32_t rs, re;        /* region: file tokens [rs, re) */
	uint32_t matched, m_req, m_opt, m_body, extra;
	uint32_t l_req;
	double w_matched, w_body, cov, wcov;
	long net;
	int ok;
} cand_t;

typedef struct {
	uint32_t ref;
	uint32_t rs, re;
	seg_t *segs;            /* owned */
	size_t n_segs;
	uint32_t matched, l_req, m_opt, extra;
	double cov;
} hit_t;

typedef struct {
	const lidx *idx;
	const text_view *t;
	tok_stream ts;
	uint32_t *pp_off, *pp_cnt;  /* postings of the n-gram at each file position */
	uint8_t *cand_of;           /* per reference: candidate index + 1, or 0 */
	uint32_t *claimed;          /* sorted [start, end) pairs */
	size_t n_claimed, cap_claimed;
	cand_t cand[MATCH_MAX_CAND];
	size_t n_cand;
	hit_t hits[MATCH_MAX_HITS];
	size_t n_hits;
	/* scratch */
	run_t *pcs, *acc;
	size_t cap_pcs, cap_acc;
	uint16_t *lcs;
} mctx;

/* ---- helpers ------------------------------------------------------------------ */

static double weight(uint8_t df)
{
	return 1.0 / (df ? df : 1);
}

static int is_claimed(const mctx *m, uint32_t i)
{
	size_t lo = 0, hi = m->n_claimed;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (m->claimed[2 * mid + 1] <= i)
			lo = mid + 1;
		else if (m->claimed[2 * mid] > i)
			hi = mid;
		else
			return 1;
	}
	return 0;
}

static int add_claim(mctx *m, uint32_t s, uint32_t e)
{
	size_t i;

	if (tgpl_grow((void **)&m->claimed, &m->cap_claimed, 2 * (m->n_claimed + 1), sizeof(uint32_t)) < 0)
		return TGPL_ENOMEM;
	for (i = m->n_claimed; i > 0 && m->claimed[2 * (i - 1)] > s; i--) {
		m->claimed[2 * i] = m->claimed[2 * (i - 1)];
		m->claimed[2 * i + 1] = m->claimed[2 * (i - 1) + 1];
	}
	m->claimed[2 * i] = s;
	m->claimed[2 * i + 1] = e;
	m->n_claimed++;
	return 0;
}

static int push_seg(cand_t *c, uint32_t fi, uint32_t ri, uint32_t len, int kind)
{
	seg_t *last = c->n_segs ? &c->segs[c->n_segs - 1] : NULL;

	if (!len)
		return 0;
	if (last && last->kind == kind && last->fi + last->len == fi &&
	    (kind == SEG_ABSORB || last->ri + last->len == ri)) {
		last->len += len;
		return 0;
	}
	if (tgpl_grow((void **)&c->segs, &c->cap_segs, c->n_segs + 1, sizeof(seg_t)) < 0)
		return TGPL_ENOMEM;
	c->segs[c->n_segs].fi = fi;
	c->segs[c->n_segs].ri = ri;
	c->segs[c->n_segs].len = len;
	c->segs[c->n_segs].kind = kind;
	c->n_segs++;
	return 0;
}

/* ---- stage 3: candidates ------------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static int lookup_all(mctx *m)
{
	const lidx *idx = m->idx;
	size_t n = m->ts.n, i;

	if (n < TOK_NGRAM)
		return 0;
	m->pp_off = tgpl_calloc(n, sizeof(uint32_t));
	m->pp_cnt = tgpl_calloc(n, sizeof(uint32_t));
	if (!m->pp_off || !m->pp_cnt)
		return TGPL_ENOMEM;
	for (i = 0; i + TOK_NGRAM <= n; i++) {
		const uint32_t *post;
		uint32_t cnt;

		lidx_lookup(idx, tok_ngram_hash(m->ts.tok + i), &post, &cnt);
		if (!cnt)
			continue;
		m->pp_off[i] = (uint32_t)(post - idx->post);
		m->pp_cnt[i] = cnt;
	}
	return 0;
}

static int is_claimed(const mctx *m, uint32_t i);

/* One vote per reference per unclaimed file position whose n-gram it holds. */
static void count_votes(mctx *m, uint32_t *votes)
{
	const lidx *idx = m->idx;
	size_t i;

	memset(votes, 0, idx->n_refs * sizeof(*votes));
	for (i = 0; i + TOK_NGRAM <= m->ts.n; i++) {
		const uint32_t *post = idx->post + m->pp_off[i];
		uint32_t cnt = m->pp_cnt[i], k, last = LIDX_NONE;

		if (!cnt || cnt > MATCH_COMMON_DF ||
		    (m->n_claimed && (is_claimed(m, (uint32_t)i) || is_claimed(m, (uint32_t)i + TOK_NGRAM - 1))))
			continue;
		for (k = 0; k < cnt; k++)
			if (post[k] >> 16 != last) {
				last = post[k] >> 16;
				votes[last]++;
			}
	}
}

/* Pick the candidates: best by votes relative to length, then by votes. */
static int pick_candidates(mctx *m, const uint32_t *votes)
{
	const lidx *idx = m->idx;
	uint64_t *order = NULL;
	size_t n = 0, r, i, k;
	int rc = 0;

	uint32_t top = 0;

	order = tgpl_calloc(idx->n_refs ? idx->n_refs : 1, sizeof(*order));
	if (!order)
		return TGPL_ENOMEM;
	for (r = 0; r < idx->n_refs; r++)
		if (votes[r] > top)
			top = votes[r];
	/* by ratio (fixed point), descending: sort the complement.  A reference
	 * that has little of itself here and far fewer votes than the best is
	 * no candidate (it cannot win this round). */
	for (r = 0; r < idx->n_refs; r++) {
		uint64_t len = idx->refs[r].n_tok > TOK_NGRAM ? idx->refs[r].n_tok - TOK_NGRAM + 1 : 1;
		uint64_t ratio;
		if (votes[r] < MATCH_MIN_VOTES)
			continue;
		ratio = ((uint64_t)votes[r] << 20) / len;
		if (ratio < ((uint64_t)1 << 20) / MATCH_CAND_RATIO && votes[r] < top / MATCH_CAND_RATIO)
			continue;
		if (ratio > 0xffffffffull)
			ratio = 0xffffffffull;
		order[n++] = (0xffffffffull - ratio) << 32 | r;
	}
	qsort(order, n, sizeof(*order), cmp_u64);
	for (i = 0; i < n && m->n_cand < MATCH_MAX_CAND * 3 / 4; i++)
		m->cand[m->n_cand++].ref = (uint32_t)(order[i] & 0xffffffffu);
	/* then by raw votes */
	for (i = 0; i < n; i++)
		order[i] = (uint64_t)(0xffffffffu - votes[order[i] & 0xffffffffu]) << 32 |
			   (order[i] & 0xffffffffu);
	qsort(order, n, sizeof(*order), cmp_u64);
	for (i = 0; i < n && m->n_cand < MATCH_MAX_CAND; i++) {
		uint32_t ref = (uint32_t)(order[i] & 0xffffffffu);
		for (k = 0; k < m->n_cand && m->cand[k].ref != ref; k++)
			;
		if (k == m->n_cand)
			m->cand[m->n_cand++].ref = ref;
	}
	free(order);
	return rc;
}

/* ---- stage 4: alignment ----------------------------------------------------------- */

static int cmp_run_len(const void *a, const void *b)
{
	const run_t *x = a, *y = b;

	if (x->len != y->len)
		return x->len > y->len ? -1 : 1;
	return x->fi < y->fi ? -1 : x->fi > y->fi;
}

/* Anchor of a file position on a reference position: diagonal, then file
 * position, so that sorting lines up runs. */
static uint64_t anchor(uint32_t fi, uint32_t ri)
{
	return (uint64_t)(ri + (uint64_t)MATCH_MAX_TOKENS * 2 - fi) << 32 | fi;
}

/* The diagonal runs of a candidate's anchors, longest first. */
static int build_runs(cand_t *c, uint64_t *anch, size_t n_anch)
{
	size_t i, cap = 0;

	if (n_anch > 1)   /* qsort(NULL, 0) is undefined */
		qsort(anch, n_anch, sizeof(*anch), cmp_u64);
	for (i = 0; i < n_anch; i++) {
		uint32_t fi = (uint32_t)anch[i];
		uint32_t ri = (uint32_t)((anch[i] >> 32) + fi - (uint64_t)MATCH_MAX_TOKENS * 2);
		run_t *last = c->n_runs ? &c->runs[c->n_runs - 1] : NULL;

		if (last && last->fi + last->len - (TOK_NGRAM - 1) == fi &&
		    last->ri + last->len - (TOK_NGRAM - 1) == ri) {
			last->len++;
			continue;
		}
		if (c->n_runs == MATCH_MAX_RUNS)
			break;
		if (tgpl_grow((void **)&c->runs, &cap, c->n_runs + 1, sizeof(run_t)) < 0)
			return TGPL_ENOMEM;
		c->runs[c->n_runs].fi = fi;
		c->runs[c->n_runs].ri = ri;
		c->runs[c->n_runs].len = TOK_NGRAM;
		c->n_runs++;
	}
	if (c->n_runs > 1)
		qsort(c->runs, c->n_runs, sizeof(run_t), cmp_run_len);
	return 0;
}

/*
 * One pass over the file's n-gram postings gives every candidate its
 * anchors (file position, reference position), tokens checked against hash
 * collisions; then each candidate's runs.
 */
static int collect_runs(mctx *m)
{
	const lidx *idx = m->idx;
	uint64_t *anch[MATCH_MAX_CAND] = { NULL };
	size_t n_anch[MATCH_MAX_CAND] = { 0 }, cap[MATCH_MAX_CAND] = { 0 }, i, k;
	int rc = 0;

	memset(m->cand_of, 0, idx->n_refs);
	for (k = 0; k < m->n_cand; k++)
		m->cand_of[m->cand[k].ref] = (uint8_t)(k + 1);
	for (i = 0; i + TOK_NGRAM <= m->ts.n; i++) {
		const uint32_t *post = idx->post + m->pp_off[i];
		uint32_t j;

		for (j = 0; j < m->pp_cnt[i]; j++) {
			uint32_t ref = post[j] >> 16, q = post[j] & 0xffff, c = m->cand_of[ref];
			if (!c--)
				continue;
			if (n_anch[c] >= MATCH_MAX_ANCHORS ||
			    memcmp(m->ts.tok + i, idx->refs[ref].tok + q, TOK_NGRAM * sizeof(uint32_t)) != 0)
				continue;   /* over the cap, or a hash collision */
			if (tgpl_grow((void **)&anch[c], &cap[c], n_anch[c] + 1, sizeof(uint64_t)) < 0) {
				rc = TGPL_ENOMEM;
				goto done;
			}
			anch[c][n_anch[c]++] = anchor((uint32_t)i, q);
		}
	}
	for (k = 0; k < m->n_cand; k++)
		if ((rc = build_runs(&m->cand[k], anch[k], n_anch[k])) < 0)
			goto done;
done:
	for (k = 0; k < MATCH_MAX_CAND; k++)
		free(anch[k]);
	return rc;
}

/* The runs of c minus the claimed regions, into m->pcs. */
static int cut_pieces(mctx *m, const cand_t *c, size_t *n_out)
{
	size_t n = 0, i, k;

	for (i = 0; i < c->n_runs; i++) {
		uint32_t fi = c->runs[i].fi, ri = c->runs[i].ri, end = fi + c->runs[i].len;

		for (k = 0; k <= m->n_claimed && fi < end; k++) {
			uint32_t cs = k < m->n_claimed ? m->claimed[2 * k] : end;
			uint32_t ce = k < m->n_claimed ? m->claimed[2 * k + 1] : end;
			uint32_t pe = cs < end ? cs : end;

			if (ce <= fi)
				continue;
			if (pe > fi && pe - fi >= MATCH_MIN_PIECE) {
				if (tgpl_grow((void **)&m->pcs, &m->cap_pcs, n + 1, sizeof(run_t)) < 0)
					return TGPL_ENOMEM;
				m->pcs[n].fi = fi;
				m->pcs[n].ri = ri;
				m->pcs[n].len = pe - fi;
				n++;
			}
			if (ce >= end)
				break;
			if (ce > fi) {
				ri += ce - fi;
				fi = ce;
			}
		}
	}
	*n_out = n;
	return 0;
}

/* Greedy chaining: longest pieces first, each trimmed to fit between the
 * already accepted ones in both file and reference order.  Into m->acc. */
static int chain(mctx *m, size_t n_pcs, size_t *n_out)
{
	size_t n = 0, i, k;
	uint32_t zlo = 0, zhi = (uint32_t)m->ts.n;

	/* runs come longest first; cutting them around claims may upset that */
	if (m->n_claimed)
		qsort(m->pcs, n_pcs, sizeof(run_t), cmp_run_len);
	/* A region never spans a claimed one: stay in the unclaimed stretch
	 * (zone) of the longest piece. */
	if (n_pcs)
		for (k = 0; k < m->n_claimed; k++) {
			if (m->claimed[2 * k + 1] <= m->pcs[0].fi && m->claimed[2 * k + 1] > zlo)
				zlo = m->claimed[2 * k + 1];
			if (m->claimed[2 * k] >= m->pcs[0].fi + m->pcs[0].len && m->claimed[2 * k] < zhi)
				zhi = m->claimed[2 * k];
		}
	for (i = 0; i < n_pcs && i < MATCH_MAX_RUNS; i++) {
		run_t r = m->pcs[i];
		size_t lo = 0, hi = n, pos;

		if (r.fi < zlo || r.fi + r.len > zhi)
			continue;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (m->acc[mid].fi < r.fi)
				lo = mid + 1;
			else
				hi = mid;
		}
		pos = lo;
		if (pos > 0) {
			const run_t *p = &m->acc[pos - 1];
			uint32_t d = 0;
			if (p->fi + p->len > r.fi)
				d = p->fi + p->len - r.fi;
			if (p->ri + p->len > r.ri + d)
				d = p->ri + p->len - r.ri;
			if (d >= r.len)
				continue;
			r.fi += d;
			r.ri += d;
			r.len -= d;
		}
		if (pos < n) {
			const run_t *q = &m->acc[pos];
			uint32_t cut = 0;
			if (r.fi + r.len > q->fi)
				cut = r.fi + r.len - q->fi;
			if (q->ri < r.ri + MATCH_MIN_PIECE)
				continue;
			if (r.ri + r.len > q->ri && r.ri + r.len - q->ri > cut)
				cut = r.ri + r.len - q->ri;
			if (cut >= r.len)
				continue;
			r.len -= cut;
		}
		if (r.len < MATCH_MIN_PIECE)
			continue;
		if (tgpl_grow((void **)&m->acc, &m->cap_acc, n + 1, sizeof(run_t)) < 0)
			return TGPL_ENOMEM;
		memmove(&m->acc[pos + 1], &m->acc[pos], (n - pos) * sizeof(run_t));
		m->acc[pos] = r;
		n++;
	}
	*n_out = n;
	return 0;
}

static int tok_eq(const mctx *m, const lidx_ref *ref, uint32_t fi, uint32_t ri)
{
	return !(ref->flags[ri] & TOKF_VAR) && m->ts.tok[fi] == ref->tok[ri] && !is_claimed(m, fi);
}

/*
 * Fill the gap file [fa, fb) x reference [ra, rb) of candidate c with
 * matched tokens (LCS when small, extension from both ends otherwise) and
 * let the reference's placeholders absorb what they can of the rest.
 */
static int fill_gap(mctx *m, cand_t *c, uint32_t fa, uint32_t fb, uint32_t ra, uint32_t rb)
{
	const lidx_ref *ref = &m->idx->refs[c->ref];
	uint32_t nf = fb - fa, nr = rb - ra, i, j, vars = 0, budget;
	int rc;

	for (j = ra; j < rb; j++)
		if (ref->flags[j] & TOKF_VAR)
			vars++;
	budget = vars * MATCH_VAR_TOKENS;
	if (nf == 0 || nr == 0)
		return 0;
	if (nf <= MATCH_GAP_LCS && nr <= MATCH_GAP_LCS) {
		/* LCS table of suffixes: L[i][j] for file fa+i.., ref ra+j.. */
		uint16_t *L = m->lcs;
		size_t w = (size_t)nr + 1;

		for (i = nf + 1; i-- > 0;)
			for (j = nr + 1; j-- > 0;) {
				uint16_t v;
				if (i == nf || j == nr)
					v = 0;
				else if (tok_eq(m, ref, fa + i, ra + j))
					v = (uint16_t)(L[(i + 1) * w + j + 1] + 1);
				else
					v = L[(i + 1) * w + j] > L[i * w + j + 1] ? L[(i + 1) * w + j]
										: L[i * w + j + 1];
				L[i * w + j] = v;
			}
		i = j = 0;
		while (i < nf && j < nr) {
			if (tok_eq(m, ref, fa + i, ra + j) && L[i * w + j] == L[(i + 1) * w + j + 1] + 1) {
				if ((rc = push_seg(c, fa + i, ra + j, 1, SEG_MATCH)) < 0)
					return rc;
				i++;
				j++;
			} else if (L[(i + 1) * w + j] >= L[i * w + j + 1]) {
				if (budget && !is_claimed(m, fa + i)) {
					budget--;
					if ((rc = push_seg(c, fa + i, 0, 1, SEG_ABSORB)) < 0)
						return rc;
				}
				i++;
			} else {
				j++;
			}
		}
		for (; i < nf && budget; i++, budget--)
			if (!is_claimed(m, fa + i) && (rc = push_seg(c, fa + i, 0, 1, SEG_ABSORB)) < 0)
				return rc;
		return 0;
	}
	/* large gap: extend forward from the left and backward from the right */
	for (i = 0; i < nf && i < nr && tok_eq(m, ref, fa + i, ra + i); i++)
		;
	if ((rc = push_seg(c, fa, ra, i, SEG_MATCH)) < 0)
		return rc;
	for (j = 0; j < nf - i && j < nr - i && tok_eq(m, ref, fb - 1 - j, rb - 1 - j); j++)
		;
	{
		uint32_t k, s = fa + i, e = fb - j;
		for (k = s; k < e && budget; k++, budget--)
			if (!is_claimed(m, k) && (rc = push_seg(c, k, 0, 1, SEG_ABSORB)) < 0)
				return rc;
	}
	return push_seg(c, fb - j, rb - j, j, SEG_MATCH);
}

/* Before the first run: the reference's first few tokens (a title) by LCS
 * over a small window, or by extension backward. */
static int fill_head(mctx *m, cand_t *c, uint32_t fi, uint32_t ri)
{
	uint32_t lim = 0, k;

	if (!ri || !fi)
		return 0;
	/* do not cross a claimed region or the previous hit */
	for (k = 0; k < m->n_claimed; k++)
		if (m->claimed[2 * k + 1] <= fi && m->claimed[2 * k + 1] > lim)
			lim = m->claimed[2 * k + 1];
	if (ri <= MATCH_HEAD_LCS) {
		uint32_t win = 2 * ri + 4, start = fi > win ? fi - win : 0, cf = fi, cr = ri;
		size_t before = c->n_segs, keep, j;
		int rc;

		if (start < lim)
			start = lim;
		if ((rc = fill_gap(m, c, start, fi, 0, ri)) < 0)
			return rc;
		/* keep the matches that hug the run (no more file gap than
		 * reference gap, give or take): far ones are chance */
		keep = c->n_segs;
		for (j = c->n_segs; j-- > before;) {
			const seg_t *s = &c->segs[j];
			if (s->kind == SEG_ABSORB)
				continue;
			if (cf - (s->fi + s->len) > cr - (s->ri + s->len) + 3)
				break;
			keep = j;
			cf = s->fi;
			cr = s->ri;
		}
		/* drop [before, keep) and the absorbed segments after it */
		for (j = keep; j < c->n_segs && c->segs[j].kind == SEG_ABSORB; j++)
			;
		if (keep == c->n_segs)
			j = c->n_segs;
		if (j > before && c->n_segs > j)
			memmove(&c->segs[before], &c->segs[j], (c->n_segs - j) * sizeof(seg_t));
		c->n_segs = before + (c->n_segs - j);
		return 0;
	}
	for (k = 0; k < ri && k < fi - lim && tok_eq(m, &m->idx->refs[c->ref], fi - 1 - k, ri - 1 - k); k++)
		;
	return push_seg(c, fi - k, ri - k, k, SEG_MATCH);
}

static int fill_tail(mctx *m, cand_t *c, uint32_t fi, uint32_t ri)
{
	const lidx_ref *ref = &m->idx->refs[c->ref];
	uint32_t k;

	for (k = 0; ri + k < ref->n_tok && fi + k < m->ts.n && tok_eq(m, ref, fi + k, ri + k); k++)
		;
	return push_seg(c, fi, ri, k, SEG_MATCH);
}

/* Is enough of the text outside its disclaimer (capitals) matched?  A
 * reference that is mostly disclaimer is judged on all of it. */
static int plain_ok(const cand_t *c)
{
	if (c->plain_req < MATCH_PLAIN_MIN)
		return 1;
	return (double)c->plain_m >= MATCH_COV_MIN * c->plain_req;
}

/*
 * Metrics of c's alignment.  Required tokens are the reference's body; its
 * title and appendix (how to apply it, a standard notice) count when they
 * are there and are not missed when they are not.
 */
static void measure(mctx *m, cand_t *c)
{
	const lidx_ref *ref = &m->idx->refs[c->ref];
	uint32_t m_emb = 0, absorbed = 0, i, k;
	double w_emb_m = 0, wt;
	int core;

	c->matched = c->m_req = c->m_opt = c->m_body = c->extra = c->rare_m = c->plain_m = 0;
	c->w_matched = c->w_body = 0;
	c->cov = c->wcov = 0;
	c->ok = 0;
	c->net = -1;
	if (!c->n_segs)
		return;
	c->rs = c->segs[0].fi;
	c->re = c->segs[c->n_segs - 1].fi + c->segs[c->n_segs - 1].len;
	for (k = 0; k < c->n_segs; k++) {
		const seg_t *s = &c->segs[k];
		if (s->kind == SEG_ABSORB) {
			absorbed += s->len;
			continue;
		}
		c->matched += s->len;
		for (i = s->ri; i < s->ri + s->len; i++) {
			double w = weight(ref->df[i]);
			if (ref->flags[i] & (TOKF_OPT | TOKF_APX)) {
				c->m_opt++;
				continue;
			}
			c->m_req++;
			c->w_matched += w;
			if (!(ref->flags[i] & TOKF_SHOUT))
				c->plain_m++;
			/* a rare n-gram counts when all of it is matched */
			if (ref->ngdf[i] <= MATCH_RARE_DF && i + TOK_NGRAM <= s->ri + s->len)
				c->rare_m++;
			if (i >= ref->emb_start && i < ref->emb_end) {
				m_emb++;
				w_emb_m += w;
			}
		}
	}
	c->extra = c->re - c->rs - c->matched - absorbed;
	c->l_req = c->body_req;
	wt = c->w_total;
	/* A reference embedding another (LGPL-3.0 holds GPL-3.0): its own part
	 * alone is the whole licence as usually distributed. */
	core = ref->emb_end > ref->emb_start && m_emb * 2 < c->emb_req;
	if (core) {
		c->l_req -= c->emb_req;
		c->m_req -= m_emb;
		c->w_matched -= w_emb_m;
		wt -= c->w_emb;
	}
	if (!c->l_req)
		return;   /* nothing but a notice: not a licence text */
	c->cov = (double)c->m_req / c->l_req;
	if (wt > 0)
		c->wcov = c->w_matched / wt;
	c->m_body = c->m_req;
	c->w_body = c->w_matched;
	c->net = (long)c->m_req + c->m_opt - c->extra - ((long)c->l_req - c->m_req);
	/* Below MATCH_FULL_COV, some of what only few references say must be
	 * there: boilerplate that many share (a disclaimer) is no evidence. */
	if (c->cov >= MATCH_COV_MIN && c->wcov >= MATCH_WCOV_MIN && plain_ok(c) &&
	    (c->cov >= MATCH_DENSE_COV ? c->matched * 3 >= c->extra : c->matched >= 2 * c->extra) &&
	    (c->cov >= MATCH_FULL_COV ||
	     (c->rare_total && c->rare_m >= (c->rare_total < MATCH_RARE_MIN ? c->rare_total : MATCH_RARE_MIN))))
		c->ok = 1;
	else if (c->m_body >= MATCH_PARTIAL_TOKENS && c->plain_m >= MATCH_PARTIAL_TOKENS / 2 &&
		 c->w_body >= MATCH_PARTIAL_WEIGHT && c->matched >= 2 * c->extra)
		c->ok = 1;
}

static int align(mctx *m, cand_t *c)
{
	size_t n_pcs, n_acc, i;
	int rc;

	c->n_segs = 0;
	c->dirty = 0;
	if ((rc = cut_pieces(m, c, &n_pcs)) < 0 || (rc = chain(m, n_pcs, &n_acc)) < 0)
		return rc;
	if (!n_acc) {
		c->dead = 1;
		measure(m, c);
		return 0;
	}
	if ((rc = fill_head(m, c, m->acc[0].fi, m->acc[0].ri)) < 0)
		return rc;
	for (i = 0; i < n_acc; i++) {
		const run_t *r = &m->acc[i];
		if ((rc = push_seg(c, r->fi, r->ri, r->len, SEG_MATCH)) < 0)
			return rc;
		if (i + 1 < n_acc) {
			const run_t *q = &m->acc[i + 1];
			if ((rc = fill_gap(m, c, r->fi + r->len, q->fi, r->ri + r->len, q->ri)) < 0)
				return rc;
		} else if ((rc = fill_tail(m, c, r->fi + r->len, r->ri + r->len)) < 0) {
			return rc;
		}
	}
	measure(m, c);
	return 0;
}

static void prepare_cand(mctx *m, cand_t *c)
{
	const lidx_ref *ref = &m->idx->refs[c->ref];
	uint32_t i;

	c->w_total = c->w_emb = 0;
	c->emb_req = c->body_req = c->rare_total = c->plain_req = 0;
	for (i = 0; i < ref->n_tok; i++) {
		if (ref->flags[i] & (TOKF_VAR | TOKF_OPT | TOKF_APX))
			continue;
		c->body_req++;
		if (!(ref->flags[i] & TOKF_SHOUT))
			c->plain_req++;
		if (ref->ngdf[i] <= MATCH_RARE_DF)
			c->rare_total++;
		c->w_total += weight(ref->df[i]);
		if (i >= ref->emb_start && i < ref->emb_end) {
			c->emb_req++;
			c->w_emb += weight(ref->df[i]);
		}
	}
	c->dirty = 1;
}

/* Is c better than d?  Net score, then coverage, then the shorter reference. */
static int better(const mctx *m, const cand_t *c, const cand_t *d)
{
	if (c->net != d->net)
		return c->net > d->net;
	if (c->cov != d->cov)
		return c->cov > d->cov;
	if (m->idx->refs[c->ref].n_tok != m->idx->refs[d->ref].n_tok)
		return m->idx->refs[c->ref].n_tok < m->idx->refs[d->ref].n_tok;
	return c->ref < d->ref;
}

/* How well c explains its region: matched / (reference + extra). */
static double quality(const cand_t *c)
{
	double d = (double)c->l_req + c->m_opt + c->extra;
	return d > 0 ? (c->m_req + c->m_opt) / d : 0;
}

static int runs_touch(const cand_t *c, uint32_t s, uint32_t e)
{
	size_t i;

	for (i = 0; i < c->n_runs; i++)
		if (c->runs[i].fi < e && c->runs[i].fi + c->runs[i].len > s)
			return 1;
	return 0;
}

/* How many unclaimed file positions have an n-gram the index knows (up to MATCH_MIN_LEFT). */
static size_t unclaimed_anchors(const mctx *m)
{
	size_t i, n = 0;

	for (i = 0; i + TOK_NGRAM <= m->ts.n && n < MATCH_MIN_LEFT; i++)
		if (m->pp_cnt[i] && !is_claimed(m, (uint32_t)i))
			n++;
	return n;
}

/* (Re)build the candidate list from the votes of the unclaimed positions. */
static int gather(mctx *m, uint32_t *votes)
{
	size_t i;
	int rc;

	for (i = 0; i < m->n_cand; i++) {
		free(m->cand[i].runs);
		free(m->cand[i].segs);
	}
	memset(m->cand, 0, sizeof(m->cand));
	m->n_cand = 0;
	count_votes(m, votes);
	if ((rc = pick_candidates(m, votes)) < 0)
		return rc;
	if ((rc = collect_runs(m)) < 0)
		return rc;
	for (i = 0; i < m->n_cand; i++)
		prepare_cand(m, &m->cand[i]);
	return 0;
}

static int select_hits(mctx *m, uint32_t *votes)
{
	size_t i, claims_at_gather;
	int rc;

	if ((rc = gather(m, votes)) < 0)
		return rc;
	claims_at_gather = m->n_claimed;
	while (m->n_hits < MATCH_MAX_HITS) {
		cand_t *best = NULL;
		hit_t *h;

		for (i = 0; i < m->n_cand; i++) {
			cand_t *c = &m->cand[i];
			if (c->dead)
				continue;
			if (c->dirty && (rc = align(m, c)) < 0)
				return rc;
			if (c->ok && (!best || better(m, c, best)))
				best = c;
		}
		if (!best && m->n_claimed > claims_at_gather && unclaimed_anchors(m) >= MATCH_MIN_LEFT) {
			/* the candidates were picked with the whole file voting: once
			 * licences are claimed, let what is left vote again */
			if ((rc = gather(m, votes)) < 0)
				return rc;
			claims_at_gather = m->n_claimed;
			continue;
		}
		if (!best)
			break;
		/* A long reference made of standard pieces (Sleepycat: several BSD
		 * texts) may out-score, by sheer length, the licences that really
		 * stand in its region: prefer a candidate inside it that explains
		 * its own part much better and carries a fair share of the weight. */
		for (;;) {
			cand_t *sub = NULL;
			for (i = 0; i < m->n_cand; i++) {
				cand_t *c = &m->cand[i];
				if (c == best || c->dead || !c->ok || c->rs < best->rs || c->re > best->re ||
				    quality(c) < quality(best) + MATCH_SUB_GAIN || 2 * c->net < best->net)
					continue;
				if (!sub || better(m, c, sub))
					sub = c;
			}
			if (!sub)
				break;
			best = sub;
		}
		h = &m->hits[m->n_hits++];
		memset(h, 0, sizeof(*h));
		h->ref = best->ref;
		h->rs = best->rs;
		h->re = best->re;
		h->segs = best->segs;
		h->n_segs = best->n_segs;
		h->matched = best->m_req + best->m_opt;
		h->l_req = best->l_req;
		h->m_opt = best->m_opt;
		h->extra = best->extra;
		h->cov = best->cov;
		best->segs = NULL;
		best->n_segs = best->cap_segs = 0;
		best->dirty = 1;
		if ((rc = add_claim(m, h->rs, h->re)) < 0)
			return rc;
		for (i = 0; i < m->n_cand; i++)
			if (&m->cand[i] == best || runs_touch(&m->cand[i], h->rs, h->re))
				m->cand[i].dirty = 1;
	}
	return 0;
}

/* ---- stage 6: spans and appended text --------------------------------------------- */

typedef struct {
	tgpl_span *v;
	size_t n, cap;
} spans;

static int add_span(spans *s, uint32_t a, uint32_t b)
{
	if (s->n && a <= s->v[s->n - 1].end_line + 1) {
		if (b > s->v[s->n - 1].end_line)
			s->v[s->n - 1].end_line = b;
		return 0;
	}
	if (s->n >= MATCH_MAX_SPANS) {
		s->v[s->n - 1].end_line = b;
		return 0;
	}
	if (tgpl_grow((void **)&s->v, &s->cap, s->n + 1, sizeof(tgpl_span)) < 0)
		return TGPL_ENOMEM;
	s->v[s->n].start_line = a;
	s->v[s->n].end_line = b;
	s->n++;
	return 0;
}

static int is_cr_line(const tok_stream *ts, uint32_t line)
{
	size_t lo = 0, hi = ts->n_cr;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (ts->cr_lines[mid] == line)
			return 1;
		if (ts->cr_lines[mid] < line)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static void line_text(const text_view *t, uint32_t line, const char **p, size_t *n)
{
	size_t s = t->line_off[line - 1];
	size_t e = line < t->n_lines ? t->line_off[line] : t->len;

	if (e > s && t->data[e - 1] == '\n')
		e--;
	*p = t->data + s;
	*n = e - s;
}

/*
 * The last line of prose appended after `end_line` (0 if none): lines in
 * the same comment style, or plain prose, up to `limit` (exclusive), a code
 * line, the end of the comment block or MATCH_APPEND_LINES lines.
 */
static uint32_t appended_until(const mctx *m, uint32_t end_line, uint32_t limit)
{
	const text_view *t = m->t;
	line_class last, lc;
	const char *p;
	size_t n;
	uint32_t line, found = 0;

	if (!end_line || end_line > t->n_lines)
		return 0;
	line_text(t, end_line, &p, &n);
	tok_classify_line(&last, p, n);
	for (line = end_line + 1; line < limit && line <= t->n_lines &&
				  line <= end_line + MATCH_APPEND_LINES; line++) {
		size_t k;
		int empty = 1;

		line_text(t, line, &p, &n);
		for (k = 0; k < n && empty; k++)
			empty = p[k] == ' ' || p[k] == '\t' || p[k] == '\r';
		tok_classify_line(&lc, p, n);
		if (is_cr_line(&m->ts, line))
			continue;
		if (last.kind == LINE_COMMENT) {
			if (empty) {
				/* the end of a comment block, unless prose follows
				 * (a licence file decorated as a comment) */
				uint32_t next = line + 1;
				line_class nc;
				nc.kind = LINE_BLANK;
				while (next < limit && next <= t->n_lines && next <= end_line + MATCH_APPEND_LINES) {
					line_text(t, next, &p, &n);
					tok_classify_line(&nc, p, n);
					if (nc.kind != LINE_BLANK)
						break;
					next++;
				}
				if (nc.kind != LINE_PLAIN)
					break;
				last.kind = LINE_PLAIN;
				continue;
			}
			if (lc.kind == LINE_BLANK)
				continue;
			if (lc.kind != LINE_COMMENT || strncmp(lc.marker, last.marker, sizeof(lc.marker)) != 0)
				break;
		} else {
			if (lc.kind == LINE_BLANK)
				continue;
			if (lc.kind == LINE_CODE)
				break;
		}
		found = line;
	}
	return found;
}

/* Index of the first token at or after `from` whose line is > line. */
static size_t tokens_through(const tok_stream *ts, size_t from, uint32_t line)
{
	size_t lo = from, hi = ts->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (ts->line[mid] <= line)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Tokens on `line`, among the first `lim` tokens. */
static size_t tokens_on(const tok_stream *ts, size_t lim, uint32_t line)
{
	size_t lo = 0, hi = lim, a;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (ts->line[mid] < line)
			lo = mid + 1;
		else
			hi = mid;
	}
	a = lo;
	while (lo < lim && ts->line[lo] == line)
		lo++;
	return lo - a;
}

/*
 * The copyright statement right above a licence belongs to its span:
 * walking up from `start`, blank lines, copyright lines and short lines
 * continuing one (a statement wrapped over lines) are taken in, and the
 * span starts at the highest copyright line reached.
 */
static uint32_t copyright_above(const mctx *m, size_t rs, uint32_t start)
{
	const tok_stream *ts = &m->ts;
	uint32_t line, best = start;

	for (line = start; line > 1 && start - line < MATCH_CR_ABOVE;) {
		size_t n;

		line--;
		if (is_cr_line(ts, line)) {
			best = line;
			continue;
		}
		n = tokens_on(ts, rs, line);
		if (n == 0)
			continue;
		/* a continuation: short, and a copyright line just above it */
		if (n <= 12 && ((line > 1 && is_cr_line(ts, line - 1)) || (line > 2 && is_cr_line(ts, line - 2))))
			continue;
		break;
	}
	return best;
}

static int cmp_hit(const void *a, const void *b)
{
	const hit_t *x = a, *y = b;
	return x->rs < y->rs ? -1 : x->rs > y->rs;
}

static int emit_hits(mctx *m, det_builder *b)
{
	const tok_stream *ts = &m->ts;
	spans sp = { NULL, 0, 0 };
	size_t h;
	int rc = 0;

	if (m->n_hits > 1)
		qsort(m->hits, m->n_hits, sizeof(hit_t), cmp_hit);
	for (h = 0; h < m->n_hits; h++) {
		const hit_t *x = &m->hits[h];
		const lidx_ref *ref = &m->idx->refs[x->ref];
		uint32_t start = ts->line[x->rs], end = ts->line[x->re - 1], run = 0, run_s = 0, i;
		uint32_t limit = h + 1 < m->n_hits ? ts->line[m->hits[h + 1].rs] : m->t->n_lines + 1;
		uint32_t app, extra_app = 0;
		size_t seg = 0, tok_lim = h + 1 < m->n_hits ? m->hits[h + 1].rs : ts->n, app_end;
		double score, denom;

		sp.n = 0;
		/* extra tokens inside the region, as line spans */
		for (i = x->rs; i <= x->re; i++) {
			int covered = 0;
			while (seg < x->n_segs && x->segs[seg].fi + x->segs[seg].len <= i)
				seg++;
			if (i < x->re && seg < x->n_segs && x->segs[seg].fi <= i)
				covered = 1;
			if (i < x->re && !covered) {
				if (!run++)
					run_s = i;
				continue;
			}
			if (run >= MATCH_UNMATCHED_MIN && (rc = add_span(&sp, ts->line[run_s], ts->line[i - 1])) < 0)
				goto done;
			run = 0;
		}
		/* appended text */
		app = appended_until(m, end, limit);
		app_end = tokens_through(ts, x->re, app ? app : end);
		if (app_end > tok_lim)
			app_end = tok_lim;
		if (app_end > x->re) {
			extra_app = (uint32_t)(app_end - x->re);
			if (extra_app >= MATCH_UNMATCHED_MIN) {
				/* one span per paragraph */
				uint32_t ps = ts->line[x->re], pe = ps;
				size_t j;
				for (j = x->re + 1; j < app_end; j++) {
					if (ts->line[j] > pe + 1) {
						if ((rc = add_span(&sp, ps, pe)) < 0)
							goto done;
						ps = ts->line[j];
					}
					pe = ts->line[j];
				}
				if ((rc = add_span(&sp, ps, pe)) < 0)
					goto done;
			}
		}
		start = copyright_above(m, x->rs, start);
		denom = (double)x->l_req + x->m_opt + x->extra + extra_app;
		score = denom > 0 ? x->matched / denom : 0;
		if (score > 1)
			score = 1;
		if ((rc = det_add_license(b, ref->id, TGPL_KIND_TEXT, start, end, score,
					  x->cov >= MATCH_FULL_COV ? "text" : "text:partial", NULL,
					  sp.v, sp.n)) < 0)
			goto done;
		if (ref->expr && (rc = det_set_expr(b, b->det->n_licenses - 1, ref->expr)) < 0)
			goto done;
	}
done:
	free(sp.v);
	return rc;
}

/* ---- entry point ---------------------------------------------------------------- */

/* Append the last `room` tokens of `tail` (and its copyright lines) to ts. */
static int append_tail(tok_stream *ts, const tok_stream *tail, size_t room)
{
	size_t from = tail->n > room ? tail->n - room : 0, i;
	uint32_t first_line = from < tail->n ? tail->line[from] : 0;

	for (i = 0; i < tail->n_cr; i++) {
		if (tail->cr_lines[i] < first_line || ts->n_cr >= TOK_MAX_CR_LINES)
			continue;
		if (tgpl_grow((void **)&ts->cr_lines, &ts->cap_cr, ts->n_cr + 1, sizeof(uint32_t)) < 0)
			return TGPL_ENOMEM;
		ts->cr_lines[ts->n_cr++] = tail->cr_lines[i];
	}
	if (tail->n - from > ts->cap - ts->n) {
		size_t cap = ts->n + (tail->n - from);
		uint32_t *t = tgpl_reallocarray(ts->tok, cap, sizeof(uint32_t)), *l;
		if (!t)
			return TGPL_ENOMEM;
		ts->tok = t;
		l = tgpl_reallocarray(ts->line, cap, sizeof(uint32_t));
		if (!l)
			return TGPL_ENOMEM;
		ts->line = l;
		ts->cap = cap;
	}
	if (tail->n > from) {
		memcpy(ts->tok + ts->n, tail->tok + from, (tail->n - from) * sizeof(uint32_t));
		memcpy(ts->line + ts->n, tail->line + from, (tail->n - from) * sizeof(uint32_t));
		ts->n += tail->n - from;
	}
	return 0;
}

/*
 * Tokenise the blob: all of it, or, when it is large, its head (up to 3/4
 * of the token cap) and the last tokens of its tail — licences sit at the
 * top or the bottom of long files.
 */
static int tokenise(mctx *m)
{
	const text_view *t = m->t;
	tok_stream tail;
	uint32_t line;
	size_t off;
	int rc;

	tok_init(&m->ts, MATCH_MAX_TOKENS, 0);
	if (t->len <= MATCH_HEAD_BYTES + MATCH_TAIL_BYTES)
		return tok_text(&m->ts, t->data, t->len, 1);
	m->ts.max = MATCH_MAX_TOKENS * 3 / 4;
	if ((rc = tok_text(&m->ts, t->data, MATCH_HEAD_BYTES, 1)) < 0)
		return rc;
	line = text_line_of(t, t->len - MATCH_TAIL_BYTES) + 1;
	if (line > t->n_lines)
		return 0;
	off = t->line_off[line - 1];
	/* the tail is at most MATCH_TAIL_BYTES: its tokens are bounded too */
	tok_init(&tail, 0, 0);
	if ((rc = tok_text(&tail, t->data + off, t->len - off, line)) == 0)
		rc = append_tail(&m->ts, &tail, MATCH_MAX_TOKENS - m->ts.n);
	tok_release(&tail);
	return rc;
}

int detect_license_text(det_builder *b, const tgpl_engine *e, const text_view *t)
{
	const lidx *idx = engine_index(e);
	uint32_t *votes = NULL;
	mctx *m = NULL;
	size_t i;
	int rc = 0;

	if (!idx || !idx->n_refs || idx->ngram != TOK_NGRAM || !t->len || !t->n_lines ||
	    !tok_prefilter(t->data, t->len))
		return 0;
	m = tgpl_calloc(1, sizeof(*m));
	votes = tgpl_calloc(idx->n_refs, sizeof(*votes));
	if (!m || !votes) {
		rc = TGPL_ENOMEM;
		goto done;
	}
	m->idx = idx;
	m->t = t;
	if ((rc = tokenise(m)) < 0 || (rc = lookup_all(m)) < 0)
		goto done;
	m->lcs = tgpl_calloc((size_t)(MATCH_GAP_LCS + 1) * (MATCH_GAP_LCS + 1), sizeof(uint16_t));
	m->cand_of = tgpl_calloc(idx->n_refs, 1);
	if (!m->lcs || !m->cand_of) {
		rc = TGPL_ENOMEM;
		goto done;
	}
	if ((rc = select_hits(m, votes)) < 0 || (rc = emit_hits(m, b)) < 0)
		goto done;
done:
	if (m) {
		for (i = 0; i < m->n_cand; i++) {
			free(m->cand[i].runs);
			free(m->cand[i].segs);
		}
		for (i = 0; i < m->n_hits; i++)
			free(m->hits[i].segs);
		free(m->pp_off);
		free(m->pp_cnt);
		free(m->claimed);
		free(m->pcs);
		free(m->acc);
		free(m->lcs);
		free(m->cand_of);
		tok_release(&m->ts);
		free(m);
	}
	free(votes);
	return rc;
}
