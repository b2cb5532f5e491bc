/*
 * harvest.c: other committees' published collections. For each site of
 * mores.yml's harvest: list, SITE/data/reflecties.json (the public
 * export every mores site carries) is fetched with the validators of the
 * last harvest (If-None-Match, If-Modified-Since), validated reflection
 * by reflection, and kept in harvest/HASH.json in the derived folder:
 *
 *   {"version": 1, "name": NAME, "site": SITE, "code": CODE,
 *    "fetched": DATE, "etag": ..., "last_modified": ...,
 *    "reflections": [{id, citation, title, kind, ..., url}, ...]}
 *
 * Only the public fields of the export are kept, texts without control
 * characters; markup stays text and is escaped wherever it is shown. A
 * site that fails keeps its last good harvest.
 */
#include "net_int.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- validating a peer's export ------------------------------------------------ */

static const struct {
	const char *key;
	size_t max;
} texts[] = { { "title", 300 },	 { "requester", 300 }, { "question", 2000 },
	      { "summary", 4000 } };

static const char *const lists[] = { "values", "instruments", "topics" };

static int copy_text(json_t *dst, json_t *src, const char *key, size_t max)
{
	const char *v = json_string_value(json_object_get(src, key));
	char *clean;

	if (!v)
		return 0;
	if (!(clean = net_clean_text(v, max, 0)))
		return -1;
	if (*clean)
		json_object_set_new(dst, key, json_string(clean));
	free(clean);
	return 0;
}

static int copy_list(json_t *dst, json_t *src, const char *key)
{
	json_t *in = json_object_get(src, key), *out = json_array(), *v;
	size_t i;

	json_array_foreach(in, i, v)
	{
		char *clean;

		if (i >= 50 || !json_is_string(v))
			continue;
		if (!(clean = net_clean_text(json_string_value(v), 100, 0))) {
			json_decref(out);
			return -1;
		}
		if (*clean)
			json_array_append_new(out, json_string(clean));
		free(clean);
	}
	json_object_set_new(dst, key, out);
	return 0;
}

/* Whether citation is CODE:YYYY:N for this id; the code goes to code. */
static int citation_ok(const char *citation, const char *id, char code[16])
{
	const char *colon = citation ? strchr(citation, ':') : NULL;
	int year, seq, cy = 0, cs = 0, used = 0;
	size_t n;

	if (!colon || archive_id_parse(id, &year, &seq))
		return 0;
	n = (size_t)(colon - citation);
	if (n == 0 || n > 12)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((citation[i] >= 'A' && citation[i] <= 'Z') ||
		      (citation[i] >= '0' && citation[i] <= '9')))
			return 0;
	if (sscanf(colon + 1, "%4d:%d%n", &cy, &cs, &used) != 2 ||
	    colon[1 + used] != '\0' || cy != year || cs != seq)
		return 0;
	memcpy(code, citation, n);
	code[n] = '\0';
	return 1;
}

static void skip(size_t *skipped, char **why, const char *fmt, size_t i,
		 const char *what)
{
	(*skipped)++;
	if (!*why)
		*why = net_strprintf(fmt, i + 1, what ? what : "");
}

int net_harvest_parse(json_t **out, const char *text, size_t len,
		      const char *site, size_t *skipped, char **why)
{
	json_error_t e;
	json_t *in, *list, *r;
	char code[16] = "";
	size_t i;

	*out = NULL;
	*skipped = 0;
	*why = NULL;
	in = json_loadb(text, len, JSON_REJECT_DUPLICATES, &e);
	if (!in)
		return archive_error_set(ARCHIVE_EINVALID,
					 "not valid JSON (line %d: %s)",
					 e.line, e.text);
	if (!json_is_array(in)) {
		json_decref(in);
		return archive_error_set(ARCHIVE_EINVALID,
					 "not a list of reflections");
	}
	list = json_array();
	json_array_foreach(in, i, r)
	{
		const char *id = json_string_value(json_object_get(r, "id"));
		const char *cite =
			json_string_value(json_object_get(r, "citation"));
		const char *kind = json_string_value(json_object_get(r, "kind"));
		char this_code[16];
		json_t *o, *have;
		size_t k;
		int dup = 0;

		if (i >= NET_HARVEST_MAX_REFLECTIONS) {
			skip(skipped, why, "more than %zu reflections%s", i,
			     "");
			break;
		}
		if (!json_is_object(r) || !id || archive_id_parse(id, NULL, NULL)) {
			skip(skipped, why, "reflection %zu: no valid id%s", i,
			     "");
			continue;
		}
		if (!citation_ok(cite, id, this_code)) {
			skip(skipped, why,
			     "reflection %zu: citation does not match id %s", i,
			     id);
			continue;
		}
		if (!*code)
			snprintf(code, sizeof(code), "%s", this_code);
		else if (strcmp(code, this_code)) {
			skip(skipped, why,
			     "reflection %zu: citation code differs from the "
			     "others (%s)",
			     i, cite);
			continue;
		}
		json_array_foreach(list, k, have)
			dup |= !strcmp(json_string_value(json_object_get(have,
									 "id")),
				       id);
		if (dup) {
			skip(skipped, why, "reflection %zu: id %s appears twice",
			     i, id);
			continue;
		}
		o = json_object();
		json_object_set_new(o, "id", json_string(id));
		json_object_set_new(o, "citation", json_string(cite));
		for (k = 0; k < sizeof(texts) / sizeof(*texts); k++)
			if (copy_text(o, r, texts[k].key, texts[k].max))
				goto oom;
		if (!json_object_get(o, "title")) {
			json_decref(o);
			skip(skipped, why, "reflection %zu: %s has no title", i,
			     id);
			continue;
		}
		if (kind && (!strcmp(kind, "asked") || !strcmp(kind, "unasked")))
			json_object_set_new(o, "kind", json_string(kind));
		for (k = 0; k < 2; k++) {
			const char *key = k ? "adopted" : "received";
			const char *d = json_string_value(json_object_get(r, key));

			if (d && !archive_date_parse(d, NULL, NULL, NULL))
				json_object_set_new(o, key, json_string(d));
		}
		for (k = 0; k < sizeof(lists) / sizeof(*lists); k++)
			if (copy_list(o, r, lists[k]))
				goto oom;
		{
			/* the page on the site it came from, built here: a
			 * peer's own url field is not trusted */
			char *url = net_strprintf("%sreflecties/%s/", site, id);

			if (!url)
				goto oom;
			json_object_set_new(o, "url", json_string(url));
			free(url);
		}
		json_array_append_new(list, o);
		continue;
	oom:
		json_decref(o);
		json_decref(list);
		json_decref(in);
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	}
	json_decref(in);
	*out = list;
	return 0;
}

/* ---- harvesting ------------------------------------------------------------------ */

struct site {
	const char *name;
	char *base;      /* the site's address, ending in '/' */
	char *path;      /* its file under harvest/ */
	char *data_url;
	json_t *old;     /* the last harvest, or NULL */
	char *hdr[4];    /* request lines, NULL-ended */
	net_fetch f;
};

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static int ids_contain(json_t *list, const char *id)
{
	json_t *r;
	size_t i;

	json_array_foreach(list, i, r)
		if (!strcmp(json_string_value(json_object_get(r, "id")), id))
			return 1;
	return 0;
}

/* "3 new, 1 withdrawn, 2024-001 is now 2024-007": what changed since
 * the last harvest, ids that changed included (same title, other id). */
static char *changes(json_t *old, json_t *now)
{
	size_t added = 0, gone = 0, i, k;
	char moved[512] = "";
	json_t *r, *q;

	json_array_foreach(now, i, r)
		added += !ids_contain(old, json_string_value(json_object_get(r, "id")));
	json_array_foreach(old, i, r)
	{
		const char *id = json_string_value(json_object_get(r, "id"));
		const char *title = json_string_value(json_object_get(r, "title"));

		if (!id || ids_contain(now, id))
			continue;
		gone++;
		json_array_foreach(now, k, q)
		{
			const char *nid = json_string_value(json_object_get(q, "id"));

			if (title && !ids_contain(old, nid) &&
			    !strcmp(title, json_string_value(json_object_get(q, "title"))) &&
			    strlen(moved) + 40 < sizeof(moved)) {
				size_t used = strlen(moved);

				snprintf(moved + used, sizeof(moved) - used,
					 "; id %s is now %s", id, nid);
			}
		}
	}
	return net_strprintf("%zu new, %zu withdrawn%s", added, gone, moved);
}

static int save_site(struct site *s, json_t *reflections, const char *code,
		     const char *today)
{
	json_t *o = json_object();
	int rc;

	json_object_set_new(o, "version", json_integer(1));
	json_object_set_new(o, "name", json_string(s->name));
	json_object_set_new(o, "site", json_string(s->base));
	json_object_set_new(o, "code", json_string(code ? code : ""));
	json_object_set_new(o, "fetched", json_string(today));
	if (s->f.etag)
		json_object_set_new(o, "etag", json_string(s->f.etag));
	if (s->f.last_modified)
		json_object_set_new(o, "last_modified",
				    json_string(s->f.last_modified));
	json_object_set(o, "reflections", reflections);
	rc = net_json_save(o, s->path);
	json_decref(o);
	return rc;
}

/* "; kept the 5 reflections of 2026-11-20" for a failed site. */
static char *kept(struct site *s)
{
	json_t *list = json_object_get(s->old, "reflections");

	if (!list)
		return net_strprintf("; nothing harvested from it yet");
	return net_strprintf("; kept the %zu reflections harvested on %s",
			     json_array_size(list),
			     json_string_value(json_object_get(s->old,
							       "fetched")));
}

static int settle(struct site *s, const char *today, net_report_fn report,
		  void *ctx)
{
	net_fetch *f = &s->f;
	json_t *list = NULL, *old_list = json_object_get(s->old, "reflections");
	char *msg = NULL, *extra = NULL, *why = NULL, *delta = NULL;
	size_t skipped = 0;
	int ok = 0;

	if (f->error) {
		msg = net_strprintf("%s", f->error);
	} else if (f->status == 304 && old_list) {
		msg = net_strprintf("not modified; %zu reflections",
				    json_array_size(old_list));
		ok = 1;
	} else if (f->status != 200) {
		msg = net_strprintf("HTTP %ld for %s", f->status, s->data_url);
	} else if (net_harvest_parse(&list, f->body ? f->body : "",
				     f->body_len, s->base, &skipped,
				     &why) != 0) {
		msg = net_strprintf("data/reflecties.json is %s",
				    archive_error_last());
		if (archive_error_code() != ARCHIVE_EINVALID) {
			free(msg);
			return archive_error_code();
		}
	} else if (json_array_size(list) == 0 && skipped > 0) {
		msg = net_strprintf("no usable reflection in "
				    "data/reflecties.json (%s)",
				    why);
	} else {
		const char *code = json_array_size(list)
			? json_string_value(json_object_get(json_array_get(list, 0),
							    "citation"))
			: NULL;
		char prefix[16] = "";

		if (code)
			snprintf(prefix, sizeof(prefix), "%.*s",
				 (int)strcspn(code, ":"), code);
		if (save_site(s, list, prefix, today) != 0) {
			json_decref(list);
			free(why);
			return archive_error_code();
		}
		delta = changes(old_list, list);
		if (skipped)
			extra = net_strprintf("; %zu left out (%s)", skipped,
					      why);
		msg = net_strprintf("%zu reflections (%s)%s",
				    json_array_size(list), delta ? delta : "",
				    extra ? extra : "");
		ok = 1;
	}
	if (!ok) {
		char *k = kept(s);
		char *full = net_strprintf("%s%s", msg ? msg : "failed",
					   k ? k : "");

		free(msg);
		free(k);
		msg = full;
	}
	report(ok, s->base, msg ? msg : "out of memory", ctx);
	free(msg);
	free(extra);
	free(delta);
	free(why);
	json_decref(list);
	return ok ? 0 : 1;
}

/* Removes files under harvest/ of sites no longer listed. */
static void prune(const char *dir, struct site *sites, size_t n)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		int listed = 0;
		char *path;

		if (e->d_name[0] == '.')
			continue;
		path = net_strprintf("%s/%s", dir, e->d_name);
		for (size_t i = 0; path && i < n; i++)
			listed |= !strcmp(sites[i].path, path);
		if (path && !listed)
			unlink(path);
		free(path);
	}
	closedir(d);
}

int net_harvest_run(archive *a, const net_opts *o, net_report_fn report,
		    void *ctx)
{
	const archive_node *list;
	struct site *sites = NULL;
	net_fetch *batch = NULL;
	char today[11], *dir = NULL;
	size_t n;
	int rc, failed = 0;

	if ((rc = net_settings_check(a)) != 0)
		return rc;
	list = archive_node_get(archive_settings(a), "harvest");
	if (!list || archive_node_count(list) == 0)
		return archive_error_set(ARCHIVE_EINVALID,
					 "mores.yml: harvest: no sites listed; "
					 "give a list of name and url");
	net_today_days(today);
	n = archive_node_count(list);
	if (!(dir = net_derived_path(a, "harvest")))
		return archive_error_code();
	if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
		rc = archive_error_set(ARCHIVE_ERROR, "%s: cannot create: %s",
				       dir, strerror(errno));
		goto done;
	}
	sites = calloc(n, sizeof(*sites));
	batch = calloc(n, sizeof(*batch));
	if (!sites || !batch) {
		rc = archive_error_set(ARCHIVE_ERROR, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		const archive_node *e = archive_node_at(list, i);
		const char *url = archive_node_get_scalar(e, "url");
		struct site *s = &sites[i];
		const char *etag, *lm;
		size_t k = 0;

		s->name = archive_node_get_scalar(e, "name");
		s->base = net_strprintf("%s%s", url,
					url[strlen(url) - 1] == '/' ? "" : "/");
		s->path = s->base ? net_strprintf("%s/%016llx.json", dir,
						  (unsigned long long)fnv1a(s->base))
				  : NULL;
		s->data_url = s->base ? net_strprintf("%sdata/reflecties.json",
						      s->base)
				      : NULL;
		if (!s->path || !s->data_url) {
			rc = archive_error_set(ARCHIVE_ERROR, "out of memory");
			goto done;
		}
		net_json_load(&s->old, s->path);
		if (s->old && !json_is_array(json_object_get(s->old,
							      "reflections"))) {
			json_decref(s->old);
			s->old = NULL;
		}
		etag = json_string_value(json_object_get(s->old, "etag"));
		lm = json_string_value(json_object_get(s->old, "last_modified"));
		s->hdr[k++] = net_strprintf("Accept: application/json");
		if (etag)
			s->hdr[k++] = net_strprintf("If-None-Match: %s", etag);
		if (lm)
			s->hdr[k++] = net_strprintf("If-Modified-Since: %s", lm);
		batch[i] = (net_fetch){ .url = s->data_url,
					.headers = (const char *const *)s->hdr,
					.max_body = NET_HARVEST_MAX_BYTES };
	}
	if ((rc = net_fetch_all(batch, n, o)) != 0)
		goto done;
	for (size_t i = 0; i < n && rc >= 0; i++) {
		sites[i].f = batch[i];
		rc = settle(&sites[i], today, report, ctx);
		failed |= rc > 0;
		batch[i] = sites[i].f;
	}
	if (rc >= 0) {
		prune(dir, sites, n);
		rc = failed;
	}
done:
	for (size_t i = 0; sites && i < n; i++) {
		free(sites[i].base);
		free(sites[i].path);
		free(sites[i].data_url);
		for (size_t k = 0; k < 3; k++)
			free(sites[i].hdr[k]);
		json_decref(sites[i].old);
		if (batch)
			net_fetch_clear(&batch[i]);
	}
	free(sites);
	free(batch);
	free(dir);
	return rc;
}
