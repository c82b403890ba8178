/*
 * spdx.h — SPDX licence expressions: parse, canonicalise, and turn into hits.
 *
 * Grammar (SPDX 2.3 annex D / 3.0 expressions):
 *   expr     := or-expr
 *   or-expr  := and-expr ("OR" and-expr)*
 *   and-expr := with-expr ("AND" with-expr)*
 *   with-expr:= simple ("WITH" exception-id)?
 *   simple   := license-id ["+"] | "LicenseRef-"idstring | "DocumentRef-"idstring":LicenseRef-"idstring
 *             | "(" expr ")"
 *   exception-id := exception id | "AdditionRef-"idstring | "DocumentRef-..:AdditionRef-.."
 * Operators are case-insensitive on input and printed upper case; ids are
 * matched case-insensitively against the engine and printed in canonical
 * case; deprecated ids are mapped (GPL-2.0 → GPL-2.0-only, GPL-2.0+ →
 * GPL-2.0-or-later).  Unknown ids are kept as written and reported.
 */
#ifndef TGPL_SPDX_H
#define TGPL_SPDX_H

#include "detect/detect_int.h"

/*
 * Parse the expression in s[0..n) and add to `b` one licence hit per id in
 * it (licences and exceptions alike), each with `expr` set to the canonical
 * expression, the given kind, lines and rule, score 1.0, and a note for
 * unknown or deprecated ids.  A malformed expression adds one hit with spdx
 * "NOASSERTION", score 0 and a note naming the problem.  Returns 0 or
 * TGPL_ENOMEM.
 */
int spdx_emit(det_builder *b, const tgpl_engine *e, const char *s, size_t n,
	      tgpl_kind kind, uint32_t start_line, uint32_t end_line, const char *rule);

/*
 * Canonicalise an expression: *out gets the canonical text (caller frees).
 * Returns 0, TGPL_EINVAL if malformed (with a message in err[errlen]), or
 * TGPL_ENOMEM.  Unknown ids do not fail; they are kept as written.
 */
int spdx_canonical(char **out, const tgpl_engine *e, const char *s, size_t n,
		   char *err, size_t errlen);

#endif
