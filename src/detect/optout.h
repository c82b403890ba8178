/*
 * optout.h — training opt-out signals (DESIGN.md §4, obligation
 * `training-prohibited`).  detect_optouts() appends one tgpl_optout_hit per
 * signal found in a blob:
 *
 *   kind            file                   detail
 *   tdmrep          tdmrep.json            "location=<loc>[ policy=<url>]", one per entry
 *                                          with "tdm-reservation": 1
 *   html-meta       *.html, *.htm, *.xhtml "noai", "noimageai" (robots or crawler-specific
 *                   or <!doctype html ...  meta), "tdm-reservation[ policy=<url>]"
 *   ai.txt          ai.txt (Spawning)      the disallowed patterns: "/ *.txt *.py"
 *   robots.txt      robots.txt             "<token>", "<token> partial: /a /b",
 *                                          "<token> except: /a", "* (all crawlers)",
 *                                          "Content-Signal: <value>" (ai-train=no),
 *                                          "Content-Usage: <value>" (train-ai=n)
 *   license-rider   any text file          the forbidding phrase, as written (comment
 *                                          markers and line breaks folded to one space)
 *
 * Lines are 1-based and inclusive: the JSON entry, the meta tag, the group
 * (first User-agent line to last rule line), the sentence.  Details are at
 * most 200 bytes (riders: 120), valid UTF-8, free of control characters; a
 * cut one ends in "...".  At most 256 hits are kept per file.
 *
 * The AI crawlers of robots.txt come from licenses/ai-crawlers.tsv
 * (`token<TAB>operator<TAB>purpose`, '#' comments), loaded with the engine;
 * a built-in copy of the same list is used when the engine has none.
 */
#ifndef TGPL_OPTOUT_H
#define TGPL_OPTOUT_H

#include <stddef.h>

#include "detect/detect_int.h"
#include "tgpl/common.h"

/* The AI-crawler table. */
struct optout_data;

/*
 * Load <datadir>/ai-crawlers.tsv and compile (with the JIT where available)
 * the licence-rider pattern, once per engine; the result is read-only and
 * may be shared by threads.  Caller frees *out with optout_free().  A
 * missing file is not an error: the built-in list is used.  Returns 0,
 * TGPL_EDATA (a line without exactly three fields, an
 * empty or over-long token, a token listed twice; the message on ctx names
 * file and line) or TGPL_ENOMEM.
 */
int optout_load(struct optout_data **out, tgpl_ctx *ctx, const char *datadir);
/* NULL-tolerant. */
void optout_free(struct optout_data *d);

/* Number of crawler tokens in d (NULL: the built-in list), and the i-th
 * token (borrowed; NULL past the end).  For tests and `tgpl licenses`. */
size_t optout_crawler_count(const struct optout_data *d);
const char *optout_crawler_token(const struct optout_data *d, size_t i);

/*
 * The detector: every signal of the table above in the blob `t`.  Uses the
 * engine's crawler table (engine_optouts(), when the engine has one).
 * Returns 0 or TGPL_ENOMEM; never fails on malformed input.
 */
int detect_optouts(det_builder *b, const tgpl_engine *e, const text_view *t);
/* The same with an explicit table (NULL: the built-in list, and the rider
 * pattern compiled for each blob that passes the prefilter: slower). */
int detect_optouts_with(det_builder *b, const struct optout_data *d, const text_view *t);

#endif
