/*
 * check_site.c: the public site. Golden pages, nothing confidential in
 * any file, hostile text rendered harmless, every internal link resolves,
 * builds are deterministic, and a build after one change rewrites only
 * what depends on it.
 */
#include "search/search.h"
#include "site-gen/site.h"
#include "tests/fixture.h"

#include <check.h>
#include <dirent.h>
#include <jansson.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *dir;
static archive *a;
static char out[512];

static void setup(void)
{
	setenv("MORES_TODAY", "2026-11-23", 1);
	dir = fixture_tmpdir();
	a = fixture_archive(dir);
	snprintf(out, sizeof(out), "%s/site", dir);
}

static void teardown(void)
{
	archive_free(a);
	fixture_rmdir(dir);
	unsetenv("MORES_TODAY");
}

static void build(site_stats *st)
{
	ck_assert_msg(site_build(a, out, st) == 0, "%s", archive_error_last());
}

/* ---- walking the output --------------------------------------------- */

typedef void (*file_fn)(const char *rel, const char *text, size_t len,
			void *ctx);

static void walk(const char *root, const char *rel, file_fn fn, void *ctx)
{
	char path[8300];
	DIR *d;
	struct dirent *e;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	ck_assert_ptr_nonnull(d = opendir(path));
	while ((e = readdir(d))) {
		char sub[2048];
		struct stat st;

		if (e->d_name[0] == '.' && (!e->d_name[1] || e->d_name[1] == '.'))
			continue;
		snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "",
			 e->d_name);
		snprintf(path, sizeof(path), "%s/%s", root, sub);
		ck_assert_int_eq(stat(path, &st), 0);
		if (S_ISDIR(st.st_mode)) {
			walk(root, sub, fn, ctx);
		} else {
			char *text;
			size_t len;

			ck_assert_int_eq(archive_file_slurp(&text, &len, path), 0);
			fn(sub, text, len, ctx);
			free(text);
		}
	}
	closedir(d);
}

struct needle {
	const char *const *words;
	char found[4096];
};

static void find_words(const char *rel, const char *text, size_t len,
		       void *ctx)
{
	struct needle *n = ctx;

	(void)len;
	for (size_t i = 0; n->words[i]; i++)
		if (strcasestr(text, n->words[i]) ||
		    strcasestr(rel, n->words[i]))
			snprintf(n->found + strlen(n->found),
				 sizeof(n->found) - strlen(n->found), "%s in %s; ",
				 n->words[i], rel);
}

static char *read_out(const char *rel)
{
	char path[4096], *text;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", out, rel);
	ck_assert_msg(archive_file_slurp(&text, &len, path) == 0, "%s missing",
		      rel);
	return text;
}

static int exists(const char *rel)
{
	char path[4096];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", out, rel);
	return stat(path, &st) == 0;
}

/* ---- a small committee ---------------------------------------------- */

static void committee(void)
{
	fixture_put_dossier(a, "2024-001", "Slimme camera's op het plein",
			    FIXTURE_PUBLISHED
			    "values: [privacy, transparantie]\n"
			    "instruments: [deda]\ntopics: [camera]\n",
			    "De casus.", "Camera's alleen met een doel.",
			    "# Advies\n\nDe commissie adviseert **terughoudend**"
			    ".\n\n## Overwegingen\n\n| waarde | gewicht |\n|---|"
			    "---|\n| privacy | hoog |\n\nZie "
			    "https://www.digitaleoverheid.nl/ voor meer.");
	fixture_put_dossier(a, "2025-001", "Sensoren die de drukte tellen",
			    FIXTURE_PUBLISHED "values: [privacy]\n"
					      "related: [2024-001]\n",
			    "Tellen.", "Tellen mag, volgen niet.",
			    "Net als in ECT:2024:1 geldt: weinig gegevens.");
	fixture_commit_text(a, "dossiers/2025/2025-001/reactie.md",
			    "---\nreceived: 2025-08-01\nfrom: College van B en "
			    "W\n---\nHet college neemt het advies over.\n");
}

START_TEST(golden_pages)
{
	static const char *const pages[][2] = {
		{ "reflecties/2025-001/index.html", "reflectie.html" },
		{ "reflecties/2024-001/index.html", "reflectie-tabel.html" },
		{ "index.html", "home.html" },
		{ "waarden/privacy/index.html", "waarde.html" },
		{ "jaarverslag/2025/index.html", "jaarverslag.html" },
		{ "feed.xml", "feed.xml" },
		{ "data/reflecties.json", "reflecties.json" },
	};
	const char *update = getenv("MORES_GOLDEN_UPDATE");

	committee();
	build(NULL);
	for (size_t i = 0; i < sizeof(pages) / sizeof(*pages); i++) {
		char path[512], *got = read_out(pages[i][0]), *want;
		size_t len;

		snprintf(path, sizeof(path), "%s/tests/golden/%s",
			 getenv("MORES_DATADIR"), pages[i][1]);
		if (update && *update == '1')
			fixture_write_file(path, got);
		ck_assert_msg(archive_file_slurp(&want, &len, path) == 0,
			      "no golden file %s (MORES_GOLDEN_UPDATE=1 makes it)",
			      path);
		ck_assert_msg(!strcmp(got, want), "%s differs from tests/golden/%s",
			      pages[i][0], pages[i][1]);
		free(got);
		free(want);
	}
}
END_TEST

/* Each secret carries a marker word; none may appear in any file. */
START_TEST(nothing_confidential_leaks)
{
	static const char *const markers[] = {
		"zwaardvis", "narwal", "pelikaan", "axolotl", "wombat",
		"lamantijn", "gnoe", "kwal", "okapi", "tapir",
		"reflecties/2026-001", "reflecties/2026-002",
		"reflecties/2026-003", "reflecties/2026-004", NULL
	};
	struct needle n = { markers, "" };

	committee();
	/* a confidential dossier, although its status says published */
	fixture_put_dossier(a, "2026-001", "Zwaardvis in het geheim",
			    "status: published\nvisibility: confidential\n",
			    "zwaardvis", "zwaardvis", "zwaardvis");
	fixture_put_dossier(a, "2026-002", "Narwal concept",
			    "status: draft\nvisibility: public\n", "narwal",
			    "narwal", "narwal");
	fixture_put_dossier(a, "2026-003", "Pelikaan onder embargo",
			    FIXTURE_PUBLISHED "embargo_until: 2027-01-01\n",
			    "pelikaan", "pelikaan", "pelikaan");
	fixture_put_dossier(a, "2026-004", "Tapir gesloten",
			    "status: closed\nvisibility: public\nclosed_reason: "
			    "okapi\n",
			    "tapir", NULL, NULL);
	/* a public one with internal fields, passages and notes, linking
	 * to all the secret ones */
	fixture_put_dossier(a, "2026-005", "Openbaar",
			    FIXTURE_PUBLISHED
			    "rapporteur: Wombat\ndeadline: 2026-01-01\n"
			    "related: [2026-001, 2026-002, 2026-003, 2026-004]\n",
			    "lamantijn in de casus", "Openbaar",
			    "Openbaar deel, zie 2026-001 en ECT:2026:3.\n"
			    "<!-- intern -->\naxolotl\n<!-- /intern -->\nEinde.");
	fixture_commit_text(a, "dossiers/2026/2026-005/notities/a.md", "gnoe\n");
	fixture_commit_text(a, "dossiers/2026/2026-005/advies.md",
			    "---\nadopted: 2026-06-01\nsummary: Openbaar\n"
			    "actions:\n  - {what: Iets doen, owner: Kwal, due: "
			    "2027-01-01, done: false}\n---\nOpenbaar deel, zie "
			    "2026-001 en ECT:2026:3.\n<!-- intern -->\naxolotl\n"
			    "<!-- /intern -->\nEinde.\n");
	build(NULL);
	walk(out, "", find_words, &n);
	ck_assert_msg(!n.found[0], "leaked: %s", n.found);
	ck_assert(!exists("reflecties/2026-001/index.html"));
	ck_assert(!exists("reflecties/2026-002/index.html"));
	ck_assert(!exists("reflecties/2026-003/index.html"));
	ck_assert(exists("reflecties/2026-005/index.html"));
	{
		char *page = read_out("reflecties/2026-005/index.html");

		ck_assert_ptr_null(strstr(page, "reflecties/2026-001"));
		ck_assert_ptr_null(strstr(page, "Zie ook"));
		free(page);
	}
	/* the embargo ends with the calendar */
	setenv("MORES_TODAY", "2027-01-01", 1);
	build(NULL);
	ck_assert(exists("reflecties/2026-003/index.html"));
}
END_TEST

struct hostile {
	char found[4096];
};

/* Markup from the archive must never be markup on the site: the only
 * script element is the search page's own, which loads zoeken.js. */
static void find_markup(const char *rel, const char *text, size_t len,
			void *ctx)
{
	static const char *const bad[] = { "<script", "onerror=", "<iframe",
					   "javascript:", "<img", NULL };
	struct hostile *h = ctx;

	(void)len;
	for (size_t i = 0; bad[i]; i++) {
		const char *p = text;
		int count = 0;

		while ((p = strcasestr(p, bad[i]))) {
			const char *q = p;

			/* an attribute is only one inside a tag */
			while (q > text && *q != '<' && *q != '>')
				q--;
			count += i == 0 || *q == '<';
			p++;
		}
		if (!strcmp(rel, "zoeken/index.html") && i == 0 &&
		    strstr(text, "<script src=\"../assets/zoeken.js\">"))
			count -= 1;
		if (count)
			snprintf(h->found + strlen(h->found),
				 sizeof(h->found) - strlen(h->found),
				 "%s in %s; ", bad[i], rel);
	}
}

START_TEST(hostile_text_is_harmless)
{
	struct hostile h = { "" };
	char *page;

	fixture_put_dossier(
		a, "2026-001", "<script>alert(1)</script> titel",
		FIXTURE_PUBLISHED "values: [privacy]\ntopics: ['<img src=x "
				  "onerror=alert(1)>']\nrequester: \"<iframe "
				  "src=//evil></iframe>\"\n",
		"<script>alert(2)</script>",
		"<img src=x onerror=alert(3)> samenvatting",
		"Tekst met <script>alert(4)</script> en <iframe "
		"src=\"//x\"></iframe>.\n\n[klik](javascript:alert(5)) en "
		"<a href=\"javascript:alert(6)\">hier</a>.\n\n<img src=x "
		"onerror=alert(7)>\n\n| \\\"><script>alert(8)</script> | "
		"`\"<iframe` |\n|---|---|\n| 1 | 2 |\n");
	build(NULL);
	walk(out, "", find_markup, &h);
	ck_assert_msg(!h.found[0], "%s", h.found);
	page = read_out("reflecties/2026-001/index.html");
	ck_assert_ptr_nonnull(strstr(page, "&lt;script&gt;alert(1)"));
	/* a table's name comes from its headings, escaped */
	ck_assert_ptr_nonnull(strstr(page, "aria-label=\"Tabel: &quot;&gt;"
					   "alert(8), &quot;&lt;iframe\">"));
	free(page);
	page = read_out("data/reflecties.json");
	ck_assert_ptr_nonnull(strstr(page, "\\u003cscript\\u003ealert(1)"));
	free(page);
}
END_TEST

/* ---- links ---------------------------------------------------------------- */

struct links {
	char bad[4096];
	int checked;
};

static void check_links(const char *rel, const char *text, size_t len,
			void *ctx)
{
	struct links *l = ctx;
	const char *p = text;
	char base[4096];

	(void)len;
	if (!strstr(rel, ".html") || !strcmp(rel, "404.html"))
		return;
	snprintf(base, sizeof(base), "%s", rel);
	if (strrchr(base, '/'))
		*strrchr(base, '/') = '\0';
	else
		strcpy(base, ".");
	for (;;) {
		const char *h = strstr(p, "href=\""), *sr = strstr(p, "src=\"");
		char target[4096], path[8300];
		struct stat st;
		size_t n;

		p = !h ? sr : !sr ? h : h < sr ? h : sr;
		if (!p)
			break;
		p = strchr(p, '"') + 1;
		n = strcspn(p, "\"#?");
		if (n == 0 || !strncmp(p, "http", 4) || !strncmp(p, "mailto:", 7))
			continue;
		snprintf(target, sizeof(target), "%.*s", (int)n, p);
		snprintf(path, sizeof(path), "%s/%s/%s", out, base, target);
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
			strcat(path, "/index.html");
		if (stat(path, &st) != 0 &&
		    strlen(l->bad) + strlen(target) + strlen(rel) + 8 <
			    sizeof(l->bad))
			snprintf(l->bad + strlen(l->bad),
				 sizeof(l->bad) - strlen(l->bad), "%s -> %.200s; ",
				 rel, target);
		l->checked++;
	}
}

START_TEST(internal_links_resolve)
{
	struct links l = { "", 0 };
	char *home;

	committee();
	build(NULL);
	walk(out, "", check_links, &l);
	ck_assert_msg(!l.bad[0], "broken: %s", l.bad);
	ck_assert_int_gt(l.checked, 100);
	home = read_out("index.html");
	ck_assert_ptr_nonnull(strstr(home, "href=\"reflecties/2025-001/\""));
	free(home);
}
END_TEST

/* ---- builds over time ------------------------------------------------------ */

struct snapshot {
	char *names[2048];
	char *texts[2048];
	size_t n;
};

static void take(const char *rel, const char *text, size_t len, void *ctx)
{
	struct snapshot *s = ctx;

	(void)len;
	ck_assert_uint_lt(s->n, 2048);
	s->names[s->n] = strdup(rel);
	s->texts[s->n] = strdup(text);
	s->n++;
}

static void snapshot_free(struct snapshot *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->names[i]);
		free(s->texts[i]);
	}
	s->n = 0;
}

static const char *text_of(struct snapshot *s, const char *rel)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->names[i], rel))
			return s->texts[i];
	return NULL;
}

START_TEST(deterministic)
{
	struct snapshot one = { 0 }, two = { 0 };
	char first[600];

	committee();
	build(NULL);
	walk(out, "", take, &one);
	snprintf(first, sizeof(first), "%s", out);
	snprintf(out, sizeof(out), "%s/second", dir);
	build(NULL);
	walk(out, "", take, &two);
	ck_assert_uint_eq(one.n, two.n);
	for (size_t i = 0; i < one.n; i++) {
		const char *t = text_of(&two, one.names[i]);

		ck_assert_msg(t && !strcmp(t, one.texts[i]), "%s differs",
			      one.names[i]);
	}
	snapshot_free(&one);
	snapshot_free(&two);
}
END_TEST

START_TEST(incremental)
{
	struct snapshot before = { 0 }, after = { 0 };
	site_stats st;
	char changed[8192] = "";

	committee();
	fixture_put_dossier(a, "2023-001", "Drones boven de stad",
			    FIXTURE_PUBLISHED "values: [veiligheid]\n", "x",
			    "Drones met mate.", "Over drones.");
	build(&st);
	ck_assert_uint_eq(st.reflections, 3);
	build(&st);
	ck_assert_uint_eq(st.written, 0); /* nothing changed, nothing written */
	walk(out, "", take, &before);
	/* one word of one advice changes */
	fixture_put_dossier(a, "2023-001", "Drones boven de stad",
			    FIXTURE_PUBLISHED "values: [veiligheid]\n", "x",
			    "Drones met mate.", "Over drones en helikopters.");
	build(&st);
	walk(out, "", take, &after);
	for (size_t i = 0; i < after.n; i++) {
		const char *old = text_of(&before, after.names[i]);

		if (!old || strcmp(old, after.texts[i]))
			snprintf(changed + strlen(changed),
				 sizeof(changed) - strlen(changed), "%s ",
				 after.names[i]);
	}
	ck_assert_ptr_nonnull(strstr(changed, "reflecties/2023-001/index.html"));
	/* the other reflections and listings stay as they were */
	ck_assert_msg(!strstr(changed, "reflecties/2024-001/"), "%s", changed);
	ck_assert_msg(!strstr(changed, "reflecties/2025-001/"), "%s", changed);
	ck_assert_msg(!strstr(changed, "waarden/privacy/"), "%s", changed);
	ck_assert_msg(!strstr(changed, "index.html ") ||
			      strstr(changed, "reflecties/2023-001/index.html "),
		      "%s", changed);
	ck_assert_uint_le(st.written, 4); /* page, a shard or two, no more */
	snapshot_free(&before);
	snapshot_free(&after);
	/* unpublishing removes the page and every mention */
	fixture_put_dossier(a, "2023-001", "Drones boven de stad",
			    "status: published\nvisibility: confidential\n",
			    "x", "Drones met mate.", "Over drones.");
	build(&st);
	ck_assert_uint_ge(st.removed, 1);
	ck_assert(!exists("reflecties/2023-001/index.html"));
	{
		struct needle n = { (const char *const[]){ "Drones boven",
							    NULL },
				    "" };

		walk(out, "", find_words, &n);
		ck_assert_msg(!n.found[0], "%s", n.found);
	}
}
END_TEST

/* ---- the search shards against the index ----------------------------- */

/* The JSON argument of a call in a search file: moresIndex(ARG);,
 * moresShard("HEX",ARG); or moresDocs(K,ARG);. */
static json_t *shard_json(const char *text)
{
	const char *open = strchr(text, '(');
	const char *comma = strstr(text, "\",");
	const char *close = strrchr(text, ')');
	json_error_t e;
	json_t *j;

	ck_assert_ptr_nonnull(open);
	ck_assert_ptr_nonnull(close);
	if (!strncmp(text, "moresShard(", 11)) {
		ck_assert_ptr_nonnull(comma);
		open = comma + 1;
	} else if (!strncmp(text, "moresDocs(", 10)) {
		open = strchr(text, ',');
		ck_assert_ptr_nonnull(open);
	}
	j = json_loadb(open + 1, (size_t)(close - open - 1), 0, &e);
	ck_assert_msg(j, "%s", e.text);
	return j;
}

struct shard_postings {
	json_t *ids;   /* document number -> id */
	json_t *terms; /* form -> [[id, weight], ...] */
};

static void read_shards(const char *rel, const char *text, size_t len,
			void *ctx)
{
	struct shard_postings *sp = ctx;
	const char *key;
	json_t *j, *v;

	(void)len;
	if (!strncmp(rel, "zoeken/d/", 9)) {
		size_t k, i;
		json_t *doc;

		j = shard_json(text);
		k = (size_t)atoi(rel + 9);
		json_array_foreach(j, i, doc)
		{
			char num[32];

			snprintf(num, sizeof(num), "%zu", k * 16 + i);
			json_object_set(sp->ids, num, json_array_get(doc, 0));
		}
		json_decref(j);
		return;
	}
	if (strncmp(rel, "zoeken/t/", 9))
		return;
	j = shard_json(text);
	json_object_foreach(j, key, v)
	{
		size_t num = 0;
		json_t *list = json_array();

		for (size_t i = 0; i + 1 < json_array_size(v); i += 2) {
			num += (size_t)json_integer_value(json_array_get(v, i));
			json_array_append_new(
				list, json_pack("[Ii]", (json_int_t)num,
						(int)json_integer_value(
							json_array_get(v, i + 1))));
		}
		ck_assert_ptr_null(json_object_get(sp->terms, key));
		json_object_set_new(sp->terms, key, list);
	}
	json_decref(j);
}

struct compare {
	struct shard_postings *sp;
	size_t terms;
};

/* Each form the index streams has exactly its postings in the shards. */
static int against_index(const char *term, char *const *ids, const int *w,
			 size_t n, void *ctx)
{
	struct compare *c = ctx;
	json_t *list = json_object_get(c->sp->terms, term);

	ck_assert_msg(list, "'%s' is not in the shards", term);
	ck_assert_msg(json_array_size(list) == n, "'%s': %zu postings, not %zu",
		      term, json_array_size(list), n);
	for (size_t i = 0; i < n; i++) {
		int found = 0;

		for (size_t k = 0; k < n && !found; k++) {
			json_t *p = json_array_get(list, k);
			char num[32];
			const char *id;

			snprintf(num, sizeof(num), "%lld",
				 (long long)json_integer_value(json_array_get(p, 0)));
			id = json_string_value(json_object_get(c->sp->ids, num));
			found = id && !strcmp(id, ids[i]) &&
				json_integer_value(json_array_get(p, 1)) == w[i];
		}
		ck_assert_msg(found, "'%s': %s (%d) missing from the shards",
			      term, ids[i], w[i]);
	}
	c->terms++;
	return 0;
}

/* The shards hold what FTS5 holds for the public rows, form for form,
 * found through its instance table: not what the site's own caches
 * say. */
static void shards_as_index(const char *what)
{
	struct shard_postings sp = { json_object(), json_object() };
	struct compare c = { &sp, 0 };
	search_index *ix;

	walk(out, "", read_shards, &sp);
	ck_assert_int_eq(search_open(&ix, a), 0);
	ck_assert_msg(search_public_terms(ix, against_index, &c) == 0, "%s: %s",
		      what, archive_error_last());
	search_close(ix);
	ck_assert_msg(c.terms == json_object_size(sp.terms),
		      "%s: %zu forms in the index, %zu in the shards", what,
		      c.terms, json_object_size(sp.terms));
	ck_assert_uint_gt(c.terms, 20);
	json_decref(sp.ids);
	json_decref(sp.terms);
}

/* Removes a folder and everything in it (the name stays the caller's). */
static int remove_one(const char *path, const struct stat *st, int flag,
		      struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void remove_tree(const char *path)
{
	nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static const char *const caches[] = { "site-model.bin", "site-postings.bin" };

/* Moves the build caches of the derived folder from one name to another
 * (suffix "" for the real names). */
static void move_caches(const char *from, const char *to)
{
	for (size_t i = 0; i < 2; i++) {
		char f[4200], t[4200];

		snprintf(f, sizeof(f), "%s/%s%s", archive_derived_dir(a),
			 caches[i], from);
		snprintf(t, sizeof(t), "%s/%s%s", archive_derived_dir(a),
			 caches[i], to);
		rename(f, t);
	}
}

/* The site in out, built on what earlier builds kept, is byte for byte
 * the site a build without any of that makes. */
static void same_as_fresh(const char *what)
{
	struct snapshot inc = { 0 }, fresh = { 0 };
	char fresh_out[600];
	site_stats st;

	snprintf(fresh_out, sizeof(fresh_out), "%s/fresh", dir);
	remove_tree(fresh_out);
	move_caches("", ".aside");
	ck_assert_msg(site_build(a, fresh_out, &st) == 0, "%s: %s", what,
		      archive_error_last());
	/* without what earlier builds kept, every dossier is read */
	ck_assert_uint_ge(st.loaded, st.reflections);
	move_caches(".aside", "");
	walk(out, "", take, &inc);
	walk(fresh_out, "", take, &fresh);
	ck_assert_msg(inc.n == fresh.n, "%s: %zu files against %zu", what,
		      inc.n, fresh.n);
	for (size_t i = 0; i < fresh.n; i++) {
		const char *t = text_of(&inc, fresh.names[i]);

		ck_assert_msg(t, "%s: %s missing", what, fresh.names[i]);
		ck_assert_msg(!strcmp(t, fresh.texts[i]), "%s: %s differs", what,
			      fresh.names[i]);
	}
	snapshot_free(&inc);
	snapshot_free(&fresh);
	remove_tree(fresh_out);
	shards_as_index(what);
}

START_TEST(incremental_as_fresh)
{
	site_stats st;
	char path[4200];

	committee();
	fixture_put_dossier(a, "2025-002", "Algoritmes in de bijstand",
			    FIXTURE_PUBLISHED "values: [rechtvaardigheid]\n",
			    "x", "Uitlegbaar of niet.", "Over algoritmes.");
	build(&st);
	ck_assert_uint_eq(st.loaded, 3);
	same_as_fresh("the first build");
	/* nothing changed: nothing read, nothing written */
	build(&st);
	ck_assert_uint_eq(st.loaded, 0);
	ck_assert_uint_eq(st.written, 0);

	/* one advice changes: that dossier is read again, and only it */
	fixture_put_dossier(a, "2025-002", "Algoritmes in de bijstand",
			    FIXTURE_PUBLISHED "values: [rechtvaardigheid]\n",
			    "x", "Uitlegbaar of niet.",
			    "Over algoritmes en hun uitleg aan inwoners.");
	build(&st);
	ck_assert_uint_eq(st.loaded, 1);
	same_as_fresh("an advice changed");

	/* a reflection between two others: the documents are numbered anew */
	fixture_put_dossier(a, "2024-002", "Drones boven de weilanden",
			    FIXTURE_PUBLISHED "values: [veiligheid, privacy]\n",
			    "x", "Drones met mate.", "Over drones en subsidies.");
	build(&st);
	ck_assert_uint_eq(st.loaded, 1);
	same_as_fresh("a reflection added between others");

	/* a title that the pages citing it show */
	fixture_put_dossier(a, "2024-001", "Camera's op het Stationsplein",
			    FIXTURE_PUBLISHED "values: [privacy]\n", "De casus.",
			    "Camera's alleen met een doel.",
			    "Camera's, tellen en volgen.");
	build(&st);
	same_as_fresh("a cited reflection renamed");

	/* unpublished: gone from pages, listings, shards and data */
	fixture_put_dossier(a, "2024-002", "Drones boven de weilanden",
			    "status: published\nvisibility: confidential\n", "x",
			    "Drones met mate.", "Over drones en subsidies.");
	build(&st);
	same_as_fresh("a reflection made confidential");

	/* an embargo that ends with the calendar, not with a commit */
	fixture_put_dossier(a, "2026-001", "Gezichtsherkenning bij evenementen",
			    FIXTURE_PUBLISHED "embargo_until: 2026-12-01\n", "x",
			    "Nee, tenzij.", "Over gezichten.");
	build(&st);
	ck_assert(!exists("reflecties/2026-001/index.html"));
	same_as_fresh("under an embargo");
	setenv("MORES_TODAY", "2026-12-02", 1);
	build(&st);
	ck_assert_uint_ge(st.loaded, 1);
	ck_assert(exists("reflecties/2026-001/index.html"));
	same_as_fresh("the embargo over");

	/* the vocabulary: labels on pages, synonyms in the search shards */
	fixture_commit_text(a, "values.yml",
			    "- id: privacy\n  label: Persoonlijke levenssfeer\n"
			    "  question: Wie ziet wat?\n  synonyms: [gegevens]\n"
			    "- id: transparantie\n  label: Openheid\n  "
			    "question: Kan iedereen het volgen?\n"
			    "- id: veiligheid\n  label: Veiligheid\n  question: "
			    "Is het veilig?\n- id: rechtvaardigheid\n  label: "
			    "Rechtvaardigheid\n  question: Is het eerlijk?\n");
	build(&st);
	same_as_fresh("the vocabulary changed");

	/* damaged caches are set aside, not believed */
	for (size_t i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", archive_derived_dir(a),
			 caches[i]);
		fixture_write_file(path, "MORESSM4 not what was written");
	}
	fixture_put_dossier(a, "2025-002", "Algoritmes in de bijstand",
			    FIXTURE_PUBLISHED "values: [rechtvaardigheid]\n",
			    "x", "Uitlegbaar of niet.", "Weer anders.");
	build(&st);
	same_as_fresh("the caches damaged");

	/* a page removed from the folder by hand is made again */
	snprintf(path, sizeof(path), "%s/reflecties/2025-001/index.html", out);
	ck_assert_int_eq(unlink(path), 0);
	build(&st);
	ck_assert(exists("reflecties/2025-001/index.html"));
	same_as_fresh("a page removed by hand");
}
END_TEST

/* Small changes to one long advice: most of the groups its words fall in
 * stay as they were, and the postings of those are taken over without
 * being gathered again; every other one must come out as a fresh build
 * makes it. */
static void advice_of_2025_002(const char *body, const char *advice)
{
	site_stats st;

	fixture_put_dossier(a, "2025-002", "Algoritmes in de bijstand",
			    FIXTURE_PUBLISHED "values: [rechtvaardigheid]\n",
			    body, "Uitlegbaar of niet.", advice);
	build(&st);
	ck_assert_uint_eq(st.loaded, 1);
}

#define ADVICE_BASE                                                         \
	"De gemeente wil algoritmes inzetten bij de bijstand. De commissie "  \
	"vraagt om uitleg aan inwoners, een vaste bewaartermijn voor "        \
	"gegevens en toezicht door een onafhankelijke partij. Zonder die "    \
	"waarborgen is het gebruik niet verantwoord. Met waarborgen kan een " \
	"proef van een jaar, als de resultaten openbaar worden."

START_TEST(small_changes_as_fresh)
{
	site_stats st;

	committee();
	fixture_put_dossier(a, "2025-002", "Algoritmes in de bijstand",
			    FIXTURE_PUBLISHED "values: [rechtvaardigheid]\n",
			    "x", "Uitlegbaar of niet.", ADVICE_BASE);
	build(&st);
	same_as_fresh("the first build");

	/* words it has already, once more: only their weights change */
	advice_of_2025_002("x", ADVICE_BASE " Uitleg aan inwoners.");
	same_as_fresh("words said again");
	/* a word new to it, in a group where it has words after it */
	advice_of_2025_002("x", ADVICE_BASE " Bedrijven leveren.");
	same_as_fresh("a word before others of its group");
	/* a word after the last it has in that group */
	advice_of_2025_002("x", ADVICE_BASE " Zorg.");
	same_as_fresh("a word after the last of its group");
	/* a sentence gone: words it no longer has */
	advice_of_2025_002("x", "De gemeente wil algoritmes inzetten bij de "
				"bijstand. Met waarborgen kan een proef van "
				"een jaar.");
	same_as_fresh("a sentence removed");
	/* the case text, which the public view does not show */
	advice_of_2025_002("Een andere casus.",
			   "De gemeente wil algoritmes inzetten bij de "
			   "bijstand. Met waarborgen kan een proef van een "
			   "jaar.");
	same_as_fresh("the case text changed");
}
END_TEST

/* Many public reflections in one commit: enough for the dossiers to be
 * read and the pages made in more threads than one. */
#define MANY 1100

static int stage_many(archive_txn *t, void *ctx)
{
	const char *broken = ctx;
	int rc = archive_txn_message(t, "Veel reflecties\n");

	for (int i = 1; i <= MANY && rc == 0; i++) {
		char id[16], path[64], text[512];

		snprintf(id, sizeof(id), "20%02d-%03d", 10 + i % 15, i);
		snprintf(path, sizeof(path), "dossiers/%.4s/%s/dossier.md", id,
			 id);
		snprintf(text, sizeof(text),
			 "---\nid: %s\ntitle: Reflectie %d over drones\nkind: "
			 "unasked\nreceived: %.4s-02-01\n" FIXTURE_PUBLISHED
			 "values: [privacy]\n---\nDe casus %d.\n",
			 id, i, id, i);
		rc = archive_txn_put(t, path, text, strlen(text));
		snprintf(path, sizeof(path), "dossiers/%.4s/%s/advies.md", id,
			 id);
		snprintf(text, sizeof(text),
			 "---\nadopted: %.4s-06-01\nsummary: Kort %d.\n---\n"
			 "Over drones en camera's, nummer %d.\n",
			 id, i, i);
		if (broken && !strcmp(id, broken))
			snprintf(text, sizeof(text), "---\nadopted: [niet af\n---\n");
		rc = rc ? rc : archive_txn_put(t, path, text, strlen(text));
	}
	return rc;
}

START_TEST(many_in_threads)
{
	site_stats st;
	char path[4200];
	struct stat sb;
	int missing = 0;

	ck_assert_int_eq(archive_write(a, FIXTURE_AUTHOR, stage_many, NULL), 0);
	build(&st);
	ck_assert_uint_eq(st.reflections, MANY);
	ck_assert_uint_eq(st.loaded, MANY);
	for (int i = 1; i <= MANY; i++) {
		snprintf(path, sizeof(path), "%s/reflecties/20%02d-%03d/index.html",
			 out, 10 + i % 15, i);
		missing += stat(path, &sb) != 0;
	}
	ck_assert_int_eq(missing, 0);
	/* the same as a build that is made another time from nothing */
	same_as_fresh("many reflections in threads");

	/* a dossier that does not read stops the build, named, from any
	 * thread, before anything is written */
	ck_assert_int_eq(archive_write(a, FIXTURE_AUTHOR, stage_many,
				       (void *)"2022-777"),
			 0);
	snprintf(out, sizeof(out), "%s/other", dir);
	remove_tree(out);
	move_caches("", ".aside");
	ck_assert_int_ne(site_build(a, out, &st), 0);
	ck_assert_msg(strstr(archive_error_last(), "2022-777/advies.md"), "%s",
		      archive_error_last());
	ck_assert_msg(stat(out, &sb) != 0, "%s was made", out);
}
END_TEST

START_TEST(empty_archive_and_bad_theme)
{
	site_stats st;
	char *home;

	build(&st);
	ck_assert_uint_eq(st.reflections, 0);
	home = read_out("index.html");
	ck_assert_ptr_nonnull(strstr(home, "nog geen reflecties"));
	free(home);
	fixture_commit_text(a, "mores.yml",
			    "name: Testcommissie\ncode: ECT\nsite:\n  theme: "
			    "huisstijl.css\n  theme_class: huisstijl\n");
	archive_free(a);
	a = fixture_open(dir);
	ck_assert_int_eq(site_build(a, out, &st), ARCHIVE_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(archive_error_last(), "huisstijl.css"));
	fixture_commit_text(a, "huisstijl.css", ".huisstijl { --x: 1; }\n");
	build(&st);
	home = read_out("assets/theme.css");
	ck_assert_str_eq(home, ".huisstijl { --x: 1; }\n");
	free(home);
	home = read_out("index.html");
	ck_assert_ptr_nonnull(strstr(home, "class=\"utrecht-document huisstijl"));
	free(home);
}
END_TEST

Suite *site_suite(void)
{
	Suite *s = suite_create("site");
	TCase *t = tcase_create("site");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_set_timeout(t, 120);
	tcase_add_test(t, golden_pages);
	tcase_add_test(t, nothing_confidential_leaks);
	tcase_add_test(t, hostile_text_is_harmless);
	tcase_add_test(t, internal_links_resolve);
	tcase_add_test(t, deterministic);
	tcase_add_test(t, incremental);
	tcase_add_test(t, incremental_as_fresh);
	tcase_add_test(t, small_changes_as_fresh);
	tcase_add_test(t, many_in_threads);
	tcase_add_test(t, empty_archive_and_bad_theme);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(site_suite());
	int failed;

	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? 1 : 0;
}
