/*
 * model.c: pass one of a build, which learns what is public and counts
 * every dossier for the yearly reports, with what it learnt kept for the
 * next build (site-model.bin in the derived folder). A record per dossier
 * holds, for the git id of the dossier's folder, its year, kind and
 * visibility and, when it is public, its public view without the long
 * texts and the dossiers those texts mention. The next build reads a
 * dossier again only when its folder's id changed, or, for a dossier
 * with an embargo, when the date moved: after one change it reads one
 * dossier instead of all of them. Everything in a record came from
 * archive_public_view(), so the publication rule still decides alone.
 */
#include "site_int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#define MODEL_MAGIC "MORESSM7"
#define MODEL_FILE "site-model.bin"

enum { R_CONFIDENTIAL = 1, R_DATED = 2, R_RESPONSE = 4 };
enum { K_OTHER, K_ASKED, K_UNASKED };

struct record {
	char id[24], tree[41];
	int year;
	unsigned kind, flags;
	archive_public *p; /* the view without its texts, or NULL */
	char **mentions;
	size_t nmentions;
	char *head; /* site_export_head() of the view */
	int in_place; /* read from the file: its texts lie there */
	int days;     /* from receipt to adoption, or -1 */
	uint64_t head_hash; /* of head */
};

/* A record read from the file lies there, its arrays in the file's
 * memory (cache_alloc): nothing of it is freed on its own. */
static void record_clear(struct record *r)
{
	if (!r->in_place) {
		archive_public_free(r->p);
		free(r->head);
		for (size_t i = 0; i < r->nmentions; i++)
			free(r->mentions[i]);
		free(r->mentions);
	}
	memset(r, 0, sizeof(*r));
}

void site_entry_free(struct entry *e)
{
	if (e->in_place)
		return;
	archive_public_free(e->p);
	free(e->export_head);
	for (size_t i = 0; i < e->nmentions; i++)
		free(e->mentions[i]);
	free(e->mentions);
}

/* ---- a record from the dossier itself ------------------------------------ */

struct mentions {
	char ***ids;
	size_t *n;
	const char *self;
};

static int add_mention(const char *id, void *ctx)
{
	struct mentions *m = ctx;
	char **more;

	if (!strcmp(id, m->self))
		return 0;
	for (size_t i = 0; i < *m->n; i++)
		if (!strcmp((*m->ids)[i], id))
			return 0;
	more = realloc(*m->ids, (*m->n + 1) * sizeof(*more));
	if (!more)
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	*m->ids = more;
	if (!(more[*m->n] = strdup(id)))
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	(*m->n)++;
	return 0;
}

static int keep_all(const char *id, void *ctx)
{
	(void)id;
	(void)ctx;
	return 1;
}

static long days_of(const char *iso)
{
	int y, m, d;

	if (!iso || archive_date_parse(iso, &y, &m, &d) != 0)
		return -1;
	return archive_date_days(y, m, d);
}

static int make_record(struct site *s, archive *a, struct record *r,
		       const archive_dossier_ref *ref)
{
	archive_dossier *d;
	const char *kind, *vis;
	struct mentions m = { &r->mentions, &r->nmentions, ref->id };
	int rc;

	memset(r, 0, sizeof(*r));
	if ((rc = archive_dossier_load(&d, archive_snapshot(a), ref->id)) != 0)
		return rc;
	memcpy(r->id, ref->id, sizeof(r->id));
	memcpy(r->tree, ref->tree, sizeof(r->tree));
	archive_id_parse(ref->id, &r->year, NULL);
	kind = archive_dossier_get(d, "kind");
	vis = archive_dossier_get(d, "visibility");
	r->kind = kind && !strcmp(kind, "asked")     ? K_ASKED
		  : kind && !strcmp(kind, "unasked") ? K_UNASKED
						     : K_OTHER;
	if (vis && !strcmp(vis, "confidential"))
		r->flags |= R_CONFIDENTIAL;
	if (archive_dossier_get(d, "embargo_until"))
		r->flags |= R_DATED;
	/* related ids are checked against the public set after the pass */
	rc = archive_public_view(&r->p, d, s->code, s->today, keep_all, NULL);
	archive_dossier_free(d);
	if (rc != 0 || !r->p)
		return rc;
	rc = archive_text_mentions(r->p->advice ? r->p->advice : "", s->code,
				   add_mention, &m);
	if (rc == 0 && r->p->response)
		rc = archive_text_mentions(r->p->response, s->code,
					   add_mention, &m);
	if (r->p->response)
		r->flags |= R_RESPONSE;
	/* the long texts are read again for the page */
	free(r->p->advice);
	free(r->p->response);
	r->p->advice = r->p->response = NULL;
	if (rc == 0 && !(r->head = site_export_head(r->p)))
		rc = archive_error_set(ARCHIVE_ERROR, "out of memory");
	if (rc == 0) {
		r->head_hash = SITE_HASH_START;
		site_hash_str(&r->head_hash, r->head);
	}
	if (rc == 0) {
		long from = days_of(r->p->received), to = days_of(r->p->adopted);

		r->days = from >= 0 && to >= from ? (int)(to - from) : -1;
	}
	if (rc != 0)
		record_clear(r);
	return rc;
}

/* ---- records in the file ------------------------------------------------- */

static void put_record(struct cache_out *b, const struct record *r)
{
	const archive_public *p = r->p;

	cache_put_str(b, r->id);
	cache_put_str(b, r->tree);
	cache_put_uint(b, (uint64_t)r->year);
	cache_put_uint(b, r->kind);
	cache_put_uint(b, r->flags);
	cache_put_uint(b, p != NULL);
	if (!p)
		return;
	cache_put_uint(b, (uint64_t)(r->days + 1));
	cache_put_str(b, p->citation);
	cache_put_str(b, p->title);
	cache_put_str(b, p->kind);
	cache_put_str(b, p->requester);
	cache_put_str(b, p->received);
	cache_put_str(b, p->question);
	cache_put_str(b, p->adopted);
	cache_put_str(b, p->summary);
	cache_put_str(b, p->response_from);
	cache_put_str(b, p->response_received);
	cache_put_list(b, p->values, p->nvalues);
	cache_put_list(b, p->instruments, p->ninstruments);
	cache_put_list(b, p->topics, p->ntopics);
	cache_put_list(b, p->related, p->nrelated);
	cache_put_list(b, r->mentions, r->nmentions);
	cache_put_str(b, r->head);
	cache_put_uint(b, r->head_hash);
}

/* A fixed-size text field of a record. */
static int get_fixed(struct cache_in *in, char *out, size_t size)
{
	const char *v;
	size_t n;

	if (cache_get_bytes(in, &v, &n) != 0 || !v || n >= size)
		return in->bad = 1, -1;
	memcpy(out, v, n + 1);
	return 0;
}

/* A text of a record, used where it lies. */
static void get_text(struct cache_in *in, char **out)
{
	const char *v;
	size_t n;

	cache_get_bytes(in, &v, &n);
	*out = (char *)v;
}

static int get_record(struct cache_in *in, struct record *r)
{
	archive_public *p;
	uint64_t year, kind, flags, public, days;
	const char *id;
	size_t n;

	memset(r, 0, sizeof(*r));
	r->in_place = 1;
	if (cache_get_bytes(in, &id, &n) != 0 || !id || n >= sizeof(r->id) ||
	    get_fixed(in, r->tree, sizeof(r->tree)) ||
	    cache_get_uint(in, &year) || cache_get_uint(in, &kind) ||
	    cache_get_uint(in, &flags) || cache_get_uint(in, &public) ||
	    year > 9999 || kind > K_UNASKED)
		return in->bad = 1, -1;
	memcpy(r->id, id, n + 1);
	r->year = (int)year;
	r->kind = (unsigned)kind;
	r->flags = (unsigned)flags;
	if (!public)
		return 0;
	if (cache_get_uint(in, &days) || days > INT32_MAX ||
	    !(p = r->p = cache_alloc(in, sizeof(*p))))
		return in->bad = 1, -1;
	r->days = (int)days - 1;
	p->id = (char *)id;
	get_text(in, &p->citation);
	get_text(in, &p->title);
	get_text(in, &p->kind);
	get_text(in, &p->requester);
	get_text(in, &p->received);
	get_text(in, &p->question);
	get_text(in, &p->adopted);
	get_text(in, &p->summary);
	get_text(in, &p->response_from);
	get_text(in, &p->response_received);
	cache_get_list_in_place(in, &p->values, &p->nvalues);
	cache_get_list_in_place(in, &p->instruments, &p->ninstruments);
	cache_get_list_in_place(in, &p->topics, &p->ntopics);
	cache_get_list_in_place(in, &p->related, &p->nrelated);
	cache_get_list_in_place(in, &r->mentions, &r->nmentions);
	get_text(in, &r->head);
	cache_get_uint(in, &r->head_hash);
	return in->bad ? -1 : 0;
}

/* The previous build's records, in the order of archive_dossier_refs(),
 * with where each lies in the file (kept mapped, so that an unchanged
 * record is copied as it is into the next file). */
struct model {
	struct record *r;
	size_t *start, *len;
	size_t n;
	char *today, *commit; /* of the last build */
	struct cache_in in;
};

static void model_free(struct model *m)
{
	for (size_t i = 0; i < m->n; i++)
		record_clear(&m->r[i]);
	free(m->r);
	free(m->start);
	free(m->len);
	free(m->today);
	free(m->commit);
	cache_close(&m->in);
	memset(m, 0, sizeof(*m));
}

static char *model_key(struct site *s)
{
	char *key;

	return asprintf(&key, "%s|%s", SITE_VERSION, s->code) < 0 ? NULL : key;
}

static void model_load(struct site *s, struct model *m, const char *path)
{
	char *key = model_key(s);
	uint64_t n;

	memset(m, 0, sizeof(*m));
	if (!key || !path || cache_open(&m->in, path, MODEL_MAGIC, key) != 0) {
		free(key);
		return;
	}
	free(key);
	if (cache_get_str(&m->in, &m->today) != 0 || !m->today ||
	    cache_get_str(&m->in, &m->commit) != 0 || !m->commit ||
	    cache_get_uint(&m->in, &n) != 0 || n > m->in.len ||
	    !(m->r = calloc(n ? (size_t)n : 1, sizeof(*m->r))) ||
	    !(m->start = calloc(n ? (size_t)n : 1, sizeof(*m->start))) ||
	    !(m->len = calloc(n ? (size_t)n : 1, sizeof(*m->len)))) {
		model_free(m);
		return;
	}
	for (; m->n < n; m->n++) {
		m->start[m->n] = m->in.at;
		if (get_record(&m->in, &m->r[m->n]) != 0)
			break;
		m->len[m->n] = m->in.at - m->start[m->n];
	}
	if (m->in.bad || m->n != n || m->in.at != m->in.len) {
		if (m->n < n)
			record_clear(&m->r[m->n]); /* the one cut short */
		model_free(m);
	}
}

/* ---- the pass ---------------------------------------------------------------- */

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


/* Counts the record for its year, and makes a public one an entry of the
 * site (which then owns its view and mentions). */
static int take(struct site *s, struct record *r)
{
	struct year_stats *y = year_of(s, r->year);

	if (!y)
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	y->asked += r->kind == K_ASKED;
	y->unasked += r->kind == K_UNASKED;
	y->confidential += (r->flags & R_CONFIDENTIAL) != 0;
	if (!r->p)
		return 0;
	y->published++;
	y->responses += (r->flags & R_RESPONSE) != 0;
	if (r->days >= 0) {
		if (archive_grow(&y->days, &y->capdays, y->ndays + 1,
			      sizeof(*y->days)) != 0)
			return archive_error_code();
		y->days[y->ndays++] = r->days;
	}
	if (archive_grow(&s->e, &s->cap, s->n + 1, sizeof(*s->e)) != 0)
		return archive_error_code();
	s->e[s->n] = (struct entry){ .p = r->p, .year = r->year,
				     .mentions = r->mentions,
				     .nmentions = r->nmentions,
				     .has_response = (r->flags & R_RESPONSE) != 0 };
	memcpy(s->e[s->n].tree, r->tree, sizeof(r->tree));
	s->e[s->n].export_head = r->head;
	s->e[s->n].head_hash = r->head_hash;
	s->e[s->n].in_place = r->in_place;
	s->n++;
	r->head = NULL;
	r->p = NULL;
	r->mentions = NULL;
	r->nmentions = 0;
	return 0;
}

static int cmp_id(const char *a, const char *b)
{
	int ya = 0, sa = 0, yb = 0, sb = 0;

	archive_id_parse(a, &ya, &sa);
	archive_id_parse(b, &yb, &sb);
	if (ya != yb)
		return ya < yb ? -1 : 1;
	return sa < sb ? -1 : sa > sb;
}

/* The next file, written while the build goes on: each record is a
 * piece of the old file (mapped until the build ends) or of made, where
 * the records made anew were put. */
struct model_save {
	pthread_t thread;
	char *path, *key, *commit;
	char today[11];
	const unsigned char *old;
	size_t n, *start, *len;
	unsigned char *is_made;
	struct cache_out made;
};

static void save_free(struct model_save *m)
{
	free(m->path);
	free(m->key);
	free(m->commit);
	free(m->start);
	free(m->len);
	free(m->is_made);
	sb_free(&m->made.b);
	free(m);
}

static void *save_main(void *arg)
{
	struct model_save *m = arg;
	struct cache_out out;

	/* only a cache: when it cannot be written, the next build reads
	 * every dossier again */
	if (cache_create(&out, m->path, MODEL_MAGIC, m->key) != 0)
		return NULL;
	cache_put_str(&out, m->today);
	cache_put_str(&out, m->commit);
	cache_put_uint(&out, m->n);
	for (size_t i = 0; i < m->n; i++)
		cache_put_bytes(&out,
				(const char *)(m->is_made[i]
						       ? (unsigned char *)m->made.b.s
						       : m->old) +
					m->start[i],
				m->len[i]);
	cache_commit(&out);
	return NULL;
}

/* Hands the records to a thread that writes them: those made anew (put
 * now), and the others as they lie in the old file. */
static void save(struct site *s, const char *path, const char *key,
		 const struct model *old, const ssize_t *from,
		 const struct record *made, size_t n)
{
	struct model_save *m = calloc(1, sizeof(*m));

	if (!m)
		return;
	m->made.memory = 1;
	m->path = strdup(path);
	m->key = strdup(key);
	m->commit = strdup(archive_snap_commit(archive_snapshot(s->a)));
	memcpy(m->today, s->today, sizeof(m->today));
	m->old = old->in.p;
	m->n = n;
	m->start = calloc(n + 1, sizeof(*m->start));
	m->len = calloc(n + 1, sizeof(*m->len));
	m->is_made = calloc(n + 1, 1);
	if (!m->path || !m->key || !m->commit || !m->start || !m->len ||
	    !m->is_made) {
		save_free(m);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (from[i] >= 0) {
			m->start[i] = old->start[from[i]];
			m->len[i] = old->len[from[i]];
			continue;
		}
		m->is_made[i] = 1;
		m->start[i] = m->made.b.len;
		put_record(&m->made, &made[i]);
		m->len[i] = m->made.b.len - m->start[i];
	}
	if (m->made.b.oom) {
		save_free(m);
		return;
	}
	if (pthread_create(&m->thread, NULL, save_main, m) != 0) {
		save_main(m);
		save_free(m);
		return;
	}
	s->save = m;
}

void site_model_finish(struct site *s)
{
	if (!s->save)
		return;
	pthread_join(s->save->thread, NULL);
	save_free(s->save);
	s->save = NULL;
}

/* What pass one does for each dossier: take its record from the last
 * build (from >= 0) or make it anew from the dossier (in made). */
struct plan {
	archive_dossier_ref *refs;
	ssize_t *from;
	struct record *made;
	size_t n, cap;
};

static int plan_add(struct plan *p, const char *id, const char *tree,
		    ssize_t from)
{
	if (p->n == p->cap) {
		size_t cap = p->cap * 2 + 256;
		archive_dossier_ref *refs = realloc(p->refs, cap * sizeof(*refs));
		ssize_t *f = refs ? realloc(p->from, cap * sizeof(*f)) : NULL;
		struct record *m = f ? realloc(p->made, cap * sizeof(*m)) : NULL;

		if (refs)
			p->refs = refs;
		if (f)
			p->from = f;
		if (!m)
			return archive_error_set(ARCHIVE_ERROR, "out of memory");
		p->made = m;
		p->cap = cap;
	}
	size_t ni = strlen(id), nt = strlen(tree);

	if (ni >= sizeof(p->refs[p->n].id) || nt >= sizeof(p->refs[p->n].tree))
		return archive_error_set(ARCHIVE_EINVALID, "dossiers/%s: not a "
					 "dossier id", id);
	memcpy(p->refs[p->n].id, id, ni + 1);
	memcpy(p->refs[p->n].tree, tree, nt + 1);
	p->from[p->n] = from;
	memset(&p->made[p->n], 0, sizeof(p->made[p->n]));
	p->n++;
	return 0;
}

static void plan_free(struct plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		record_clear(&p->made[i]);
	free(p->refs);
	free(p->from);
	free(p->made);
}

/* Every dossier of the snapshot, each record kept when its folder is
 * the same. */
static int plan_all(struct site *s, struct plan *p, const struct model *old,
		    int date_moved)
{
	archive_dossier_ref *refs;
	size_t n, j = 0;
	int rc = archive_dossier_refs(&refs, &n, archive_snapshot(s->a));

	for (size_t i = 0; i < n && rc == 0; i++) {
		ssize_t from = -1;

		/* both in the same order: mostly the next one is the same */
		while (j < old->n && strcmp(old->r[j].id, refs[i].id) &&
		       cmp_id(old->r[j].id, refs[i].id) < 0)
			j++;
		if (j < old->n && !strcmp(old->r[j].id, refs[i].id) &&
		    !strcmp(old->r[j].tree, refs[i].tree) &&
		    !(date_moved && (old->r[j].flags & R_DATED)))
			from = (ssize_t)j;
		rc = plan_add(p, refs[i].id, refs[i].tree, from);
	}
	free(refs);
	return rc;
}

/* The dossiers that changed since the last build's commit. */
struct changed {
	char **ids;
	size_t n, cap;
};

static int note_change(const char *path, void *ctx)
{
	struct changed *c = ctx;
	const char *year = path + 9, *id = path + 14;
	size_t n;

	/* dossiers/YYYY/ID or anything below it */
	if (strncmp(path, "dossiers/", 9) || strlen(path) < 15 ||
	    year[4] != '/' || strncmp(id, year, 4))
		return 0;
	n = strcspn(id, "/");
	if (n >= sizeof(((archive_dossier_ref *)0)->id))
		return 0;
	if (c->n && !strncmp(c->ids[c->n - 1], id, n) && !c->ids[c->n - 1][n])
		return 0;
	if (archive_grow(&c->ids, &c->cap, c->n + 1, sizeof(*c->ids)) != 0)
		return archive_error_code();
	if (!(c->ids[c->n] = strndup(id, n)))
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	if (archive_id_parse(c->ids[c->n], NULL, NULL) != 0) {
		free(c->ids[c->n]);
		return 0;
	}
	c->n++;
	return 0;
}

static int cmp_changed(const void *x, const void *y)
{
	return cmp_id(*(char *const *)x, *(char *const *)y);
}

/* The last build's records, with the dossiers whose files changed since
 * its commit (and, when the date moved, those with an embargo) made
 * anew: without listing every folder. 1 when the commit is unknown (the
 * caller then plans with every folder). */
static int plan_changes(struct site *s, struct plan *p,
			const struct model *old, int date_moved)
{
	archive_snap *snap = archive_snapshot(s->a);
	struct changed c = { 0 };
	size_t j = 0, k = 0;
	int rc = 0;

	if (strcmp(old->commit, archive_snap_commit(snap)) != 0) {
		rc = archive_snap_changes(snap, old->commit, note_change, &c);
		if (rc == ARCHIVE_ENOTFOUND) {
			archive_error_clear();
			rc = 1;
		}
	}
	if (rc == 0 && c.n > 1)
		qsort(c.ids, c.n, sizeof(*c.ids), cmp_changed);
	while (rc == 0 && (j < old->n || k < c.n)) {
		int cmp = j >= old->n ? 1
			  : k >= c.n  ? -1
				      : cmp_id(old->r[j].id, c.ids[k]);
		char tree[41], path[64];
		const char *id;

		if (cmp < 0 && !(date_moved && (old->r[j].flags & R_DATED))) {
			rc = plan_add(p, old->r[j].id, old->r[j].tree,
				      (ssize_t)j);
			j++;
			continue;
		}
		id = cmp <= 0 ? old->r[j].id : c.ids[k];
		snprintf(path, sizeof(path), "dossiers/%.4s/%s", id, id);
		rc = archive_snap_entry_id(tree, snap, path);
		if (rc == ARCHIVE_ENOTFOUND) {
			archive_error_clear(); /* removed */
			rc = 0;
		} else if (rc == 0) {
			rc = plan_add(p, id, tree, -1);
		}
		if (cmp <= 0)
			j++;
		if (cmp >= 0)
			k++;
		while (cmp >= 0 && k < c.n && !strcmp(c.ids[k], c.ids[k - 1]))
			k++;
	}
	for (size_t i = 0; i < c.n; i++)
		free(c.ids[i]);
	free(c.ids);
	return rc;
}

/* Dossiers are read in more threads than one only when there are this
 * many to read. */
#define READS_PER_THREAD 512

struct to_make {
	struct plan *p;
	size_t *which;
};

static int make_one(struct site *s, struct site_worker *w, size_t i,
		    void *ctx)
{
	struct to_make *t = ctx;
	size_t k = t->which[i];
	archive *a;
	int rc = site_worker_archive(&a, w);

	return rc ? rc : make_record(s, a, &t->p->made[k], &t->p->refs[k]);
}

/* Makes the records the plan does not take from the last build. */
static int make_all(struct site *s, struct plan *p)
{
	struct to_make t = { p, malloc((p->n + 1) * sizeof(size_t)) };
	size_t n = 0;
	int rc;

	if (!t.which)
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	for (size_t i = 0; i < p->n; i++)
		if (p->from[i] < 0)
			t.which[n++] = i;
	rc = site_parallel(s, n, READS_PER_THREAD, make_one, &t);
	s->st->loaded += n;
	free(t.which);
	return rc;
}

int site_model_read(struct site *s)
{
	struct model old;
	struct plan p = { 0 };
	char *path = cache_path(s, MODEL_FILE), *key = model_key(s);
	int rc = 0, date_moved, same;

	if (!key) {
		free(path);
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	}
	model_load(s, &old, path);
	date_moved = !old.today || strcmp(old.today, s->today) != 0;
	rc = old.commit ? plan_changes(s, &p, &old, date_moved) : 1;
	if (rc == 1) {
		plan_free(&p);
		memset(&p, 0, sizeof(p));
		rc = plan_all(s, &p, &old, date_moved);
	}
	/* what the last build knew, or the dossier itself */
	if (rc == 0)
		rc = make_all(s, &p);
	same = old.commit && !s->st->loaded && !date_moved && old.n == p.n &&
	       !strcmp(old.commit, archive_snap_commit(archive_snapshot(s->a)));
	if (rc == 0 && !same && path)
		save(s, path, key, &old, p.from, p.made, p.n);
	for (size_t i = 0; i < p.n && rc == 0; i++)
		rc = take(s, p.from[i] < 0 ? &p.made[i] : &old.r[p.from[i]]);
	plan_free(&p);
	/* the entries taken from the file point into it */
	s->model = old.in;
	memset(&old.in, 0, sizeof(old.in));
	model_free(&old);
	free(path);
	free(key);
	return rc;
}
