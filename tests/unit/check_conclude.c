/*
 * check_conclude.c — how a file's licence is concluded (DESIGN.md §1): the
 * file's own evidence, a REUSE sidecar or annotation, the nearest licence
 * file above it, the root package metadata; and the revision's declared
 * licence.  Repositories are built at run time and scanned by $TGPL_BIN.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "support.h"

/* Scan `repo` into tmp/<db>; return the database path (caller frees). */
static char *scan(const char *repo, const char *db)
{
	char *path = e2e_path(e2e_tmp, db);
	e2e_run r;

	e2e_tgpl(&r, NULL, "--quiet", "scan", "--db", path, repo, (char *)NULL);
	ck_assert_msg(r.status == 0, "scan failed (%d): %s", r.status, r.err);
	e2e_run_release(&r);
	return path;
}

/* "path\tconcluded\tdecided_by" for every file of the only revision. */
static void conclusions(e2e_list *out, const char *db)
{
	e2e_db_rows(out, db,
		    "SELECT CAST(path AS TEXT), coalesce(concluded, '-'), coalesce(decided_by, '-')"
		    " FROM files WHERE type = 'file'", (char *)NULL);
}

START_TEST(own_tags_win_then_the_nearest_licence_file_above)
{
	char *repo = e2e_mkdtemp("repo"), *db, *declared;
	e2e_list got = E2E_LIST_INIT, want = E2E_LIST_INIT;

	e2e_git_init(repo);
	e2e_write_str(repo, "LICENSE", "SPDX-License-Identifier: MIT\n");
	e2e_write_str(repo, "src/a.c", "int a;\n");
	e2e_write_str(repo, "src/b.c", "// SPDX-License-Identifier: Apache-2.0\nint b;\n");
	e2e_write_str(repo, "vendor/x/LICENSE", "SPDX-License-Identifier: BSD-3-Clause\n");
	e2e_write_str(repo, "vendor/x/y/z.c", "int z;\n");
	e2e_write_str(repo, "vendor/w.c", "int w;\n");
	free(e2e_git_commit_all(repo, "one"));
	db = scan(repo, "t.db");
	conclusions(&got, db);
	e2e_list_add(&want, "LICENSE\tMIT\town");
	e2e_list_add(&want, "src/a.c\tMIT\tlicense-file:LICENSE");
	e2e_list_add(&want, "src/b.c\tApache-2.0\town");
	e2e_list_add(&want, "vendor/x/LICENSE\tBSD-3-Clause\town");
	e2e_list_add(&want, "vendor/x/y/z.c\tBSD-3-Clause\tlicense-file:vendor/x/LICENSE");
	e2e_list_add(&want, "vendor/w.c\tMIT\tlicense-file:LICENSE");
	e2e_list_assert_eq(&got, &want, "conclusions");
	declared = e2e_db_str(db, "SELECT declared FROM revisions", (char *)NULL);
	ck_assert_str_eq(declared, "MIT");
	free(declared);
	e2e_list_release(&got);
	e2e_list_release(&want);
	free(db);
	free(repo);
}
END_TEST

START_TEST(root_metadata_decides_when_no_licence_file_covers_a_file)
{
	char *repo = e2e_mkdtemp("repo"), *db, *declared;
	e2e_list got = E2E_LIST_INIT, want = E2E_LIST_INIT;

	e2e_git_init(repo);
	e2e_write_str(repo, "package.json", "{\n  \"name\": \"x\",\n  \"license\": \"ISC\"\n}\n");
	e2e_write_str(repo, "lib/index.js", "module.exports = 1;\n");
	free(e2e_git_commit_all(repo, "one"));
	db = scan(repo, "t.db");
	conclusions(&got, db);
	e2e_list_add(&want, "package.json\tISC\town");
	e2e_list_add(&want, "lib/index.js\tISC\tmetadata:package.json");
	e2e_list_assert_eq(&got, &want, "conclusions");
	declared = e2e_db_str(db, "SELECT declared FROM revisions", (char *)NULL);
	ck_assert_str_eq(declared, "ISC");
	free(declared);
	e2e_list_release(&got);
	e2e_list_release(&want);
	free(db);
	free(repo);
}
END_TEST

/* COPYING (GPL-3.0) beside COPYING.LESSER (LGPL-3.0) is how the LGPL is shipped: LGPL-3.0. */
START_TEST(gpl_3_text_beside_lgpl_3_text_is_the_lgpl)
{
	char *repo = e2e_mkdtemp("repo"), *db, *declared, *gpl, *lgpl;
	e2e_list got = E2E_LIST_INIT, want = E2E_LIST_INIT;

	e2e_git_init(repo);
	gpl = e2e_license_text("GPL-3.0-only", NULL);
	lgpl = e2e_license_text("LGPL-3.0-only", NULL);
	e2e_write_str(repo, "COPYING", gpl);
	e2e_write_str(repo, "COPYING.LESSER", lgpl);
	e2e_write_str(repo, "src/lib.c", "int lib;\n");
	free(gpl);
	free(lgpl);
	free(e2e_git_commit_all(repo, "one"));
	db = scan(repo, "t.db");
	conclusions(&got, db);
	e2e_list_add(&want, "COPYING\tGPL-3.0-only\town");
	e2e_list_add(&want, "COPYING.LESSER\tLGPL-3.0-only\town");
	e2e_list_add(&want, "src/lib.c\tLGPL-3.0-only\tlicense-file:COPYING.LESSER");
	e2e_list_assert_eq(&got, &want, "conclusions");
	declared = e2e_db_str(db, "SELECT declared FROM revisions", (char *)NULL);
	ck_assert_str_eq(declared, "LGPL-3.0-only");
	free(declared);
	e2e_list_release(&got);
	e2e_list_release(&want);
	free(db);
	free(repo);
}
END_TEST

START_TEST(reuse_sidecars_and_annotations_cover_files_without_their_own)
{
	char *repo = e2e_mkdtemp("repo"), *db;
	e2e_list got = E2E_LIST_INIT, want = E2E_LIST_INIT;

	e2e_git_init(repo);
	e2e_write_str(repo, "REUSE.toml",
		      "version = 1\n\n[[annotations]]\npath = \"src/**\"\n"
		      "SPDX-License-Identifier = \"Apache-2.0\"\n\n[[annotations]]\n"
		      "path = \"docs/*.md\"\nSPDX-License-Identifier = \"CC-BY-4.0\"\n");
	e2e_write_str(repo, "src/a/x.c", "int x;\n");
	e2e_write_str(repo, "src/own.c", "// SPDX-License-Identifier: MIT\n");
	e2e_write_str(repo, "docs/r.md", "# doc\n");
	e2e_write_str(repo, "docs/deep/n.md", "# not matched by docs/*.md\n");
	e2e_write_str(repo, "logo.svg", "<svg/>\n");
	e2e_write_str(repo, "logo.svg.license", "SPDX-License-Identifier: CC0-1.0\n");
	free(e2e_git_commit_all(repo, "one"));
	db = scan(repo, "t.db");
	conclusions(&got, db);
	e2e_list_add(&want, "REUSE.toml\t-\t-");
	e2e_list_add(&want, "src/a/x.c\tApache-2.0\treuse:REUSE.toml:src/**");
	e2e_list_add(&want, "src/own.c\tMIT\town");
	e2e_list_add(&want, "docs/r.md\tCC-BY-4.0\treuse:REUSE.toml:docs/*.md");
	e2e_list_add(&want, "docs/deep/n.md\t-\t-");
	e2e_list_add(&want, "logo.svg\tCC0-1.0\tsidecar:logo.svg.license");
	e2e_list_add(&want, "logo.svg.license\tCC0-1.0\town");
	e2e_list_assert_eq(&got, &want, "conclusions");
	e2e_list_release(&got);
	e2e_list_release(&want);
	free(db);
	free(repo);
}
END_TEST

START_TEST(licence_file_names_are_recognised_and_programs_are_not)
{
	static const char *yes[] = { "LICENSE", "LICENSE.md", "license.txt", "LICENCE", "COPYING",
				     "COPYING.LESSER", "LICENSE-MIT", "LICENSE_APACHE", "UNLICENSE",
				     "MIT-LICENSE", "mit_license.txt", "BSD-LICENSE.md" };
	static const char *no[] = { "README", "license_check.py", "licenses.json", "LICENSE.go",
				    "copyright.c", "unlicensed-notes-about-everything-here.md",
				    "90-see-license.rules", "" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		ck_assert_msg(conclude_is_license_name(yes[i], strlen(yes[i])), "%s", yes[i]);
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		ck_assert_msg(!conclude_is_license_name(no[i], strlen(no[i])), "%s", no[i]);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("conclude (end to end)");
	SRunner *sr;
	int failed;

	e2e_add_test(s, own_tags_win_then_the_nearest_licence_file_above, 120);
	e2e_add_test(s, root_metadata_decides_when_no_licence_file_covers_a_file, 120);
	e2e_add_test(s, gpl_3_text_beside_lgpl_3_text_is_the_lgpl, 120);
	e2e_add_test(s, reuse_sidecars_and_annotations_cover_files_without_their_own, 120);
	e2e_add_test(s, licence_file_names_are_recognised_and_programs_are_not, 60);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
