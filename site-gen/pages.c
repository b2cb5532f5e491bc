/*
 * pages.c: the HTML of the site: the frame every page shares, the page of
 * a reflection, the listings (all, asked, unasked, per value, instrument
 * and year) and the fixed pages (home, search, accessibility, 404). Links
 * are relative, so the site works from any folder and from disk.
 */
#include "site_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PER_PAGE 50

static const char *const roots[] = { "", "../", "../../", "../../../",
				     "../../../../" };

const char *site_root(int depth)
{
	return roots[depth < 0 ? 0 : depth > 4 ? 4 : depth];
}

/* ---- labels --------------------------------------------------------------- */

const char *site_kind_label(const char *kind)
{
	return kind && !strcmp(kind, "unasked") ? "Ongevraagd advies"
						: "Gevraagd advies";
}

static const char *const instruments[][2] = {
	{ "deda", "DEDA (De Ethische Data Assistent)" },
	{ "begeleidingsethiek", "Begeleidingsethiek" },
	{ "moreel-beraad", "Moreel beraad" },
	{ "iama", "IAMA (Impact Assessment Mensenrechten en Algoritmes)" },
	{ "dpia", "DPIA (gegevensbeschermingseffectbeoordeling)" },
	{ "codio", "CODIO" },
	{ "elsa", "ELSA" },
	{ "waardentabel", "Waardentabel" },
	{ "other", "Andere methode" },
};

int site_instrument_index(const char *name)
{
	for (size_t i = 0; i < sizeof(instruments) / sizeof(*instruments); i++)
		if (!strcmp(instruments[i][0], name))
			return (int)i;
	return -1;
}

const char *site_instrument_label(const char *name)
{
	for (size_t i = 0; i < sizeof(instruments) / sizeof(*instruments); i++)
		if (!strcmp(instruments[i][0], name))
			return instruments[i][1];
	return name;
}

const char *site_value_label(struct site *s, const char *id)
{
	const archive_node *v = archive_vocab_find(s->vocab, id);
	const char *label = v ? archive_node_get_scalar(v, "label") : NULL;

	return label ? label : id;
}

void site_date(struct sbuf *b, const char *iso)
{
	static const char *const months[] = {
		"januari", "februari", "maart",	    "april",   "mei",
		"juni",	   "juli",     "augustus", "september", "oktober",
		"november", "december"
	};
	int y, m, d;

	if (!iso || archive_date_parse(iso, &y, &m, &d) != 0) {
		sb_text(b, iso);
		return;
	}
	sb_printf(b, "%d %s %d", d, months[m - 1], y);
}

/* ---- the frame ------------------------------------------------------------ */

static const char csp[] =
	"default-src 'none'; script-src 'self'; style-src 'self'; "
	"img-src 'self' data:; font-src 'self'; connect-src 'none'; "
	"base-uri 'none'; form-action 'self'";

void site_page(struct site *s, struct sbuf *out, int depth, const char *title,
	       const char *body, const char *scripts)
{
	const char *r = depth < 0 ? NULL : site_root(depth);
	static const char *const nav[][2] = {
		{ "reflecties/", "Reflecties" },
		{ "gevraagd/", "Gevraagd" },
		{ "ongevraagd/", "Ongevraagd" },
		{ "waarden/", "Waarden" },
		{ "instrumenten/", "Instrumenten" },
		{ "jaarverslag/", "Jaarverslagen" },
		{ "zoeken/", "Zoeken" },
	};
	char root404[512];

	/* the 404 page is shown at any depth: its links start at the root */
	if (!r) {
		const char *path = s->base_url ? strchr(s->base_url + 8, '/')
					       : NULL;

		snprintf(root404, sizeof(root404), "%s", path ? path : "/");
		r = root404;
	}
	sb_puts(out, "<!DOCTYPE html>\n<html lang=\"nl\">\n<head>\n"
		     "<meta charset=\"utf-8\">\n"
		     "<meta name=\"viewport\" content=\"width=device-width, "
		     "initial-scale=1\">\n");
	sb_printf(out, "<meta http-equiv=\"Content-Security-Policy\" "
		       "content=\"%s\">\n", csp);
	sb_puts(out, "<title>");
	if (title) {
		sb_text(out, title);
		sb_puts(out, " | ");
	}
	sb_text(out, s->title);
	sb_puts(out, "</title>\n");
	sb_printf(out, "<link rel=\"stylesheet\" href=\"%sassets/nlds.css\">\n"
		       "<link rel=\"stylesheet\" href=\"%sassets/theme.css\">\n"
		       "<link rel=\"stylesheet\" href=\"%sassets/mores.css\">\n"
		       "<link rel=\"alternate\" type=\"application/atom+xml\" "
		       "href=\"%sfeed.xml\" title=\"Nieuwe reflecties\">\n",
		  r, r, r, r);
	sb_puts(out, "</head>\n<body class=\"utrecht-document ");
	sb_text(out, s->theme_class);
	sb_puts(out, " mores-theme\">\n"
		     "<a class=\"mores-skip-link utrecht-link\" href=\"#inhoud\">"
		     "Naar de inhoud</a>\n"
		     "<header class=\"utrecht-page-header mores-header\">\n"
		     "<div class=\"mores-wrap\">\n");
	sb_printf(out, "<a class=\"mores-site-name utrecht-link\" href=\"%s\">",
		  *r ? r : "./");
	sb_text(out, s->name);
	sb_puts(out, "</a>\n<nav aria-label=\"Hoofdmenu\" class=\"mores-nav\">"
		     "<ul>\n");
	for (size_t i = 0; i < sizeof(nav) / sizeof(*nav); i++)
		sb_printf(out, "<li><a class=\"utrecht-link\" href=\"%s%s\">%s"
			       "</a></li>\n",
			  r, nav[i][0], nav[i][1]);
	sb_puts(out, "</ul></nav>\n</div>\n</header>\n"
		     "<main id=\"inhoud\" class=\"utrecht-page-content "
		     "mores-wrap\" tabindex=\"-1\">\n");
	sb_puts(out, body);
	sb_puts(out, "</main>\n<footer class=\"utrecht-page-footer "
		     "mores-footer\">\n<div class=\"mores-wrap\">\n<p "
		     "class=\"utrecht-paragraph\">");
	sb_text(out, s->name);
	sb_printf(out, "</p>\n<ul>\n"
		       "<li><a class=\"utrecht-link\" href=\"%sfeed.xml\">"
		       "Nieuwe reflecties volgen (Atom-feed)</a></li>\n"
		       "<li><a class=\"utrecht-link\" href=\"%sdata/"
		       "reflecties.json\">Open data (JSON)</a></li>\n"
		       "<li><a class=\"utrecht-link\" href=\"%stoegankelijkheid/"
		       "\">Toegankelijkheid</a></li>\n"
		       "</ul>\n</div>\n</footer>\n",
		  r, r, r);
	if (scripts)
		sb_puts(out, scripts);
	sb_puts(out, "</body>\n</html>\n");
}

/* Wraps body in the frame and writes it to path. */
static int write_page(struct site *s, const char *path, int depth,
		      const char *title, struct sbuf *body, const char *scripts,
		      const char *key)
{
	struct sbuf page = { 0 };
	int rc;

	site_page(s, &page, depth, title, body->s ? body->s : "", scripts);
	rc = page.oom || body->oom
		     ? archive_error_set(ARCHIVE_ERROR, "out of memory")
		     : site_write(s, path, page.s, page.len, key);
	sb_free(&page);
	return rc;
}

/* ---- a reflection in a listing ------------------------------------------ */

void site_list_item(struct site *s, struct sbuf *b, const struct entry *e,
		    int depth, int level)
{
	(void)s;
	sb_printf(b, "<li class=\"mores-item\">\n<h%d class=\"utrecht-heading-%d"
		     "\"><a class=\"utrecht-link\" href=\"%sreflecties/%s/\">",
		  level, level, site_root(depth), e->p->id);
	sb_text(b, e->p->title);
	sb_printf(b, "</a></h%d>\n<p class=\"mores-meta\">", level);
	sb_text(b, e->p->citation);
	sb_puts(b, " · ");
	sb_puts(b, site_kind_label(e->p->kind));
	if (e->p->adopted) {
		sb_puts(b, " · ");
		site_date(b, e->p->adopted);
	}
	sb_puts(b, "</p>\n");
	if (e->p->summary) {
		sb_puts(b, "<p class=\"utrecht-paragraph\">");
		sb_text(b, e->p->summary);
		sb_puts(b, "</p>\n");
	}
	sb_puts(b, "</li>\n");
}

/* ---- the page of a reflection ----------------------------------------- */

static void dl_row(struct sbuf *b, const char *term, const char *text)
{
	if (!text || !*text)
		return;
	sb_puts(b, "<div><dt>");
	sb_puts(b, term);
	sb_puts(b, "</dt><dd>");
	sb_text(b, text);
	sb_puts(b, "</dd></div>\n");
}

static void dl_date(struct sbuf *b, const char *term, const char *iso)
{
	if (!iso)
		return;
	sb_printf(b, "<div><dt>%s</dt><dd><time datetime=\"", term);
	sb_text(b, iso);
	sb_puts(b, "\">");
	site_date(b, iso);
	sb_puts(b, "</time></dd></div>\n");
}

static void metadata(struct site *s, struct sbuf *b, const archive_public *p)
{
	sb_puts(b, "<aside class=\"mores-metadata\" aria-labelledby=\"over\">\n"
		   "<h2 id=\"over\" class=\"utrecht-heading-2\">Over deze "
		   "reflectie</h2>\n<dl>\n");
	dl_row(b, "Soort", site_kind_label(p->kind));
	dl_row(b, "Gevraagd door", p->requester);
	dl_row(b, "Vraag", p->question);
	dl_date(b, p->kind && !strcmp(p->kind, "unasked")
			   ? "Opgepakt op"
			   : "Ontvangen op",
		p->received);
	dl_date(b, "Vastgesteld op", p->adopted);
	if (p->nvalues) {
		sb_puts(b, "<div><dt>Waarden</dt><dd><ul>");
		for (size_t i = 0; i < p->nvalues; i++) {
			sb_puts(b, "<li><a class=\"utrecht-link\" href=\"../../"
				   "waarden/");
			sb_text(b, p->values[i]);
			sb_puts(b, "/\">");
			sb_text(b, site_value_label(s, p->values[i]));
			sb_puts(b, "</a></li>");
		}
		sb_puts(b, "</ul></dd></div>\n");
	}
	if (p->ninstruments) {
		sb_puts(b, "<div><dt>Instrumenten</dt><dd><ul>");
		for (size_t i = 0; i < p->ninstruments; i++) {
			sb_puts(b, "<li><a class=\"utrecht-link\" href=\"../../"
				   "instrumenten/");
			sb_text(b, p->instruments[i]);
			sb_puts(b, "/\">");
			sb_text(b, site_instrument_label(p->instruments[i]));
			sb_puts(b, "</a></li>");
		}
		sb_puts(b, "</ul></dd></div>\n");
	}
	if (p->ntopics) {
		sb_puts(b, "<div><dt>Onderwerpen</dt><dd><ul>");
		for (size_t i = 0; i < p->ntopics; i++) {
			sb_puts(b, "<li>");
			sb_text(b, p->topics[i]);
			sb_puts(b, "</li>");
		}
		sb_puts(b, "</ul></dd></div>\n");
	}
	dl_row(b, "Citeren als", p->citation);
	if (s->base_url) {
		sb_puts(b, "<div><dt>Vaste link</dt><dd><a class=\"utrecht-link\" "
			   "href=\"");
		sb_text(b, s->base_url);
		sb_printf(b, "%sreflecties/%s/\">", 
			  s->base_url[strlen(s->base_url) - 1] == '/' ? "" : "/",
			  p->id);
		sb_text(b, s->base_url);
		sb_printf(b, "%sreflecties/%s/</a></dd></div>\n",
			  s->base_url[strlen(s->base_url) - 1] == '/' ? "" : "/",
			  p->id);
	}
	sb_puts(b, "</dl>\n</aside>\n");
}

/* "Zie ook" and "Aangehaald in": only public reflections, by title. */
static void links(struct site *s, struct sbuf *b, const struct entry *e)
{
	const struct cite *c;
	size_t n;

	if (e->p->nrelated) {
		sb_puts(b, "<section aria-labelledby=\"zie-ook\">\n<h2 "
			   "id=\"zie-ook\" class=\"utrecht-heading-2\">Zie ook"
			   "</h2>\n<ul class=\"mores-list\">\n");
		for (size_t i = 0; i < e->p->nrelated; i++) {
			struct entry *r = site_find(s, e->p->related[i]);

			if (r)
				site_list_item(s, b, r, 2, 3);
		}
		sb_puts(b, "</ul>\n</section>\n");
	}
	c = site_cited_by(s, e->p->id, &n);
	if (n) {
		sb_puts(b, "<section aria-labelledby=\"aangehaald\">\n<h2 "
			   "id=\"aangehaald\" class=\"utrecht-heading-2\">"
			   "Aangehaald in</h2>\n<ul class=\"mores-list\">\n");
		for (size_t i = 0; i < n; i++)
			site_list_item(s, b, c[i].src, 2, 3);
		sb_puts(b, "</ul>\n</section>\n");
	}
}

int site_page_reflection(struct site *s, struct entry *e,
			 const archive_dossier *d)
{
	archive_public *p;
	struct sbuf b = { 0 };
	char path[64];
	int rc;

	/* the texts come from a fresh public view of the same dossier */
	rc = archive_public_view(&p, d, s->code, s->today, NULL, NULL);
	if (rc != 0 || !p)
		return rc ? rc : archive_error_set(ARCHIVE_ERROR,
						   "%s: no longer public",
						   e->p->id);
	sb_puts(&b, "<article class=\"mores-reflection\">\n<p class=\"mores-"
		    "kicker\">");
	sb_puts(&b, site_kind_label(p->kind));
	sb_puts(&b, " · ");
	sb_text(&b, p->citation);
	sb_puts(&b, "</p>\n<h1 class=\"utrecht-heading-1\">");
	sb_text(&b, p->title);
	sb_puts(&b, "</h1>\n");
	if (p->summary) {
		sb_puts(&b, "<p class=\"utrecht-paragraph utrecht-paragraph--"
			    "lead mores-summary\">");
		sb_text(&b, p->summary);
		sb_puts(&b, "</p>\n");
	}
	metadata(s, &b, p);
	sb_puts(&b, "<section aria-labelledby=\"advies\" class=\"mores-text\">\n"
		    "<h2 id=\"advies\" class=\"utrecht-heading-2\">Advies</h2>\n");
	site_markdown(&b, p->advice ? p->advice : "", 3);
	sb_puts(&b, "</section>\n");
	if (p->response) {
		sb_puts(&b, "<section aria-labelledby=\"reactie\" "
			    "class=\"mores-text\">\n<h2 id=\"reactie\" "
			    "class=\"utrecht-heading-2\">Reactie");
		if (p->response_from) {
			sb_puts(&b, " van ");
			sb_text(&b, p->response_from);
		}
		sb_puts(&b, "</h2>\n");
		if (p->response_received) {
			sb_puts(&b, "<p class=\"mores-meta\">Ontvangen op ");
			site_date(&b, p->response_received);
			sb_puts(&b, "</p>\n");
		}
		site_markdown(&b, p->response, 3);
		sb_puts(&b, "</section>\n");
	}
	links(s, &b, e);
	sb_puts(&b, "</article>\n");
	snprintf(path, sizeof(path), "reflecties/%s/index.html", p->id);
	rc = write_page(s, path, 2, p->title, &b, NULL, e->key);
	sb_free(&b);
	archive_public_free(p);
	return rc;
}

/* ---- listings ------------------------------------------------------------- */

typedef int (*filter_fn)(const struct entry *e, const void *arg);

static int has(char *const *list, size_t n, const char *v)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(list[i], v))
			return 1;
	return 0;
}

static int all(const struct entry *e, const void *arg)
{
	(void)e;
	(void)arg;
	return 1;
}

static int of_kind(const struct entry *e, const void *kind)
{
	return e->p->kind && !strcmp(e->p->kind, kind);
}

/* A value of the vocabulary: its place and its id. */
struct value_ref {
	size_t at;
	const char *id;
};

static int with_value(const struct entry *e, const void *v)
{
	const struct value_ref *r = v;

	return r->at < 64 ? (int)((e->vbits >> r->at) & 1)
			  : has(e->p->values, e->p->nvalues, r->id);
}

static int with_instrument(const struct entry *e, const void *v)
{
	return (int)((e->ibits >> *(const int *)v) & 1);
}

static int of_year(const struct entry *e, const void *year)
{
	return e->year == *(const int *)year;
}

static size_t count_of(struct site *s, filter_fn f, const void *arg)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n; i++)
		n += f(&s->e[i], arg);
	return n;
}

/* Writes dir/index.html and dir/pagina-N/index.html: the reflections that
 * pass the filter, newest first, PER_PAGE a page. */
static int listing(struct site *s, const char *dir, int depth,
		   const char *title, const char *intro, filter_fn f,
		   const void *arg)
{
	struct entry **items = malloc((s->n + 1) * sizeof(*items));
	size_t total = 0, pages, page = 1;
	int rc = 0;

	if (!items)
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	for (size_t i = 0; i < s->n; i++)
		if (f(&s->e[i], arg))
			items[total++] = &s->e[i];
	pages = total ? (total + PER_PAGE - 1) / PER_PAGE : 1;
	for (size_t i = 0; rc == 0 && page <= pages; page++) {
		struct sbuf b = { 0 };
		char path[512], heading[512], key[17];
		int d = depth + (page > 1);
		uint64_t h = s->frame;
		size_t first = i;

		if (page == 1)
			snprintf(path, sizeof(path), "%s/index.html", dir);
		else
			snprintf(path, sizeof(path), "%s/pagina-%zu/index.html",
				 dir, page);
		/* what the page shows: when the last build wrote the same,
		 * it is left as it is */
		site_hash_str(&h, dir);
		site_hash_str(&h, title);
		site_hash_str(&h, intro);
		site_hash_u64(&h, page);
		site_hash_u64(&h, pages);
		site_hash_u64(&h, total);
		for (size_t k = 0; i < total && k < PER_PAGE; i++, k++)
			site_hash_u64(&h, items[i]->item);
		snprintf(key, sizeof(key), "%016llx", (unsigned long long)h);
		if (site_unchanged(s, path, key))
			continue;
		i = first;

		snprintf(heading, sizeof(heading), "%s", title);
		sb_puts(&b, "<h1 class=\"utrecht-heading-1\">");
		sb_text(&b, title);
		if (pages > 1)
			sb_printf(&b, " <span class=\"mores-page\">(pagina %zu "
				      "van %zu)</span>",
				  page, pages);
		sb_puts(&b, "</h1>\n");
		if (intro)
			sb_puts(&b, intro);
		if (!total)
			sb_puts(&b, "<p class=\"utrecht-paragraph\">Hier zijn nog "
				    "geen reflecties gepubliceerd.</p>\n");
		else
			sb_printf(&b, "<p class=\"utrecht-paragraph mores-count\">"
				      "%zu reflectie%s</p>\n<ul class=\"mores-"
				      "list\">\n",
				  total, total == 1 ? "" : "s");
		for (size_t k = 0; i < total && k < PER_PAGE; i++, k++)
			site_list_item(s, &b, items[i], d, 2);
		if (total)
			sb_puts(&b, "</ul>\n");
		if (pages > 1) {
			sb_puts(&b, "<nav aria-label=\"Paginering\" class=\"mores-"
				    "pagination\"><ul>\n");
			if (page == 2)
				sb_puts(&b, "<li><a class=\"utrecht-link\" rel=\""
					    "prev\" href=\"../\">Vorige pagina"
					    "</a></li>\n");
			else if (page > 2)
				sb_printf(&b, "<li><a class=\"utrecht-link\" "
					      "rel=\"prev\" href=\"../pagina-"
					      "%zu/\">Vorige pagina</a></li>\n",
					  page - 1);
			if (page < pages)
				sb_printf(&b, "<li><a class=\"utrecht-link\" "
					      "rel=\"next\" href=\"%spagina-%zu/"
					      "\">Volgende pagina</a></li>\n",
					  page == 1 ? "" : "../", page + 1);
			sb_puts(&b, "</ul></nav>\n");
		}
		rc = write_page(s, path, d, heading, &b, NULL, key);
		sb_free(&b);
	}
	free(items);
	return rc;
}

static int value_pages(struct site *s)
{
	struct sbuf idx = { 0 };
	int rc = 0;

	sb_puts(&idx, "<h1 class=\"utrecht-heading-1\">Waarden</h1>\n<p "
		      "class=\"utrecht-paragraph\">Bij elke reflectie weegt de "
		      "commissie waarden tegen elkaar af. Per waarde staat hier "
		      "de vraag die de commissie zich stelt, met de reflecties "
		      "waarin die waarde op het spel stond.</p>\n<ul "
		      "class=\"mores-list\">\n");
	for (size_t i = 0; rc == 0 && i < archive_vocab_count(s->vocab); i++) {
		const archive_node *v = archive_vocab_at(s->vocab, i);
		const char *id = archive_node_get_scalar(v, "id");
		const char *label = archive_node_get_scalar(v, "label");
		const char *question = archive_node_get_scalar(v, "question");
		struct sbuf intro = { 0 };
		char dir[128];
		struct value_ref ref = { i, id };
		size_t n = count_of(s, with_value, &ref);

		sb_printf(&idx, "<li class=\"mores-item\"><h2 class=\"utrecht-"
				"heading-2\"><a class=\"utrecht-link\" href=\"%s/"
				"\">",
			  id);
		sb_text(&idx, label);
		sb_printf(&idx, "</a></h2><p class=\"utrecht-paragraph\">");
		sb_text(&idx, question);
		sb_printf(&idx, " <span class=\"mores-count\">(%zu reflectie%s)"
				"</span></p></li>\n",
			  n, n == 1 ? "" : "s");
		sb_puts(&intro, "<p class=\"utrecht-paragraph utrecht-paragraph--"
				"lead\">");
		sb_text(&intro, question);
		sb_puts(&intro, "</p>\n");
		snprintf(dir, sizeof(dir), "waarden/%s", id);
		rc = listing(s, dir, 2, label, intro.s, with_value, &ref);
		sb_free(&intro);
	}
	sb_puts(&idx, "</ul>\n");
	rc = rc ? rc : write_page(s, "waarden/index.html", 1, "Waarden", &idx,
				  NULL, NULL);
	sb_free(&idx);
	return rc;
}

static int instrument_pages(struct site *s)
{
	struct sbuf idx = { 0 };
	int rc = 0;

	sb_puts(&idx, "<h1 class=\"utrecht-heading-1\">Instrumenten</h1>\n<p "
		      "class=\"utrecht-paragraph\">De methoden waarmee de "
		      "commissie of de organisatie een vraag heeft "
		      "onderzocht.</p>\n<ul class=\"mores-list\">\n");
	for (size_t i = 0; rc == 0 && i < sizeof(instruments) /
						  sizeof(*instruments);
	     i++) {
		int at = (int)i;
		size_t n = count_of(s, with_instrument, &at);
		char dir[128];

		if (!n)
			continue;
		sb_printf(&idx, "<li class=\"mores-item\"><a class=\"utrecht-"
				"link\" href=\"%s/\">%s</a> <span class=\"mores-"
				"count\">(%zu reflectie%s)</span></li>\n",
			  instruments[i][0], instruments[i][1], n,
			  n == 1 ? "" : "s");
		snprintf(dir, sizeof(dir), "instrumenten/%s", instruments[i][0]);
		rc = listing(s, dir, 2, instruments[i][1], NULL, with_instrument,
			     &at);
	}
	sb_puts(&idx, "</ul>\n");
	rc = rc ? rc : write_page(s, "instrumenten/index.html", 1,
				  "Instrumenten", &idx, NULL, NULL);
	sb_free(&idx);
	return rc;
}

static int cmp_int_desc(const void *x, const void *y)
{
	return *(const int *)y - *(const int *)x;
}

static int year_pages(struct site *s)
{
	struct sbuf idx = { 0 };
	int *years = malloc((s->n + 1) * sizeof(*years)), rc = 0;
	size_t ny = 0;

	if (!years)
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	for (size_t i = 0; i < s->n; i++) {
		size_t k;

		for (k = 0; k < ny && years[k] != s->e[i].year; k++)
			;
		if (k == ny)
			years[ny++] = s->e[i].year;
	}
	qsort(years, ny, sizeof(*years), cmp_int_desc);
	sb_puts(&idx, "<h1 class=\"utrecht-heading-1\">Reflecties per jaar</h1>"
		      "\n<ul class=\"mores-list\">\n");
	for (size_t i = 0; rc == 0 && i < ny; i++) {
		char dir[64], title[64];
		size_t n = count_of(s, of_year, &years[i]);

		sb_printf(&idx, "<li class=\"mores-item\"><a class=\"utrecht-"
				"link\" href=\"%d/\">%d</a> <span class=\"mores-"
				"count\">(%zu reflectie%s)</span></li>\n",
			  years[i], years[i], n, n == 1 ? "" : "s");
		snprintf(dir, sizeof(dir), "jaar/%d", years[i]);
		snprintf(title, sizeof(title), "Reflecties uit %d", years[i]);
		rc = listing(s, dir, 2, title, NULL, of_year, &years[i]);
	}
	sb_puts(&idx, "</ul>\n");
	rc = rc ? rc : write_page(s, "jaar/index.html", 1, "Per jaar", &idx,
				  NULL, NULL);
	sb_free(&idx);
	free(years);
	return rc;
}

int site_pages_lists(struct site *s)
{
	int rc;

	rc = listing(s, "reflecties", 1, "Alle reflecties",
		     "<p class=\"utrecht-paragraph\">Alle gepubliceerde "
		     "reflecties van de commissie, de nieuwste eerst. Een "
		     "reflectie is een niet-bindend advies: de commissie "
		     "denkt mee, de verantwoordelijkheid blijft bij het "
		     "bestuur.</p>\n",
		     all, NULL);
	rc = rc ? rc : listing(s, "gevraagd", 1, "Gevraagd advies",
			       "<p class=\"utrecht-paragraph\">Reflecties op "
			       "een vraag die iemand aan de commissie "
			       "voorlegde.</p>\n",
			       of_kind, "asked");
	rc = rc ? rc : listing(s, "ongevraagd", 1, "Ongevraagd advies",
			       "<p class=\"utrecht-paragraph\">Reflecties waarmee "
			       "de commissie uit zichzelf een ontwikkeling "
			       "agendeert.</p>\n",
			       of_kind, "unasked");
	rc = rc ? rc : value_pages(s);
	rc = rc ? rc : instrument_pages(s);
	rc = rc ? rc : year_pages(s);
	return rc;
}

/* ---- fixed pages ------------------------------------------------------------ */

static int home(struct site *s)
{
	struct sbuf b = { 0 };
	int rc;

	sb_puts(&b, "<h1 class=\"utrecht-heading-1\">");
	sb_text(&b, s->title);
	sb_puts(&b, "</h1>\n<p class=\"utrecht-paragraph utrecht-paragraph--"
		    "lead\">De ");
	sb_text(&b, s->name);
	sb_puts(&b, " reflecteert op vragen over data en technologie: kan het, "
		    "mag het en willen we het? Hier staan de openbare "
		    "reflecties, gevraagd en ongevraagd, om van te leren en "
		    "naar te verwijzen.</p>\n"
		    "<form class=\"mores-search-form\" role=\"search\" "
		    "action=\"zoeken/index.html\" method=\"get\">\n"
		    "<label class=\"utrecht-form-label\" for=\"q\">Zoek in de "
		    "reflecties</label>\n<div class=\"mores-search-row\">"
		    "<input class=\"utrecht-textbox\" type=\"search\" id=\"q\" "
		    "name=\"q\" autocomplete=\"off\">\n<button class=\"utrecht-"
		    "button utrecht-button--primary-action\" type=\"submit\">"
		    "Zoeken</button></div>\n</form>\n"
		    "<h2 class=\"utrecht-heading-2\">Nieuwste reflecties</h2>\n");
	if (!s->n)
		sb_puts(&b, "<p class=\"utrecht-paragraph\">Er zijn nog geen "
			    "reflecties gepubliceerd.</p>\n");
	else
		sb_puts(&b, "<ul class=\"mores-list\">\n");
	for (size_t i = 0; i < s->n && i < 10; i++)
		site_list_item(s, &b, &s->e[i], 0, 3);
	if (s->n)
		sb_puts(&b, "</ul>\n<p class=\"utrecht-paragraph\"><a class=\""
			    "utrecht-link\" href=\"reflecties/\">Alle "
			    "reflecties</a></p>\n");
	rc = write_page(s, "index.html", 0, NULL, &b, NULL, NULL);
	sb_free(&b);
	return rc;
}

static int search_page(struct site *s)
{
	struct sbuf b = { 0 };
	int rc;

	sb_puts(&b, "<h1 class=\"utrecht-heading-1\">Zoeken in de reflecties"
		    "</h1>\n<form class=\"mores-search-form\" role=\"search\" "
		    "action=\"index.html\" method=\"get\" id=\"zoekformulier\">\n"
		    "<label class=\"utrecht-form-label\" for=\"q\">Zoekwoorden"
		    "</label>\n<div class=\"mores-search-row\"><input class=\""
		    "utrecht-textbox\" type=\"search\" id=\"q\" name=\"q\" "
		    "autocomplete=\"off\" aria-describedby=\"zoekhulp\">\n"
		    "<button class=\"utrecht-button utrecht-button--primary-"
		    "action\" type=\"submit\">Zoeken</button></div>\n"
		    "<p id=\"zoekhulp\" class=\"mores-meta\">Woordvormen "
		    "worden herkend: camera vindt ook camera's, sensor ook "
		    "sensoren. Zet woorden tussen aanhalingstekens voor een "
		    "exacte zin, en een min ervoor (-woord) om het uit te "
		    "sluiten.</p>\n"
		    "<fieldset class=\"mores-facets\" id=\"filters\" hidden>\n"
		    "<legend>Filters</legend>\n"
		    "<label class=\"utrecht-form-label\" for=\"f-soort\">Soort"
		    "</label>\n<select class=\"utrecht-select\" id=\"f-soort\" "
		    "name=\"soort\"><option value=\"\">Alle</option>"
		    "<option value=\"asked\">Gevraagd</option><option value=\""
		    "unasked\">Ongevraagd</option></select>\n"
		    "<label class=\"utrecht-form-label\" for=\"f-waarde\">Waarde"
		    "</label>\n<select class=\"utrecht-select\" id=\"f-waarde\" "
		    "name=\"waarde\"><option value=\"\">Alle</option>");
	for (size_t i = 0; i < archive_vocab_count(s->vocab); i++) {
		const archive_node *v = archive_vocab_at(s->vocab, i);

		sb_puts(&b, "<option value=\"");
		sb_text(&b, archive_node_get_scalar(v, "id"));
		sb_puts(&b, "\">");
		sb_text(&b, archive_node_get_scalar(v, "label"));
		sb_puts(&b, "</option>");
	}
	sb_puts(&b, "</select>\n<label class=\"utrecht-form-label\" for=\""
		    "f-jaar\">Jaar</label>\n<select class=\"utrecht-select\" "
		    "id=\"f-jaar\" name=\"jaar\"><option value=\"\">Alle"
		    "</option>");
	for (size_t i = 0; i < s->nyears; i++) /* newest first */
		if (s->years[i].published)
			sb_printf(&b, "<option value=\"%d\">%d</option>",
				  s->years[i].year, s->years[i].year);
	sb_puts(&b, "</select>\n</fieldset>\n</form>\n"
		    "<div id=\"status\" class=\"mores-status\" role=\"status\" "
		    "aria-live=\"polite\"></div>\n"
		    "<ol id=\"resultaten\" class=\"mores-list mores-results\">"
		    "</ol>\n<noscript><p class=\"utrecht-paragraph\">Zoeken werkt "
		    "met JavaScript. Zonder JavaScript vindt u alle reflecties "
		    "via <a class=\"utrecht-link\" href=\"../reflecties/\">de "
		    "lijst</a>, per <a class=\"utrecht-link\" href=\"../waarden/"
		    "\">waarde</a> en per <a class=\"utrecht-link\" href=\"../"
		    "jaar/\">jaar</a>.</p></noscript>\n");
	rc = write_page(s, "zoeken/index.html", 1, "Zoeken", &b,
			"<script src=\"../assets/zoeken.js\"></script>\n",
			NULL);
	sb_free(&b);
	return rc;
}

static int accessibility(struct site *s)
{
	struct sbuf b = { 0 };
	int rc;

	sb_puts(&b, "<h1 class=\"utrecht-heading-1\">Toegankelijkheid</h1>\n"
		    "<p class=\"utrecht-paragraph\">Deze site wil voor iedereen "
		    "bruikbaar zijn en voldoen aan de Web Content Accessibility "
		    "Guidelines (WCAG) 2.1 op niveau AA.</p>\n"
		    "<h2 class=\"utrecht-heading-2\">Wat we doen</h2>\n<ul>\n"
		    "<li>Elke pagina heeft een vaste opbouw met kopjes, "
		    "oriëntatiepunten en een link om direct naar de inhoud te "
		    "gaan.</li>\n<li>Alles werkt met het toetsenbord; de focus "
		    "is steeds zichtbaar.</li>\n<li>Grafieken in de "
		    "jaarverslagen hebben een beschrijving en dezelfde cijfers "
		    "in een tabel.</li>\n<li>De tekst past zich aan het scherm "
		    "aan, ook op een telefoon en bij vergroten tot 400%.</li>\n"
		    "<li>Bij elke publicatie wordt de site automatisch "
		    "gecontroleerd met axe-core.</li>\n</ul>\n"
		    "<h2 class=\"utrecht-heading-2\">Iets werkt niet?</h2>\n"
		    "<p class=\"utrecht-paragraph\">Meld het bij het secretariaat "
		    "van de ");
	sb_text(&b, s->name);
	sb_puts(&b, ". We reageren binnen vijf werkdagen en zoeken met u naar "
		    "een oplossing.</p>\n");
	rc = write_page(s, "toegankelijkheid/index.html", 1, "Toegankelijkheid",
			&b, NULL, NULL);
	sb_free(&b);
	return rc;
}

static int not_found(struct site *s)
{
	struct sbuf b = { 0 };
	int rc;

	sb_puts(&b, "<h1 class=\"utrecht-heading-1\">Pagina niet gevonden</h1>"
		    "\n<p class=\"utrecht-paragraph\">Deze pagina bestaat niet "
		    "(meer). Misschien vindt u wat u zoekt via de zoekfunctie "
		    "of de lijst met alle reflecties in het menu.</p>\n");
	rc = write_page(s, "404.html", -1, "Pagina niet gevonden", &b, NULL,
			NULL);
	sb_free(&b);
	return rc;
}

int site_pages_fixed(struct site *s)
{
	int rc = home(s);

	rc = rc ? rc : search_page(s);
	rc = rc ? rc : accessibility(s);
	rc = rc ? rc : not_found(s);
	return rc;
}
