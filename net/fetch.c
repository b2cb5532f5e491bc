/*
 * fetch.c: the transfer engine. Runs many HTTP(S) transfers at once with
 * the curl multi interface, and schedules them itself so that no host
 * gets more than a few at a time and a transfer's timeout only starts
 * when it does. Each transfer follows redirects (http and https only),
 * keeps the validators of the final response, caps the body, and turns
 * curl's error into one sentence a secretary can act on.
 */
#include "net_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_REDIRECTS 10

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int init_rc;

static void global_init(void)
{
	init_rc = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

int net_init(void)
{
	int rc = net_curl_open();

	if (rc != 0)
		return rc;
	pthread_once(&once, global_init);
	return init_rc ? archive_error_set(ARCHIVE_ERROR,
					   "libcurl could not be initialised")
		       : 0;
}

long net_timeout_ms(void)
{
	const char *v = getenv("MORES_NET_TIMEOUT");
	char *end;
	double s;

	if (v && *v) {
		s = strtod(v, &end);
		if (!*end && s > 0 && s <= 3600)
			return (long)(s * 1000);
	}
	return 20000;
}

void net_easy_common(CURL *h, long timeout_ms)
{
	const char *ca = getenv("MORES_CA_FILE");

	curl_easy_setopt(h, CURLOPT_USERAGENT, NET_USER_AGENT);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
			 timeout_ms < 10000 ? timeout_ms : 10000L);
	if (ca && *ca)
		curl_easy_setopt(h, CURLOPT_CAINFO, ca);
}

/* One sentence for a curl failure; errbuf holds curl's details. */
char *net_describe(CURLcode code, const char *errbuf, long timeout_ms)
{
	char *msg = NULL;
	const char *detail = errbuf && *errbuf ? errbuf
					       : curl_easy_strerror(code);

	switch (code) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		msg = net_strprintf("host not found (DNS): %s", detail);
		break;
	case CURLE_COULDNT_CONNECT:
		msg = net_strprintf("cannot connect: %s", detail);
		break;
	case CURLE_OPERATION_TIMEDOUT:
		msg = net_strprintf("no complete answer within %.1f s "
				    "(timeout)",
				    (double)timeout_ms / 1000);
		break;
	case CURLE_TOO_MANY_REDIRECTS:
		msg = net_strprintf("redirect loop (more than %d redirects)",
				    MAX_REDIRECTS);
		break;
	case CURLE_UNSUPPORTED_PROTOCOL:
		msg = net_strprintf("not an http(s) address, or redirected "
				    "to one that is not: %s",
				    detail);
		break;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_USE_SSL_FAILED:
		msg = net_strprintf("TLS error: %s", detail);
		break;
	case CURLE_FILESIZE_EXCEEDED:
		msg = net_strprintf("the answer is larger than allowed");
		break;
	case CURLE_GOT_NOTHING:
		msg = net_strprintf("the server closed the connection "
				    "without an answer");
		break;
	case CURLE_LOGIN_DENIED:
		msg = net_strprintf("login refused: %s", detail);
		break;
	default:
		msg = net_strprintf("%s", detail);
	}
	return msg;
}

/* ---- one transfer ---------------------------------------------------------- */

struct job {
	net_fetch *f;
	CURL *h;
	struct curl_slist *headers;
	char errbuf[CURL_ERROR_SIZE];
	char *host;
	int stopped;  /* the write callback ended a status-only GET */
	size_t cap;
};

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
	struct job *j = ctx;
	net_fetch *f = j->f;
	size_t len = size * n;

	if (f->max_body == 0) {
		/* only the status is wanted: stop at the first bytes */
		j->stopped = 1;
		return 0;
	}
	if (f->body_len + len > f->max_body) {
		f->too_large = 1;
		return 0;
	}
	if (f->body_len + len + 1 > j->cap) {
		size_t cap = (f->body_len + len + 1) * 2;
		char *p;

		if (cap > f->max_body + 1)
			cap = f->max_body + 1;
		if (!(p = realloc(f->body, cap)))
			return 0;
		f->body = p;
		j->cap = cap;
	}
	memcpy(f->body + f->body_len, data, len);
	f->body_len += len;
	f->body[f->body_len] = '\0';
	return len;
}

/* A header value without surrounding blanks and line end. */
static char *header_value(const char *line, size_t len, const char *name)
{
	size_t n = strlen(name), end;

	if (len <= n || strncasecmp(line, name, n) || line[n] != ':')
		return NULL;
	line += n + 1;
	len -= n + 1;
	while (len && (*line == ' ' || *line == '\t')) {
		line++;
		len--;
	}
	end = len;
	while (end && (line[end - 1] == '\r' || line[end - 1] == '\n' ||
		       line[end - 1] == ' '))
		end--;
	return strndup(line, end);
}

static size_t on_header(char *data, size_t size, size_t n, void *ctx)
{
	struct job *j = ctx;
	size_t len = size * n;
	char *v;

	/* a new response (after a redirect): forget the earlier one's */
	if (len > 5 && !strncmp(data, "HTTP/", 5)) {
		free(j->f->etag);
		free(j->f->last_modified);
		j->f->etag = j->f->last_modified = NULL;
	} else if ((v = header_value(data, len, "ETag"))) {
		free(j->f->etag);
		j->f->etag = v;
	} else if ((v = header_value(data, len, "Last-Modified"))) {
		free(j->f->last_modified);
		j->f->last_modified = v;
	}
	return len;
}

static int job_start(struct job *j, CURLM *m, long timeout_ms)
{
	net_fetch *f = j->f;

	j->h = curl_easy_init();
	if (!j->h)
		return -1;
	j->errbuf[0] = '\0';
	j->stopped = 0;
	net_easy_common(j->h, timeout_ms);
	curl_easy_setopt(j->h, CURLOPT_URL, f->url);
	curl_easy_setopt(j->h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(j->h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(j->h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(j->h, CURLOPT_MAXREDIRS, (long)MAX_REDIRECTS);
	curl_easy_setopt(j->h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(j->h, CURLOPT_ERRORBUFFER, j->errbuf);
	curl_easy_setopt(j->h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(j->h, CURLOPT_WRITEDATA, j);
	curl_easy_setopt(j->h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(j->h, CURLOPT_HEADERDATA, j);
	curl_easy_setopt(j->h, CURLOPT_PRIVATE, j);
	if (f->head)
		curl_easy_setopt(j->h, CURLOPT_NOBODY, 1L);
	if (f->max_body)
		curl_easy_setopt(j->h, CURLOPT_MAXFILESIZE_LARGE,
				 (curl_off_t)f->max_body);
	if (f->headers && !j->headers)
		for (const char *const *hd = f->headers; *hd; hd++)
			j->headers = curl_slist_append(j->headers, *hd);
	if (j->headers)
		curl_easy_setopt(j->h, CURLOPT_HTTPHEADER, j->headers);
	if (curl_multi_add_handle(m, j->h) != CURLM_OK) {
		curl_easy_cleanup(j->h);
		j->h = NULL;
		return -1;
	}
	return 0;
}

/* Records what a finished transfer brought. Returns 1 when it must run
 * again as a GET (HEAD refused), else 0. */
static int job_done(struct job *j, CURLM *m, CURLcode res, long timeout_ms)
{
	net_fetch *f = j->f;
	char *url = NULL;
	long status = 0, redirects = 0;

	curl_easy_getinfo(j->h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(j->h, CURLINFO_REDIRECT_COUNT, &redirects);
	curl_easy_getinfo(j->h, CURLINFO_EFFECTIVE_URL, &url);
	if (res == CURLE_WRITE_ERROR && j->stopped)
		res = CURLE_OK;
	if (res == CURLE_WRITE_ERROR && f->too_large)
		res = CURLE_FILESIZE_EXCEEDED;
	if (res == CURLE_FILESIZE_EXCEEDED)
		f->too_large = 1;
	/* servers that refuse HEAD (405, 403, 404, ...) or drop it get a
	 * GET instead */
	if (f->head &&
	    ((res == CURLE_OK && status >= 400) || res == CURLE_GOT_NOTHING ||
	     res == CURLE_RECV_ERROR || res == CURLE_WEIRD_SERVER_REPLY)) {
		curl_multi_remove_handle(m, j->h);
		curl_easy_cleanup(j->h);
		j->h = NULL;
		f->head = 0;
		free(f->etag);
		free(f->last_modified);
		f->etag = f->last_modified = NULL;
		return 1;
	}
	f->status = res == CURLE_OK ? status : 0;
	f->redirects = redirects;
	f->final_url = url ? strdup(url) : NULL;
	f->timed_out = res == CURLE_OPERATION_TIMEDOUT;
	if (res != CURLE_OK) {
		f->error = net_describe(res, j->errbuf, timeout_ms);
		if (f->too_large) {
			free(f->error);
			f->error = f->max_body >= 1024 * 1024
				? net_strprintf("the answer is larger than "
						"%zu MB; not read",
						f->max_body / (1024 * 1024))
				: net_strprintf("the answer is larger than "
						"%zu bytes; not read",
						f->max_body);
		}
		free(f->body);
		f->body = NULL;
		f->body_len = 0;
	}
	curl_multi_remove_handle(m, j->h);
	curl_easy_cleanup(j->h);
	j->h = NULL;
	return 0;
}

/* ---- scheduling ---------------------------------------------------------------- */

static char *host_of(const char *url)
{
	CURLU *u = curl_url();
	char *host = NULL, *copy;

	if (!u)
		return NULL;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		curl_url_cleanup(u);
		return strdup("");
	}
	copy = strdup(host);
	curl_free(host);
	curl_url_cleanup(u);
	return copy;
}

static int host_busy(struct job *jobs, size_t n, const char *host)
{
	int busy = 0;

	for (size_t i = 0; i < n; i++)
		if (jobs[i].h && !strcmp(jobs[i].host, host))
			busy++;
	return busy;
}

/* A count from the environment, else the default. */
static int env_count(const char *name, int fallback)
{
	const char *v = getenv(name);
	char *end;
	long n;

	if (!v || !*v)
		return fallback;
	n = strtol(v, &end, 10);
	return *end || n < 1 || n > 256 ? fallback : (int)n;
}

int net_fetch_all(net_fetch *f, size_t n, const net_opts *o)
{
	int parallel = o && o->parallel > 0
			       ? o->parallel
			       : env_count("MORES_NET_PARALLEL", 16);
	int per_host = o && o->per_host > 0
			       ? o->per_host
			       : env_count("MORES_NET_PER_HOST", 2);
	long timeout = o && o->timeout_ms > 0 ? o->timeout_ms
					      : net_timeout_ms();
	struct job *jobs;
	size_t next = 0, done = 0;
	int active = 0, rc = 0;
	char *started;
	CURLM *m;

	if (n == 0)
		return 0;
	if ((rc = net_init()) != 0)
		return rc;
	jobs = calloc(n, sizeof(*jobs));
	started = calloc(n, 1);
	m = curl_multi_init();
	if (!jobs || !started || !m) {
		free(jobs);
		free(started);
		if (m)
			curl_multi_cleanup(m);
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		jobs[i].f = &f[i];
		jobs[i].host = host_of(f[i].url ? f[i].url : "");
		if (!jobs[i].host)
			rc = archive_error_set(ARCHIVE_ERROR, "out of memory");
	}
	while (rc == 0 && done < n) {
		CURLMsg *msg;
		int left, running, finished;

		/* start what the limits allow, in order */
		for (size_t i = next; i < n && active < parallel; i++) {
			if (started[i] ||
			    host_busy(jobs, n, jobs[i].host) >= per_host)
				continue;
			started[i] = 1;
			if (job_start(&jobs[i], m, timeout) != 0) {
				f[i].error = net_strprintf("cannot start the "
							   "transfer");
				done++;
				continue;
			}
			active++;
		}
		while (next < n && started[next])
			next++;
		curl_multi_perform(m, &running);
		finished = 0;
		while ((msg = curl_multi_info_read(m, &left))) {
			struct job *j = NULL;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
					  (char **)&j);
			if (job_done(j, m, msg->data.result, timeout)) {
				if (job_start(j, m, timeout) == 0)
					continue;
				j->f->error = net_strprintf("cannot start the "
							    "transfer");
			}
			active--;
			done++;
			finished = 1;
		}
		/* a transfer that ended makes room: start the next at once */
		if (done < n && !finished &&
		    curl_multi_poll(m, NULL, 0, 200, NULL) != CURLM_OK)
			rc = archive_error_set(ARCHIVE_ERROR,
					       "network transfers failed");
	}
	for (size_t i = 0; i < n; i++) {
		if (jobs[i].h) {
			curl_multi_remove_handle(m, jobs[i].h);
			curl_easy_cleanup(jobs[i].h);
		}
		curl_slist_free_all(jobs[i].headers);
		free(jobs[i].host);
	}
	curl_multi_cleanup(m);
	free(jobs);
	free(started);
	return rc;
}

void net_fetch_clear(net_fetch *f)
{
	if (!f)
		return;
	free(f->final_url);
	free(f->body);
	free(f->etag);
	free(f->last_modified);
	free(f->error);
	f->status = f->redirects = 0;
	f->final_url = f->body = f->etag = f->last_modified = f->error = NULL;
	f->body_len = 0;
	f->too_large = f->timed_out = 0;
}
