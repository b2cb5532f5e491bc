/*
 * check_serve.c: the preview server (site_serve). Each test serves a small
 * site from a temporary folder in a thread of its own on a free port and
 * talks real HTTP to it with libcurl, on 127.0.0.1 only: files and their
 * types, folders and redirects, the site's 404 page, refused methods,
 * every way out of the folder we could think of, a taken port and
 * stopping.
 */
#include "archive/archive.h"
#include "site-gen/site.h"
#include "tests/fixture.h"

#include <arpa/inet.h>
#include <check.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SECRET "TOP SECRET: not for the site\n"
#define NOT_FOUND_PAGE "<h1>Pagina niet gevonden</h1>\n"

/* ---- a server in a thread ---------------------------------------------- */

static struct {
	char *tmp;  /* holds site/ and, outside it, secret */
	char site[4096];
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	volatile sig_atomic_t stop;
	int port;     /* 0 until on_ready */
	int finished; /* site_serve returned */
	int rc;
	char message[512]; /* site_serve's error, copied in its thread */
} srv = { .lock = PTHREAD_MUTEX_INITIALIZER,
	  .changed = PTHREAD_COND_INITIALIZER };

static void on_ready(int port, void *ctx)
{
	(void)ctx;
	pthread_mutex_lock(&srv.lock);
	srv.port = port;
	pthread_cond_broadcast(&srv.changed);
	pthread_mutex_unlock(&srv.lock);
}

static void *serve_thread(void *arg)
{
	int rc = site_serve_at(srv.site, "/commissie", 0, &srv.stop, on_ready,
			       arg);

	pthread_mutex_lock(&srv.lock);
	srv.rc = rc;
	snprintf(srv.message, sizeof(srv.message), "%s", archive_error_last());
	srv.finished = 1;
	pthread_cond_broadcast(&srv.changed);
	pthread_mutex_unlock(&srv.lock);
	return NULL;
}

static void site_file(const char *rel, const char *text)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/%s", srv.site, rel);
	fixture_write_file(path, text);
}

static void site_link(const char *target, const char *rel)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/%s", srv.site, rel);
	ck_assert_msg(symlink(target, path) == 0, "symlink %s", path);
}

/* Builds the site, starts serving it and waits (10 s at most) until it
 * listens. */
static void serve_start(void)
{
	char path[4200];
	struct timespec limit;

	srv.tmp = fixture_tmpdir();
	snprintf(srv.site, sizeof(srv.site), "%s/site", srv.tmp);
	ck_assert_int_eq(mkdir(srv.site, 0755), 0);
	snprintf(path, sizeof(path), "%s/sub", srv.site);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/secret", srv.tmp);
	fixture_write_file(path, SECRET);
	site_file("index.html", "<h1>Moresprudentie</h1>\n");
	site_file("sub/index.html", "<h1>Sub</h1>\n");
	site_file("style.css", "body { color: black; }\n");
	site_file("feed.xml", "<feed/>\n");
	site_file("data.json", "{}\n");
	site_file("over ons.txt", "Over ons\n");
	site_file("blob.bin", "xyz");
	site_file("404.html", NOT_FOUND_PAGE);
	site_file("back\\slash.txt", "backslash\n");
	site_link(path, "symlink");
	site_link("..", "up");
	site_link("style.css", "alias.css");

	srv.stop = 0;
	srv.port = 0;
	srv.finished = 0;
	srv.rc = 1;
	ck_assert_int_eq(pthread_create(&srv.thread, NULL, serve_thread, NULL),
			 0);
	clock_gettime(CLOCK_REALTIME, &limit);
	limit.tv_sec += 10;
	pthread_mutex_lock(&srv.lock);
	while (!srv.port && !srv.finished &&
	       pthread_cond_timedwait(&srv.changed, &srv.lock, &limit) == 0)
		;
	pthread_mutex_unlock(&srv.lock);
	ck_assert_msg(srv.port > 0, "server did not start: %d %s", srv.rc,
		      srv.message);
}

/* Raises the stop flag; the server must end cleanly and its thread join. */
static void serve_stop(void)
{
	srv.stop = 1;
	ck_assert_int_eq(pthread_join(srv.thread, NULL), 0);
	ck_assert_int_eq(srv.finished, 1);
	ck_assert_msg(srv.rc == 0, "site_serve: %d %s", srv.rc, srv.message);
	fixture_rmdir(srv.tmp);
	srv.tmp = NULL;
}

/* ---- talking HTTP -------------------------------------------------------- */

struct reply {
	CURLcode result;
	long status;
	char body[4096];
	size_t len;
	char type[128];
	char location[256];
	char allow[64];
	char nosniff[32];
	char cache[32];
	long length; /* Content-Length, -1 when absent */
};

static size_t keep_body(char *data, size_t size, size_t n, void *ctx)
{
	struct reply *r = ctx;
	size_t room = sizeof(r->body) - 1 - r->len;
	size_t len = size * n < room ? size * n : room;

	memcpy(r->body + r->len, data, len);
	r->len += len;
	r->body[r->len] = '\0';
	return size * n;
}

/* Copies the value of header `name` from line into out, without CRLF. */
static void header_value(const char *line, size_t len, const char *name,
			 char *out, size_t size)
{
	size_t n = strlen(name);

	if (len <= n + 1 || strncasecmp(line, name, n) != 0 || line[n] != ':')
		return;
	line += n + 1;
	len -= n + 1;
	while (len && *line == ' ')
		line++, len--;
	while (len && (line[len - 1] == '\r' || line[len - 1] == '\n'))
		len--;
	snprintf(out, size, "%.*s", (int)len, line);
}

static size_t keep_header(char *line, size_t size, size_t n, void *ctx)
{
	struct reply *r = ctx;
	size_t len = size * n;
	char length[32] = "";

	header_value(line, len, "Location", r->location, sizeof(r->location));
	header_value(line, len, "Allow", r->allow, sizeof(r->allow));
	header_value(line, len, "X-Content-Type-Options", r->nosniff,
		     sizeof(r->nosniff));
	header_value(line, len, "Cache-Control", r->cache, sizeof(r->cache));
	header_value(line, len, "Content-Length", length, sizeof(length));
	if (*length)
		r->length = atol(length);
	return len;
}

/* Sends `method path` to the server as is (no dot-segment squashing by
 * curl, no proxy, no redirects followed). */
static struct reply *fetch(const char *method, const char *path)
{
	static struct reply r;
	char url[512];
	const char *type = NULL;
	CURL *curl = curl_easy_init();

	ck_assert_ptr_nonnull(curl);
	memset(&r, 0, sizeof(r));
	r.length = -1;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", srv.port, path);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);
	curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, keep_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, keep_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, &r);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "POST") == 0)
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "stuur=ja");
	else if (strcmp(method, "GET") != 0)
		curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	r.result = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
	curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &type);
	snprintf(r.type, sizeof(r.type), "%s", type ? type : "");
	curl_easy_cleanup(curl);
	return &r;
}

/* A GET that must succeed at the HTTP level; returns the reply. */
static struct reply *get(const char *path)
{
	struct reply *r = fetch("GET", path);

	ck_assert_msg(r->result == CURLE_OK, "GET %s: %s", path,
		      curl_easy_strerror(r->result));
	return r;
}

static void assert_file(const char *path, const char *type, const char *body)
{
	struct reply *r = get(path);

	ck_assert_msg(r->status == 200, "GET %s: %ld", path, r->status);
	ck_assert_str_eq(r->type, type);
	ck_assert_str_eq(r->body, body);
	ck_assert_str_eq(r->nosniff, "nosniff");
	ck_assert_str_eq(r->cache, "no-cache");
}

/* The outside file must never come back, whatever the status says. */
static void assert_refused(const char *path)
{
	struct reply *r = get(path);

	ck_assert_msg(r->status == 403 || r->status == 404, "GET %s: %ld",
		      path, r->status);
	ck_assert_msg(strstr(r->body, "TOP SECRET") == NULL,
		      "GET %s leaked the outside file", path);
}

/* A permanent redirect from path to location. */
static void assert_redirect(const char *path, const char *location)
{
	struct reply *r = get(path);

	ck_assert_msg(r->status == 301, "GET %s: %ld", path, r->status);
	ck_assert_str_eq(r->location, location);
}

/* ---- tests --------------------------------------------------------------- */

START_TEST(files_and_types)
{
	assert_file("/", "text/html; charset=utf-8",
		    "<h1>Moresprudentie</h1>\n");
	assert_file("/index.html", "text/html; charset=utf-8",
		    "<h1>Moresprudentie</h1>\n");
	assert_file("/style.css", "text/css; charset=utf-8",
		    "body { color: black; }\n");
	assert_file("/feed.xml", "application/atom+xml", "<feed/>\n");
	assert_file("/data.json", "application/json", "{}\n");
	assert_file("/blob.bin", "application/octet-stream", "xyz");
	assert_file("/over%20ons.txt", "text/plain; charset=utf-8",
		    "Over ons\n");
	/* A link that stays inside the folder is fine. */
	assert_file("/alias.css", "text/css; charset=utf-8",
		    "body { color: black; }\n");
	/* The query is not part of the path. */
	assert_file("/style.css?v=2", "text/css; charset=utf-8",
		    "body { color: black; }\n");
}
END_TEST

START_TEST(folders)
{
	assert_file("/sub/", "text/html; charset=utf-8", "<h1>Sub</h1>\n");
	assert_redirect("/sub", "/sub/");
	/* "//sub" must not become a redirect to the host "sub". */
	assert_redirect("//sub", "/sub/");
}
END_TEST

START_TEST(not_found)
{
	struct reply *r = get("/bestaat-niet.html");
	char path[4200];

	ck_assert_int_eq(r->status, 404);
	ck_assert_str_eq(r->type, "text/html; charset=utf-8");
	ck_assert_str_eq(r->body, NOT_FOUND_PAGE);
	ck_assert_str_eq(r->nosniff, "nosniff");
	ck_assert_int_eq(get("/sub/nee/")->status, 404);
	ck_assert_int_eq(get("/style.css/x")->status, 404);
	/* Without a 404.html there is still a 404, with a plain body. */
	snprintf(path, sizeof(path), "%s/404.html", srv.site);
	ck_assert_int_eq(unlink(path), 0);
	r = get("/bestaat-niet.html");
	ck_assert_int_eq(r->status, 404);
	ck_assert_ptr_null(strstr(r->body, "Pagina"));
}
END_TEST

START_TEST(stays_inside_folder)
{
	assert_refused("/../secret");
	assert_refused("/%2e%2e/secret");
	assert_refused("/%2E%2E/secret");
	assert_refused("/sub/..%2f..%2fsecret");
	assert_refused("/sub/../../secret");
	assert_refused("/..%5csecret");
	assert_refused("/sub\\..\\..\\secret");
	assert_refused("/symlink");
	assert_refused("/up/secret");
	assert_refused("/up/site/../secret");
	/* ".." and backslashes are refused even where they would stay
	 * inside, so that no path is ever resolved from one. */
	ck_assert_int_eq(get("/sub/../style.css")->status, 403);
	ck_assert_int_eq(get("/sub/%2e%2e/style.css")->status, 403);
	ck_assert_int_eq(get("/back%5cslash.txt")->status, 403);
	ck_assert_int_eq(get("/index.html%00.txt")->status, 400);
	ck_assert_int_eq(get("/%zz")->status, 400);
	ck_assert_int_eq(get("/%2")->status, 400);
}
END_TEST

/* The site's base_url path serves the same folder, so that pages which
 * link from the root of the published site (the 404 page) find their
 * files in the preview too. */
START_TEST(under_base_path)
{
	struct reply *r;

	assert_file("/commissie/index.html", "text/html; charset=utf-8",
		    "<h1>Moresprudentie</h1>\n");
	assert_file("/commissie/", "text/html; charset=utf-8",
		    "<h1>Moresprudentie</h1>\n");
	assert_file("/commissie/sub/", "text/html; charset=utf-8",
		    "<h1>Sub</h1>\n");
	assert_file("/commissie/style.css", "text/css; charset=utf-8",
		    "body { color: black; }\n");
	assert_redirect("/commissie", "/commissie/");
	assert_redirect("/commissie/sub", "/commissie/sub/");
	/* Only the whole first segment is the prefix. */
	ck_assert_int_eq(get("/commissiex/index.html")->status, 404);
	r = get("/commissie/bestaat-niet.html");
	ck_assert_int_eq(r->status, 404);
	ck_assert_str_eq(r->body, NOT_FOUND_PAGE);
	assert_refused("/commissie/../secret");
	assert_refused("/commissie/%2e%2e/secret");
	assert_refused("/commissie/up/secret");
	assert_refused("/commissie/symlink");
}
END_TEST

/* A browser fetches a page's files over one connection; the server must
 * not close it after each answer. */
START_TEST(keeps_connection)
{
	char url[128];
	long connects = -1;
	CURL *curl = curl_easy_init();

	ck_assert_ptr_nonnull(curl);
	curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", srv.port);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	ck_assert_int_eq(curl_easy_perform(curl), CURLE_OK);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/style.css", srv.port);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	ck_assert_int_eq(curl_easy_perform(curl), CURLE_OK);
	curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &connects);
	ck_assert_int_eq(connects, 0);
	curl_easy_cleanup(curl);
}
END_TEST

START_TEST(head_has_no_body)
{
	struct reply *r = fetch("HEAD", "/style.css");

	ck_assert_int_eq(r->result, CURLE_OK);
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(r->type, "text/css; charset=utf-8");
	ck_assert_int_eq(r->length, (long)strlen("body { color: black; }\n"));
	ck_assert_uint_eq(r->len, 0);
}
END_TEST

/* curl does not read the body of a HEAD; a raw HTTP/1.0 exchange shows
 * that the server sends none: nothing follows the headers. */
START_TEST(head_raw)
{
	const char *req = "HEAD /index.html HTTP/1.0\r\n\r\n";
	struct sockaddr_in addr = { .sin_family = AF_INET };
	char buf[4096];
	size_t len = 0;
	ssize_t n;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	const char *end;

	ck_assert_int_ge(fd, 0);
	addr.sin_port = htons((uint16_t)srv.port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&addr, sizeof(addr)),
			 0);
	ck_assert_int_eq(write(fd, req, strlen(req)), (ssize_t)strlen(req));
	while ((n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	ck_assert_msg(strncmp(buf, "HTTP/1.", 7) == 0 && strstr(buf, " 200 "),
		      "%s", buf);
	end = strstr(buf, "\r\n\r\n");
	ck_assert_ptr_nonnull(end);
	ck_assert_str_eq(end, "\r\n\r\n");
}
END_TEST

START_TEST(other_methods)
{
	static const char *const methods[] = { "POST", "PUT", "DELETE",
					       "OPTIONS" };

	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		struct reply *r = fetch(methods[i], "/index.html");

		ck_assert_int_eq(r->result, CURLE_OK);
		ck_assert_msg(r->status == 405, "%s: %ld", methods[i],
			      r->status);
		ck_assert_str_eq(r->allow, "GET, HEAD");
		ck_assert_ptr_null(strstr(r->body, "Moresprudentie"));
	}
}
END_TEST

START_TEST(port_taken)
{
	volatile sig_atomic_t stop = 1; /* returns at once if it did bind */
	char expect[64];

	archive_error_clear();
	ck_assert_int_eq(site_serve(srv.site, srv.port, &stop, NULL, NULL),
			 ARCHIVE_EEXISTS);
	snprintf(expect, sizeof(expect), "port %d on 127.0.0.1 is taken",
		 srv.port);
	ck_assert_msg(strstr(archive_error_last(), expect), "%s",
		      archive_error_last());
	ck_assert_int_eq(archive_error_code(), ARCHIVE_EEXISTS);
	/* The first server did not notice. */
	ck_assert_int_eq(get("/")->status, 200);
}
END_TEST

START_TEST(stop_flag)
{
	int port = srv.port;
	struct reply *r;

	ck_assert_int_eq(get("/")->status, 200);
	serve_stop();
	srv.port = port;
	r = fetch("GET", "/");
	ck_assert_int_eq(r->result, CURLE_COULDNT_CONNECT);
	serve_start(); /* for the teardown */
}
END_TEST

START_TEST(bad_arguments)
{
	volatile sig_atomic_t stop = 1;
	char *tmp = fixture_tmpdir();
	char path[4200];

	snprintf(path, sizeof(path), "%s/nergens", tmp);
	ck_assert_int_eq(site_serve(path, 0, &stop, NULL, NULL),
			 ARCHIVE_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(archive_error_last(), path));
	snprintf(path, sizeof(path), "%s/bestand", tmp);
	fixture_write_file(path, "x");
	ck_assert_int_eq(site_serve(path, 0, &stop, NULL, NULL),
			 ARCHIVE_ENOTFOUND);
	ck_assert_int_eq(site_serve(tmp, 70000, &stop, NULL, NULL),
			 ARCHIVE_EINVALID);
	ck_assert_int_eq(site_serve(tmp, -1, &stop, NULL, NULL),
			 ARCHIVE_EINVALID);
	fixture_rmdir(tmp);
}
END_TEST

Suite *serve_suite(void)
{
	Suite *s = suite_create("serve");
	TCase *t = tcase_create("http");

	tcase_set_timeout(t, 60);
	tcase_add_checked_fixture(t, serve_start, serve_stop);
	tcase_add_test(t, files_and_types);
	tcase_add_test(t, folders);
	tcase_add_test(t, not_found);
	tcase_add_test(t, stays_inside_folder);
	tcase_add_test(t, under_base_path);
	tcase_add_test(t, keeps_connection);
	tcase_add_test(t, head_has_no_body);
	tcase_add_test(t, head_raw);
	tcase_add_test(t, other_methods);
	tcase_add_test(t, port_taken);
	tcase_add_test(t, stop_flag);
	suite_add_tcase(s, t);
	t = tcase_create("errors");
	tcase_add_test(t, bad_arguments);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *r;
	int failed;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 1;
	r = srunner_create(serve_suite());
	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	curl_global_cleanup();
	return failed ? 1 : 0;
}
