/*
 * check_archive.c: the archive module: helpers, YAML nodes, documents,
 * opening and creating archives, reading snapshots, writing commits (with
 * retries, refusals and locks), history, dossiers, the publication rule
 * and validation. Every public error code is asserted somewhere here.
 */
#include "archive/archive.h"
#include "tests/fixture.h"

#include <check.h>
#include <fcntl.h>
#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- helpers ------------------------------------------------------------- */

START_TEST(error_channel)
{
	archive_error_clear();
	ck_assert_str_eq(archive_error_last(), "");
	ck_assert_int_eq(archive_error_code(), 0);
	ck_assert_int_eq(archive_error_set(ARCHIVE_EINVALID, "x: %s: %d", "y",
					   3),
			 ARCHIVE_EINVALID);
	ck_assert_str_eq(archive_error_last(), "x: y: 3");
	ck_assert_int_eq(archive_error_code(), ARCHIVE_EINVALID);
	archive_error_clear();
	ck_assert_str_eq(archive_error_last(), "");
}
END_TEST

START_TEST(utf8)
{
	int line = 0;

	ck_assert_int_eq(archive_utf8_check("financiële", 11, &line), 0);
	ck_assert_int_eq(archive_utf8_check("ok\nb\xffz", 6, &line),
			 ARCHIVE_EINVALID);
	ck_assert_int_eq(line, 2);
	/* overlong, surrogate, truncated, NUL */
	ck_assert_int_ne(archive_utf8_check("\xc0\xaf", 2, NULL), 0);
	ck_assert_int_ne(archive_utf8_check("\xed\xa0\x80", 3, NULL), 0);
	ck_assert_int_ne(archive_utf8_check("a\xe2\x82", 3, NULL), 0);
	ck_assert_int_ne(archive_utf8_check("a\0b", 3, NULL), 0);
	ck_assert_int_eq(archive_utf8_check("\xf0\x9f\x98\x80", 4, NULL), 0);
}
END_TEST

START_TEST(dates)
{
	int y, m, d;

	ck_assert_int_eq(archive_date_parse("2024-02-29", &y, &m, &d), 0);
	ck_assert_int_eq(y * 10000 + m * 100 + d, 20240229);
	ck_assert_int_eq(archive_date_parse("2025-02-29", 0, 0, 0),
			 ARCHIVE_EINVALID);
	ck_assert_int_eq(archive_date_parse("2025-02-30", 0, 0, 0),
			 ARCHIVE_EINVALID);
	ck_assert_int_eq(archive_date_parse("2100-02-29", 0, 0, 0),
			 ARCHIVE_EINVALID);
	ck_assert_int_eq(archive_date_parse("2000-02-29", 0, 0, 0), 0);
	ck_assert_int_ne(archive_date_parse("2026-1-05", 0, 0, 0), 0);
	ck_assert_int_ne(archive_date_parse("2026-13-01", 0, 0, 0), 0);
	ck_assert_int_ne(archive_date_parse("2026-04-31", 0, 0, 0), 0);
	ck_assert_int_ne(archive_date_parse("2026-04-01x", 0, 0, 0), 0);
	ck_assert_int_ne(archive_date_parse(NULL, 0, 0, 0), 0);
	ck_assert_int_eq(archive_date_days(1970, 1, 1), 0);
	ck_assert_int_eq(archive_date_days(2026, 3, 1) -
				 archive_date_days(2026, 2, 28),
			 1);
	ck_assert_int_eq(archive_date_days(2024, 3, 1) -
				 archive_date_days(2024, 2, 28),
			 2);
}
END_TEST

START_TEST(today_override)
{
	char today[11];

	setenv("MORES_TODAY", "2026-11-30", 1);
	archive_date_today(today);
	ck_assert_str_eq(today, "2026-11-30");
	setenv("MORES_TODAY", "2026-02-30", 1); /* not a date: ignored */
	archive_date_today(today);
	ck_assert_int_eq(archive_date_parse(today, 0, 0, 0), 0);
	ck_assert_str_ne(today, "2026-02-30");
	unsetenv("MORES_TODAY");
}
END_TEST

START_TEST(ids)
{
	int y, s;
	char *p;

	ck_assert_int_eq(archive_id_parse("2026-004", &y, &s), 0);
	ck_assert_int_eq(y, 2026);
	ck_assert_int_eq(s, 4);
	ck_assert_int_eq(archive_id_parse("2026-1234", &y, &s), 0);
	ck_assert_int_eq(s, 1234);
	static const char *const bad[] = { "26-1",      "2026-01",  "2026-0004",
					   "../../etc", "2026-001x", "2026_001",
					   "2026-000",  "",         "2026-001/.." };
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		ck_assert_msg(archive_id_parse(bad[i], 0, 0) == ARCHIVE_EINVALID,
			      "%s accepted", bad[i]);
	p = archive_id_dir("2026-004");
	ck_assert_str_eq(p, "dossiers/2026/2026-004");
	free(p);
	ck_assert_ptr_null(archive_id_dir("../x"));
	p = archive_id_citation("ECE", "2026-004");
	ck_assert_str_eq(p, "ECE:2026:4");
	free(p);
	p = archive_id_citation("ECE", "2021-1001");
	ck_assert_str_eq(p, "ECE:2021:1001");
	free(p);
}
END_TEST

/* ---- YAML and documents ---------------------------------------------------- */

START_TEST(yaml_parse)
{
	const char *text = "a: 1\nlist: [x, y]\nmap:\n  k: v\nnil:\nq: \"\"\n";
	archive_node *n;

	ck_assert_int_eq(archive_yaml_parse(&n, "f.yml", text, strlen(text), 1),
			 0);
	ck_assert_int_eq(archive_node_kind_of(n), ARCHIVE_NODE_MAP);
	ck_assert_str_eq(archive_node_get_scalar(n, "a"), "1");
	ck_assert_int_eq(archive_node_count(archive_node_get(n, "list")), 2);
	ck_assert_str_eq(archive_node_get_scalar(archive_node_get(n, "map"),
						 "k"),
			 "v");
	ck_assert_ptr_nonnull(archive_node_get(n, "nil"));
	ck_assert_ptr_null(archive_node_get_scalar(n, "nil"));
	ck_assert_str_eq(archive_node_get_scalar(n, "q"), "");
	ck_assert_int_eq(archive_node_line(archive_node_get(n, "map")), 4);
	archive_node_free(n);
}
END_TEST

START_TEST(yaml_errors)
{
	archive_node *n;
	const char *dup = "a: 1\nb: 2\na: 3\n";
	const char *alias = "a: &x 1\nb: *x\n";
	const char *broken = "a: 1\nb: [unclosed\nc: 2\n";
	char deep[400] = "";

	ck_assert_int_eq(archive_yaml_parse(&n, "f.md", dup, strlen(dup), 2),
			 ARCHIVE_EINVALID);
	ck_assert_ptr_null(n);
	ck_assert_ptr_nonnull(strstr(archive_error_last(), "f.md:4"));
	ck_assert_ptr_nonnull(strstr(archive_error_last(), "duplicate key 'a'"));
	ck_assert_int_eq(archive_yaml_parse(&n, "f", alias, strlen(alias), 1),
			 ARCHIVE_EINVALID);
	ck_assert_int_eq(archive_yaml_parse(&n, "f", broken, strlen(broken), 1),
			 ARCHIVE_EINVALID);
	ck_assert_ptr_nonnull(strstr(archive_error_last(), "f:"));
	for (int i = 0; i < 100; i++)
		strcat(deep, "[");
	ck_assert_int_eq(archive_yaml_parse(&n, "f", deep, strlen(deep), 1),
			 ARCHIVE_EINVALID);
	ck_assert_ptr_nonnull(strstr(archive_error_last(), "deeply"));
}
END_TEST

START_TEST(yaml_roundtrip)
{
	static const char *const tricky[] = {
		"a: b", "# not a comment", "yes", " leading space", "two\nlines",
		"financiële \"quotes\" 'and' ümlauts", "- dash", "2026-02-30",
		"{x}", "",
	};
	archive_node *map = archive_node_new(ARCHIVE_NODE_MAP, NULL), *back;
	char *text, key[8];

	for (size_t i = 0; i < sizeof(tricky) / sizeof(*tricky); i++) {
		snprintf(key, sizeof(key), "k%zu", i);
		ck_assert_int_eq(archive_node_put_scalar(map, key, tricky[i]), 0);
	}
	ck_assert_int_eq(archive_yaml_emit(&text, NULL, map), 0);
	ck_assert_int_eq(archive_yaml_parse(&back, "x", text, strlen(text), 1),
			 0);
	for (size_t i = 0; i < sizeof(tricky) / sizeof(*tricky); i++) {
		snprintf(key, sizeof(key), "k%zu", i);
		ck_assert_str_eq(archive_node_get_scalar(back, key), tricky[i]);
	}
	free(text);
	archive_node_free(back);
	archive_node_free(map);
}
END_TEST

START_TEST(node_edit)
{
	archive_node *m = archive_node_new(ARCHIVE_NODE_MAP, NULL), *c;

	archive_node_put_scalar(m, "a", "1");
	archive_node_put_scalar(m, "b", "2");
	archive_node_put_scalar(m, "a", "3"); /* keeps its place */
	ck_assert_str_eq(archive_node_key_at(m, 0), "a");
	ck_assert_str_eq(archive_node_get_scalar(m, "a"), "3");
	ck_assert_int_eq(archive_node_remove(m, "b"), 0);
	ck_assert_int_eq(archive_node_remove(m, "b"), ARCHIVE_ENOTFOUND);
	c = archive_node_copy(m);
	ck_assert_str_eq(archive_node_get_scalar(c, "a"), "3");
	ck_assert_int_eq(archive_node_count(c), 1);
	/* put into a non-map fails and frees the value */
	ck_assert_int_ne(archive_node_put(archive_node_get(m, "a"), "x",
					  archive_node_new(ARCHIVE_NODE_MAP, 0)),
			 0);
	archive_node_free(c);
	archive_node_free(m);
	archive_node_free(NULL);
}
END_TEST

START_TEST(doc_parse_format)
{
	const char *text = "---\ntitle: Camera's\nvalues: [privacy]\n---\n\n# "
			   "Kop\n\nTekst.\n";
	archive_doc *doc;
	char *out;

	ck_assert_int_eq(archive_doc_parse(&doc, "d.md", text, strlen(text)), 0);
	ck_assert_str_eq(archive_node_get_scalar(archive_doc_front(doc), "title"),
			 "Camera's");
	ck_assert_str_eq(archive_doc_body(doc), "\n# Kop\n\nTekst.\n");
	ck_assert_int_eq(archive_doc_format(&out, NULL, doc), 0);
	ck_assert_str_eq(out, text);
	free(out);
	archive_doc_free(doc);
	archive_doc_free(NULL);
}
END_TEST

START_TEST(doc_errors)
{
	archive_doc *doc;
	const char *nofront = "# Kop\n";
	const char *unclosed = "---\ntitle: x\n";
	const char *badyaml = "---\ntitle: x\nvalues: [a\n---\nbody\n";
	const char *notmap = "---\n- a\n- b\n---\n";
	const char *badutf = "---\ntitle: x\n---\n\xff\n";

	ck_assert_int_eq(archive_doc_parse(&doc, "d.md", nofront,
					   strlen(nofront)),
			 ARCHIVE_EINVALID);
	ck_assert_ptr_nonnull(strstr(archive_error_last(), "d.md:1"));
	ck_assert_int_eq(archive_doc_parse(&doc, "d.md", unclosed,
					   strlen(unclosed)),
			 ARCHIVE_EINVALID);
	ck_assert_ptr_nonnull(strstr(archive_error_last(), "closing"));
	ck_assert_int_eq(archive_doc_parse(&doc, "d.md", badyaml,
					   strlen(badyaml)),
			 ARCHIVE_EINVALID);
	ck_assert_ptr_nonnull(strstr(archive_error_last(), "d.md:"));
	ck_assert_int_eq(archive_doc_parse(&doc, "d.md", notmap, strlen(notmap)),
			 ARCHIVE_EINVALID);
	ck_assert_int_eq(archive_doc_parse(&doc, "d.md", badutf, strlen(badutf)),
			 ARCHIVE_EINVALID);
	ck_assert_ptr_nonnull(strstr(archive_error_last(), "d.md:4"));
	ck_assert_ptr_nonnull(strstr(archive_error_last(), "UTF-8"));
}
END_TEST

START_TEST(strip_internal)
{
	const char *md = "a\n<!-- intern -->\ngeheim\n<!-- /intern -->\nb\n"
			 "  <!-- intern -->  \nweer\n";
	char *out;

	ck_assert_int_eq(archive_text_strip_internal(&out, md), 0);
	ck_assert_str_eq(out, "a\nb\n"); /* unclosed runs to the end */
	free(out);
}
END_TEST

/* ---- archives on disk ------------------------------------------------------ */

START_TEST(open_errors)
{
	archive *a;
	char *dir = fixture_tmpdir();
	char path[512];

	ck_assert_int_eq(archive_open(&a, dir), ARCHIVE_ENOTFOUND);
	ck_assert_ptr_null(a);
	ck_assert_ptr_nonnull(strstr(archive_error_last(), "not a mores archive"));
	/* a git repository without mores.yml is not an archive either */
	snprintf(path, sizeof(path), "git init -q %s/plain", dir);
	ck_assert_int_eq(system(path), 0);
	snprintf(path, sizeof(path), "%s/plain", dir);
	ck_assert_int_eq(archive_open(&a, path), ARCHIVE_ENOTFOUND);
	fixture_rmdir(dir);
}
END_TEST

START_TEST(init_and_open)
{
	char *dir = fixture_tmpdir(), path[512];
	archive *a;

	snprintf(path, sizeof(path), "%s/arch", dir);
	ck_assert_int_eq(archive_init(path, "Commissie", "ECT", FIXTURE_AUTHOR),
			 0);
	ck_assert_int_eq(archive_init(path, "Commissie", "ECT", FIXTURE_AUTHOR),
			 ARCHIVE_EEXISTS);
	ck_assert_int_eq(archive_open(&a, path), 0);
	ck_assert_str_eq(archive_code(a), "ECT");
	ck_assert_str_eq(archive_name(a), "Commissie");
	ck_assert_int_eq(archive_is_bare(a), 0);
	ck_assert_int_eq(strlen(archive_snap_commit(archive_snapshot(a))), 40);
	archive_free(a);
	snprintf(path, sizeof(path), "%s/bad", dir);
	ck_assert_int_eq(archive_init(path, "C", "ec", FIXTURE_AUTHOR),
			 ARCHIVE_EINVALID);
	ck_assert_ptr_nonnull(strstr(archive_error_last(), "--code"));
	ck_assert_int_eq(archive_init(path, "", "EC", FIXTURE_AUTHOR),
			 ARCHIVE_EINVALID);
	ck_assert_int_eq(archive_init(path, "C", "EC", "nobody"),
			 ARCHIVE_EINVALID);
	ck_assert_int_eq(fixture_git(path, "rev-parse HEAD"), 128);
	fixture_rmdir(dir);
}
END_TEST

START_TEST(find_archive)
{
	char *dir = fixture_tmpdir(), path[512], cwd[512];
	archive *a;

	snprintf(path, sizeof(path), "%s/arch", dir);
	archive_init(path, "C", "EC", FIXTURE_AUTHOR);
	ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
	snprintf(path, sizeof(path), "%s/arch/sub", dir);
	mkdir(path, 0755);
	ck_assert_int_eq(chdir(path), 0);
	unsetenv("MORES_ARCHIVE");
	ck_assert_int_eq(archive_find(&a, NULL), 0);
	archive_free(a);
	ck_assert_int_eq(chdir(dir), 0);
	ck_assert_int_eq(archive_find(&a, NULL), ARCHIVE_ENOTFOUND);
	snprintf(path, sizeof(path), "%s/arch", dir);
	setenv("MORES_ARCHIVE", path, 1);
	ck_assert_int_eq(archive_find(&a, NULL), 0);
	archive_free(a);
	unsetenv("MORES_ARCHIVE");
	ck_assert_int_eq(chdir(cwd), 0);
	fixture_rmdir(dir);
}
END_TEST

START_TEST(snapshot_read)
{
	char *dir = fixture_tmpdir(), *text, **names, blob[41];
	archive *a = fixture_archive(dir);
	size_t len, n;

	ck_assert_int_eq(archive_snap_read(&text, &len, archive_snapshot(a),
					   "mores.yml"),
			 0);
	ck_assert_ptr_nonnull(strstr(text, "code: ECT"));
	free(text);
	ck_assert_int_eq(archive_snap_read(&text, &len, archive_snapshot(a),
					   "nope.md"),
			 ARCHIVE_ENOTFOUND);
	ck_assert_int_eq(archive_snap_list(&names, &n, archive_snapshot(a), ""),
			 0);
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(names[0], ".gitignore");
	ck_assert_str_eq(names[1], "mores.yml");
	archive_names_free(names, n);
	ck_assert_int_eq(archive_snap_list(&names, &n, archive_snapshot(a),
					   "dossiers"),
			 ARCHIVE_ENOTFOUND);
	ck_assert_int_eq(archive_snap_blob_id(blob, archive_snapshot(a),
					      "mores.yml"),
			 0);
	ck_assert_int_eq(strlen(blob), 40);
	archive_free(a);
	fixture_rmdir(dir);
}
END_TEST

START_TEST(author_resolve)
{
	char *dir = fixture_tmpdir(), *who;
	archive *a = fixture_archive(dir);

	ck_assert_int_eq(archive_author_resolve(&who, a, "Ann <ann@x.nl>"), 0);
	ck_assert_str_eq(who, "Ann <ann@x.nl>");
	free(who);
	ck_assert_int_eq(archive_author_resolve(&who, a, "Ann"),
			 ARCHIVE_EINVALID);
	setenv("MORES_AUTHOR", "Bob <bob@x.nl>", 1);
	ck_assert_int_eq(archive_author_resolve(&who, a, NULL), 0);
	ck_assert_str_eq(who, "Bob <bob@x.nl>");
	free(who);
	unsetenv("MORES_AUTHOR");
	/* HOME is empty in the test run: git knows nobody */
	ck_assert_int_eq(archive_author_resolve(&who, a, NULL),
			 ARCHIVE_ENOAUTHOR);
	ck_assert_ptr_nonnull(strstr(archive_error_last(), "--author"));
	fixture_git(archive_path(a), "config user.name Cee");
	fixture_git(archive_path(a), "config user.email cee@x.nl");
	archive_free(a);
	a = fixture_open(dir);
	ck_assert_int_eq(archive_author_resolve(&who, a, NULL), 0);
	ck_assert_str_eq(who, "Cee <cee@x.nl>");
	free(who);
	archive_free(a);
	fixture_rmdir(dir);
}
END_TEST

struct put {
	const char *path, *text;
	int calls;
	archive *other; /* moves the branch under the writer */
	int move_times;
};

static int stage_put(archive_txn *t, void *ctx)
{
	struct put *p = ctx;

	p->calls++;
	if (p->other && p->calls <= p->move_times)
		fixture_commit_file(p->other, "extra.txt", p->calls);
	archive_txn_message(t, "put %s\n", p->path);
	return archive_txn_put(t, p->path, p->text, strlen(p->text));
}

START_TEST(write_commit)
{
	char *dir = fixture_tmpdir(), *text;
	archive *a = fixture_archive(dir);
	struct put p = { "notes/a.md", "hallo\n", 0, NULL, 0 };
	size_t len;

	ck_assert_int_eq(archive_write(a, FIXTURE_AUTHOR, stage_put, &p), 0);
	ck_assert_int_eq(fixture_commit_count(a), 2);
	ck_assert_int_eq(archive_snap_read(&text, &len, archive_snapshot(a),
					   "notes/a.md"),
			 0);
	ck_assert_str_eq(text, "hallo\n");
	free(text);
	/* the working tree shows the commit, and git is content */
	ck_assert(fixture_file_equals(dir, "arch/notes/a.md", "hallo\n"));
	ck_assert_int_eq(fixture_git(archive_path(a), "diff --quiet HEAD"), 0);
	ck_assert_int_eq(fixture_git(archive_path(a), "fsck --strict --no-progress"), 0);
	/* writing the same content again makes no empty commit */
	ck_assert_int_eq(archive_write(a, FIXTURE_AUTHOR, stage_put, &p), 0);
	ck_assert_int_eq(fixture_commit_count(a), 2);
	archive_free(a);
	fixture_rmdir(dir);
}
END_TEST

START_TEST(write_retries_when_branch_moves)
{
	char *dir = fixture_tmpdir();
	archive *a = fixture_archive(dir);
	archive *other = fixture_open(dir);
	struct put p = { "x.md", "x\n", 0, other, 2 };

	ck_assert_int_eq(archive_write(a, FIXTURE_AUTHOR, stage_put, &p), 0);
	ck_assert_int_eq(p.calls, 3); /* two conflicts, then success */
	ck_assert_int_eq(fixture_commit_count(a), 4);
	/* the other writer's change survived */
	ck_assert(fixture_file_in_head(a, "extra.txt"));
	ck_assert(fixture_file_in_head(a, "x.md"));
	archive_free(other);
	archive_free(a);
	fixture_rmdir(dir);
}
END_TEST

START_TEST(write_gives_up_when_branch_keeps_moving)
{
	char *dir = fixture_tmpdir();
	archive *a = fixture_archive(dir);
	archive *other = fixture_open(dir);
	struct put p = { "x.md", "x\n", 0, other, 1000 };
	int before;

	before = fixture_commit_count(a);
	ck_assert_int_eq(archive_write(a, FIXTURE_AUTHOR, stage_put, &p),
			 ARCHIVE_ECONFLICT);
	ck_assert_ptr_nonnull(strstr(archive_error_last(), "nothing was written"));
	ck_assert(!fixture_file_in_head(a, "x.md"));
	ck_assert_int_gt(fixture_commit_count(a), before);
	archive_free(other);
	archive_free(a);
	fixture_rmdir(dir);
}
END_TEST

START_TEST(write_refuses_dirty_file)
{
	char *dir = fixture_tmpdir(), path[512];
	archive *a = fixture_archive(dir);
	struct put p = { "mores.yml", "name: X\ncode: ECT\n", 0, NULL, 0 };

	snprintf(path, sizeof(path), "%s/arch/mores.yml", dir);
	fixture_write_file(path, "name: hand edit\ncode: ECT\n");
	ck_assert_int_eq(archive_write(a, FIXTURE_AUTHOR, stage_put, &p),
			 ARCHIVE_EDIRTY);
	ck_assert_ptr_nonnull(strstr(archive_error_last(), "mores.yml"));
	ck_assert_ptr_nonnull(strstr(archive_error_last(), "uncommitted"));
	ck_assert(fixture_file_equals(dir, "arch/mores.yml",
				      "name: hand edit\ncode: ECT\n"));
	ck_assert_int_eq(fixture_commit_count(a), 1);
	/* staged but not committed is refused too */
	fixture_git(archive_path(a), "add mores.yml");
	ck_assert_int_eq(archive_write(a, FIXTURE_AUTHOR, stage_put, &p),
			 ARCHIVE_EDIRTY);
	archive_free(a);
	fixture_rmdir(dir);
}
END_TEST

static int stage_nothing(archive_txn *t, void *ctx)
{
	(void)t;
	(void)ctx;
	return 0;
}

static int stage_bad_path(archive_txn *t, void *ctx)
{
	return archive_txn_put(t, ctx, "x", 1);
}

static int stage_fail(archive_txn *t, void *ctx)
{
	archive_txn_put(t, "a.md", "a", 1);
	(void)ctx;
	return archive_error_set(ARCHIVE_ENOTFOUND, "no such thing");
}

START_TEST(write_errors)
{
	char *dir = fixture_tmpdir();
	archive *a = fixture_archive(dir);
	static const char *const bad[] = { "../x",  "/etc/passwd", "a/../b",
					   ".git/config", "a//b",  "a/",
					   "a\\b" };

	ck_assert_int_eq(archive_write(a, FIXTURE_AUTHOR, stage_nothing, NULL),
			 ARCHIVE_EINVALID);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		ck_assert_msg(archive_write(a, FIXTURE_AUTHOR, stage_bad_path,
					    (void *)bad[i]) == ARCHIVE_EINVALID,
			      "%s accepted", bad[i]);
	ck_assert_int_eq(archive_write(a, FIXTURE_AUTHOR, stage_fail, NULL),
			 ARCHIVE_ENOTFOUND);
	ck_assert_int_eq(archive_write(a, "no author", stage_fail, NULL),
			 ARCHIVE_EINVALID);
	ck_assert_int_eq(fixture_commit_count(a), 1);
	archive_free(a);
	fixture_rmdir(dir);
}
END_TEST

START_TEST(write_waits_for_lock)
{
	char *dir = fixture_tmpdir(), path[512];
	archive *a = fixture_archive(dir);
	struct put p = { "x.md", "x\n", 0, NULL, 0 };
	int fd;

	snprintf(path, sizeof(path), "%s/arch/.git/mores.lock", dir);
	fd = open(path, O_RDWR | O_CREAT, 0644);
	ck_assert_int_eq(flock(fd, LOCK_EX), 0);
	setenv("MORES_LOCK_WAIT", "1", 1);
	ck_assert_int_eq(archive_write(a, FIXTURE_AUTHOR, stage_put, &p),
			 ARCHIVE_ELOCKED);
	close(fd); /* a dead holder's lock goes with it */
	ck_assert_int_eq(archive_write(a, FIXTURE_AUTHOR, stage_put, &p), 0);
	unsetenv("MORES_LOCK_WAIT");
	archive_free(a);
	fixture_rmdir(dir);
}
END_TEST

/* Puts y.md and w.md in one commit, as one write of several files. */
static int stage_two(archive_txn *t, void *ctx)
{
	(void)ctx;
	archive_txn_message(t, "two files\n");
	if (archive_txn_put(t, "y.md", "y\n", 2) != 0)
		return archive_error_code();
	return archive_txn_put(t, "w.md", "w\n", 2);
}

/* Leaves the note a writer killed in the middle of a write leaves in
 * GITDIR/mores.lock. */
static void leave_note(const char *dir, const char *base, const char *new,
		       const char *paths)
{
	char path[512], text[1024];

	snprintf(path, sizeof(path), "%s/arch/.git/mores.lock", dir);
	snprintf(text, sizeof(text),
		 "branch refs/heads/main\nbase %s\nnew %s\n%s", base, new,
		 paths);
	fixture_write_file(path, text);
}

START_TEST(write_recovers_from_killed_writer)
{
	char *dir = fixture_tmpdir(), path[512], base[41];
	archive *a = fixture_archive(dir);
	struct put p = { "x.md", "x\n", 0, NULL, 0 };
	struct stat st;

	/* Killed while moving the branch: its ref lock would block every
	 * later write ("the branch kept moving") until removed by hand. */
	snprintf(base, sizeof(base), "%s",
		 archive_snap_commit(archive_snapshot(a)));
	leave_note(dir, base, "0123456789012345678901234567890123456789",
		   "path x.md\n");
	snprintf(path, sizeof(path), "%s/arch/.git/refs/heads/main.lock", dir);
	fixture_write_file(path, "");
	setenv("MORES_LOCK_WAIT", "5", 1);
	ck_assert_msg(archive_write(a, FIXTURE_AUTHOR, stage_put, &p) == 0,
		      "%s", archive_error_last());
	ck_assert_int_ne(access(path, F_OK), 0);
	ck_assert_int_eq(fixture_commit_count(a), 2);

	/* Killed while checking out: the branch moved, but the index lacks
	 * the new files (the next `git commit` would delete them) and one
	 * file was cut short. A file edited since is left alone. */
	snprintf(base, sizeof(base), "%s",
		 archive_snap_commit(archive_snapshot(a)));
	ck_assert_int_eq(archive_write(a, FIXTURE_AUTHOR, stage_two, NULL), 0);
	fixture_git(archive_path(a), "rm -q --cached y.md w.md");
	snprintf(path, sizeof(path), "%s/arch/y.md", dir);
	fixture_write_file(path, "");
	snprintf(path, sizeof(path), "%s/arch/w.md", dir);
	fixture_write_file(path, "mine\n");
	leave_note(dir, base, archive_snap_commit(archive_snapshot(a)),
		   "path y.md\npath w.md\n");
	p.path = "z.md";
	ck_assert_msg(archive_write(a, FIXTURE_AUTHOR, stage_put, &p) == 0,
		      "%s", archive_error_last());
	ck_assert(fixture_file_equals(dir, "arch/y.md", "y\n"));
	ck_assert_int_eq(fixture_git(archive_path(a),
				     "diff --cached --quiet HEAD -- y.md z.md"),
			 0);
	ck_assert(fixture_file_equals(dir, "arch/w.md", "mine\n"));
	/* the note is gone once the job is done */
	snprintf(path, sizeof(path), "%s/arch/.git/mores.lock", dir);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_size, 0);
	unsetenv("MORES_LOCK_WAIT");
	archive_free(a);
	fixture_rmdir(dir);
}
END_TEST

START_TEST(write_names_a_foreign_ref_lock)
{
	char *dir = fixture_tmpdir(), path[512];
	archive *a = fixture_archive(dir);
	struct put p = { "x.md", "x\n", 0, NULL, 0 };

	/* A ref lock that no mores writer left is not ours to remove. */
	snprintf(path, sizeof(path), "%s/arch/.git/refs/heads/main.lock", dir);
	fixture_write_file(path, "");
	ck_assert_int_eq(archive_write(a, FIXTURE_AUTHOR, stage_put, &p),
			 ARCHIVE_ECONFLICT);
	ck_assert_ptr_nonnull(strstr(archive_error_last(),
				     "refs/heads/main.lock"));
	ck_assert_int_eq(access(path, F_OK), 0);
	ck_assert_int_eq(fixture_commit_count(a), 1);
	archive_free(a);
	fixture_rmdir(dir);
}
END_TEST

START_TEST(bare_archive)
{
	char *dir = fixture_tmpdir(), cmd[1024], path[512];
	archive *a = fixture_archive(dir), *b;
	struct put p = { "x.md", "x\n", 0, NULL, 0 };

	archive_free(a);
	snprintf(cmd, sizeof(cmd), "git clone -q --bare %s/arch %s/bare.git", dir,
		 dir);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/bare.git", dir);
	ck_assert_int_eq(archive_open(&b, path), 0);
	ck_assert_int_eq(archive_is_bare(b), 1);
	ck_assert_int_eq(archive_write(b, FIXTURE_AUTHOR, stage_put, &p), 0);
	ck_assert(fixture_file_in_head(b, "x.md"));
	ck_assert_int_eq(fixture_git(path, "fsck --strict --no-progress"), 0);
	archive_free(b);
	fixture_rmdir(dir);
}
END_TEST

static int count_changes(const archive_change *c, void *ctx)
{
	ck_assert_str_eq(c->author_name, "Test Secretaris");
	(*(int *)ctx)++;
	return 0;
}

START_TEST(history)
{
	char *dir = fixture_tmpdir();
	archive *a = fixture_archive(dir);
	struct put p1 = { "d/a.md", "1\n", 0, NULL, 0 };
	struct put p2 = { "d/b.md", "1\n", 0, NULL, 0 };
	struct put p3 = { "d/a.md", "2\n", 0, NULL, 0 };
	int n = 0;

	archive_write(a, FIXTURE_AUTHOR, stage_put, &p1);
	archive_write(a, FIXTURE_AUTHOR, stage_put, &p2);
	archive_write(a, FIXTURE_AUTHOR, stage_put, &p3);
	ck_assert_int_eq(archive_log(a, "d/a.md", count_changes, &n), 0);
	ck_assert_int_eq(n, 2);
	n = 0;
	ck_assert_int_eq(archive_log(a, "d", count_changes, &n), 0);
	ck_assert_int_eq(n, 3);
	n = 0;
	ck_assert_int_eq(archive_log(a, "", count_changes, &n), 0);
	ck_assert_int_eq(n, 4);
	archive_free(a);
	fixture_rmdir(dir);
}
END_TEST

/* A repository missing an object: reading what needs it fails with
 * ARCHIVE_ERROR and a message, never a crash; what does not need it
 * still reads. */
START_TEST(damaged_repository)
{
	char *dir = fixture_tmpdir(), *text, blob[41], path[4200];
	archive *a = fixture_archive(dir);
	struct put p = { "d/a.md", "alleen hier\n", 0, NULL, 0 };
	size_t len;

	ck_assert_int_eq(archive_write(a, FIXTURE_AUTHOR, stage_put, &p), 0);
	ck_assert_int_eq(archive_snap_blob_id(blob, archive_snapshot(a),
					      "d/a.md"),
			 0);
	archive_free(a);
	snprintf(path, sizeof(path), "%s/arch/.git/objects/%.2s/%s", dir, blob,
		 blob + 2);
	ck_assert_int_eq(unlink(path), 0);
	a = fixture_open(dir);
	ck_assert_int_eq(archive_snap_read(&text, &len, archive_snapshot(a),
					   "d/a.md"),
			 ARCHIVE_ERROR);
	ck_assert_int_eq(archive_error_code(), ARCHIVE_ERROR);
	ck_assert_str_ne(archive_error_last(), "");
	archive_error_clear();
	ck_assert_int_eq(archive_snap_read(&text, &len, archive_snapshot(a),
					   "mores.yml"),
			 0);
	free(text);
	archive_free(a);
	fixture_rmdir(dir);
}
END_TEST

/* Collects the paths archive_snap_changes() reports, one per line. */
static int note_path(const char *path, void *ctx)
{
	char *list = ctx;
	size_t n = strlen(list);

	snprintf(list + n, 1024 - n, "%s\n", path);
	return 0;
}

/* What changed since a commit: files changed, added, removed, a file
 * that became a folder; unchanged folders are passed over. */
START_TEST(changes_since)
{
	char *dir = fixture_tmpdir(), since[41], list[1024] = "", *cmd;
	archive *a = fixture_archive(dir);

	fixture_git_commit(a, "dossiers/2026/2026-001/dossier.md", "een\n");
	fixture_git_commit(a, "dossiers/2026/2026-002/dossier.md", "twee\n");
	fixture_git_commit(a, "dossiers/2025/2025-001/dossier.md", "oud\n");
	fixture_git_commit(a, "extra", "los\n");
	archive_free(a);
	a = fixture_open(dir);
	snprintf(since, sizeof(since), "%s",
		 archive_snap_commit(archive_snapshot(a)));
	ck_assert_int_eq(archive_snap_changes(archive_snapshot(a), since,
					      note_path, list),
			 0);
	ck_assert_str_eq(list, "");
	fixture_git_commit(a, "dossiers/2026/2026-002/dossier.md", "twee!\n");
	fixture_git_commit(a, "dossiers/2027/2027-001/a.md", "a\n");
	fixture_git_commit(a, "dossiers/2027/2027-001/b.md", "b\n");
	ck_assert(asprintf(&cmd,
			   "cd '%s' && export GIT_INDEX_FILE=\"$PWD/.git/t.index\" && "
			   "git read-tree HEAD && git update-index --force-remove "
			   "dossiers/2026/2026-001/dossier.md extra && "
			   "blob=$(echo binnen | git hash-object -w --stdin) && "
			   "git update-index --add --cacheinfo "
			   "100644,$blob,extra/binnen.md && tree=$(git write-tree) && "
			   "c=$(git -c user.name=A -c user.email=a@example.org "
			   "commit-tree $tree -p HEAD -m weg) && "
			   "git update-ref HEAD $c && rm -f .git/t.index",
			   archive_path(a)) > 0);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	archive_free(a);
	a = fixture_open(dir);
	ck_assert_int_eq(archive_snap_changes(archive_snapshot(a), since,
					      note_path, list),
			 0);
	ck_assert_str_eq(list, "dossiers/2026/2026-001/dossier.md\n"
			       "dossiers/2026/2026-002/dossier.md\n"
			       "dossiers/2027/2027-001/a.md\n"
			       "dossiers/2027/2027-001/b.md\n"
			       "extra\n"
			       "extra/binnen.md\n");
	ck_assert_int_eq(archive_snap_changes(archive_snapshot(a),
					      "0123456789012345678901234567890123456789",
					      note_path, list),
			 ARCHIVE_ENOTFOUND);
	archive_error_clear();
	archive_free(a);
	fixture_rmdir(dir);
}
END_TEST

/* ---- dossiers, publication, vocabulary, validation ---------------------- */

START_TEST(dossier_load)
{
	char *dir = fixture_tmpdir(), **ids;
	archive *a = fixture_archive(dir);
	archive_dossier *d;
	size_t n;

	fixture_commit_dossier(a, "2026-002", FIXTURE_ASKED, NULL);
	fixture_commit_dossier(a, "2026-010", FIXTURE_ASKED, "advies");
	fixture_commit_dossier(a, "2025-001", FIXTURE_ASKED, NULL);
	ck_assert_int_eq(archive_dossier_ids(&ids, &n, archive_snapshot(a)), 0);
	ck_assert_int_eq(n, 3);
	ck_assert_str_eq(ids[0], "2025-001");
	ck_assert_str_eq(ids[1], "2026-002");
	ck_assert_str_eq(ids[2], "2026-010");
	archive_names_free(ids, n);
	ck_assert_int_eq(archive_dossier_load(&d, archive_snapshot(a),
					      "2026-010"),
			 0);
	ck_assert_str_eq(archive_dossier_get(d, "kind"), "asked");
	ck_assert_ptr_nonnull(archive_dossier_advice(d));
	ck_assert_ptr_null(archive_dossier_response(d));
	archive_dossier_free(d);
	ck_assert_int_eq(archive_dossier_load(&d, archive_snapshot(a),
					      "2026-099"),
			 ARCHIVE_ENOTFOUND);
	ck_assert_int_eq(archive_dossier_load(&d, archive_snapshot(a),
					      "../../etc"),
			 ARCHIVE_EINVALID);
	archive_free(a);
	fixture_rmdir(dir);
}
END_TEST

static archive_dossier *dossier_with(const char *status, const char *vis,
				     const char *embargo)
{
	archive_doc *doc = archive_doc_new("dossiers/2026/2026-001/dossier.md");
	archive_dossier *d;

	archive_node_put_scalar(archive_doc_front(doc), "status", status);
	archive_node_put_scalar(archive_doc_front(doc), "visibility", vis);
	if (embargo)
		archive_node_put_scalar(archive_doc_front(doc), "embargo_until",
					embargo);
	ck_assert_int_eq(archive_dossier_from_docs(&d, "2026-001", doc, NULL,
						   NULL),
			 0);
	return d;
}

START_TEST(publication_rule)
{
	static const struct {
		const char *status, *vis, *embargo;
		int public;
	} cases[] = {
		{ "published", "public", NULL, 1 },
		{ "published", "confidential", NULL, 0 },
		{ "adopted", "public", NULL, 0 },
		{ "delivered", "public", NULL, 0 },
		{ "closed", "public", NULL, 0 },
		{ "draft", "public", NULL, 0 },
		{ "published", "public", "2026-12-01", 0 },
		{ "published", "public", "2026-11-23", 1 },
		{ "published", "public", "2026-11-01", 1 },
		{ "published", "public", "someday", 0 },
		{ "published", "Public", NULL, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		archive_dossier *d = dossier_with(cases[i].status, cases[i].vis,
						  cases[i].embargo);

		ck_assert_msg(archive_dossier_is_public(d, "2026-11-23") ==
				      cases[i].public,
			      "case %zu", i);
		archive_dossier_free(d);
	}
}
END_TEST

START_TEST(vocabulary)
{
	char *dir = fixture_tmpdir();
	archive *a = fixture_archive(dir);
	archive_vocab *v;

	ck_assert_int_eq(archive_vocab_load(&v, archive_snapshot(a)), 0);
	ck_assert_ptr_nonnull(archive_vocab_find(v, "privacy"));
	ck_assert_ptr_nonnull(archive_node_get_scalar(
		archive_vocab_find(v, "privacy"), "question"));
	ck_assert_int_ge(archive_vocab_count(v), 17);
	archive_vocab_free(v);
	fixture_commit_text(a, "values.yml",
			    "- id: eigen-waarde\n  label: Eigen\n  question: "
			    "Waarom?\n");
	ck_assert_int_eq(archive_vocab_load(&v, archive_snapshot(a)), 0);
	ck_assert_int_eq(archive_vocab_count(v), 1);
	ck_assert_ptr_null(archive_vocab_find(v, "privacy"));
	archive_vocab_free(v);
	fixture_commit_text(a, "values.yml", "- id: Hoofdletter\n  label: x\n  "
					     "question: y\n");
	ck_assert_int_eq(archive_vocab_load(&v, archive_snapshot(a)),
			 ARCHIVE_EINVALID);
	ck_assert_ptr_nonnull(strstr(archive_error_last(), "Hoofdletter"));
	fixture_commit_text(a, "values.yml", "- id: a\n  label: x\n");
	ck_assert_int_eq(archive_vocab_load(&v, archive_snapshot(a)),
			 ARCHIVE_EINVALID);
	ck_assert_ptr_nonnull(strstr(archive_error_last(), "question"));
	archive_free(a);
	fixture_rmdir(dir);
}
END_TEST

static void count_problem(const char *file, const char *field,
			  const char *msg, void *ctx)
{
	(void)file;
	(void)msg;
	fixture_note_problem(ctx, field);
}

START_TEST(validation)
{
	const char *text =
		"---\nid: 2026-002\ntitle: x\nkind: asked\nreceived: 2025-02-30\n"
		"status: adopted\nvisibility: secret\nvalues: [privacy, geluk]\n"
		"instruments: [deda, tarot]\nrelated: [2026-001, 2026-1]\n"
		"deadline: 2026-13-01\nvisiblity: public\n---\n";
	archive_doc *doc;
	archive_dossier *d;
	archive_vocab *v;
	char *dir = fixture_tmpdir();
	archive *a = fixture_archive(dir);
	char fields[1024] = "";

	ck_assert_int_eq(archive_vocab_load(&v, archive_snapshot(a)), 0);
	ck_assert_int_eq(archive_doc_parse(&doc,
					   "dossiers/2026/2026-001/dossier.md",
					   text, strlen(text)),
			 0);
	archive_dossier_from_docs(&d, "2026-001", doc, NULL, NULL);
	ck_assert_int_eq(archive_dossier_validate(d, v, count_problem, fields),
			 12);
	/* unknown key, id vs folder, missing requester and question,
	 * impossible dates, unknown visibility, value and instrument, a
	 * related id that is the dossier itself and one that is malformed,
	 * and adopted without advice */
	ck_assert_str_eq(fields, "visiblity,id,requester,question,received,"
				 "visibility,deadline,values,instruments,"
				 "related,related,status,");
	archive_dossier_free(d);
	archive_vocab_free(v);
	archive_free(a);
	fixture_rmdir(dir);
}
END_TEST

START_TEST(validation_advice_response_settings)
{
	const char *adv = "---\nadopted: 2026-02-30\nactions:\n  - {owner: x, "
			  "due: 2026-1-1, done: maybe}\n---\ntext\n";
	const char *resp = "---\nfrom: College\n---\n";
	archive_doc *doc;
	archive_node *settings;
	const char *yml = "name: C\ncode: ec\nlanguage: fr\nsite:\n  base_url: "
			  "ftp://x\n";
	char fields[512] = "";

	archive_doc_parse(&doc, "advies.md", adv, strlen(adv));
	ck_assert_int_eq(archive_advice_validate(doc, count_problem, fields), 4);
	archive_doc_free(doc);
	archive_doc_parse(&doc, "reactie.md", resp, strlen(resp));
	ck_assert_int_eq(archive_response_validate(doc, count_problem, fields),
			 2);
	archive_doc_free(doc);
	archive_yaml_parse(&settings, "mores.yml", yml, strlen(yml), 1);
	ck_assert_int_eq(archive_settings_validate(settings, "mores.yml",
						   count_problem, fields),
			 3);
	archive_node_free(settings);
	ck_assert_str_eq(fields, "adopted,actions[1],actions[1],actions[1],"
				 "received,body,code,language,site.base_url,");
}
END_TEST

/* A library only some commands need is opened on first use: its
 * functions are found and callable, and a library that is missing, or
 * is not the one expected, is one error naming it and the package. */
START_TEST(dynlib)
{
	static const char *const zlib_names[] = { "zlibVersion", NULL };
	static const char *const wrong_names[] = { "zlibVersion",
						   "curl_easy_init", NULL };
	void *zlib_fns[1] = { NULL }, *wrong_fns[2] = { NULL, NULL },
	     *none_fns[1] = { NULL };
	struct archive_dynlib zlib = { "libz.so.1", "zlib1g", zlib_names,
				       zlib_fns };
	struct archive_dynlib wrong = { "libz.so.1", "libcurl4", wrong_names,
					wrong_fns };
	struct archive_dynlib none = { "libmores-none.so.9", "mores-none",
				       zlib_names, none_fns };
	const char *(*version)(void);

	ck_assert_int_eq(archive_dynlib_open(&zlib), 0);
	ck_assert_ptr_nonnull(zlib_fns[0]);
	version = (const char *(*)(void))zlib_fns[0];
	ck_assert_int_eq(version()[0], '1');
	ck_assert_int_eq(archive_dynlib_open(&zlib), 0); /* once is enough */

	ck_assert_int_eq(archive_dynlib_open(&wrong), ARCHIVE_ERROR);
	ck_assert_str_eq(archive_error_last(),
			 "libz.so.1 has no function curl_easy_init; install "
			 "the Debian package libcurl4");
	archive_error_clear();
	/* asked again, the same answer without trying again */
	ck_assert_int_eq(archive_dynlib_open(&wrong), ARCHIVE_ERROR);
	ck_assert_str_eq(archive_error_last(),
			 "libz.so.1 has no function curl_easy_init; install "
			 "the Debian package libcurl4");

	ck_assert_int_eq(archive_dynlib_open(&none), ARCHIVE_ERROR);
	ck_assert_ptr_nonnull(strstr(archive_error_last(),
				     "libmores-none.so.9"));
	ck_assert_ptr_nonnull(strstr(archive_error_last(),
				     "; install the Debian package mores-none"));
	ck_assert_ptr_null(none_fns[0]);
}
END_TEST

Suite *archive_suite(void)
{
	Suite *s = suite_create("archive");
	TCase *t = tcase_create("helpers");

	tcase_add_test(t, error_channel);
	tcase_add_test(t, utf8);
	tcase_add_test(t, dates);
	tcase_add_test(t, today_override);
	tcase_add_test(t, ids);
	tcase_add_test(t, dynlib);
	suite_add_tcase(s, t);
	t = tcase_create("documents");
	tcase_add_test(t, yaml_parse);
	tcase_add_test(t, yaml_errors);
	tcase_add_test(t, yaml_roundtrip);
	tcase_add_test(t, node_edit);
	tcase_add_test(t, doc_parse_format);
	tcase_add_test(t, doc_errors);
	tcase_add_test(t, strip_internal);
	suite_add_tcase(s, t);
	t = tcase_create("store");
	tcase_set_timeout(t, 60);
	tcase_add_test(t, open_errors);
	tcase_add_test(t, init_and_open);
	tcase_add_test(t, find_archive);
	tcase_add_test(t, snapshot_read);
	tcase_add_test(t, author_resolve);
	tcase_add_test(t, write_commit);
	tcase_add_test(t, write_retries_when_branch_moves);
	tcase_add_test(t, write_gives_up_when_branch_keeps_moving);
	tcase_add_test(t, write_refuses_dirty_file);
	tcase_add_test(t, write_errors);
	tcase_add_test(t, write_waits_for_lock);
	tcase_add_test(t, write_recovers_from_killed_writer);
	tcase_add_test(t, write_names_a_foreign_ref_lock);
	tcase_add_test(t, bare_archive);
	tcase_add_test(t, history);
	tcase_add_test(t, damaged_repository);
	tcase_add_test(t, changes_since);
	suite_add_tcase(s, t);
	t = tcase_create("dossiers");
	tcase_set_timeout(t, 60);
	tcase_add_test(t, dossier_load);
	tcase_add_test(t, publication_rule);
	tcase_add_test(t, vocabulary);
	tcase_add_test(t, validation);
	tcase_add_test(t, validation_advice_response_settings);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(archive_suite());
	int failed;

	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? 1 : 0;
}
