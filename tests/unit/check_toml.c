/* check_toml.c — the strict TOML reader (src/util/toml.c). */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/toml.h"
#include "util/util.h"

static toml_node *parse_ok(const char *s)
{
	toml_node *root = NULL;
	toml_error err;
	int rc = toml_parse(&root, s, strlen(s), &err);

	ck_assert_msg(rc == 0, "parse failed (%d) at line %u: %s", rc, err.line, err.msg);
	ck_assert_ptr_nonnull(root);
	return root;
}

/* Parse must fail with `code` on `line`; returns the message for further checks. */
static void parse_fails(const char *s, size_t len, int code, uint32_t line)
{
	toml_node *root = NULL;
	toml_error err;
	int rc = toml_parse(&root, s, len, &err);

	ck_assert_msg(rc == code, "expected %d, got %d for <%s>", code, rc, s);
	ck_assert_ptr_null(root);
	ck_assert_msg(err.line == line, "expected line %u, got %u (%s)", line, err.line, err.msg);
	ck_assert_msg(err.msg[0] != '\0', "no message");
}

static void fails(const char *s, uint32_t line)
{
	parse_fails(s, strlen(s), TGPL_EINVAL, line);
}

static const char *str_at(const toml_node *root, const char *path)
{
	const toml_node *n = toml_get(root, path);

	ck_assert_msg(n != NULL, "no key %s", path);
	ck_assert_msg(n->type == TOML_STRING, "%s is a %s", path, toml_type_name(n->type));
	return n->str;
}

START_TEST(tables_and_dotted_lookup_give_values_and_lines)
{
	toml_node *r = parse_ok("# a Cargo manifest\n"
				"[package]\n"
				"name = \"tgpl\"\n"
				"license = \"MIT OR Apache-2.0\"\n"
				"\n"
				"[dependencies.serde]\n"
				"version = \"1\"\n");
	const toml_node *lic = toml_get(r, "package.license");

	ck_assert_ptr_nonnull(lic);
	ck_assert_int_eq(lic->type, TOML_STRING);
	ck_assert_str_eq(lic->str, "MIT OR Apache-2.0");
	ck_assert_uint_eq(lic->len, 17);
	ck_assert_uint_eq(lic->line, 4);
	ck_assert_str_eq(lic->key, "license");
	ck_assert_uint_eq(toml_get(r, "package")->line, 2);
	ck_assert_str_eq(str_at(r, "dependencies.serde.version"), "1");
	ck_assert_uint_eq(toml_get(r, "dependencies")->type, TOML_TABLE);
	ck_assert_ptr_null(toml_get(r, "package.missing"));
	ck_assert_ptr_null(toml_get(r, "package.license.deeper"));
	ck_assert_ptr_null(toml_get(r, "nothing.at.all"));
	/* Members keep document order. */
	ck_assert_uint_eq(r->n_items, 2);
	ck_assert_str_eq(r->items[0]->key, "package");
	ck_assert_str_eq(r->items[1]->key, "dependencies");
	toml_free(r);
}
END_TEST

START_TEST(keys_bare_quoted_and_dotted)
{
	toml_node *r = parse_ok("bare-key_1 = 1\n"
				"\"quoted.key\" = 2\n"
				"'literal key' = 3\n"
				"a . b . \"c\" = 4\n"
				"\"\" = 5\n"
				"1234 = 6\n");
	const toml_node *n;

	ck_assert_int_eq(toml_get(r, "bare-key_1")->integer, 1);
	ck_assert_ptr_null(toml_get(r, "quoted.key"));
	ck_assert_int_eq(toml_child(r, "quoted.key", 10)->integer, 2);
	ck_assert_int_eq(toml_child(r, "literal key", 11)->integer, 3);
	ck_assert_int_eq(toml_get(r, "a.b.c")->integer, 4);
	n = toml_child(r, "", 0);
	ck_assert_ptr_nonnull(n);
	ck_assert_int_eq(n->integer, 5);
	ck_assert_int_eq(toml_get(r, "1234")->integer, 6);
	toml_free(r);
}
END_TEST

START_TEST(basic_strings_decode_every_escape)
{
	toml_node *r = parse_ok("s = \"tab\\there \\\"q\\\" back\\\\ \\b\\f\\r\\n\"\n"
				"u = \"\\u00e9\\U0001F600\"\n"
				"nul = \"a\\u0000b\"\n"
				"empty = \"\"\n"
				"utf8 = \"caf\xc3\xa9\"\n");
	const toml_node *nul = toml_get(r, "nul");

	ck_assert_str_eq(str_at(r, "s"), "tab\there \"q\" back\\ \b\f\r\n");
	ck_assert_str_eq(str_at(r, "u"), "\xc3\xa9\xf0\x9f\x98\x80");
	ck_assert_uint_eq(nul->len, 3);
	ck_assert_int_eq(memcmp(nul->str, "a\0b", 3), 0);
	ck_assert_str_eq(str_at(r, "empty"), "");
	ck_assert_str_eq(str_at(r, "utf8"), "caf\xc3\xa9");
	toml_free(r);
}
END_TEST

START_TEST(literal_and_multiline_strings)
{
	toml_node *r = parse_ok("lit = 'C:\\Users\\x'\n"
				"ml = \"\"\"\nline one\nline two\"\"\"\n"
				"trim = \"\"\"\\\n    The quick \\\n\n    fox.\\\n    \"\"\"\n"
				"quotes = \"\"\"Here are two quotes: \"\". \"\"\"\"\"\n"
				"mllit = '''\nfirst\n  raw \\n '' '''\n"
				"crlf = \"\"\"a\r\nb\"\"\"\n"
				"after = 1\n");

	ck_assert_str_eq(str_at(r, "lit"), "C:\\Users\\x");
	ck_assert_str_eq(str_at(r, "ml"), "line one\nline two");
	ck_assert_uint_eq(toml_get(r, "ml")->line, 2);
	ck_assert_str_eq(str_at(r, "trim"), "The quick fox.");
	ck_assert_str_eq(str_at(r, "quotes"), "Here are two quotes: \"\". \"\"");
	ck_assert_str_eq(str_at(r, "mllit"), "first\n  raw \\n '' ");
	ck_assert_str_eq(str_at(r, "crlf"), "a\nb");
	ck_assert_uint_eq(toml_get(r, "after")->line, 16);
	toml_free(r);
}
END_TEST

START_TEST(integers_in_every_base_with_limits)
{
	toml_node *r = parse_ok("a = 42\nb = -17\nc = +99\nd = 1_000_000\ne = 0\n"
				"h = 0xDEAD_beef\no = 0o755\nbi = 0b1101\n"
				"max = 9223372036854775807\nmin = -9223372036854775808\n");

	ck_assert_int_eq(toml_get(r, "a")->integer, 42);
	ck_assert_int_eq(toml_get(r, "b")->integer, -17);
	ck_assert_int_eq(toml_get(r, "c")->integer, 99);
	ck_assert_int_eq(toml_get(r, "d")->integer, 1000000);
	ck_assert_int_eq(toml_get(r, "e")->integer, 0);
	ck_assert_int_eq(toml_get(r, "h")->integer, 0xdeadbeef);
	ck_assert_int_eq(toml_get(r, "o")->integer, 0755);
	ck_assert_int_eq(toml_get(r, "bi")->integer, 13);
	ck_assert_int_eq(toml_get(r, "max")->integer, INT64_MAX);
	ck_assert_int_eq(toml_get(r, "min")->integer, INT64_MIN);
	ck_assert_int_eq(toml_get(r, "a")->type, TOML_INTEGER);
	toml_free(r);
	fails("a = 9223372036854775808\n", 1);
	fails("a = 012\n", 1);
	fails("a = 1__0\n", 1);
	fails("a = _1\n", 1);
	fails("a = 1_\n", 1);
	fails("a = -0x10\n", 1);
	fails("a = 0xg\n", 1);
	fails("a = 0b102\n", 1);
}
END_TEST

START_TEST(floats_and_booleans)
{
	toml_node *r = parse_ok("f = 3.1415\ng = -0.01\nh = 5e+22\ni = 6.626e-34\n"
				"j = 1_000.000_1\nk = inf\nl = -inf\nm = nan\nt = true\nu = false\n");

	ck_assert_int_eq(toml_get(r, "f")->type, TOML_FLOAT);
	ck_assert_double_eq_tol(toml_get(r, "f")->number, 3.1415, 1e-12);
	ck_assert_double_eq_tol(toml_get(r, "g")->number, -0.01, 1e-12);
	ck_assert_double_eq_tol(toml_get(r, "h")->number, 5e22, 1e10);
	ck_assert_double_eq_tol(toml_get(r, "i")->number, 6.626e-34, 1e-40);
	ck_assert_double_eq_tol(toml_get(r, "j")->number, 1000.0001, 1e-9);
	ck_assert(isinf(toml_get(r, "k")->number) && toml_get(r, "k")->number > 0);
	ck_assert(isinf(toml_get(r, "l")->number) && toml_get(r, "l")->number < 0);
	ck_assert(isnan(toml_get(r, "m")->number));
	ck_assert_int_eq(toml_get(r, "t")->type, TOML_BOOL);
	ck_assert_int_eq(toml_get(r, "t")->integer, 1);
	ck_assert_int_eq(toml_get(r, "u")->integer, 0);
	toml_free(r);
	fails("a = 1.\n", 1);
	fails("a = .5\n", 1);
	fails("a = 1e\n", 1);
	fails("a = 1.e5\n", 1);
	fails("a = True\n", 1);
	fails("a = truely\n", 1);
	fails("a = infinity\n", 1);
}
END_TEST

START_TEST(dates_and_times_are_kept_as_written)
{
	toml_node *r = parse_ok("odt = 1979-05-27T07:32:00Z\n"
				"odt2 = 1979-05-27T00:32:00.999999-07:00\n"
				"spc = 1979-05-27 07:32:00\n"
				"ld = 2024-02-29\n"
				"lt = 07:32:00.5\n"
				"next = 1\n");

	ck_assert_int_eq(toml_get(r, "odt")->type, TOML_DATETIME);
	ck_assert_str_eq(toml_get(r, "odt")->str, "1979-05-27T07:32:00Z");
	ck_assert_str_eq(toml_get(r, "odt2")->str, "1979-05-27T00:32:00.999999-07:00");
	ck_assert_str_eq(toml_get(r, "spc")->str, "1979-05-27 07:32:00");
	ck_assert_str_eq(toml_get(r, "ld")->str, "2024-02-29");
	ck_assert_str_eq(toml_get(r, "lt")->str, "07:32:00.5");
	ck_assert_int_eq(toml_get(r, "next")->integer, 1);
	toml_free(r);
	fails("d = 2023-02-29\n", 1);
	fails("d = 2023-13-01\n", 1);
	fails("d = 1979-05-27T25:00:00\n", 1);
	fails("d = 1979-05-27T07:32\n", 1);
	fails("d = 07:32\n", 1);
	fails("d = 1979-05-27X\n", 1);
}
END_TEST

START_TEST(arrays_nested_multiline_trailing_comma)
{
	toml_node *r = parse_ok("a = [ 1, 2, 3 ]\n"
				"b = [\n"
				"  \"x\",  # a comment\n"
				"  'y',\n"
				"\n"
				"]\n"
				"c = [[1, 2], [\"a\", [true]], []]\n"
				"d = []\n"
				"mixed = [1, \"two\", 3.0, {k = 4}]\n");
	const toml_node *a = toml_get(r, "a"), *b = toml_get(r, "b"), *c = toml_get(r, "c");
	const toml_node *m = toml_get(r, "mixed");

	ck_assert_int_eq(a->type, TOML_ARRAY);
	ck_assert_uint_eq(a->n_items, 3);
	ck_assert_int_eq(a->items[2]->integer, 3);
	ck_assert_ptr_null(a->items[0]->key);
	ck_assert_uint_eq(b->n_items, 2);
	ck_assert_str_eq(b->items[0]->str, "x");
	ck_assert_uint_eq(b->items[0]->line, 3);
	ck_assert_str_eq(b->items[1]->str, "y");
	ck_assert_uint_eq(b->items[1]->line, 4);
	ck_assert_uint_eq(c->n_items, 3);
	ck_assert_uint_eq(c->items[1]->items[1]->items[0]->integer, 1);
	ck_assert_uint_eq(c->items[2]->n_items, 0);
	ck_assert_uint_eq(toml_get(r, "d")->n_items, 0);
	ck_assert_int_eq(toml_child(m->items[3], "k", 1)->integer, 4);
	ck_assert_uint_eq(toml_get(r, "mixed")->line, 9);
	toml_free(r);
	fails("a = [1,,2]\n", 1);
	fails("a = [,]\n", 1);
	fails("a = [1 2]\n", 1);
	fails("a = [1,\n2\n", 3);
}
END_TEST

START_TEST(inline_tables_are_closed_after_definition)
{
	toml_node *r = parse_ok("name = { first = \"Tom\", last = \"Preston-Werner\" }\n"
				"point = {x = 1, y.z = 2}\n"
				"empty = {}\n"
				"nested = { a = { b = [ { c = 'd' } ] } }\n");

	ck_assert_str_eq(str_at(r, "name.last"), "Preston-Werner");
	ck_assert_int_eq(toml_get(r, "point.y.z")->integer, 2);
	ck_assert_uint_eq(toml_get(r, "empty")->n_items, 0);
	ck_assert_str_eq(toml_get(r, "nested.a.b")->items[0]->items[0]->str, "d");
	toml_free(r);
	fails("a = {x = 1}\na.y = 2\n", 2);
	fails("a = {x = 1}\n[a]\n", 2);
	fails("a = {x = 1}\n[a.b]\n", 2);
	fails("a = {x.y = 1}\n[a.x.z]\n", 2);
	fails("a = {x = 1,}\n", 1);
	fails("a = {x = 1\n}\n", 1);
	fails("a = {x = 1, x = 2}\n", 1);
	fails("a = {x = 1 # no comments\n}\n", 1);
}
END_TEST

START_TEST(arrays_of_tables_collect_elements)
{
	toml_node *r = parse_ok("version = 1\n"
				"[[annotations]]\n"
				"path = \"src/**\"\n"
				"SPDX-License-Identifier = \"MIT\"\n"
				"\n"
				"[[annotations]]\n"
				"path = [\"docs/**\", \"*.md\"]\n"
				"SPDX-License-Identifier = \"CC-BY-4.0\"\n"
				"[annotations.extra]\n"
				"x = 1\n"
				"[[annotations.sub]]\n"
				"y = 2\n");
	const toml_node *a = toml_get(r, "annotations");

	ck_assert_int_eq(a->type, TOML_ARRAY);
	ck_assert_uint_eq(a->n_items, 2);
	ck_assert_uint_eq(a->items[0]->line, 2);
	ck_assert_uint_eq(a->items[1]->line, 6);
	ck_assert_str_eq(toml_get(a->items[0], "SPDX-License-Identifier")->str, "MIT");
	ck_assert_uint_eq(toml_get(a->items[0], "SPDX-License-Identifier")->line, 4);
	ck_assert_uint_eq(toml_get(a->items[1], "path")->n_items, 2);
	ck_assert_int_eq(toml_get(a->items[1], "extra.x")->integer, 1);
	ck_assert_int_eq(toml_get(a->items[1], "sub")->items[0]->items[0]->integer, 2);
	ck_assert_ptr_null(toml_get(a->items[0], "extra"));
	toml_free(r);
	fails("a = []\n[[a]]\n", 2);
	fails("[[a]]\n[a]\n", 2);
	fails("[a]\n[[a]]\n", 2);
	fails("[[a]\n", 1);
	fails("[ [a]]\n", 1);
}
END_TEST

START_TEST(table_definition_rules_follow_the_spec)
{
	/* Valid: super-table after sub-table; sub-table of a dotted table. */
	toml_node *r = parse_ok("[x.y.z.w]\na = 1\n[x]\nb = 2\n"
				"[fruit]\napple.color = 'red'\napple.taste.sweet = true\n"
				"[fruit.apple.texture]\nsmooth = true\n");

	ck_assert_int_eq(toml_get(r, "x.y.z.w.a")->integer, 1);
	ck_assert_int_eq(toml_get(r, "x.b")->integer, 2);
	ck_assert_uint_eq(toml_get(r, "x")->line, 3);
	ck_assert_int_eq(toml_get(r, "fruit.apple.texture.smooth")->integer, 1);
	toml_free(r);
	fails("a = 1\na = 2\n", 2);
	fails("[a]\nb = 1\n[a]\nc = 2\n", 3);
	fails("[a]\nb = 1\n[a.b]\n", 3);
	fails("[fruit]\napple.color = 'red'\n[fruit.apple]\n", 3);
	fails("[fruit]\napple.taste.sweet = true\n[fruit.apple.taste]\n", 3);
	fails("[a.b.c]\nz = 9\n[a]\nb.c.t = 1\n", 4);
	fails("a.b = 1\na = 2\n", 2);
	fails("a = 1\na.b = 2\n", 2);
	fails("[]\n", 1);
	fails("[a.]\n", 1);
}
END_TEST

START_TEST(comments_crlf_and_bom_are_accepted)
{
	toml_node *r = parse_ok("\xef\xbb\xbf# header\r\n"
				"[t] # comment after header\r\n"
				"k = \"v\" # comment after value\r\n"
				"  # indented comment\r\n"
				"\tj = 'w'\r\n");

	ck_assert_str_eq(str_at(r, "t.k"), "v");
	ck_assert_str_eq(str_at(r, "t.j"), "w");
	ck_assert_uint_eq(toml_get(r, "t.j")->line, 5);
	toml_free(r);
}
END_TEST

START_TEST(malformed_input_is_rejected_with_its_line)
{
	fails("a = 1\nb 2\n", 2);
	fails("a = \"unterminated\nb = 1\n", 1);
	fails("x = 1\na = \"\"\"never closed\n\n\n", 2);
	fails("a = '''x''''''\n", 1);
	fails("a = \"bad \\q escape\"\n", 1);
	fails("a = \"\\uD800\"\n", 1);
	fails("a = \"\\u12\"\n", 1);
	fails("a = \"tab\\e\"\n", 1);
	fails("a = 1 b = 2\n", 1);
	fails("a =\n", 1);
	fails("= 1\n", 1);
	fails("a = 'ctl\x01'\n", 1);
	fails("# comment with \x7f\n", 1);
	fails("a = 1\rb = 2\n", 1);
	fails("[a\nb = 1\n", 1);
	fails("a.\"b\nc\" = 1\n", 1);
	fails("a = \"\"\"x\"\"\"\"\"\"\n", 1);
	fails("\n\na = [1,\n2,\n{x=1}, 'a\n", 5);
}
END_TEST

START_TEST(hostile_bytes_fail_cleanly)
{
	static const char nul[] = "a = 1\nb = \"x\0y\"\n";
	static const char badutf[] = "a = 1\n# ok\nb = \"\xff\xfe\"\n";
	static const char overlong[] = "a = \"\xc0\xaf\"\n";

	parse_fails(nul, sizeof(nul) - 1, TGPL_EINVAL, 2);
	parse_fails(badutf, sizeof(badutf) - 1, TGPL_EINVAL, 3);
	parse_fails(overlong, sizeof(overlong) - 1, TGPL_EINVAL, 1);
}
END_TEST

START_TEST(empty_document_is_an_empty_table)
{
	toml_node *r = parse_ok("\n# nothing\n\n");

	ck_assert_int_eq(r->type, TOML_TABLE);
	ck_assert_uint_eq(r->n_items, 0);
	toml_free(r);
	toml_free(NULL);
}
END_TEST

START_TEST(caps_on_depth_size_and_count)
{
	tgpl_buf b = TGPL_BUF_INIT;
	toml_node *r = NULL;
	toml_error err;
	size_t i;

	/* Nesting: arrays, inline tables, dotted keys and headers. */
	ck_assert_int_eq(tgpl_buf_puts(&b, "a = "), 0);
	for (i = 0; i < 100000; i++)
		ck_assert_int_eq(tgpl_buf_putc(&b, '['), 0);
	ck_assert_int_eq(toml_parse(&r, b.ptr, b.len, &err), TGPL_ETOOBIG);
	ck_assert_ptr_null(r);
	tgpl_buf_clear(&b);
	ck_assert_int_eq(tgpl_buf_puts(&b, "a = "), 0);
	for (i = 0; i < 100; i++)
		ck_assert_int_eq(tgpl_buf_puts(&b, "{b = "), 0);
	ck_assert_int_eq(toml_parse(&r, b.ptr, b.len, &err), TGPL_ETOOBIG);
	tgpl_buf_clear(&b);
	ck_assert_int_eq(tgpl_buf_puts(&b, "[a"), 0);
	for (i = 0; i < 100; i++)
		ck_assert_int_eq(tgpl_buf_puts(&b, ".a"), 0);
	ck_assert_int_eq(tgpl_buf_puts(&b, "]\n"), 0);
	ck_assert_int_eq(toml_parse(&r, b.ptr, b.len, &err), TGPL_ETOOBIG);
	/* Nesting just under the cap is fine. */
	tgpl_buf_clear(&b);
	ck_assert_int_eq(tgpl_buf_puts(&b, "a = "), 0);
	for (i = 0; i < TOML_MAX_DEPTH - 1; i++)
		ck_assert_int_eq(tgpl_buf_putc(&b, '['), 0);
	for (i = 0; i < TOML_MAX_DEPTH - 1; i++)
		ck_assert_int_eq(tgpl_buf_putc(&b, ']'), 0);
	ck_assert_int_eq(toml_parse(&r, b.ptr, b.len, &err), 0);
	toml_free(r);
	r = NULL;
	/* Count: more values than TOML_MAX_NODES. */
	tgpl_buf_clear(&b);
	ck_assert_int_eq(tgpl_buf_puts(&b, "a = ["), 0);
	for (i = 0; i < TOML_MAX_NODES + 10; i++)
		ck_assert_int_eq(tgpl_buf_puts(&b, "1,"), 0);
	ck_assert_int_eq(tgpl_buf_puts(&b, "]\n"), 0);
	ck_assert_int_eq(toml_parse(&r, b.ptr, b.len, &err), TGPL_ETOOBIG);
	ck_assert_ptr_null(r);
	/* Size. */
	tgpl_buf_release(&b);
	ck_assert_int_eq(toml_parse(&r, "", TOML_MAX_SIZE + 1, &err), TGPL_ETOOBIG);
	ck_assert_ptr_null(r);
}
END_TEST

START_TEST(many_keys_in_one_table_parse_quickly)
{
	tgpl_buf b = TGPL_BUF_INIT;
	toml_node *r = NULL;
	toml_error err;
	size_t i;

	for (i = 0; i < 150000; i++)
		ck_assert_int_eq(tgpl_buf_printf(&b, "k%zu = %zu\n", i, i), 0);
	ck_assert_int_eq(toml_parse(&r, b.ptr, b.len, &err), 0);
	ck_assert_uint_eq(r->n_items, 150000);
	ck_assert_int_eq(toml_get(r, "k149999")->integer, 149999);
	toml_free(r);
	ck_assert_int_eq(tgpl_buf_puts(&b, "k77 = 1\n"), 0);
	ck_assert_int_eq(toml_parse(&r, b.ptr, b.len, &err), TGPL_EINVAL);
	ck_assert_uint_eq(err.line, 150001);
	tgpl_buf_release(&b);
}
END_TEST

START_TEST(allocation_failures_return_enomem)
{
	static const char doc[] = "[package]\nname = \"x\"\nlicense = \"MIT\"\n"
				  "a.b.c = [1, {d = 'e'}, \"\"\"f\"\"\"]\n[[t]]\n[t.u]\nv = 1\n";
	toml_node *r = NULL;
	toml_error err;
	long n;
	int rc, saw_nomem = 0;

	for (n = 1; n < 200; n++) {
		tgpl_alloc_fail_at(n);
		rc = toml_parse(&r, doc, sizeof(doc) - 1, &err);
		tgpl_alloc_fail_at(0);
		if (rc == 0) {
			ck_assert_str_eq(toml_get(r, "package.license")->str, "MIT");
			toml_free(r);
			r = NULL;
			break;
		}
		ck_assert_int_eq(rc, TGPL_ENOMEM);
		ck_assert_ptr_null(r);
		saw_nomem = 1;
	}
	ck_assert(saw_nomem);
	ck_assert_int_lt(n, 200);
}
END_TEST

START_TEST(null_error_pointer_is_allowed)
{
	toml_node *r = NULL;

	ck_assert_int_eq(toml_parse(&r, "a = ", 4, NULL), TGPL_EINVAL);
	ck_assert_ptr_null(r);
	ck_assert_str_eq(toml_type_name(TOML_DATETIME), "date-time");
}
END_TEST

static Suite *toml_suite(void)
{
	Suite *s = suite_create("toml");
	TCase *tc = tcase_create("parse");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, tables_and_dotted_lookup_give_values_and_lines);
	tcase_add_test(tc, keys_bare_quoted_and_dotted);
	tcase_add_test(tc, basic_strings_decode_every_escape);
	tcase_add_test(tc, literal_and_multiline_strings);
	tcase_add_test(tc, integers_in_every_base_with_limits);
	tcase_add_test(tc, floats_and_booleans);
	tcase_add_test(tc, dates_and_times_are_kept_as_written);
	tcase_add_test(tc, arrays_nested_multiline_trailing_comma);
	tcase_add_test(tc, inline_tables_are_closed_after_definition);
	tcase_add_test(tc, arrays_of_tables_collect_elements);
	tcase_add_test(tc, table_definition_rules_follow_the_spec);
	tcase_add_test(tc, comments_crlf_and_bom_are_accepted);
	tcase_add_test(tc, malformed_input_is_rejected_with_its_line);
	tcase_add_test(tc, hostile_bytes_fail_cleanly);
	tcase_add_test(tc, empty_document_is_an_empty_table);
	tcase_add_test(tc, caps_on_depth_size_and_count);
	tcase_add_test(tc, many_keys_in_one_table_parse_quickly);
	tcase_add_test(tc, allocation_failures_return_enomem);
	tcase_add_test(tc, null_error_pointer_is_allowed);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(toml_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
