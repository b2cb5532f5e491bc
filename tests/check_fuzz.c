/*
 * check_fuzz.c: the fuzz targets of tests/fuzz/, replayed without
 * libFuzzer on their seed corpora and on every input that once broke a
 * property (tests/fuzz/regress/), so that each crash found stays fixed
 * in the normal test run, under the sanitizers and under valgrind. A few
 * of those findings are also spelled out as plain assertions.
 */
#define FUZZ_REPLAY 1

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LLVMFuzzerInitialize fuzz_doc_init
#define LLVMFuzzerTestOneInput fuzz_doc_one
#include "tests/fuzz/fuzz_doc.c"
#undef LLVMFuzzerInitialize
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_yaml_one
#include "tests/fuzz/fuzz_yaml.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_markdown_one
#include "tests/fuzz/fuzz_markdown.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerInitialize fuzz_query_init
#define LLVMFuzzerTestOneInput fuzz_query_one
#include "tests/fuzz/fuzz_query.c"
#undef LLVMFuzzerInitialize
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_id_one
#include "tests/fuzz/fuzz_id.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_values_one
#include "tests/fuzz/fuzz_values.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_settings_one
#include "tests/fuzz/fuzz_settings.c"
#undef LLVMFuzzerTestOneInput

typedef int (*one_fn)(const uint8_t *data, size_t size);

/* Runs one() on every file of dir; returns how many there were (0 when
 * the folder is missing). */
static size_t replay_dir(const char *dir, one_fn one)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char path[1024], *text;
		size_t len;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		ck_assert_msg(archive_file_slurp(&text, &len, path) == 0,
			      "cannot read %s", path);
		one((const uint8_t *)text, len);
		free(text);
		n++;
	}
	closedir(d);
	return n;
}

static void replay(const char *target, one_fn one)
{
	char dir[256];
	size_t n;

	snprintf(dir, sizeof(dir), "tests/fuzz/corpus/%s", target);
	n = replay_dir(dir, one);
	ck_assert_msg(n > 0, "%s: no seed corpus", dir);
	snprintf(dir, sizeof(dir), "tests/fuzz/regress/%s", target);
	replay_dir(dir, one);
}

START_TEST(test_replay_doc)
{
	fuzz_doc_init(NULL, NULL);
	replay("fuzz_doc", fuzz_doc_one);
	archive_vocab_free(doc_vocab);
	doc_vocab = NULL;
}
END_TEST

START_TEST(test_replay_yaml)
{
	replay("fuzz_yaml", fuzz_yaml_one);
}
END_TEST

START_TEST(test_replay_markdown)
{
	replay("fuzz_markdown", fuzz_markdown_one);
}
END_TEST

START_TEST(test_replay_query)
{
	fuzz_query_init(NULL, NULL);
	replay("fuzz_query", fuzz_query_one);
	sqlite3_finalize(query_match);
	sqlite3_close(query_db);
	query_match = NULL;
	query_db = NULL;
}
END_TEST

START_TEST(test_replay_id)
{
	replay("fuzz_id", fuzz_id_one);
}
END_TEST

START_TEST(test_replay_values)
{
	replay("fuzz_values", fuzz_values_one);
}
END_TEST

START_TEST(test_replay_settings)
{
	replay("fuzz_settings", fuzz_settings_one);
}
END_TEST

/* Found by fuzz_markdown: with old Mac line endings (a lone CR) the
 * passage markers were not lines to the stripper, but CommonMark
 * rendered the text between them. */
START_TEST(test_intern_cr_line_endings)
{
	const char *texts[] = {
		"Openbaar\r<!-- intern -->\rGEHEIM\r<!-- /intern -->\rmeer\r",
		"Openbaar\r\n<!-- intern -->\r\nGEHEIM\r\n<!-- /intern -->\r\n",
		"Openbaar\n<!-- intern -->\rGEHEIM\n<!-- /intern -->\nmeer",
	};

	for (size_t i = 0; i < sizeof(texts) / sizeof(*texts); i++) {
		char *out = NULL;

		ck_assert_int_eq(archive_text_strip_internal(&out, texts[i]), 0);
		ck_assert_msg(!strstr(out, "GEHEIM"), "text %zu leaks", i);
		ck_assert_msg(strstr(out, "Openbaar"), "text %zu lost", i);
		free(out);
	}
}
END_TEST

static int collect_mention(const char *id, void *ctx)
{
	struct sbuf *b = ctx;

	sb_puts(b, id);
	sb_puts(b, " ");
	return 0;
}

/* Found by fuzz_id: a short id at the end of a text was read past its
 * end, and citations of years before 1900 gave ids that are none. */
START_TEST(test_mentions_edges)
{
	struct sbuf b = { 0 };

	archive_text_mentions("zie 2026-04", "ECE", collect_mention, &b);
	archive_text_mentions("ECE:1013:4 en ECE:2026:4, 2025-001.", "ECE",
			      collect_mention, &b);
	ck_assert_str_eq(b.s, "2026-004 2025-001 ");
	sb_free(&b);
}
END_TEST

/* Found by fuzz_yaml: a null in a one-line action point was written as
 * '' and read back as an empty text. */
START_TEST(test_null_in_flow_map)
{
	const char *text = "actions:\n- what: Iets\n  owner:\n  done: ~\n"
			   "values: [a, ~]\n";
	archive_node *n = NULL, *again = NULL;
	char *yaml = NULL;
	size_t len;

	ck_assert_int_eq(archive_yaml_parse(&n, "a.yml", text, strlen(text), 1),
			 0);
	ck_assert_int_eq(archive_yaml_emit(&yaml, &len, n), 0);
	ck_assert_int_eq(archive_yaml_parse(&again, "b.yml", yaml, len, 1), 0);
	ck_assert_msg(yaml_same(n, again), "changed meaning: %s", yaml);
	ck_assert_ptr_null(archive_node_scalar(archive_node_get(
		archive_node_at(archive_node_get(again, "actions"), 0), "done")));
	archive_node_free(n);
	archive_node_free(again);
	free(yaml);
}
END_TEST

static Suite *fuzz_suite(void)
{
	Suite *s = suite_create("fuzz");
	TCase *tc = tcase_create("replay");

	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_replay_doc);
	tcase_add_test(tc, test_replay_yaml);
	tcase_add_test(tc, test_replay_markdown);
	tcase_add_test(tc, test_replay_query);
	tcase_add_test(tc, test_replay_id);
	tcase_add_test(tc, test_replay_values);
	tcase_add_test(tc, test_replay_settings);
	tcase_add_test(tc, test_intern_cr_line_endings);
	tcase_add_test(tc, test_mentions_edges);
	tcase_add_test(tc, test_null_in_flow_map);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(fuzz_suite());
	int failed;

	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
