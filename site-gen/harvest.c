/*
 * harvest.c: other committees' reflections in the site's search. What
 * `mores harvest` fetched (through the search index, search_harvested_*)
 * joins the browser search: each harvested reflection gets a document
 * number after the committee's own, its word forms are merged into the
 * same shards, and a small page reflecties/KEY/ (KEY: CODE-YYYY-NNN)
 * names the committee it comes from and links to its page there. Nothing
 * but the public fields the other committee published is used, and all
 * of it is escaped: a title with markup stays text.
 */
#include "site_int.h"
#include "search/search.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct site_harvest {
	json_t *docs; /* search_harvested_docs(), sorted by key */
};

/* One harvested word form and its postings (by document number), held
 * until the committee's own word forms reach it. */
struct hterm {
	char *term;
	size_t *nums;
	int *w;
	size_t n;
};

struct merge {
	struct site *s;
	struct hterm *t;
	size_t n, cap, next;
	site_term_fn fn;
	site_group_fn same;
	void *ctx;
};

static const char *field(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v ? v : "";
}

size_t site_harvest_count(struct site *s)
{
	return s->harvest ? json_array_size(s->harvest->docs) : 0;
}

size_t site_harvest_num(struct site *s, const char *key)
{
	size_t lo = 0, hi = site_harvest_count(s);

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(field(json_array_get(s->harvest->docs, mid),
				     "key"),
			       key);

		if (c == 0)
			return s->n + mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return SIZE_MAX;
}

json_t *site_harvest_doc(struct site *s, size_t k)
{
	json_t *d = json_array_get(s->harvest->docs, k);
	char *title = NULL;
	json_t *row;

	/* the committee goes with the title, so that a result in the list
	 * says whose it is */
	if (asprintf(&title, "%s (%s)", field(d, "title"),
		     field(d, "committee")) < 0)
		return NULL;
	row = json_pack("[s,s,s,I,[],s]", field(d, "key"), title,
			field(d, "kind"),
			(json_int_t)json_integer_value(json_object_get(d, "year")),
			field(d, "summary"));
	free(title);
	return row;
}

void site_harvest_free(struct site *s)
{
	if (!s->harvest)
		return;
	json_decref(s->harvest->docs);
	free(s->harvest);
	s->harvest = NULL;
}

/* reflecties/KEY/index.html: whose reflection it is, and where. */
static int landing_page(struct site *s, json_t *d)
{
	struct sbuf body = { 0 }, page = { 0 };
	const char *kind = field(d, "kind");
	char path[128];
	int rc;

	sb_puts(&body, "<article class=\"mores-reflection\">\n<p class=\"mores-"
		       "kicker\">");
	if (*kind)
		sb_puts(&body, site_kind_label(kind));
	sb_puts(&body, *kind ? " · " : "");
	sb_text(&body, field(d, "citation"));
	sb_puts(&body, "</p>\n<h1 class=\"utrecht-heading-1\">");
	sb_text(&body, field(d, "title"));
	sb_puts(&body, "</h1>\n<p class=\"utrecht-paragraph\">Een reflectie "
		       "van een andere commissie: ");
	sb_text(&body, field(d, "committee"));
	sb_puts(&body, ".</p>\n");
	if (*field(d, "summary")) {
		sb_puts(&body, "<p class=\"utrecht-paragraph utrecht-paragraph--"
			       "lead mores-summary\">");
		sb_text(&body, field(d, "summary"));
		sb_puts(&body, "</p>\n");
	}
	sb_puts(&body, "<p class=\"utrecht-paragraph\"><a class=\"utrecht-link\" "
		       "href=\"");
	sb_text(&body, field(d, "url"));
	sb_puts(&body, "\">Lees deze reflectie bij ");
	sb_text(&body, field(d, "committee"));
	sb_puts(&body, "</a></p>\n</article>\n");
	site_page(s, &page, 2, field(d, "title"), body.s ? body.s : "", NULL);
	snprintf(path, sizeof(path), "reflecties/%.64s/index.html",
		 field(d, "key"));
	rc = body.oom || page.oom
		     ? archive_error_set(ARCHIVE_ERROR, "out of memory")
		     : site_write(s, path, page.s, page.len, NULL);
	sb_free(&body);
	sb_free(&page);
	return rc;
}

static int cmp_posting(const void *x, const void *y)
{
	const size_t *a = x, *b = y;

	return (a[0] > b[0]) - (a[0] < b[0]);
}

static int hold_term(const char *term, char *const *ids, const int *weights,
		     size_t n, void *ctx)
{
	struct merge *m = ctx;
	size_t *pairs, k = 0;
	struct hterm *t;

	if (m->n == m->cap) {
		struct hterm *more = realloc(m->t, (m->cap * 2 + 256) *
							   sizeof(*more));

		if (!more)
			return archive_error_set(ARCHIVE_ERROR, "out of memory");
		m->t = more;
		m->cap = m->cap * 2 + 256;
	}
	t = &m->t[m->n];
	pairs = malloc((2 * n + 1) * sizeof(*pairs));
	t->term = strdup(term);
	t->nums = calloc(n + 1, sizeof(*t->nums));
	t->w = calloc(n + 1, sizeof(*t->w));
	if (!pairs || !t->term || !t->nums || !t->w) {
		free(pairs);
		free(t->term);
		free(t->nums);
		free(t->w);
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		size_t num = site_harvest_num(m->s, ids[i]);

		if (num == SIZE_MAX)
			continue;
		pairs[2 * k] = num;
		pairs[2 * k + 1] = (size_t)weights[i];
		k++;
	}
	if (k > 1)
		qsort(pairs, k, 2 * sizeof(*pairs), cmp_posting);
	for (size_t i = 0; i < k; i++) {
		t->nums[i] = pairs[2 * i];
		t->w[i] = (int)pairs[2 * i + 1];
	}
	free(pairs);
	t->n = k;
	m->n++;
	return 0;
}

/* Passes on the held harvested forms that sort before term. */
static int release_before(struct merge *m, const char *term)
{
	int rc = 0;

	while (rc == 0 && m->next < m->n &&
	       (!term || strcmp(m->t[m->next].term, term) < 0)) {
		struct hterm *t = &m->t[m->next++];

		if (t->n)
			rc = m->fn(t->term, t->nums, t->w, t->n, m->ctx);
	}
	return rc;
}

static int merge_term(const char *term, const size_t *nums,
		      const int *weights, size_t n, void *ctx)
{
	struct merge *m = ctx;
	struct hterm *t;
	size_t *all;
	int *w, rc = release_before(m, term);

	if (rc || m->next >= m->n || strcmp(m->t[m->next].term, term))
		return rc ? rc : m->fn(term, nums, weights, n, m->ctx);
	/* the same form in both: one posting list, the own ones first (the
	 * harvested are numbered after them) */
	t = &m->t[m->next++];
	all = calloc(n + t->n, sizeof(*all));
	w = calloc(n + t->n, sizeof(*w));
	if (!all || !w) {
		free(all);
		free(w);
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	}
	memcpy(all, nums, n * sizeof(*all));
	memcpy(all + n, t->nums, t->n * sizeof(*all));
	memcpy(w, weights, n * sizeof(*w));
	memcpy(w + n, t->w, t->n * sizeof(*w));
	rc = m->fn(term, all, w, n + t->n, m->ctx);
	free(all);
	free(w);
	return rc;
}

/* A group of the committee's own is the whole group only when no
 * harvested form joins it: with none harvested at all. */
static int merge_same(const char *group, uint64_t key, void *ctx)
{
	struct merge *m = ctx;

	return m->n || !m->same ? 0 : m->same(group, key, m->ctx);
}

int site_harvest_terms(struct site *s, struct search_index *ix,
		       site_term_fn fn, site_group_fn same, void *ctx)
{
	struct merge m = { s, NULL, 0, 0, 0, fn, same, ctx };
	json_t *docs = NULL, *d;
	size_t i;
	int rc;

	site_harvest_free(s);
	if ((rc = search_harvested_docs(&docs, ix)) != 0)
		return rc;
	if (!(s->harvest = calloc(1, sizeof(*s->harvest)))) {
		json_decref(docs);
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	}
	s->harvest->docs = docs;
	json_array_foreach(docs, i, d)
		if ((rc = landing_page(s, d)) != 0)
			return rc;
	if (json_array_size(docs))
		rc = search_harvest_terms(ix, hold_term, &m);
	rc = rc ? rc : site_own_terms(s, ix, merge_term, merge_same, &m);
	rc = rc ? rc : release_before(&m, NULL);
	for (i = 0; i < m.n; i++) {
		free(m.t[i].nums);
		free(m.t[i].w);
		free(m.t[i].term);
	}
	free(m.t);
	return rc;
}
