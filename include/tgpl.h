/*
 * tgpl.h — the public API of libtgpl, the library behind the tgpl command.
 *
 * A scan walks git repositories or directories (walk), detects licences,
 * training clauses and opt-outs in every distinct blob (detect), and records
 * everything in SQLite keyed by blob id (store).  Each module has its own
 * header under tgpl/; this umbrella includes them all.
 *
 * Conventions (as libgit2): functions return 0 or a negative TGPL_E* code;
 * the message of the last failure is on the context (tgpl_errmsg()); a single
 * out-parameter is named `out`, comes first, and is written only on success;
 * every _free() accepts NULL.  The library never prints and never aborts.
 */
#ifndef TGPL_H
#define TGPL_H

#include "tgpl/common.h"
#include "tgpl/detect.h"
#include "tgpl/db.h"
#include "tgpl/scan.h"
#include "tgpl/report.h"
#include "tgpl/obligations.h"
#include "tgpl/history.h"

#endif
