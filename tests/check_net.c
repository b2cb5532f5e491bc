/*
 * check_net.c: the net module in process: links found in Markdown with
 * their lines, e-mails that cannot carry injected headers, a peer's
 * export validated reflection by reflection, the notify: and harvest:
 * settings, and the transfer engine and link cache against the preview
 * server (site_serve) on 127.0.0.1 in a thread of this process.
 */
#include "net/net.h"
#include "site-gen/site.h"
#include "tests/fixture.h"

#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- links in Markdown ---------------------------------------------------- */

struct found {
	char urls[16][256];
	int lines[16];
	int n;
};

static int note_link(const char *url, int line, void *ctx)
{
	struct found *f = ctx;

	ck_assert_int_lt(f->n, 16);
	snprintf(f->urls[f->n], sizeof(f->urls[0]), "%s", url);
	f->lines[f->n++] = line;
	return 0;
}

START_TEST(links_scan_finds_markdown_forms)
{
	struct found f = { 0 };
	const char *text =
		"Zie [de bron](https://example.org/a_(b)) en https://x.example/p.\n"
		"<http://auto.example/link>, \"https://quoted.example/q\"\n"
		"geen link: xhttp://nee.example/ of http:// alleen\n"
		"`https://code.example/c` en https://end.example/e?x=1&y=2;\n"
		"<!-- intern -->\n"
		"https://intern.example/geheim\n"
		"<!-- /intern -->\n"
		"HTTPS://UPPER.example/U!\n";

	ck_assert_int_eq(net_links_scan(text, 10, 1, note_link, &f), 0);
	ck_assert_int_eq(f.n, 7);
	ck_assert_str_eq(f.urls[0], "https://example.org/a_(b)");
	ck_assert_int_eq(f.lines[0], 10);
	ck_assert_str_eq(f.urls[1], "https://x.example/p");
	ck_assert_str_eq(f.urls[2], "http://auto.example/link");
	ck_assert_int_eq(f.lines[2], 11);
	ck_assert_str_eq(f.urls[3], "https://quoted.example/q");
	ck_assert_str_eq(f.urls[4], "https://code.example/c");
	ck_assert_str_eq(f.urls[5], "https://end.example/e?x=1&y=2");
	ck_assert_int_eq(f.lines[5], 13);
	ck_assert_str_eq(f.urls[6], "HTTPS://UPPER.example/U");
	ck_assert_int_eq(f.lines[6], 17);

	/* without skipping, the internal passage counts too */
	memset(&f, 0, sizeof(f));
	ck_assert_int_eq(net_links_scan(text, 1, 0, note_link, &f), 0);
	ck_assert_int_eq(f.n, 8);
	ck_assert_str_eq(f.urls[6], "https://intern.example/geheim");
	ck_assert_int_eq(f.lines[6], 6);
}
END_TEST

static int stop_at_second(const char *url, int line, void *ctx)
{
	(void)url;
	(void)line;
	return ++*(int *)ctx == 2 ? 42 : 0;
}

START_TEST(links_scan_stops_when_asked)
{
	int seen = 0;

	ck_assert_int_eq(net_links_scan("http://a.example/ http://b.example/ "
					"http://c.example/",
					1, 0, stop_at_second, &seen),
			 42);
	ck_assert_int_eq(seen, 2);
}
END_TEST

/* ---- e-mail ------------------------------------------------------------------ */

START_TEST(mail_has_no_injected_headers)
{
	const char *to[] = { "a@example.org", "b@example.org\r\nBcc: x@evil" };
	char *msg;

	ck_assert_int_eq(net_mail_format(&msg, "s@example.org", to, 2,
					 "Overzicht\r\nBcc: y@evil",
					 "regel 1\n.punt\nregel 3",
					 "Mon, 23 Nov 2026 10:00:00 +0000",
					 "<id@example.org>"),
			 0);
	/* the line breaks are gone, so "Bcc:" never starts a header */
	ck_assert_ptr_null(strstr(msg, "\r\nBcc:"));
	ck_assert_ptr_nonnull(strstr(msg, "\r\nSubject: Overzicht  Bcc: y@evil\r\n"));
	ck_assert_ptr_nonnull(strstr(msg, "To: a@example.org, b@example.org  Bcc: x@evil\r\n"));
	ck_assert_ptr_nonnull(strstr(msg, "Content-Type: text/plain; charset=utf-8\r\n"));
	/* header, blank line, body with CRLF line ends */
	ck_assert_ptr_nonnull(strstr(msg, "\r\n\r\nregel 1\r\n.punt\r\nregel 3\r\n"));
	free(msg);
}
END_TEST

START_TEST(mail_encodes_subject_that_is_not_ascii)
{
	const char *to[] = { "a@example.org" };
	char *msg;

	ck_assert_int_eq(net_mail_format(&msg, "s@example.org", to, 1,
					 "Één", "x", "d", "<m@example.org>"),
			 0);
	/* "Één" in UTF-8 is C3 89 C3 A9 6E */
	ck_assert_ptr_nonnull(strstr(msg, "Subject: =?UTF-8?B?w4nDqW4=?=\r\n"));
	free(msg);
}
END_TEST

/* ---- a peer's export ----------------------------------------------------------- */

#define SITE "https://peer.example/commissie/"

static json_t *parse_ok(const char *text, size_t *skipped, char **why)
{
	json_t *out;

	ck_assert_msg(net_harvest_parse(&out, text, strlen(text), SITE, skipped,
					why) == 0,
		      "%s", archive_error_last());
	return out;
}

START_TEST(harvest_parse_keeps_public_fields)
{
	size_t skipped;
	char *why;
	json_t *list = parse_ok(
		"[{\"id\":\"2025-004\",\"citation\":\"ECP:2025:4\","
		"\"title\":\"Camera's\",\"kind\":\"asked\",\"received\":\"2025-01-02\","
		"\"adopted\":\"2025-13-40\",\"summary\":\"Kort.\",\"values\":[\"privacy\",3],"
		"\"rapporteur\":\"Geheim\",\"url\":\"javascript:alert(1)\"}]",
		&skipped, &why);
	json_t *r = json_array_get(list, 0);

	ck_assert_int_eq(skipped, 0);
	ck_assert_ptr_null(why);
	ck_assert_int_eq(json_array_size(list), 1);
	ck_assert_str_eq(json_string_value(json_object_get(r, "title")), "Camera's");
	ck_assert_str_eq(json_string_value(json_object_get(r, "url")),
			 SITE "reflecties/2025-004/");
	/* a field outside the public ones is never kept; a bad date is
	 * dropped; a list keeps its strings */
	ck_assert_ptr_null(json_object_get(r, "rapporteur"));
	ck_assert_ptr_null(json_object_get(r, "adopted"));
	ck_assert_str_eq(json_string_value(json_object_get(r, "received")),
			 "2025-01-02");
	ck_assert_int_eq(json_array_size(json_object_get(r, "values")), 1);
	json_decref(list);
}
END_TEST

START_TEST(harvest_parse_leaves_out_bad_reflections)
{
	size_t skipped;
	char *why;
	json_t *list = parse_ok(
		"[\"tekst\","
		"{\"id\":\"../../etc\",\"citation\":\"ECP:1:1\",\"title\":\"x\"},"
		"{\"id\":\"2025-001\",\"citation\":\"ECP:2025:2\",\"title\":\"x\"},"
		"{\"id\":\"2025-003\",\"citation\":\"ECP:2025:3\"},"
		"{\"id\":\"2025-004\",\"citation\":\"ECP:2025:4\",\"title\":\"<b>goed</b>\\u001b[2J\\u0085\"},"
		"{\"id\":\"2025-004\",\"citation\":\"ECP:2025:4\",\"title\":\"dubbel\"},"
		"{\"id\":\"2025-005\",\"citation\":\"ANDER:2025:5\",\"title\":\"code\"}]",
		&skipped, &why);

	ck_assert_int_eq(json_array_size(list), 1);
	ck_assert_int_eq(skipped, 6);
	ck_assert_str_eq(why, "reflection 1: no valid id");
	/* markup stays text; control characters are gone */
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(list, 0),
							   "title")),
			 "<b>goed</b>[2J");
	free(why);
	json_decref(list);
}
END_TEST

START_TEST(harvest_parse_refuses_what_is_no_list)
{
	static const char *const bad[] = { "[{\"id\": ", "{\"id\":\"2025-001\"}",
					   "<html></html>", "",
					   "[{\"id\":\"2025-001\",\"id\":\"2025-002\"}]" };
	json_t *out;
	size_t skipped;
	char *why;

	for (size_t i = 0; i < 4; i++) {
		ck_assert_int_eq(net_harvest_parse(&out, bad[i], strlen(bad[i]),
						   SITE, &skipped, &why),
				 ARCHIVE_EINVALID);
		ck_assert_ptr_null(out);
	}
	/* nesting far deeper than any export: refused, not a crash */
	{
		size_t depth = 200000;
		char *deep = malloc(depth + 1);

		ck_assert_ptr_nonnull(deep);
		memset(deep, '[', depth);
		deep[depth] = '\0';
		ck_assert_int_eq(net_harvest_parse(&out, deep, depth, SITE,
						   &skipped, &why),
				 ARCHIVE_EINVALID);
		ck_assert_ptr_nonnull(strstr(archive_error_last(),
					     "not valid JSON"));
		free(deep);
	}
	/* a repeated key makes the reflection invalid JSON for jansson */
	ck_assert_int_eq(net_harvest_parse(&out, bad[4], strlen(bad[4]), SITE,
					   &skipped, &why),
			 ARCHIVE_EINVALID);
}
END_TEST

START_TEST(harvest_parse_cuts_long_texts)
{
	static const char head[] =
		"[{\"id\":\"2025-001\",\"citation\":\"ECP:2025:1\",\"title\":\"";
	size_t n = 100000, h = strlen(head), skipped;
	char *text = malloc(h + n + 4), *why;
	json_t *list;

	ck_assert_ptr_nonnull(text);
	memcpy(text, head, h);
	memset(text + h, 'a', n);
	strcpy(text + h + n, "\"}]");
	list = parse_ok(text, &skipped, &why);
	ck_assert_int_eq(strlen(json_string_value(json_object_get(json_array_get(list, 0),
								      "title"))),
			 300);
	json_decref(list);
	free(text);
}
END_TEST

/* ---- settings -------------------------------------------------------------------- */

static void note(const char *file, const char *field, const char *message,
		 void *ctx)
{
	(void)file;
	(void)message;
	fixture_note_problem(ctx, field);
}

static void problems_of(const char *yaml, char *fields)
{
	archive_node *n;

	fields[0] = '\0';
	ck_assert_int_eq(archive_yaml_parse(&n, "mores.yml", yaml, strlen(yaml), 1),
			 0);
	archive_settings_validate(n, "mores.yml", note, fields);
	archive_node_free(n);
}

START_TEST(settings_name_the_field)
{
	char fields[1024];

	problems_of("name: X\ncode: X\nnotify:\n  within: 14\n  smtp:\n"
		    "    url: smtp://mail.example.org:587\n"
		    "    from: a@example.org\n    to: [b@example.org]\n"
		    "    starttls: true\n    user: a\n"
		    "  webhook:\n    url: https://hook.example/x\n"
		    "harvest:\n  - name: A\n    url: https://a.example/\n",
		    fields);
	ck_assert_str_eq(fields, "");
	problems_of("name: X\ncode: X\nnotify:\n  within: veel\n  smtp:\n"
		    "    url: http://mail.example.org\n    from: nobody\n"
		    "    to: [b@example.org, 'c d@x']\n    password: geheim\n"
		    "    starttls: misschien\n  webhook: https://x\n  extra: 1\n",
		    fields);
	ck_assert_str_eq(fields, "notify.extra,notify.within,notify.smtp.password,"
				 "notify.smtp.url,notify.smtp.from,notify.smtp.to,"
				 "notify.smtp.starttls,notify.webhook,");
	problems_of("name: X\ncode: X\nnotify: {}\nharvest:\n"
		    "  - name: A\n    url: https://a.example/\n"
		    "  - url: https://a.example/\n  - kaal\n"
		    "  - name: B\n    url: ftp://b.example/\n    token: t\n",
		    fields);
	ck_assert_str_eq(fields, "notify,harvest[2].name,harvest[2].url,harvest[3],"
				 "harvest[4].token,harvest[4].url,");
}
END_TEST

START_TEST(settings_check_is_one_line)
{
	char *dir = fixture_tmpdir();
	archive *a = fixture_archive(dir);

	fixture_commit_text(a, "mores.yml",
			    "name: Testcommissie\ncode: ECT\nnotify:\n"
			    "  webhook:\n    url: gopher://x\n");
	archive_free(a);
	a = fixture_open(dir);
	ck_assert_int_eq(net_settings_check(a), ARCHIVE_EINVALID);
	ck_assert_str_eq(archive_error_last(),
			 "mores.yml: notify.webhook.url: 'gopher://x' is not "
			 "an http(s) address");
	archive_free(a);
	fixture_rmdir(dir);
}
END_TEST

/* ---- transfers against a real server on 127.0.0.1 ------------------------------ */

static struct {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t ready;
	volatile sig_atomic_t stop;
	int port;
	char *dir;
} srv = { .lock = PTHREAD_MUTEX_INITIALIZER, .ready = PTHREAD_COND_INITIALIZER };

static void on_ready(int port, void *ctx)
{
	(void)ctx;
	pthread_mutex_lock(&srv.lock);
	srv.port = port;
	pthread_cond_broadcast(&srv.ready);
	pthread_mutex_unlock(&srv.lock);
}

static void *serve(void *arg)
{
	(void)arg;
	site_serve(srv.dir, 0, &srv.stop, on_ready, NULL);
	return NULL;
}

static void server_start(void)
{
	char path[512];
	FILE *f;

	srv.dir = fixture_tmpdir();
	snprintf(path, sizeof(path), "%s/goed.html", srv.dir);
	fixture_write_file(path, "<p>goed</p>\n");
	snprintf(path, sizeof(path), "%s/groot.json", srv.dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	for (int i = 0; i < 4096; i++)
		fputs("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n", f);
	fclose(f);
	srv.stop = 0;
	srv.port = 0;
	ck_assert_int_eq(pthread_create(&srv.thread, NULL, serve, NULL), 0);
	pthread_mutex_lock(&srv.lock);
	while (!srv.port)
		pthread_cond_wait(&srv.ready, &srv.lock);
	pthread_mutex_unlock(&srv.lock);
}

static void server_stop(void)
{
	srv.stop = 1;
	pthread_join(srv.thread, NULL);
	fixture_rmdir(srv.dir);
}

static char *url(const char *path)
{
	char *u;

	ck_assert_int_ge(asprintf(&u, "http://127.0.0.1:%d/%s", srv.port, path), 0);
	return u;
}

START_TEST(fetch_reports_each_transfer_on_its_own)
{
	char *ok = url("goed.html"), *missing = url("weg.html"),
	     *big = url("groot.json");
	net_fetch f[6] = {
		{ .url = ok, .max_body = 1024 },
		{ .url = missing, .head = 1 },
		{ .url = big, .max_body = 1000 },
		{ .url = "https://host.invalid/" },
		{ .url = "http://127.0.0.1:1/" },
		{ .url = "file:///etc/passwd", .max_body = 1024 },
	};
	net_opts o = { .parallel = 4, .per_host = 2, .timeout_ms = 5000 };

	ck_assert_int_eq(net_fetch_all(f, 6, &o), 0);
	ck_assert_int_eq(f[0].status, 200);
	ck_assert_ptr_null(f[0].error);
	ck_assert_str_eq(f[0].body, "<p>goed</p>\n");
	ck_assert_int_eq(f[1].status, 404);
	ck_assert_ptr_null(f[1].error);
	ck_assert_int_eq(f[1].head, 0); /* HEAD refused: asked again with GET */
	ck_assert_int_eq(f[2].too_large, 1);
	ck_assert_ptr_null(f[2].body);
	ck_assert_ptr_nonnull(strstr(f[2].error, "larger than 1000 bytes"));
	ck_assert_ptr_nonnull(strstr(f[3].error, "host not found (DNS)"));
	ck_assert_ptr_nonnull(strstr(f[4].error, "cannot connect"));
	ck_assert_ptr_nonnull(strstr(f[5].error, "not an http(s) address"));
	ck_assert_ptr_null(f[5].body);
	for (int i = 0; i < 6; i++)
		net_fetch_clear(&f[i]);
	ck_assert_ptr_null(f[0].body);
	free(ok);
	free(missing);
	free(big);
}
END_TEST

START_TEST(links_check_uses_the_cache)
{
	char *dir = fixture_tmpdir(), *advice, *path;
	archive *a = fixture_archive(dir);
	net_link_stats st;
	json_t *list;
	struct stat sb;

	setenv("MORES_TODAY", "2026-11-23", 1);
	ck_assert_int_ge(asprintf(&advice, "Goed: http://127.0.0.1:%d/goed.html\n"
					   "Weg: http://127.0.0.1:%d/weg.html\n",
				  srv.port, srv.port),
			 0);
	fixture_put_dossier(a, "2026-001", "Links", FIXTURE_PUBLISHED, "Tekst.",
			    "Kort.", advice);
	ck_assert_int_eq(net_links_check(&list, a, 0, NULL, &st), 0);
	ck_assert_int_eq(st.links, 2);
	ck_assert_int_eq(st.checked, 2);
	ck_assert_int_eq(st.ok, 1);
	ck_assert_int_eq(st.broken, 1);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(list, 1),
							    "line")),
			 6);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(list, 1),
							   "state")),
			 "broken");
	json_decref(list);
	ck_assert_int_ge(asprintf(&path, "%s/links.json", archive_derived_dir(a)), 0);
	ck_assert_int_eq(stat(path, &sb), 0);
	/* the same day: everything from the cache, even with the server
	 * gone */
	ck_assert_int_eq(net_links_check(&list, a, 0, NULL, &st), 0);
	ck_assert_int_eq(st.checked, 0);
	ck_assert_int_eq(st.cached, 2);
	ck_assert_int_eq(st.broken, 1);
	json_decref(list);
	/* a damaged cache is only derived data */
	fixture_write_file(path, "{kapot");
	ck_assert_int_eq(net_links_check(&list, a, 1, NULL, &st), 0);
	ck_assert_int_eq(st.checked, 2);
	json_decref(list);
	unsetenv("MORES_TODAY");
	free(path);
	free(advice);
	archive_free(a);
	fixture_rmdir(dir);
}
END_TEST

static Suite *net_suite(void)
{
	Suite *s = suite_create("net");
	TCase *t = tcase_create("offline");
	TCase *live = tcase_create("loopback");

	tcase_add_test(t, links_scan_finds_markdown_forms);
	tcase_add_test(t, links_scan_stops_when_asked);
	tcase_add_test(t, mail_has_no_injected_headers);
	tcase_add_test(t, mail_encodes_subject_that_is_not_ascii);
	tcase_add_test(t, harvest_parse_keeps_public_fields);
	tcase_add_test(t, harvest_parse_leaves_out_bad_reflections);
	tcase_add_test(t, harvest_parse_refuses_what_is_no_list);
	tcase_add_test(t, harvest_parse_cuts_long_texts);
	tcase_add_test(t, settings_name_the_field);
	tcase_add_test(t, settings_check_is_one_line);
	suite_add_tcase(s, t);
	tcase_add_unchecked_fixture(live, server_start, server_stop);
	tcase_set_timeout(live, 30);
	tcase_add_test(live, fetch_reports_each_transfer_on_its_own);
	tcase_add_test(live, links_check_uses_the_cache);
	suite_add_tcase(s, live);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(net_suite());
	int failed;

	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? 1 : 0;
}
