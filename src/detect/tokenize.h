/*
 * tokenize.h — licence-text normalisation: bytes to a stream of token ids
 * with line numbers, shared by the matcher (on blobs) and by tools/mkindex
 * (on the SPDX reference texts), so both sides normalise identically.
 *
 * Normalisation follows the SPDX matching guidelines, made position-free so
 * that a text reflowed or wrapped in comments gives the same tokens:
 *   - words are runs of letters/digits (and non-ASCII bytes, minus the common
 *     Unicode punctuation: quotes, dashes, bullets, no-break space, ©, ...);
 *     everything else — punctuation, comment markers (// # ; -- % ! * and the
 *     like), Markdown — separates words and is not a token; the word-like
 *     comment markers REM and dnl at the start of a line are dropped;
 *   - case folded (ASCII and Latin-1 in UTF-8); an apostrophe or a hyphen
 *     between two letters joins them ("licensor's", "non-commercial");
 *     a dot between two digits joins them ("2.0");
 *   - list markers are dropped: a number of at most three digits, a single
 *     letter or a small roman numeral written "(x)", "x)" or "x." ("1.", "(a)",
 *     "iv)"), and "(c)";
 *   - equivalent words are folded (licence/license, organisation/organization,
 *     owner/holder, https/http, ... the SPDX equivalent-words list);
 *   - a copyright statement (a line that starts with "Copyright", "©" or
 *     "(c)" and names a year, "(c)", "©" or a placeholder) is not tokens, up
 *     to its sentence end; nor is a line that only says "All rights reserved".
 *     Such lines are recorded in `cr_lines`.
 * In reference mode (mkindex), placeholders — "<year>", "<copyright holders>",
 * "[yyyy]", "[name of copyright owner]", runs of underscores — become one
 * token flagged TOKF_VAR, standing for any short text.
 */
#ifndef TGPL_TOKENIZE_H
#define TGPL_TOKENIZE_H

#include <stddef.h>
#include <stdint.h>

#define TOKF_VAR 0x01u   /* placeholder: any few tokens (reference mode) */
#define TOKF_OPT 0x02u   /* optional (a reference's title line); set by mkindex */
#define TOKF_APX 0x04u   /* appendix (after "end of terms and conditions") */
#define TOKF_CAPS 0x10u  /* written without lower-case letters (reference mode) */
#define TOKF_SHOUT 0x20u /* in a long run of capitals: a disclaimer; set by mkindex */

/* At most this many copyright lines are recorded per stream. */
#define TOK_MAX_CR_LINES 4096

typedef struct {
	uint32_t *tok;     /* token ids (hashes of the normalised words) */
	uint32_t *line;    /* 1-based line of each token */
	uint8_t *flags;    /* TOKF_* per token (reference mode), else NULL */
	size_t n, cap;
	size_t max;        /* stop after this many tokens; 0: no cap */
	int ref_mode;
	int truncated;     /* 1 if `max` was reached */
	uint32_t *cr_lines;/* copyright / rights-reserved lines, ascending */
	size_t n_cr, cap_cr;
} tok_stream;

/* Initialise; `max` caps the tokens kept (0: none). */
void tok_init(tok_stream *ts, size_t max, int ref_mode);
void tok_release(tok_stream *ts);

/*
 * Tokenise data[0..len) whose first byte starts line `first_line`; appends
 * to ts.  Any bytes are accepted (NULs, invalid UTF-8, huge lines).
 * Returns 0 or TGPL_ENOMEM.  Reaching ts->max is not an error (truncated).
 */
int tok_text(tok_stream *ts, const char *data, size_t len, uint32_t first_line);

/* The token id of one normalised word (lower case ASCII), as tok_text does. */
uint32_t tok_word_id(const char *w, size_t n);

/* Hash of the n-gram of TOK_NGRAM tokens starting at t. */
#define TOK_NGRAM 5
static inline uint32_t tok_ngram_hash(const uint32_t *t)
{
	uint64_t h = 0x9e3779b97f4a7c15ull;
	int i;

	for (i = 0; i < TOK_NGRAM; i++) {
		h ^= t[i];
		h *= 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	return (uint32_t)(h ^ (h >> 29));
}

/*
 * Cheap prefilter: does data[0..len) contain a licence-ish word ("licen",
 * "copyright", "permission", "warrant", "distribut", "freely", "creative
 * commons", in any case)?  One pass over the bytes.
 */
int tok_prefilter(const char *data, size_t len);

/* How a line is decorated, for telling where a commented text ends. */
enum {
	LINE_BLANK = 0,      /* no word at all (blank or decoration only) */
	LINE_PLAIN,          /* text without a comment marker */
	LINE_COMMENT,        /* text after a comment marker; see `marker` */
	LINE_CODE            /* looks like code: ends in ; { } ( ), holds = -> :: ()
	                        or starts with #include, import, def, ... */
};
typedef struct {
	int kind;
	char marker[4];      /* the comment marker ("//", "#", "*", ";", "--", "rem", ...) */
} line_class;

/* Classify the line data[0..len) (without its newline). */
void tok_classify_line(line_class *out, const char *data, size_t len);

#endif
