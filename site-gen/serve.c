/*
 * serve.c: the preview server behind `mores site serve`. It hands out the
 * files of a built site on 127.0.0.1 so that the secretary can look at the
 * site in a browser before it is published. It is a preview, not a web
 * server: GET and HEAD only, one folder and nothing outside it, no caching.
 *
 * Request paths reach us still percent-encoded (libmicrohttpd's own
 * unescaping is switched off), so that an encoded NUL, "../" or backslash
 * is seen and refused here instead of being decoded into something else.
 */
#include "site_int.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SERVE_TICK_NS (100L * 1000 * 1000) /* how often *stop is read */
#define SERVE_IDLE_TIMEOUT 30u             /* seconds an idle socket stays */

struct server {
	char *root; /* the served folder, resolved by realpath() */
	size_t rootlen;
	const char *prefix; /* also served under this path, or NULL */
	size_t prefixlen;
};

/* An open file of the site, ready to be sent. */
struct site_file {
	int fd;
	size_t size;
	const char *type;
};

static const struct {
	const char *ext;
	const char *type;
} content_types[] = {
	{ ".html", "text/html; charset=utf-8" },
	{ ".css", "text/css; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".json", "application/json" },
	{ ".xml", "application/xml" },
	{ ".svg", "image/svg+xml" },
	{ ".png", "image/png" },
	{ ".jpg", "image/jpeg" },
	{ ".jpeg", "image/jpeg" },
	{ ".woff2", "font/woff2" },
	{ ".txt", "text/plain; charset=utf-8" },
};

static const char *content_type_of(const char *path)
{
	const char *base = strrchr(path, '/');
	const char *dot;

	base = base ? base + 1 : path;
	/* The site's feed is Atom; feed readers look at the type. */
	if (strcmp(base, "feed.xml") == 0)
		return "application/atom+xml";
	dot = strrchr(base, '.');
	for (size_t i = 0; dot && i < sizeof(content_types) /
					  sizeof(content_types[0]); i++)
		if (strcasecmp(dot, content_types[i].ext) == 0)
			return content_types[i].type;
	return "application/octet-stream";
}

static int hex_digit(char c)
{
	static const char digits[] = "0123456789abcdef";
	const char *p = c ? strchr(digits, tolower((unsigned char)c)) : NULL;

	return p ? (int)(p - digits) : -1;
}

/* Decodes the %XX escapes of a request path in place. Returns -1 for a
 * malformed escape and for %00, which no file name can hold. */
static int path_decode(char *s)
{
	char *out = s;

	for (; *s; s++) {
		int hi, lo;

		if (*s != '%') {
			*out++ = *s;
			continue;
		}
		hi = hex_digit(s[1]);
		lo = hi < 0 ? -1 : hex_digit(s[2]);
		if (lo < 0 || hi * 16 + lo == 0)
			return -1;
		*out++ = (char)(hi * 16 + lo);
		s += 2;
	}
	*out = '\0';
	return 0;
}

/* A path is safe when no segment is ".." and it holds no backslash (which
 * some clients and file systems take for a separator). */
static int path_is_safe(const char *path)
{
	const char *seg = path;

	if (strchr(path, '\\'))
		return 0;
	while (seg) {
		const char *end = strchr(seg, '/');
		size_t len = end ? (size_t)(end - seg) : strlen(seg);

		if (len == 2 && seg[0] == '.' && seg[1] == '.')
			return 0;
		seg = end ? end + 1 : NULL;
	}
	return 1;
}

static int is_inside_root(const struct server *srv, const char *real)
{
	if (srv->rootlen == 1) /* the root is "/" */
		return 1;
	return strncmp(real, srv->root, srv->rootlen) == 0 &&
	       (real[srv->rootlen] == '/' || real[srv->rootlen] == '\0');
}

/* Opens path (decoded and checked, starting with '/') under the root, a
 * folder's index.html when it ends with '/'. Returns the HTTP status: 200
 * with *f filled, 301 for a folder asked for without its '/', else 403 or
 * 404. realpath() resolves every symlink, so the prefix check also stops
 * links that lead out of the folder. */
static unsigned int site_file_open(const struct server *srv, const char *path,
				   struct site_file *f)
{
	size_t len = strlen(path);
	struct stat st;
	char *full, *real;

	if (asprintf(&full, "%s%s%s", srv->root, path,
		     path[len - 1] == '/' ? "index.html" : "") < 0)
		return MHD_HTTP_INTERNAL_SERVER_ERROR;
	real = realpath(full, NULL);
	free(full);
	if (!real)
		return MHD_HTTP_NOT_FOUND;
	if (!is_inside_root(srv, real)) {
		free(real);
		return MHD_HTTP_FORBIDDEN;
	}
	/* O_NONBLOCK so that a FIFO in the folder cannot hang the server. */
	f->fd = open(real, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	f->type = content_type_of(real);
	free(real);
	if (f->fd < 0)
		return MHD_HTTP_NOT_FOUND;
	if (fstat(f->fd, &st) != 0)
		st.st_mode = 0;
	if (S_ISREG(st.st_mode)) {
		f->size = (size_t)st.st_size;
		return MHD_HTTP_OK;
	}
	close(f->fd);
	if (S_ISDIR(st.st_mode) && path[len - 1] != '/')
		return MHD_HTTP_MOVED_PERMANENTLY;
	return MHD_HTTP_NOT_FOUND;
}

/* A plain-text response saying what the status means ("Not Found"). */
static struct MHD_Response *status_response(unsigned int status)
{
	const char *text = MHD_get_reason_phrase_for(status);
	struct MHD_Response *r;

	r = MHD_create_response_from_buffer(strlen(text), (void *)text,
					    MHD_RESPMEM_PERSISTENT);
	if (r)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
					"text/plain; charset=utf-8");
	return r;
}

/* The response owns f->fd from here on, also when it cannot be made. */
static struct MHD_Response *file_response(struct site_file *f)
{
	struct MHD_Response *r = MHD_create_response_from_fd(f->size, f->fd);

	if (!r) {
		close(f->fd);
		return NULL;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, f->type);
	return r;
}

/* The site's own 404.html when it has one, so that the preview shows what
 * visitors of the published site will see. */
static struct MHD_Response *not_found_response(const struct server *srv)
{
	struct site_file f;

	if (site_file_open(srv, "/404.html", &f) == MHD_HTTP_OK)
		return file_response(&f);
	return status_response(MHD_HTTP_NOT_FOUND);
}

/* Redirects /x to /x/, so that relative links in x/index.html work. The
 * leading slashes are collapsed: "//host/" would send the browser away. */
static struct MHD_Response *redirect_response(const char *raw_url)
{
	struct MHD_Response *r;
	char *location;

	while (*raw_url == '/')
		raw_url++;
	if (asprintf(&location, "/%s/", raw_url) < 0)
		return NULL;
	r = status_response(MHD_HTTP_MOVED_PERMANENTLY);
	if (r && MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION,
					 location) != MHD_YES) {
		MHD_destroy_response(r);
		r = NULL;
	}
	free(location);
	return r;
}

static enum MHD_Result send_response(struct MHD_Connection *c,
				     unsigned int status,
				     struct MHD_Response *r)
{
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static struct MHD_Response *site_response(const struct server *srv,
					  const char *url, unsigned int *status)
{
	struct site_file f;
	char *path = strdup(url);
	const char *p = path;

	if (!path || path_decode(path) || path[0] != '/')
		*status = path ? MHD_HTTP_BAD_REQUEST
			       : MHD_HTTP_INTERNAL_SERVER_ERROR;
	else if (!path_is_safe(path))
		*status = MHD_HTTP_FORBIDDEN;
	else if (srv->prefix && !strcmp(path, srv->prefix))
		*status = MHD_HTTP_MOVED_PERMANENTLY;
	else {
		if (srv->prefix && !strncmp(path, srv->prefix, srv->prefixlen) &&
		    path[srv->prefixlen] == '/')
			p += srv->prefixlen;
		*status = site_file_open(srv, p, &f);
	}
	free(path);
	switch (*status) {
	case MHD_HTTP_OK:
		return file_response(&f);
	case MHD_HTTP_MOVED_PERMANENTLY:
		return redirect_response(url);
	case MHD_HTTP_NOT_FOUND:
		return not_found_response(srv);
	default:
		return status_response(*status);
	}
}

static enum MHD_Result site_answer(void *cls, struct MHD_Connection *c,
				   const char *url, const char *method,
				   const char *version, const char *upload,
				   size_t *upload_size, void **req_cls)
{
	struct MHD_Response *r;
	unsigned int status;

	(void)version;
	(void)upload;
	/* Answered at once, before any body is read, the connection closes:
	 * what a refused upload deserves. */
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
		r = status_response(MHD_HTTP_METHOD_NOT_ALLOWED);
		if (r)
			MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW,
						"GET, HEAD");
		return send_response(c, MHD_HTTP_METHOD_NOT_ALLOWED, r);
	}
	/* A GET is answered once it has been read whole (a body is ignored),
	 * so that the browser can keep the connection for its next file. */
	if (!*req_cls || *upload_size) {
		*req_cls = c;
		*upload_size = 0;
		return MHD_YES;
	}
	/* MHD leaves out the body of a HEAD response by itself. */
	r = site_response(cls, url, &status);
	return send_response(c, status, r);
}

/* Leaves the URL as it came: site_response() decodes it and checks it. */
static size_t keep_escaped(void *cls, struct MHD_Connection *c, char *s)
{
	(void)cls;
	(void)c;
	return strlen(s);
}

/* MHD does not say why it could not start; a bind of our own tells
 * whether the port is the reason. */
static int port_is_taken(const struct sockaddr_in *addr)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int taken;

	if (fd < 0)
		return 0;
	taken = bind(fd, (const struct sockaddr *)addr, sizeof(*addr)) &&
		errno == EADDRINUSE;
	close(fd);
	return taken;
}

static int daemon_start(struct MHD_Daemon **out, struct server *srv, int port)
{
	struct sockaddr_in addr;

	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	*out = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO,
				(uint16_t)port, NULL, NULL, site_answer, srv,
				MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
				MHD_OPTION_UNESCAPE_CALLBACK, keep_escaped,
				NULL, MHD_OPTION_CONNECTION_TIMEOUT,
				SERVE_IDLE_TIMEOUT, MHD_OPTION_END);
	if (*out)
		return 0;
	if (port != 0 && port_is_taken(&addr))
		return archive_error_set(ARCHIVE_EEXISTS,
					 "port %d on 127.0.0.1 is taken; choose another with --port",
					 port);
	return archive_error_set(ARCHIVE_ERROR,
				 "cannot serve on 127.0.0.1:%d", port);
}

int site_serve(const char *dir, int port, volatile sig_atomic_t *stop,
	       void (*on_ready)(int port, void *ctx), void *ctx)
{
	return site_serve_at(dir, NULL, port, stop, on_ready, ctx);
}

int site_serve_at(const char *dir, const char *prefix, int port,
		  volatile sig_atomic_t *stop,
		  void (*on_ready)(int port, void *ctx), void *ctx)
{
	const struct timespec tick = { 0, SERVE_TICK_NS };
	const union MHD_DaemonInfo *info;
	struct MHD_Daemon *d;
	struct server srv;
	struct stat st;
	int rc;

	if (port < 0 || port > 65535)
		return archive_error_set(ARCHIVE_EINVALID,
					 "port %d: not a port (0 to 65535)",
					 port);
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return archive_error_set(ARCHIVE_ENOTFOUND,
					 "%s: no such folder; build the site with `mores site build`",
					 dir);
	if ((rc = site_microhttpd_open()) != 0)
		return rc;
	srv.root = realpath(dir, NULL);
	if (!srv.root)
		return archive_error_set(ARCHIVE_ERROR, "%s: %s", dir,
					 strerror(errno));
	srv.rootlen = strlen(srv.root);
	srv.prefix = prefix && prefix[0] == '/' && prefix[1] ? prefix : NULL;
	srv.prefixlen = srv.prefix ? strlen(srv.prefix) : 0;
	rc = daemon_start(&d, &srv, port);
	if (rc == 0) {
		info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
		if (on_ready)
			on_ready(info ? info->port : port, ctx);
		while (!stop || !*stop)
			nanosleep(&tick, NULL);
		MHD_stop_daemon(d);
	}
	free(srv.root);
	return rc;
}
