/*
 * links.c: the external links of the advice texts, found with file and
 * line, checked in parallel and remembered. A link is checked with HEAD
 * (GET when the server refuses HEAD); redirects are followed and told.
 * Results live in links.json in the derived folder with the date they
 * were found, and a later run asks the network only about addresses
 * whose result has gone stale.
 */
#include "net_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* ---- finding links ----------------------------------------------------------- */

static int line_is(const char *p, size_t n, const char *what)
{
	size_t w = strlen(what);

	while (n && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
		n--;
	return n == w && !memcmp(p, what, w);
}

/* The length of the link starting at p (at most n bytes): up to blanks
 * and markup around it, with an unbalanced ')' and trailing punctuation
 * left to the sentence. */
static size_t link_length(const char *p, size_t n)
{
	size_t len = 0;
	int depth = 0;

	for (; len < n; len++) {
		unsigned char c = (unsigned char)p[len];

		if (c <= ' ' || c == '<' || c == '>' || c == '"' || c == '`' ||
		    c == ']' || c == '|' || c == '{' || c == '}' || c == '\\')
			break;
		if (c == '(')
			depth++;
		if (c == ')' && depth-- == 0)
			break;
	}
	while (len && strchr(".,;:!?'*_~", p[len - 1]))
		len--;
	return len;
}

static int scan_line(const char *p, size_t n, int line, net_link_fn fn,
		     void *ctx)
{
	for (size_t i = 0; i + 8 <= n; i++) {
		size_t skip, len;
		char *url;
		int rc;

		if (!strncasecmp(p + i, "https://", 8))
			skip = 8;
		else if (!strncasecmp(p + i, "http://", 7))
			skip = 7;
		else
			continue;
		/* part of a longer word ("xhttp://") is no link */
		if (i > 0 && isalnum((unsigned char)p[i - 1]))
			continue;
		len = link_length(p + i, n - i);
		if (len <= skip) {
			i += skip - 1;
			continue;
		}
		if (!(url = strndup(p + i, len)))
			return archive_error_set(ARCHIVE_ERROR, "out of memory");
		rc = fn(url, line, ctx);
		free(url);
		if (rc)
			return rc;
		i += len - 1;
	}
	return 0;
}

int net_links_scan(const char *text, int first_line, int skip_internal,
		   net_link_fn fn, void *ctx)
{
	const char *p = text, *end = text + strlen(text);
	int line = first_line, inside = 0, rc = 0;

	while (p < end && rc == 0) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (!inside && line_is(p, n, "<!-- intern -->"))
			inside = 1;
		else if (inside && line_is(p, n, "<!-- /intern -->"))
			inside = 0;
		else if (!inside || !skip_internal)
			rc = scan_line(p, n, line, fn, ctx);
		p += n + (nl ? 1 : 0);
		line++;
	}
	return rc;
}

/* ---- collecting them from the archive ------------------------------------ */

struct link {
	char *url, *file;
	int line;
	struct result *r;
};

struct result {
	char *url;
	const char *state; /* ok, redirected, broken, unreachable */
	long http, redirects;
	char *final_url, *error;
	char checked[11];
	int cached;
	net_fetch f;
};

struct collect {
	struct link *l;
	size_t n, cap;
	const char *file;
	const archive_public *pub; /* only links in these texts, when set */
};

static int add_link(const char *url, int line, void *ctx)
{
	struct collect *c = ctx;

	if (c->pub && !(c->pub->advice && strstr(c->pub->advice, url)) &&
	    !(c->pub->summary && strstr(c->pub->summary, url)))
		return 0;
	if (c->n == c->cap) {
		size_t cap = c->cap * 2 + 64;
		struct link *l = realloc(c->l, cap * sizeof(*l));

		if (!l)
			return archive_error_set(ARCHIVE_ERROR, "out of memory");
		c->l = l;
		c->cap = cap;
	}
	c->l[c->n] = (struct link){ strdup(url), strdup(c->file), line, NULL };
	if (!c->l[c->n].url || !c->l[c->n].file) {
		free(c->l[c->n].url);
		free(c->l[c->n].file);
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	}
	c->n++;
	return 0;
}

static int collect(struct collect *c, archive *a, int public_only)
{
	archive_snap *s = archive_snapshot(a);
	char today[11], **ids = NULL;
	size_t n = 0;
	int rc;

	archive_date_today(today);
	if ((rc = archive_dossier_ids(&ids, &n, s)) != 0)
		return rc == ARCHIVE_ENOTFOUND ? 0 : rc;
	for (size_t i = 0; i < n && rc == 0; i++) {
		char *dir = archive_id_dir(ids[i]), *path, *text = NULL;
		archive_public *pub = NULL;
		archive_dossier *d = NULL;

		path = dir ? net_strprintf("%s/advies.md", dir) : NULL;
		free(dir);
		if (!path) {
			rc = archive_error_set(ARCHIVE_ERROR, "out of memory");
			break;
		}
		if (archive_snap_read(&text, NULL, s, path) != 0) {
			/* no advice yet: nothing to check */
			archive_error_clear();
			free(path);
			continue;
		}
		if (public_only) {
			/* the publication rule decides, in one place */
			if (archive_dossier_load(&d, s, ids[i]) != 0 ||
			    archive_public_view(&pub, d, archive_code(a), today,
						NULL, NULL) != 0) {
				archive_error_clear();
				pub = NULL;
			}
			archive_dossier_free(d);
			if (!pub) {
				free(text);
				free(path);
				continue;
			}
		}
		c->file = path;
		c->pub = pub;
		rc = net_links_scan(text, 1, public_only, add_link, c);
		archive_public_free(pub);
		free(text);
		free(path);
	}
	archive_names_free(ids, n);
	return rc;
}

/* ---- the cache ------------------------------------------------------------ */

static int cmp_url(const void *x, const void *y)
{
	const struct result *a = x, *b = y;

	return strcmp(a->url, b->url);
}

static long days_of(const char *date)
{
	int y, m, d;

	return archive_date_parse(date, &y, &m, &d) ? -1
						    : archive_date_days(y, m, d);
}

/* Takes a fresh result from the cache into r; 1 when it was fresh. */
static int from_cache(struct result *r, json_t *cache, long today)
{
	json_t *e = json_object_get(cache, r->url);
	const char *state = json_string_value(json_object_get(e, "state"));
	const char *checked = json_string_value(json_object_get(e, "checked"));
	const char *fin = json_string_value(json_object_get(e, "final_url"));
	const char *err = json_string_value(json_object_get(e, "error"));
	static const char *const states[] = { "ok", "redirected", "broken",
					      "unreachable" };
	long age, fresh;

	if (!state || !checked || days_of(checked) < 0)
		return 0;
	for (size_t i = 0; i < 4; i++)
		if (!strcmp(state, states[i]))
			r->state = states[i];
	if (!r->state)
		return 0;
	age = today - days_of(checked);
	fresh = (!strcmp(state, "ok") || !strcmp(state, "redirected"))
			? NET_LINKS_FRESH_OK
			: NET_LINKS_FRESH_BAD;
	if (age < 0 || age >= fresh) {
		r->state = NULL;
		return 0;
	}
	r->http = (long)json_integer_value(json_object_get(e, "http"));
	r->redirects = (long)json_integer_value(json_object_get(e, "redirects"));
	r->final_url = fin ? strdup(fin) : NULL;
	r->error = err ? strdup(err) : NULL;
	snprintf(r->checked, sizeof(r->checked), "%s", checked);
	r->cached = 1;
	return 1;
}

static void classify(struct result *r, const char *today)
{
	net_fetch *f = &r->f;

	snprintf(r->checked, sizeof(r->checked), "%s", today);
	r->http = f->status;
	r->redirects = f->redirects;
	if (f->error && !strncmp(f->error, "redirect loop", 13)) {
		r->state = "broken";
		r->error = strdup(f->error);
	} else if (f->error) {
		r->state = "unreachable";
		r->error = strdup(f->error);
	} else if (f->status >= 400) {
		r->state = "broken";
		r->error = net_strprintf("HTTP %ld", f->status);
	} else if (f->redirects > 0 && f->final_url &&
		   strcmp(f->final_url, r->url)) {
		r->state = "redirected";
	} else {
		r->state = "ok";
	}
	if (f->final_url && strcmp(f->final_url, r->url))
		r->final_url = strdup(f->final_url);
}

static json_t *result_json(const struct result *r)
{
	json_t *o = json_object();

	json_object_set_new(o, "state", json_string(r->state));
	json_object_set_new(o, "http", json_integer(r->http));
	json_object_set_new(o, "redirects", json_integer(r->redirects));
	json_object_set_new(o, "final_url", r->final_url
						    ? json_string(r->final_url)
						    : json_null());
	json_object_set_new(o, "error",
			    r->error ? json_string(r->error) : json_null());
	json_object_set_new(o, "checked", json_string(r->checked));
	return o;
}

/* Keeps what is in the cache (links of dossiers not looked at this run,
 * say) unless it is a month old, and adds this run's results. */
static int save_cache(const char *path, json_t *old, struct result *r,
		      size_t n, long today)
{
	json_t *root = json_object(), *urls = json_object(), *e;
	const char *url;
	int rc;

	json_object_foreach(json_object_get(old, "urls"), url, e)
	{
		const char *checked =
			json_string_value(json_object_get(e, "checked"));

		if (checked && days_of(checked) >= 0 &&
		    today - days_of(checked) < 31)
			json_object_set(urls, url, e);
	}
	for (size_t i = 0; i < n; i++)
		if (!r[i].cached)
			json_object_set_new(urls, r[i].url, result_json(&r[i]));
	json_object_set_new(root, "version", json_integer(1));
	json_object_set_new(root, "urls", urls);
	rc = net_json_save(root, path);
	json_decref(root);
	return rc;
}

/* ---- checking ------------------------------------------------------------------ */

static struct result *find_result(struct result *r, size_t n, const char *url)
{
	struct result key = { .url = (char *)url };

	return bsearch(&key, r, n, sizeof(*r), cmp_url);
}

static json_t *link_json(const struct link *l)
{
	const struct result *r = l->r;
	json_t *o = json_object();

	json_object_set_new(o, "file", json_string(l->file));
	json_object_set_new(o, "line", json_integer(l->line));
	json_object_set_new(o, "url", json_string(l->url));
	json_object_set_new(o, "state", json_string(r->state));
	json_object_set_new(o, "http", json_integer(r->http));
	json_object_set_new(o, "final_url", r->final_url
						    ? json_string(r->final_url)
						    : json_null());
	json_object_set_new(o, "redirects", json_integer(r->redirects));
	json_object_set_new(o, "error",
			    r->error ? json_string(r->error) : json_null());
	json_object_set_new(o, "checked", json_string(r->checked));
	json_object_set_new(o, "cached", json_boolean(r->cached));
	return o;
}

int net_links_check(json_t **out, archive *a, int public_only,
		    const net_opts *o, net_link_stats *st)
{
	struct collect c = { 0 };
	struct result *r = NULL;
	net_fetch *batch = NULL;
	json_t *cache = NULL, *list = NULL;
	char today[11], *cache_path = NULL;
	long now = net_today_days(today);
	size_t nr = 0, nbatch = 0;
	struct timespec t0, t1;
	int rc;

	*out = NULL;
	memset(st, 0, sizeof(*st));
	if ((rc = collect(&c, a, public_only)) != 0)
		goto done;
	/* distinct addresses, sorted */
	if (c.n && !(r = calloc(c.n, sizeof(*r)))) {
		rc = archive_error_set(ARCHIVE_ERROR, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < c.n; i++)
		r[i].url = c.l[i].url;
	qsort(r, c.n, sizeof(*r), cmp_url);
	for (size_t i = 0; i < c.n; i++)
		if (nr == 0 || strcmp(r[nr - 1].url, r[i].url))
			r[nr++].url = r[i].url;
	if (!(cache_path = net_derived_path(a, "links.json"))) {
		rc = archive_error_code();
		goto done;
	}
	net_json_load(&cache, cache_path);
	for (size_t i = 0; i < nr; i++)
		if (!from_cache(&r[i], json_object_get(cache, "urls"), now))
			nbatch++;
	if (nbatch && !(batch = calloc(nbatch, sizeof(*batch)))) {
		rc = archive_error_set(ARCHIVE_ERROR, "out of memory");
		goto done;
	}
	nbatch = 0;
	for (size_t i = 0; i < nr; i++)
		if (!r[i].state)
			batch[nbatch++] = (net_fetch){ .url = r[i].url, .head = 1 };
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((rc = net_fetch_all(batch, nbatch, o)) != 0)
		goto done;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	st->seconds = (double)(t1.tv_sec - t0.tv_sec) +
		      (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	nbatch = 0;
	for (size_t i = 0; i < nr; i++) {
		if (r[i].state)
			continue;
		r[i].f = batch[nbatch++];
		classify(&r[i], today);
		net_fetch_clear(&r[i].f);
	}
	if ((rc = save_cache(cache_path, cache, r, nr, now)) != 0)
		goto done;
	list = json_array();
	for (size_t i = 0; i < c.n; i++) {
		struct link *l = &c.l[i];

		l->r = find_result(r, nr, l->url);
		json_array_append_new(list, link_json(l));
		if (!strcmp(l->r->state, "ok"))
			st->ok++;
		else if (!strcmp(l->r->state, "redirected"))
			st->redirected++;
		else if (!strcmp(l->r->state, "broken"))
			st->broken++;
		else
			st->unreachable++;
	}
	st->links = c.n;
	st->urls = nr;
	for (size_t i = 0; i < nr; i++)
		r[i].cached ? st->cached++ : st->checked++;
	*out = list;
done:
	for (size_t i = 0; i < nr; i++) {
		free(r[i].final_url);
		free(r[i].error);
	}
	free(r);
	free(batch);
	for (size_t i = 0; i < c.n; i++) {
		free(c.l[i].url);
		free(c.l[i].file);
	}
	free(c.l);
	free(cache_path);
	json_decref(cache);
	return rc;
}
