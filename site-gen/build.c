/*
 * build.c: a site build in two passes over the archive. The first reads
 * every dossier once, keeps the public view of the public ones (without
 * their long texts) and counts every dossier for the yearly reports. The
 * second renders the page of each reflection whose inputs changed since
 * the previous build; the listings, reports, feeds and search shards are
 * made from what the first pass kept. A file is only written when its
 * content changed, and files of an earlier build that are no longer part
 * of the site are removed, so a build after one change touches only what
 * depends on it.
 */
#include "site_int.h"
#include "search/search.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MANIFEST ".mores-build"

/* ---- writing files ------------------------------------------------------- */

static int mkdirs(const char *path)
{
	char buf[4096];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return 0;
}

static int same_content(const char *path, const char *data, size_t len)
{
	struct stat st;
	char *old;
	size_t n;
	int same;

	if (stat(path, &st) != 0 || (size_t)st.st_size != len)
		return 0;
	if (archive_file_slurp(&old, &n, path) != 0) {
		archive_error_clear();
		return 0;
	}
	same = n == len && !memcmp(old, data, len);
	free(old);
	return same;
}

/* Notes a file of this build in the manifest and counts it. */
static void record(struct site *s, const char *path, const char *key,
		   size_t *count)
{
	pthread_mutex_lock(&s->lock);
	sb_printf(&s->manifest, "%s\t%s\n", path, key ? key : "-");
	(*count)++;
	pthread_mutex_unlock(&s->lock);
}

int site_write(struct site *s, const char *path, const char *data,
	       size_t len, const char *key)
{
	char full[4096], tmp[4200];
	FILE *f;

	snprintf(full, sizeof(full), "%s/%s", s->out, path);
	if (same_content(full, data, len)) {
		record(s, path, key, &s->st->unchanged);
		return 0;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp-%d", full, (int)getpid());
	if (mkdirs(full) != 0 || !(f = fopen(tmp, "wb")))
		return archive_error_set(ARCHIVE_ERROR, "%s: %s", full,
					 strerror(errno));
	if (fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		unlink(tmp);
		return archive_error_set(ARCHIVE_ERROR, "%s: %s", full,
					 strerror(errno));
	}
	if (rename(tmp, full) != 0) {
		unlink(tmp);
		return archive_error_set(ARCHIVE_ERROR, "%s: %s", full,
					 strerror(errno));
	}
	record(s, path, key, &s->st->written);
	return 0;
}

static int cmp_line(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Finds "path\t" in the previous manifest. */
static const char *old_line(struct site *s, const char *path)
{
	size_t lo = 0, hi = s->nold, n = strlen(path);

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strncmp(s->old_keys[mid], path, n);

		if (c == 0 && s->old_keys[mid][n] != '\t')
			c = s->old_keys[mid][n] < '\t' ? -1 : 1;
		if (c == 0)
			return s->old_keys[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int site_unchanged(struct site *s, const char *path, const char *key)
{
	const char *line = old_line(s, path);
	char full[4096];
	struct stat st;

	if (!line || strcmp(line + strlen(path) + 1, key))
		return 0;
	snprintf(full, sizeof(full), "%s/%s", s->out, path);
	if (stat(full, &st) != 0)
		return 0;
	record(s, path, key, &s->st->unchanged);
	return 1;
}

/* Splits a manifest into sorted lines (in place). */
static char **manifest_lines(char *text, size_t *count)
{
	size_t n = 0, cap = 0;
	char **lines = NULL;

	for (char *p = text; p && *p;) {
		char *nl = strchr(p, '\n');

		if (nl)
			*nl = '\0';
		if (n == cap) {
			char **more = realloc(lines, (cap = cap * 2 + 64) *
							     sizeof(*lines));
			if (!more)
				break;
			lines = more;
		}
		if (strchr(p, '\t'))
			lines[n++] = p;
		p = nl ? nl + 1 : NULL;
	}
	if (n)
		qsort(lines, n, sizeof(*lines), cmp_line);
	*count = n;
	return lines;
}

/* Compares two manifest lines by their path (the part before the tab). */
static int cmp_path(const char *a, const char *b)
{
	size_t na = strcspn(a, "\t"), nb = strcspn(b, "\t");
	int c = memcmp(a, b, na < nb ? na : nb);

	return c ? c : (na > nb) - (na < nb);
}

/* Removes the files of the previous build that this one did not make:
 * both manifests are sorted, so one walk through them finds them. */
static void remove_stale(struct site *s, char **now, size_t nnow)
{
	size_t j = 0;

	for (size_t i = 0; i < s->nold; i++) {
		char full[4200];
		int c = 1;

		while (j < nnow && (c = cmp_path(now[j], s->old_keys[i])) < 0)
			j++;
		if (j < nnow && c == 0)
			continue;
		snprintf(full, sizeof(full), "%s/%.*s", s->out,
			 (int)strcspn(s->old_keys[i], "\t"), s->old_keys[i]);
		if (unlink(full) == 0)
			s->st->removed++;
	}
}

static int finish_manifest(struct site *s)
{
	char *copy = s->manifest.s ? strdup(s->manifest.s) : strdup("");
	struct sbuf text = { 0 };
	char path[4096], **now;
	size_t n;
	FILE *f;

	if (!copy)
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	now = manifest_lines(copy, &n);
	remove_stale(s, now, n);
	for (size_t i = 0; i < n; i++) {
		sb_puts(&text, now[i]);
		sb_puts(&text, "\n");
	}
	snprintf(path, sizeof(path), "%s/%s", s->out, MANIFEST);
	f = fopen(path, "wb");
	if (!f || fwrite(text.s ? text.s : "", 1, text.len, f) != text.len ||
	    fclose(f) != 0) {
		free(now);
		free(copy);
		sb_free(&text);
		return archive_error_set(ARCHIVE_ERROR, "%s: %s", path,
					 strerror(errno));
	}
	free(now);
	free(copy);
	sb_free(&text);
	return 0;
}

/* ---- pass 1: what is public, and the counts ------------------------------ */

static int cmp_entry_id(const void *x, const void *y)
{
	const struct entry *a = x, *b = y;

	return strcmp(a->p->id, b->p->id);
}

/* Newest first: by adoption, then by id. */
static int cmp_entry_new(const void *x, const void *y)
{
	const struct entry *a = x, *b = y;
	int c = strcmp(b->p->adopted ? b->p->adopted : "",
		       a->p->adopted ? a->p->adopted : "");

	return c ? c : strcmp(b->p->id, a->p->id);
}

static int cmp_ptr_id(const void *x, const void *y)
{
	const struct entry *a = *(struct entry *const *)x;
	const struct entry *b = *(struct entry *const *)y;

	return strcmp(a->p->id, b->p->id);
}

struct entry *site_find(struct site *s, const char *id)
{
	archive_public key = { .id = (char *)id };
	struct entry k = { .p = &key }, *kp = &k, **hit;

	hit = bsearch(&kp, s->by_id, s->n, sizeof(*s->by_id), cmp_ptr_id);
	return hit ? *hit : NULL;
}

static int cmp_cite(const void *x, const void *y)
{
	const struct cite *a = x, *b = y;
	int c = strcmp(a->dst, b->dst);

	return c ? c : strcmp(a->src->p->id, b->src->p->id);
}

const struct cite *site_cited_by(struct site *s, const char *id,
				 size_t *count)
{
	size_t lo = 0, hi = s->ncites, first;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (strcmp(s->cites[mid].dst, id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	first = lo;
	while (lo < s->ncites && !strcmp(s->cites[lo].dst, id))
		lo++;
	*count = lo - first;
	return s->cites + first;
}

/* The lookup tables of pass 2: by id, and who cites whom (once per pair,
 * whether by the related list, the text or both). */
static int index_entries(struct site *s)
{
	size_t cap = 0;

	s->by_id = malloc((s->n ? s->n : 1) * sizeof(*s->by_id));
	if (!s->by_id)
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	for (size_t i = 0; i < s->n; i++)
		s->by_id[i] = &s->e[i];
	qsort(s->by_id, s->n, sizeof(*s->by_id), cmp_ptr_id);
	for (size_t i = 0; i < s->n; i++)
		s->by_id[i]->num = i;
	for (size_t i = 0; i < s->n; i++) {
		struct entry *e = &s->e[i];
		size_t total = e->p->nrelated + e->nmentions;

		for (size_t k = 0; k < total; k++) {
			const char *dst = k < e->p->nrelated
						  ? e->p->related[k]
						  : e->mentions[k - e->p->nrelated];
			int seen = 0;

			for (size_t j = 0; j < k && !seen; j++)
				seen = !strcmp(dst, j < e->p->nrelated
							    ? e->p->related[j]
							    : e->mentions[j - e->p->nrelated]);
			if (seen)
				continue;
			if (s->ncites == cap) {
				struct cite *more = realloc(
					s->cites, (cap = cap * 2 + 64) *
							  sizeof(*more));

				if (!more)
					return archive_error_set(
						ARCHIVE_ERROR, "out of memory");
				s->cites = more;
			}
			s->cites[s->ncites++] = (struct cite){ dst, e };
		}
	}
	if (s->ncites)
		qsort(s->cites, s->ncites, sizeof(*s->cites), cmp_cite);
	return 0;
}

/* A binary search over the entries while they are sorted by id. */
static struct entry *find_sorted(struct site *s, const char *id)
{
	archive_public key = { .id = (char *)id };
	struct entry k = { .p = &key };

	return bsearch(&k, s->e, s->n, sizeof(*s->e), cmp_entry_id);
}

static struct year_stats *year_of(struct site *s, int year)
{
	struct year_stats *y;

	for (size_t i = 0; i < s->nyears; i++)
		if (s->years[i].year == year)
			return &s->years[i];
	y = realloc(s->years, (s->nyears + 1) * sizeof(*y));
	if (!y)
		return NULL;
	s->years = y;
	y = &s->years[s->nyears++];
	memset(y, 0, sizeof(*y));
	y->year = year;
	return y;
}

static long days_of(const char *iso)
{
	int y, m, d;

	if (!iso || archive_date_parse(iso, &y, &m, &d) != 0)
		return -1;
	return archive_date_days(y, m, d);
}

static void count(struct site *s, const archive_dossier *d,
		  const archive_public *p, int year)
{
	const char *kind = archive_dossier_get(d, "kind");
	const char *vis = archive_dossier_get(d, "visibility");
	struct year_stats *y = year_of(s, year);
	long from, to;

	if (!y)
		return;
	if (kind && !strcmp(kind, "asked"))
		y->asked++;
	else if (kind && !strcmp(kind, "unasked"))
		y->unasked++;
	if (vis && !strcmp(vis, "confidential"))
		y->confidential++;
	if (!p)
		return;
	y->published++;
	y->responses += p->response != NULL;
	from = days_of(p->received);
	to = days_of(p->adopted);
	if (from >= 0 && to >= from) {
		int *more = realloc(y->days, (y->ndays + 1) * sizeof(*more));

		if (more) {
			y->days = more;
			y->days[y->ndays++] = (int)(to - from);
		}
	}
}

struct mentions {
	char **ids;
	size_t n;
	const char *self;
};

static int add_mention(const char *id, void *ctx)
{
	struct mentions *m = ctx;
	char **more;

	if (!strcmp(id, m->self))
		return 0;
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->ids[i], id))
			return 0;
	more = realloc(m->ids, (m->n + 1) * sizeof(*more));
	if (!more || !(more[m->n] = strdup(id)))
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	m->ids = more;
	m->n++;
	return 0;
}

static int keep_all(const char *id, void *ctx)
{
	(void)id;
	(void)ctx;
	return 1;
}

static int take(struct site *s, const archive_dossier *d, int year)
{
	archive_public *p;
	struct entry *more;
	struct mentions m = { NULL, 0, archive_dossier_id(d) };
	int rc;

	/* related ids are checked against the public set after the pass */
	rc = archive_public_view(&p, d, s->code, s->today, keep_all, NULL);
	if (rc != 0)
		return rc;
	count(s, d, p, year);
	if (!p)
		return 0;
	rc = archive_text_mentions(p->advice ? p->advice : "", s->code,
				   add_mention, &m);
	if (rc == 0 && p->response)
		rc = archive_text_mentions(p->response, s->code, add_mention,
					   &m);
	more = rc ? NULL : realloc(s->e, (s->n + 1) * sizeof(*more));
	if (!more) {
		archive_public_free(p);
		for (size_t i = 0; i < m.n; i++)
			free(m.ids[i]);
		free(m.ids);
		return rc ? rc : archive_error_set(ARCHIVE_ERROR, "out of memory");
	}
	s->e = more;
	/* the long texts are read again for the page; keep the rest */
	free(p->advice);
	p->advice = NULL;
	s->e[s->n] = (struct entry){ p, year, m.ids, m.n, "" };
	s->n++;
	return 0;
}

/* Keeps only the ids of public dossiers in a list. */
static void only_public(struct site *s, char **ids, size_t *n)
{
	size_t k = 0;

	for (size_t i = 0; i < *n; i++) {
		if (find_sorted(s, ids[i]))
			ids[k++] = ids[i];
		else
			free(ids[i]);
	}
	*n = k;
}

static int cmp_year_desc(const void *x, const void *y)
{
	return ((const struct year_stats *)y)->year -
	       ((const struct year_stats *)x)->year;
}

static int pass_one(struct site *s)
{
	archive_snap *snap = archive_snapshot(s->a);
	char **ids;
	size_t n;
	int rc;

	rc = archive_dossier_ids(&ids, &n, snap);
	if (rc == ARCHIVE_ENOTFOUND) {
		archive_error_clear();
		return 0;
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		archive_dossier *d;
		int year;

		if ((rc = archive_dossier_load(&d, snap, ids[i])) != 0)
			break;
		archive_id_parse(ids[i], &year, NULL);
		rc = take(s, d, year);
		archive_dossier_free(d);
	}
	archive_names_free(ids, n);
	if (rc != 0)
		return rc;
	/* qsort may not be given NULL, which an empty archive has */
	if (s->n)
		qsort(s->e, s->n, sizeof(*s->e), cmp_entry_id);
	for (size_t i = 0; i < s->n; i++) {
		only_public(s, s->e[i].p->related, &s->e[i].p->nrelated);
		only_public(s, s->e[i].mentions, &s->e[i].nmentions);
	}
	if (s->n)
		qsort(s->e, s->n, sizeof(*s->e), cmp_entry_new);
	if (s->nyears)
		qsort(s->years, s->nyears, sizeof(*s->years), cmp_year_desc);
	return index_entries(s);
}

/* ---- pass 2: the reflection pages --------------------------------------- */

static void hash_str(uint64_t *h, const char *s)
{
	for (; s && *s; s++)
		*h = (*h ^ (unsigned char)*s) * 1099511628211ull;
	*h = (*h ^ 0xff) * 1099511628211ull;
}

/* The page of a reflection depends on its files, on the titles of what it
 * links to and of what cites it, and on the site's settings. */
static void page_key(struct site *s, struct entry *e)
{
	static const char *const files[] = { "dossier.md", "advies.md",
					     "reactie.md" };
	archive_snap *snap = archive_snapshot(s->a);
	uint64_t h = 1469598103934665603ull;
	const struct cite *cites;
	char path[128], blob[41];
	size_t n;

	hash_str(&h, SITE_VERSION);
	hash_str(&h, s->name);
	hash_str(&h, s->title);
	hash_str(&h, s->base_url);
	hash_str(&h, s->code);
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "dossiers/%.4s/%s/%s", e->p->id,
			 e->p->id, files[i]);
		if (archive_snap_blob_id(blob, snap, path) != 0)
			archive_error_clear();
		hash_str(&h, blob);
	}
	for (size_t i = 0; i < e->p->nrelated; i++) {
		struct entry *r = site_find(s, e->p->related[i]);

		hash_str(&h, r ? r->p->title : "");
	}
	cites = site_cited_by(s, e->p->id, &n);
	for (size_t i = 0; i < n; i++) {
		hash_str(&h, cites[i].src->p->id);
		hash_str(&h, cites[i].src->p->title);
	}
	for (size_t i = 0; i < e->p->nvalues; i++)
		hash_str(&h, site_value_label(s, e->p->values[i]));
	snprintf(e->key, sizeof(e->key), "%016llx", (unsigned long long)h);
}

static int pass_two(struct site *s)
{
	archive_snap *snap = archive_snapshot(s->a);
	int rc = 0;

	for (size_t i = 0; i < s->n && rc == 0; i++) {
		struct entry *e = &s->e[i];
		archive_dossier *d;
		char path[64];

		page_key(s, e);
		snprintf(path, sizeof(path), "reflecties/%s/index.html",
			 e->p->id);
		if (site_unchanged(s, path, e->key))
			continue;
		if ((rc = archive_dossier_load(&d, snap, e->p->id)) != 0)
			break;
		rc = site_page_reflection(s, e, d);
		archive_dossier_free(d);
	}
	return rc;
}

/* ---- the build ----------------------------------------------------------- */

static void load_manifest(struct site *s, char **text)
{
	char path[4096];
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", s->out, MANIFEST);
	*text = NULL;
	if (archive_file_slurp(text, &len, path) != 0) {
		archive_error_clear();
		return;
	}
	s->old_keys = manifest_lines(*text, &s->nold);
}

static void site_free(struct site *s)
{
	for (size_t i = 0; i < s->n; i++) {
		archive_public_free(s->e[i].p);
		for (size_t k = 0; k < s->e[i].nmentions; k++)
			free(s->e[i].mentions[k]);
		free(s->e[i].mentions);
	}
	free(s->e);
	free(s->by_id);
	free(s->cites);
	for (size_t i = 0; i < s->nyears; i++)
		free(s->years[i].days);
	free(s->years);
	archive_vocab_free(s->vocab);
	sb_free(&s->manifest);
	free(s->old_keys);
	pthread_mutex_destroy(&s->lock);
}

static const char *setting(archive *a, const char *key, const char *dflt)
{
	const archive_node *site = archive_node_get(archive_settings(a), "site");
	const char *v = site ? archive_node_get_scalar(site, key) : NULL;

	return v && *v ? v : dflt;
}

char *site_base_path(archive *a)
{
	const char *url = setting(a, "base_url", NULL), *host, *path;
	size_t n;

	host = url ? strstr(url, "://") : NULL;
	path = host ? strchr(host + 3, '/') : NULL;
	if (!path)
		return NULL;
	n = strlen(path);
	while (n > 0 && path[n - 1] == '/')
		n--;
	return n ? strndup(path, n) : NULL;
}

/* The search shards, written by a thread of their own while this one
 * writes the pages: the two share no work, and each takes about as long.
 * The thread reads only the search index, which is brought up to date
 * before it starts and then frozen, so that the thread never reads the
 * archive; its error message crosses back with it (the error channel is
 * per thread). */
struct shards_job {
	struct site *s;
	search_index *ix;
	pthread_t thread;
	int started, rc;
	char error[1024];
};

static void *shards_main(void *arg)
{
	struct shards_job *j = arg;

	j->rc = site_search_shards(j->s, j->ix);
	if (j->rc)
		snprintf(j->error, sizeof(j->error), "%s", archive_error_last());
	return NULL;
}

static int shards_start(struct shards_job *j, struct site *s)
{
	int rc;

	j->s = s;
	if ((rc = search_open(&j->ix, s->a)) != 0 ||
	    (rc = search_update(j->ix, 0, NULL)) != 0)
		return rc;
	search_freeze(j->ix);
	/* pthread_create returns its error rather than setting errno */
	if ((rc = pthread_create(&j->thread, NULL, shards_main, j)) != 0)
		return archive_error_set(ARCHIVE_ERROR,
					 "cannot start a thread: %s",
					 strerror(rc));
	j->started = 1;
	return 0;
}

/* Waits for the shards; rc is the build's own result so far, which wins. */
static int shards_finish(struct shards_job *j, int rc)
{
	if (j->started) {
		pthread_join(j->thread, NULL);
		if (rc == 0 && j->rc != 0)
			rc = archive_error_set(j->rc, "%s", j->error);
	}
	search_close(j->ix);
	return rc;
}

int site_build(archive *a, const char *out, site_stats *st)
{
	struct site s = { 0 };
	struct shards_job shards = { 0 };
	site_stats none;
	char *manifest_text = NULL;
	int rc;

	st = st ? st : &none;
	memset(st, 0, sizeof(*st));
	s.a = a;
	s.out = out;
	s.st = st;
	s.code = archive_code(a);
	s.name = archive_name(a);
	s.title = setting(a, "title", s.name);
	s.base_url = setting(a, "base_url", NULL);
	s.theme_class = setting(a, "theme_class", "voorbeeld-theme");
	pthread_mutex_init(&s.lock, NULL);
	archive_date_today(s.today);
	rc = archive_vocab_load(&s.vocab, archive_snapshot(a));
	/* nothing is written before every dossier has been read */
	rc = rc ? rc : pass_one(&s);
	if (rc == 0 && mkdir(out, 0755) != 0 && errno != EEXIST)
		rc = archive_error_set(ARCHIVE_ERROR, "%s: %s", out,
				       strerror(errno));
	if (rc == 0)
		load_manifest(&s, &manifest_text);
	rc = rc ? rc : shards_start(&shards, &s);
	rc = rc ? rc : pass_two(&s);
	rc = rc ? rc : site_pages_lists(&s);
	rc = rc ? rc : site_pages_reports(&s);
	rc = rc ? rc : site_pages_fixed(&s);
	rc = rc ? rc : site_feeds(&s);
	rc = shards_finish(&shards, rc);
	rc = rc ? rc : site_assets(&s);
	if (rc == 0 && s.manifest.oom)
		rc = archive_error_set(ARCHIVE_ERROR, "out of memory");
	rc = rc ? rc : finish_manifest(&s);
	st->reflections = s.n;
	site_free(&s);
	free(manifest_text);
	return rc;
}
