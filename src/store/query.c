/* query.c — read-side queries over the database for the tool and reports. */
#include <string.h>

#include "store/store.h"
#include "util/util.h"

int tgpl_db_license_counts(tgpl_db *db, const char *repo_path, const char *commit,
			   const char *engine, tgpl_count_cb cb, void *payload)
{
	static const char sql[] =
		"SELECT CASE WHEN a.skipped IS NOT NULL THEN '(skipped: ' || a.skipped || ')'"
		"            WHEN a.expression IS NULL THEN '(none)' ELSE a.expression END AS label,"
		"       count(*) AS n"
		" FROM files f JOIN revisions v ON v.id = f.rev_id"
		" JOIN repositories r ON r.id = v.repo_id"
		" LEFT JOIN analyses a ON a.blob_id = f.oid AND a.engine = ?3"
		" WHERE r.path = ?1 AND v.rev_key = ?2 AND f.type = 'file'"
		" GROUP BY label ORDER BY n DESC, label";
	/* The revision just scanned whole on this connection: counted as it was walked. */
	static const char held[] = "SELECT label, n FROM temp.counts ORDER BY n DESC, label";
	const char *rev_key = commit ? commit : "dir";
	int from_scan = store_counts_hold(db, repo_path, rev_key, engine);
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sqlite3_prepare_v2(db->sql, from_scan ? held : sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_error(db, rc, "counting licences");
	if (!from_scan) {
		sqlite3_bind_blob(st, 1, repo_path, (int)strlen(repo_path), SQLITE_STATIC);
		sqlite3_bind_text(st, 2, rev_key, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, engine, -1, SQLITE_STATIC);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (cb((const char *)sqlite3_column_text(st, 0), sqlite3_column_int64(st, 1), payload)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_error(db, rc, "counting licences");
}
