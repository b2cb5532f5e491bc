/*
 * check_search.c: the precedent index: Dutch word forms and compounds,
 * the query language with every form it rejects, ranking, incremental
 * updates, the public filter, citations, similar dossiers, and recovery
 * from a damaged index.
 */
#include "search/search.h"
#include "search/search_int.h"
#include "tests/fixture.h"

#include <check.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- Dutch word forms -------------------------------------------------- */

int search_register_dutch(sqlite3 *db);

/* Whether a document holding `doc` is found by a query for `query`,
 * through a real FTS5 table with the tokenizer. */
static int meets(sqlite3 *db, const char *doc, const char *query)
{
	sqlite3_stmt *st;
	char q[256];
	int found;

	ck_assert_int_eq(sqlite3_exec(db, "DELETE FROM t", 0, 0, 0), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "INSERT INTO t VALUES (?)", -1,
					    &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_text(st, 1, doc, -1, SQLITE_STATIC);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	snprintf(q, sizeof(q), "\"%s\"", query);
	ck_assert_int_eq(sqlite3_prepare_v2(db,
					    "SELECT count(*) FROM t WHERE t "
					    "MATCH ?",
					    -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_text(st, 1, q, -1, SQLITE_STATIC);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	found = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return found;
}

static const struct {
	const char *doc, *query;
	int meet;
} pairs[] = {
	/* inflections that must meet, both ways */
	{ "camera's", "camera", 1 },
	{ "camera", "camera's", 1 },
	{ "camera’s", "camera", 1 },
	{ "sensoren", "sensor", 1 },
	{ "sensor", "sensoren", 1 },
	{ "drones", "drone", 1 },
	{ "drone", "drones", 1 },
	{ "algoritmes", "algoritme", 1 },
	{ "financiële", "financiele", 1 },
	{ "financieel", "financiële", 1 },
	{ "gemeenten", "gemeente", 1 },
	{ "gemeentes", "gemeente", 1 },
	{ "waarden", "waarde", 1 },
	{ "burgers", "burger", 1 },
	{ "technologieën", "technologie", 1 },
	{ "risico's", "risico", 1 },
	{ "ethische", "ethisch", 1 },
	{ "Camera", "CAMERA", 1 },
	{ "kans", "kansen", 1 },
	{ "mens", "mensen", 1 },
	{ "grens", "grenzen", 1 },
	{ "fiets", "fietsen", 1 },
	{ "reis", "reizen", 1 },
	{ "prijs", "prijzen", 1 },
	{ "les", "lessen", 1 },
	{ "bus", "bussen", 1 },
	{ "proces", "processen", 1 },
	{ "bel", "bellen", 1 },
	{ "plaats", "plaatsen", 1 },
	{ "zeppelins", "zeppelin", 1 },
	/* compounds are found by their parts */
	{ "satellietbeelden", "satelliet", 1 },
	{ "satellietbeelden", "beeld", 1 },
	{ "algoritmeregister", "register", 1 },
	{ "algoritmeregister", "algoritme", 1 },
	{ "locatiegegevens", "locatie", 1 },
	{ "persoonsgegevens", "gegevens", 1 },
	{ "persoonsgegevens", "persoon", 1 },
	{ "gezichtsherkenningssoftware", "herkenning", 1 },
	{ "warmtecamera's", "camera", 1 },
	/* and words that must stay apart */
	{ "camera", "kamer", 0 },
	{ "sensor", "censuur", 0 },
	{ "beleid", "beeld", 0 },
	{ "data", "dat", 0 },
	{ "kans", "kan", 0 },
	{ "mens", "men", 0 },
	{ "plaats", "plaat", 0 },
	{ "register", "regie", 0 },
	{ "drone", "dromen", 0 },
	{ "privacy", "privé", 0 },
	{ "satelliet", "satire", 0 },
	{ "gemeentelijk", "lijk", 0 },
	{ "register", "algoritmeregister", 0 }, /* no part, no whole */
	{ "2021-001", "2021-002", 0 },
};

/* An in-memory database with the Dutch tokenizer and the table of
 * create. */
static sqlite3 *table_of(const char *create)
{
	sqlite3 *db;

	search_library_init();
	ck_assert_int_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
	ck_assert_int_eq(search_register_dutch(db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, create, 0, 0, 0), SQLITE_OK);
	return db;
}

static sqlite3 *dutch_table(void)
{
	return table_of("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='dutch')");
}

static void check_pairs(sqlite3 *db)
{
	for (size_t i = 0; i < sizeof(pairs) / sizeof(*pairs); i++)
		ck_assert_msg(meets(db, pairs[i].doc, pairs[i].query) ==
				      pairs[i].meet,
			      "'%s' and '%s' should %smeet", pairs[i].doc,
			      pairs[i].query, pairs[i].meet ? "" : "not ");
}

START_TEST(dutch_word_forms)
{
	sqlite3 *db = dutch_table();

	check_pairs(db);
	sqlite3_close(db);
}
END_TEST

/* The tokenizer remembers what it made of each word: a word met first
 * in a query must still be split when a document has it, and after more
 * distinct words than it keeps, every form must come out as before. */
START_TEST(remembered_words)
{
	enum { WORDS = 70000 };
	sqlite3 *db = dutch_table();
	char *text = malloc(WORDS * 8), *p = text, word[8];

	ck_assert_ptr_nonnull(text);
	ck_assert_int_eq(meets(db, "camera", "satellietbeelden"), 0);
	ck_assert_int_eq(meets(db, "satellietbeelden", "satelliet"), 1);
	ck_assert_int_eq(meets(db, "satellietbeelden", "beelden"), 1);
	check_pairs(db);
	/* distinct made-up words: "zq" and four letters from a to t */
	for (int i = 0; i < WORDS; i++) {
		snprintf(word, sizeof(word), "zq%c%c%c%c", 'a' + i / 8000,
			 'a' + i / 400 % 20, 'a' + i / 20 % 20, 'a' + i % 20);
		p += sprintf(p, "%s ", word);
	}
	p[-1] = '\0';
	ck_assert_int_eq(meets(db, text, "zqaaaa"), 1);
	ck_assert_int_eq(meets(db, text, word), 1);
	ck_assert_int_eq(meets(db, text, "zqaaab"), 1);
	ck_assert_int_eq(meets(db, text, "zqtaaa"), 0);
	free(text);
	check_pairs(db);
	sqlite3_close(db);
}
END_TEST

START_TEST(stems_and_parts)
{
	search_stemmer *s = search_stemmer_new();
	struct search_part p[8];
	char out[64];
	const char *w = "algoritmeregister";

	ck_assert_int_eq(search_stem(s, out, sizeof(out), "drones", 6), 4);
	ck_assert_str_eq(out, "dron");
	ck_assert_int_eq(search_stem(s, out, sizeof(out), "2021", 4), 4);
	ck_assert_str_eq(out, "2021");
	ck_assert_int_eq(search_stem(s, out, sizeof(out), "''", 2), 0);
	ck_assert_int_eq(search_compound_parts(w, strlen(w), p, 8), 2);
	ck_assert_int_eq((int)p[0].start, 9); /* register */
	ck_assert_int_eq((int)p[1].len, 9);   /* algoritme */
	ck_assert_int_eq(search_compound_parts("verantwoording", 14, p, 8), 0);
	ck_assert_int_eq(search_compound_parts("camera", 6, p, 8), 0);
	search_stemmer_free(s);
}
END_TEST

/* ---- snippets ----------------------------------------------------------- */

/* A table with the index's first columns and the snippet of row 1 for a
 * query, as `mores search` asks for it. */
static sqlite3 *snippet_table(void)
{
	return table_of("CREATE VIRTUAL TABLE s USING fts5(title, summary,"
			" question, vals, topics, body, tokenize='dutch')");
}

/* Puts a row in s; rowid 1 takes the place of all rows before. */
static void snippet_row(sqlite3 *db, sqlite3_int64 rowid, const char *title,
			const char *summary, const char *topics,
			const char *body)
{
	sqlite3_stmt *st;

	if (rowid == 1)
		ck_assert_int_eq(sqlite3_exec(db, "DELETE FROM s", 0, 0, 0),
				 SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db,
					    "INSERT INTO s(rowid, title, summary,"
					    " question, vals, topics, body)"
					    " VALUES (?, ?, ?, '', '', ?, ?)",
					    -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_int64(st, 1, rowid);
	sqlite3_bind_text(st, 2, title, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, summary, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, topics, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, body, -1, SQLITE_STATIC);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
}

/* The snippet of the row with rowid for an FTS5 query; the caller frees
 * it. */
static char *snippet_of(sqlite3 *db, sqlite3_int64 rowid, const char *query)
{
	sqlite3_stmt *st;
	char *out;

	ck_assert_int_eq(sqlite3_prepare_v2(db,
					    "SELECT mores_snippet(s, '«', '»',"
					    " '…', 14) FROM s WHERE s MATCH ?"
					    " AND rowid = ?",
					    -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_text(st, 1, query, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, rowid);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	out = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return out;
}

static void snippet_is(sqlite3 *db, const char *query, const char *want)
{
	char *got = snippet_of(db, 1, query);

	ck_assert_msg(!strcmp(got, want), "%s: got \"%s\", want \"%s\"", query,
		      got, want);
	free(got);
}

/* Where the snippet of a result is cut and what it marks. */
START_TEST(snippets_cut_and_mark)
{
	sqlite3 *db = snippet_table();

	/* the sentence of the hit, in the text rather than the title or
	 * the list of topics */
	snippet_row(db, 1, "Sensoren in de wijk", "Over de haven.", "sensoren",
		    "Een twee drie vier vijf zes zeven acht negen tien elf "
		    "twaalf dertien veertien vijftien. De gemeente plaatst "
		    "sensoren bij de haven en meet daar de drukte van elke "
		    "dag met zorg. Daarna volgt nog meer.");
	snippet_is(db, "sensoren",
		   "…De gemeente plaatst «sensoren» bij de haven en meet daar "
		   "de drukte van elke…");
	/* a text that holds it near its start is shown from there */
	snippet_is(db, "haven", "Over de «haven».");
	/* a phrase is one mark, a compound is marked whole, and a window
	 * that reaches the end of its text keeps its last stop */
	snippet_row(db, 1, "Beelden", "", "",
		    "Veel tekst gaat vooraf aan dit stuk want het moet lang "
		    "genoeg zijn voor een venster. Tot slot kijkt de commissie "
		    "naar satellietbeelden van de openbare ruimte.");
	snippet_is(db, "\"openbare ruimte\" satelliet",
		   "…Tot slot kijkt de commissie naar «satellietbeelden» van "
		   "de «openbare ruimte».");
	/* the window with the most of the query's words wins */
	snippet_row(db, 1, "Drones", "", "",
		    "Drones vliegen. Een twee drie vier vijf zes zeven acht "
		    "negen tien elf twaalf dertien veertien vijftien zestien. "
		    "Privacy en drones gaan hier samen op.");
	snippet_is(db, "drones privacy",
		   "…«Privacy» en «drones» gaan hier samen op.");
	/* only the title holds it */
	snippet_row(db, 1, "Over drones", "Geen woord.", "", "Ook hier niet.");
	snippet_is(db, "drones", "Over «drones»");
	sqlite3_close(db);
}
END_TEST

/* On generated rows, every word a snippet marks is one the query finds
 * and every word it leaves unmarked is not: the positions the snippet
 * reads from the text are those the index holds. */
START_TEST(snippets_mark_what_matches)
{
	static const char *const vocab[] = {
		"de", "het", "gemeente", "camera's", "camera", "zo'n", "'",
		"sensoren", "sensor", "drones", "drone", "privacy",
		"satellietbeelden", "openbare", "ruimte", "toezicht",
		"cameratoezicht", "inwoners", "beleid", "algoritmeregister",
		"register", "en", "van", "’s", "financiële",
	};
	static const char *const queries[] = {
		"camera", "sensoren", "drone", "satelliet", "register",
		"privacy", "toezicht", "financiele",
	};
	enum { ROWS = 120, VOCAB = sizeof(vocab) / sizeof(*vocab) };
	sqlite3 *db = snippet_table(), *words = dutch_table();
	unsigned seed = 7;
	char cols[4][2400];
	int marks = 0;

	for (int r = 1; r <= ROWS; r++) {
		for (int c = 0; c < 4; c++) {
			int n = c == 3 ? 20 + r % 200 : 3 + r % 7;
			char *p = cols[c];

			for (int i = 0; i < n; i++) {
				seed = seed * 1103515245u + 12345u;
				p += sprintf(p, "%s%s", i ? " " : "",
					     vocab[(seed >> 16) % VOCAB]);
				if ((seed >> 8) % 9 == 0)
					p += sprintf(p, ".");
			}
		}
		snippet_row(db, r, cols[0], cols[1], cols[2], cols[3]);
	}
	for (size_t q = 0; q < sizeof(queries) / sizeof(*queries); q++) {
		sqlite3_stmt *hits;

		ck_assert_int_eq(sqlite3_prepare_v2(db,
						    "SELECT rowid FROM s WHERE s"
						    " MATCH ?",
						    -1, &hits, NULL),
				 SQLITE_OK);
		sqlite3_bind_text(hits, 1, queries[q], -1, SQLITE_STATIC);
		while (sqlite3_step(hits) == SQLITE_ROW) {
			char *snip = snippet_of(db, sqlite3_column_int64(hits, 0),
						queries[q]);
			char *save = NULL;

			for (char *w = strtok_r(snip, " ", &save); w;
			     w = strtok_r(NULL, " ", &save)) {
				size_t n = strlen(w);
				int marked;

				if (!strncmp(w, "…", 3))
					memmove(w, w + 3, (n -= 3) + 1);
				marked = !strncmp(w, "«", 2);
				if (marked)
					memmove(w, w + 2, (n -= 2) + 1);
				if (n >= 3 && !strcmp(w + n - 3, "…"))
					w[n -= 3] = '\0';
				if (n && w[n - 1] == '.')
					w[--n] = '\0';
				if (n >= 2 && !strcmp(w + n - 2, "»")) {
					ck_assert(marked);
					w[n -= 2] = '\0';
				}
				if (n && w[n - 1] == '.')
					w[--n] = '\0';
				if (!n)
					continue;
				ck_assert_msg(meets(words, w, queries[q]) ==
						      marked,
					      "'%s' %smarked for '%s'", w,
					      marked ? "" : "not ", queries[q]);
				marks += marked;
			}
			free(snip);
		}
		sqlite3_finalize(hits);
	}
	ck_assert_int_gt(marks, 100);
	sqlite3_close(words);
	sqlite3_close(db);
}
END_TEST

/* ---- the query language ----------------------------------------------- */

START_TEST(query_language)
{
	static const char *const good[][2] = {
		{ "camera", "\"camera\"" },
		{ "  slimme   camera's ", "\"slimme\" AND \"camera's\"" },
		{ "\"openbare ruimte\" sensoren",
		  "\"openbare ruimte\" AND \"sensoren\"" },
		{ "camera -politie", "\"camera\" NOT \"politie\"" },
		{ "drone OR satelliet toezicht",
		  "(\"drone\" OR \"satelliet\") AND \"toezicht\"" },
		{ "a OR b OR c", "(\"a\" OR \"b\" OR \"c\")" },
		{ "camera -\"open data\"", "\"camera\" NOT \"open data\"" },
		{ "ECV:2021:1", "\"ECV:2021:1\"" },
		{ "camera AND privacy", "\"camera\" AND \"privacy\"" },
		{ "camera & privacy", "\"camera\" AND \"privacy\"" },
		{ "or", "\"or\"" },
	};
	static const char *const rejected[][2] = {
		{ "", "empty" },
		{ "   ", "empty" },
		{ "\"camera", "not closed" },
		{ "camera\"s", "stray quote" },
		{ "camera -", "lone '-'" },
		{ "-", "lone '-'" },
		{ "-camera", "not only what to leave out" },
		{ "NEAR(camera privacy)", "NEAR" },
		{ "(camera OR drone)", "parentheses" },
		{ "camera*", "'*'" },
		{ "OR camera", "both sides" },
		{ "camera OR", "both sides" },
		{ "camera OR OR drone", "both sides" },
		{ "camera OR -drone", "both sides" },
		{ "camera NOT drone", "-word" },
	};
	char *fts;

	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++) {
		ck_assert_msg(search_parse(&fts, good[i][0]) == 0, "%s: %s",
			      good[i][0], archive_error_last());
		ck_assert_str_eq(fts, good[i][1]);
		free(fts);
	}
	for (size_t i = 0; i < sizeof(rejected) / sizeof(*rejected); i++) {
		ck_assert_msg(search_parse(&fts, rejected[i][0]) ==
				      ARCHIVE_EINVALID,
			      "'%s' accepted", rejected[i][0]);
		ck_assert_ptr_null(fts);
		ck_assert_msg(strstr(archive_error_last(), rejected[i][1]),
			      "'%s': %s", rejected[i][0], archive_error_last());
	}
}
END_TEST

/* ---- an archive to search --------------------------------------------- */

static char *dir;
static archive *a;
static search_index *ix;

static void setup(void)
{
	setenv("MORES_TODAY", "2026-11-23", 1);
	dir = fixture_tmpdir();
	a = fixture_archive(dir);
	fixture_put_dossier(a, "2021-001", "Slimme camera's op het stationsplein",
		    FIXTURE_PUBLISHED "values: [privacy]\ntopics: [camera]\n",
		    "De gemeente wil camera's ophangen.",
		    "Camera's alleen met een duidelijk doel.",
		    "Beelden worden na een week gewist.");
	fixture_put_dossier(a, "2022-001", "Sensoren die de drukte tellen",
		    FIXTURE_PUBLISHED "values: [privacy, transparantie]\n"
			      "topics: [sensoren]\nrelated: [2021-001]\n",
		    "Tellen in de binnenstad.",
		    "Sensoren mogen tellen, niet volgen.",
		    "Net als bij de camera's van 2021-001 geldt: weinig "
		    "gegevens. De drukte wordt geteld.");
	fixture_put_dossier(a, "2023-001", "Satellietbeelden voor toezicht op illegale bouw",
		    FIXTURE_PUBLISHED "values: [rechtvaardigheid]\ninstruments: [deda]\n",
		    "Toezicht vanuit de ruimte.",
		    "Satellietbeelden zijn een hulpmiddel, geen bewijs.",
		    "Voortbouwend op ECT:2022:1 vraagt de commissie om "
		    "menselijke controle van elke melding.");
	fixture_put_dossier(a, "2024-001", "Het algoritmeregister",
		    FIXTURE_PUBLISHED "values: [transparantie]\n",
		    "Een openbaar register.",
		    "Een algoritmeregister moet volledig zijn.",
		    "Drones en andere systemen horen er ook in.");
	ck_assert_int_eq(search_open(&ix, a), 0);
}

static void teardown(void)
{
	search_close(ix);
	archive_free(a);
	fixture_rmdir(dir);
	unsetenv("MORES_TODAY");
}

static json_t *run(const char *q, const search_opts *o)
{
	static const search_opts none;
	json_t *r;

	ck_assert_msg(search_query(&r, ix, q, o ? o : &none) == 0, "%s: %s", q,
		      archive_error_last());
	return r;
}

static const char *id_at(json_t *r, size_t i)
{
	return json_string_value(json_object_get(json_array_get(r, i), "id"));
}

/* The weight of one dossier in the public postings of a word form. */
struct posting {
	const char *term, *id;
	int weight;
};

static int find_posting(const char *term, char *const *ids, const int *w,
			size_t n, void *ctx)
{
	struct posting *p = ctx;

	if (strcmp(term, p->term))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(ids[i], p->id))
			p->weight = w[i];
	return 0;
}

static int posting_weight(const char *term, const char *id)
{
	struct posting p = { term, id, 0 };

	ck_assert_int_eq(search_public_terms(ix, find_posting, &p), 0);
	return p.weight;
}

static size_t position(json_t *r, const char *id)
{
	for (size_t i = 0; i < json_array_size(r); i++)
		if (!strcmp(id_at(r, i), id))
			return i;
	ck_abort_msg("%s is not among the results", id);
	return 0;
}

/* A word used on its own ranks above the same word inside a compound,
 * in the command line's search and in the postings of the site's search
 * shards; the compound itself does not find the word alone. */
START_TEST(whole_words_rank_above_parts)
{
	static const char *const forms[] = { "algoritmeregister", "register",
					     "registers" };
	char stem[64];
	json_t *r;

	/* the compound has the lowest id, so id order is no help */
	for (int i = 0; i < 3; i++) {
		char id[24], advice[160];

		snprintf(id, sizeof(id), "2025-00%d", i + 1);
		snprintf(advice, sizeof(advice),
			 "De gemeente houdt een %s bij van alle systemen "
			 "die zij gebruikt.", forms[i]);
		fixture_put_dossier(a, id, "Een overzicht voor de raad",
				    FIXTURE_PUBLISHED, "Een vraag.",
				    "Overzicht.", advice);
	}
	r = run("register", NULL);
	ck_assert_int_eq(json_array_size(r), 4); /* and 2024-001 */
	ck_assert_uint_gt(position(r, "2025-001"), position(r, "2025-002"));
	ck_assert_uint_gt(position(r, "2025-001"), position(r, "2025-003"));
	for (size_t i = 1; i < json_array_size(r); i++)
		ck_assert(json_real_value(json_object_get(json_array_get(r, i - 1),
							  "score")) >=
			  json_real_value(json_object_get(json_array_get(r, i),
							  "score")));
	json_decref(r);
	r = run("algoritmeregister", NULL);
	ck_assert_int_eq(json_array_size(r), 2); /* 2025-001 and 2024-001 */
	json_decref(r);

	{
		search_stemmer *st = search_stemmer_new();

		ck_assert_uint_gt(search_stem(st, stem, sizeof(stem),
					      "register", 8), 0);
		search_stemmer_free(st);
	}
	ck_assert_int_gt(posting_weight(stem, "2025-001"), 0);
	ck_assert_int_gt(posting_weight(stem, "2025-002"),
			 posting_weight(stem, "2025-001"));
}
END_TEST

/* Every (form, dossier, weight) of the public postings, as text lines:
 * streamed for all rows at once, or asked row by row. */
struct lines {
	char buf[1 << 16];
	size_t len;
	const char *id;
};

static int all_postings(const char *term, char *const *ids, const int *w,
			size_t n, void *ctx)
{
	struct lines *l = ctx;

	for (size_t i = 0; i < n; i++)
		if (!strcmp(ids[i], l->id))
			l->len += (size_t)snprintf(l->buf + l->len,
						   sizeof(l->buf) - l->len,
						   "%s %d\n", term, w[i]);
	ck_assert_uint_lt(l->len, sizeof(l->buf));
	return 0;
}

static int row_postings(const char *term, int w, void *ctx)
{
	struct lines *l = ctx;

	l->len += (size_t)snprintf(l->buf + l->len, sizeof(l->buf) - l->len,
				   "%s %d\n", term, w);
	ck_assert_uint_lt(l->len, sizeof(l->buf));
	return 0;
}

/* What a site build renews for a changed reflection, one row tokenized
 * again, is that row's part of the public postings exactly: the same
 * forms, compound parts included, with the same weights. */
START_TEST(public_postings_of_one_row)
{
	static const char *const ids[] = { "2021-001", "2022-001", "2023-001",
					   "2024-001", "2025-001" };
	static struct lines streamed, row;

	fixture_put_dossier(a, "2025-001", "Drones en satellietbeelden",
			    FIXTURE_PUBLISHED "values: [privacy, veiligheid]\n"
			    "topics: [drones]\n",
			    "Camera's op drones boven de weilanden.",
			    "Drones, camera's en de persoonlijke levenssfeer.",
			    "Drones drones drones; satellietbeelden en het "
			    "algoritmeregister.\n<!-- intern -->\nzeekoe\n"
			    "<!-- /intern -->\n");
	ck_assert_int_eq(search_update(ix, 0, NULL), 0);
	for (size_t i = 0; i < sizeof(ids) / sizeof(*ids); i++) {
		streamed.len = row.len = 0;
		streamed.buf[0] = row.buf[0] = '\0';
		streamed.id = ids[i];
		ck_assert_int_eq(search_public_terms(ix, all_postings, &streamed),
				 0);
		ck_assert_int_eq(search_public_doc_terms(ix, ids[i],
							 row_postings, &row),
				 0);
		ck_assert_uint_gt(row.len, 100);
		ck_assert_ptr_null(strstr(row.buf, "zeekoe"));
		ck_assert_msg(!strcmp(streamed.buf, row.buf),
			      "%s: streamed\n%s\nrow by row\n%s", ids[i],
			      streamed.buf, row.buf);
	}
	/* a row that is not public has none */
	fixture_put_dossier(a, "2025-002", "Een concept",
			    "status: draft\nvisibility: public\n", "x",
			    "Concept.", "Nog niet af.");
	row.len = 0;
	ck_assert_int_eq(search_update(ix, 0, NULL), 0);
	ck_assert_int_eq(search_public_doc_terms(ix, "2025-002", row_postings,
						 &row),
			 0);
	ck_assert_uint_eq(row.len, 0);
}
END_TEST

START_TEST(ranking)
{
	static const char *const expect[][2] = {
		{ "camera", "2021-001" },       /* title over body mention */
		{ "sensor", "2022-001" },
		{ "satelliet", "2023-001" },    /* a part of a compound */
		{ "register", "2024-001" },     /* the head of a compound */
		{ "drones", "2024-001" },
		{ "persoonlijke levenssfeer", "2021-001" }, /* a value synonym */
		{ "\"duidelijk doel\"", "2021-001" },
		{ "volledig OR gewist -algoritmeregister", "2021-001" },
	};

	for (size_t i = 0; i < sizeof(expect) / sizeof(*expect); i++) {
		json_t *r = run(expect[i][0], NULL);

		ck_assert_msg(json_array_size(r) > 0, "%s: nothing", expect[i][0]);
		ck_assert_msg(!strcmp(id_at(r, 0), expect[i][1]),
			      "%s: %s first, not %s", expect[i][0], id_at(r, 0),
			      expect[i][1]);
		json_decref(r);
	}
}
END_TEST

START_TEST(results_and_facets)
{
	search_opts o = { .value = "transparantie" };
	json_t *r = run("camera's", NULL), *first;

	ck_assert_int_eq(json_array_size(r), 2); /* 2021-001 and 2022-001 */
	first = json_array_get(r, 0);
	ck_assert_str_eq(json_string_value(json_object_get(first, "citation")),
			 "ECT:2021:1");
	ck_assert_int_eq(json_integer_value(json_object_get(first, "year")),
			 2021);
	ck_assert(json_real_value(json_object_get(first, "score")) >
		  json_real_value(json_object_get(json_array_get(r, 1),
						  "score")));
	ck_assert_ptr_nonnull(strcasestr(json_string_value(json_object_get(
						 first, "snippet")),
					 "«camera's»"));
	json_decref(r);
	r = run("tellen OR register", &o);
	ck_assert_int_eq(json_array_size(r), 2);
	json_decref(r);
	o = (search_opts){ .year = 2023 };
	r = run("toezicht OR camera", &o);
	ck_assert_int_eq(json_array_size(r), 1);
	ck_assert_str_eq(id_at(r, 0), "2023-001");
	json_decref(r);
	o = (search_opts){ .limit = 1 };
	r = run("commissie OR camera OR drukte", &o);
	ck_assert_int_eq(json_array_size(r), 1);
	json_decref(r);
	r = run("olifant", NULL);
	ck_assert_int_eq(json_array_size(r), 0);
	json_decref(r);
	o = (search_opts){ .kind = "gevraagd" };
	ck_assert_int_eq(search_query(&r, ix, "camera", &o), ARCHIVE_EINVALID);
	o = (search_opts){ .value = "geluk" };
	ck_assert_int_eq(search_query(&r, ix, "camera", &o), ARCHIVE_EINVALID);
	ck_assert_ptr_nonnull(strstr(archive_error_last(), "geluk"));
	o = (search_opts){ .status = "klaar" };
	ck_assert_int_eq(search_query(&r, ix, "camera", &o), ARCHIVE_EINVALID);
}
END_TEST

/* The index follows every kind of change, and only redoes what changed. */
/* Commits as plain git would, with the options `how` ("-m message", or
 * "-am message" for all it tracks), and opens the archive
 * and its index again. */
static void commit_by_hand(const char *how)
{
	char args[256];

	snprintf(args, sizeof(args),
		 "-c user.name=X -c user.email=x@y commit -q %s", how);
	ck_assert_int_eq(fixture_git(archive_path(a), args), 0);
	archive_free(a);
	a = fixture_open(dir);
	search_close(ix);
	ck_assert_int_eq(search_open(&ix, a), 0);
}

START_TEST(incremental_updates)
{
	search_stats st;
	json_t *r;

	ck_assert_int_eq(search_update(ix, 0, &st), 0);
	ck_assert(st.rebuilt);
	ck_assert_int_eq(st.indexed, 4);
	ck_assert_int_eq(search_update(ix, 0, &st), 0);
	ck_assert_int_eq(st.indexed, 0);
	/* add */
	fixture_put_dossier(a, "2025-001", "Een chatbot voor inwoners", FIXTURE_PUBLISHED, "x",
		    "Zebravink", "De chatbot.");
	ck_assert_int_eq(search_update(ix, 0, &st), 0);
	ck_assert(!st.rebuilt);
	ck_assert_int_eq(st.indexed, 1);
	r = run("zebravink", NULL);
	ck_assert_int_eq(json_array_size(r), 1);
	json_decref(r);
	/* change: search brings the index up to date by itself */
	fixture_put_dossier(a, "2025-001", "Een chatbot voor inwoners", FIXTURE_PUBLISHED, "x",
		    "Okapi", "De chatbot.");
	r = run("zebravink", NULL);
	ck_assert_int_eq(json_array_size(r), 0);
	json_decref(r);
	r = run("okapi", NULL);
	ck_assert_int_eq(json_array_size(r), 1);
	json_decref(r);
	/* rename (a move to another folder, as plain git would) */
	fixture_git(archive_path(a), "mv dossiers/2025/2025-001 "
				     "dossiers/2025/2025-002");
	fixture_write_file("/dev/null", "");
	{
		char path[512], *text;
		size_t len;

		snprintf(path, sizeof(path),
			 "%s/arch/dossiers/2025/2025-002/dossier.md", dir);
		ck_assert_int_eq(archive_file_slurp(&text, &len, path), 0);
		memcpy(strstr(text, "2025-001"), "2025-002", 8);
		fixture_write_file(path, text);
		free(text);
	}
	commit_by_hand("-am rename");
	ck_assert_int_eq(search_update(ix, 0, &st), 0);
	ck_assert_int_eq(st.removed, 1);
	ck_assert_int_eq(st.indexed, 1);
	r = run("okapi", NULL);
	ck_assert_int_eq(json_array_size(r), 1);
	ck_assert_str_eq(id_at(r, 0), "2025-002");
	json_decref(r);
	/* delete */
	ck_assert_int_eq(fixture_git(archive_path(a),
				     "-c user.name=X -c user.email=x@y rm -rq "
				     "dossiers/2025"),
			 0);
	commit_by_hand("-m weg");
	r = run("okapi", NULL);
	ck_assert_int_eq(json_array_size(r), 0);
	json_decref(r);
	/* a new vocabulary changes what synonyms find: everything again */
	fixture_commit_text(a, "values.yml",
			    "- id: privacy\n  label: Privacy\n  question: "
			    "Wat blijft van jezelf?\n  synonyms: [kameleon]\n"
			    "- id: transparantie\n  label: T\n  question: Q?\n"
			    "- id: rechtvaardigheid\n  label: R\n  question: "
			    "Q?\n");
	ck_assert_int_eq(search_update(ix, 0, &st), 0);
	ck_assert(st.rebuilt);
	r = run("kameleon", NULL);
	ck_assert_int_eq(json_array_size(r), 2);
	json_decref(r);
	ck_assert_int_eq(search_update(ix, 1, &st), 0);
	ck_assert(st.rebuilt);
	ck_assert_int_eq(st.indexed, 4);
}
END_TEST

/* Every secret carries a marker word that public search must never find,
 * while staff search finds each one. */
/* A frozen index is read as it stands: a new dossier is not indexed by
 * the handle that froze it (the site build's shard thread reads it so,
 * without touching the archive), and is by the next one that opens it. */
START_TEST(frozen_index)
{
	search_stats st;
	json_t *r;

	ck_assert_int_eq(search_update(ix, 0, &st), 0);
	search_freeze(ix);
	fixture_put_dossier(a, "2025-001", "Een chatbot voor inwoners",
			    FIXTURE_PUBLISHED, "x", "Zebravink", "De chatbot.");
	ck_assert_int_eq(search_update(ix, 0, &st), 0);
	ck_assert_int_eq(st.indexed, 0);
	r = run("zebravink", NULL);
	ck_assert_int_eq(json_array_size(r), 0);
	json_decref(r);
	search_close(ix);
	ck_assert_int_eq(search_open(&ix, a), 0);
	r = run("zebravink", NULL);
	ck_assert_int_eq(json_array_size(r), 1);
	json_decref(r);
}
END_TEST

/* SQLite keeps the pages a query reads in the region search_open set
 * aside (search/index.c), not in one malloc'd block per page. */
START_TEST(page_cache_region)
{
	sqlite3_int64 used = 0, high = 0, over = 0;
	json_t *r;

	fixture_put_dossier(a, "2025-001", "Een kwartelkoning in de wijk",
			    FIXTURE_PUBLISHED, "x", "Kwartelkoning", "Zeldzaam.");
	r = run("kwartelkoning", NULL);
	ck_assert_int_eq(json_array_size(r), 1);
	json_decref(r);
	ck_assert_int_eq(sqlite3_status64(SQLITE_STATUS_PAGECACHE_USED, &used,
					  &high, 0),
			 SQLITE_OK);
	ck_assert_int_gt(used, 0);
	ck_assert_int_eq(sqlite3_status64(SQLITE_STATUS_PAGECACHE_OVERFLOW,
					  &over, &high, 0),
			 SQLITE_OK);
	ck_assert_int_eq(over, 0);
}
END_TEST

START_TEST(public_filter)
{
	static const char *const markers[] = { "zwaardvis", "narwal",
					       "pelikaan", "axolotl",
					       "wombat", "lamantijn", "gnoe" };
	search_opts pub = { .public_only = 1 };
	char path[128];
	json_t *r;

	fixture_put_dossier(a, "2025-001", "Vertrouwelijk zwaardvis",
		    "status: published\nvisibility: confidential\n",
		    "zwaardvis", "zwaardvis", "zwaardvis");
	fixture_put_dossier(a, "2025-002", "Concept narwal",
		    "status: draft\nvisibility: public\n", "narwal", "narwal",
		    "narwal");
	fixture_put_dossier(a, "2025-003", "Embargo pelikaan",
		    FIXTURE_PUBLISHED "embargo_until: 2027-01-01\n", "pelikaan",
		    "pelikaan", "pelikaan");
	fixture_put_dossier(a, "2025-004", "Openbaar met geheimen",
		    FIXTURE_PUBLISHED "rapporteur: Wombat\ndeadline: 2026-01-01\n",
		    "De casus: lamantijn.", "Openbaar",
		    "Openbaar deel.\n<!-- intern -->\naxolotl\n"
		    "<!-- /intern -->\nNog meer openbaar.");
	snprintf(path, sizeof(path), "dossiers/2025/2025-004/notities/a.md");
	fixture_commit_text(a, path, "gnoe\n");
	for (size_t i = 0; i < sizeof(markers) / sizeof(*markers); i++) {
		r = run(markers[i], &pub);
		ck_assert_msg(json_array_size(r) == 0, "%s leaked", markers[i]);
		json_decref(r);
		if (!strcmp(markers[i], "wombat"))
			continue; /* the rapporteur is not text at all */
		r = run(markers[i], NULL);
		ck_assert_msg(json_array_size(r) == 1, "staff misses %s",
			      markers[i]);
		json_decref(r);
	}
	/* the public part of 2025-004 is found all the same */
	r = run("\"nog meer openbaar\"", &pub);
	ck_assert_int_eq(json_array_size(r), 1);
	ck_assert_str_eq(id_at(r, 0), "2025-004");
	json_decref(r);
	/* the embargo ends with the calendar, without a commit */
	setenv("MORES_TODAY", "2027-01-01", 1);
	r = run("pelikaan", &pub);
	ck_assert_int_eq(json_array_size(r), 1);
	ck_assert_ptr_null(strstr(json_string_value(json_object_get(
					  json_array_get(r, 0), "snippet")),
				  "axolotl"));
	json_decref(r);
}
END_TEST

START_TEST(citations_and_similar)
{
	json_t *r, *why;
	char *text;

	ck_assert_int_eq(search_cited_by(&r, ix, "2021-001"), 0);
	ck_assert_int_eq(json_array_size(r), 1);
	ck_assert_str_eq(id_at(r, 0), "2022-001");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(r, 0),
							   "how")),
			 "related+text");
	json_decref(r);
	ck_assert_int_eq(search_cited_by(&r, ix, "2022-001"), 0);
	ck_assert_int_eq(json_array_size(r), 1);
	ck_assert_str_eq(id_at(r, 0), "2023-001"); /* ECT:2022:1 in text */
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(r, 0),
							   "how")),
			 "text");
	json_decref(r);

	ck_assert_int_eq(search_similar(&r, ix, "2022-001", 10), 0);
	ck_assert_int_ge(json_array_size(r), 2);
	ck_assert_str_eq(id_at(r, 0), "2021-001"); /* value, citation, words */
	why = json_object_get(json_array_get(r, 0), "why");
	text = json_dumps(why, 0);
	ck_assert_ptr_nonnull(strstr(text, "values: privacy"));
	ck_assert_ptr_nonnull(strstr(text, "cited by this one"));
	free(text);
	json_decref(r);
	ck_assert_int_eq(search_similar(&r, ix, "2099-001", 10),
			 ARCHIVE_ENOTFOUND);
}
END_TEST

/* A damaged or deleted index is derived data: it is rebuilt. */
START_TEST(damaged_index)
{
	char path[512];
	json_t *r;
	FILE *f;

	r = run("camera", NULL);
	json_decref(r);
	search_close(ix);
	snprintf(path, sizeof(path), "%s/index.sqlite", archive_derived_dir(a));
	ck_assert_ptr_nonnull(f = fopen(path, "r+"));
	fseek(f, 0, SEEK_SET);
	fputs("dit is geen database meer, maar rommel", f);
	fclose(f);
	ck_assert_int_eq(search_open(&ix, a), 0);
	r = run("camera", NULL);
	ck_assert_int_eq(json_array_size(r), 2);
	json_decref(r);
	search_close(ix);
	ck_assert_int_eq(truncate(path, 4096), 0);
	ck_assert_int_eq(search_open(&ix, a), 0);
	r = run("camera", NULL);
	ck_assert_int_eq(json_array_size(r), 2);
	json_decref(r);
	search_close(ix);
	unlink(path);
	ck_assert_int_eq(search_open(&ix, a), 0);
	r = run("camera", NULL);
	ck_assert_int_eq(json_array_size(r), 2);
	json_decref(r);
	/* a table dropped by hand, a full-text one or another */
	for (int i = 0; i < 2; i++) {
		sqlite3 *db;

		search_close(ix);
		ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
		ck_assert_int_eq(search_register_dutch(db), SQLITE_OK);
		ck_assert_int_eq(sqlite3_exec(db, i ? "DROP TABLE pubterms"
						    : "DROP TABLE staff",
					      NULL, NULL, NULL),
				 SQLITE_OK);
		sqlite3_close(db);
		ck_assert_int_eq(search_open(&ix, a), 0);
		r = run("camera", NULL);
		ck_assert_int_eq(json_array_size(r), 2);
		json_decref(r);
	}
}
END_TEST

/* A rebuild is written apart and takes the old file's place when no one
 * else has the index open; when another handle has it open, it is copied
 * into the file that handle reads. Either way no new file is left over,
 * nor one that a rebuild in a process now gone left. */
START_TEST(rebuild_apart_with_the_index_open_elsewhere)
{
	static const search_opts none;
	char path[512], stale[600];
	struct stat before, after;
	search_index *other;
	search_stats st;
	archive *b;
	json_t *r;
	pid_t gone;

	ck_assert_int_eq(search_update(ix, 0, &st), 0);
	snprintf(path, sizeof(path), "%s/index.sqlite", archive_derived_dir(a));
	if ((gone = fork()) == 0)
		_exit(0);
	ck_assert_int_eq(waitpid(gone, NULL, 0), gone);
	snprintf(stale, sizeof(stale), "%s.new-%ld", path, (long)gone);
	fixture_write_file(stale, "half a rebuild");
	ck_assert_int_eq(stat(path, &before), 0);
	ck_assert_int_eq(search_update(ix, 1, &st), 0);
	ck_assert(st.rebuilt);
	ck_assert_int_eq(st.indexed, 4);
	ck_assert_int_eq(stat(path, &after), 0);
	ck_assert_uint_ne(after.st_ino, before.st_ino);
	ck_assert_int_ne(access(stale, F_OK), 0);
	r = run("camera", NULL);
	ck_assert_int_eq(json_array_size(r), 2);
	json_decref(r);

	b = fixture_open(dir);
	ck_assert_int_eq(search_open(&other, b), 0);
	search_freeze(other);
	fixture_put_dossier(a, "2025-001", "Een chatbot voor inwoners",
			    FIXTURE_PUBLISHED, "x", "Okapi", "De chatbot.");
	before = after;
	ck_assert_int_eq(search_update(ix, 1, &st), 0);
	ck_assert_int_eq(st.indexed, 5);
	ck_assert_int_eq(stat(path, &after), 0);
	ck_assert_uint_eq(after.st_ino, before.st_ino);
	r = run("okapi", NULL);
	ck_assert_int_eq(json_array_size(r), 1);
	json_decref(r);
	/* the other handle reads the new rows in the file it has open */
	ck_assert_int_eq(search_query(&r, other, "okapi", &none), 0);
	ck_assert_int_eq(json_array_size(r), 1);
	json_decref(r);
	search_close(other);
	archive_free(b);
	{
		char cmd[700];

		snprintf(cmd, sizeof(cmd),
			 "ls '%s' | grep -q 'index.sqlite.new-'",
			 archive_derived_dir(a));
		ck_assert_int_ne(system(cmd), 0);
	}
}
END_TEST

/* ---- a rebuild read in a thread of its own ------------------------------ */

/* Appends every row of sql, over the index file itself, to *out. */
static void dump(sqlite3 *db, const char *sql, char **out, size_t *len)
{
	sqlite3_stmt *st;
	FILE *f = open_memstream(out, len);

	ck_assert_ptr_nonnull(f);
	ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK,
		      "%s: %s", sql, sqlite3_errmsg(db));
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (int i = 0; i < sqlite3_column_count(st); i++)
			fprintf(f, "%s|", sqlite3_column_text(st, i)
						  ? (const char *)
							    sqlite3_column_text(st, i)
						  : "NULL");
		fputc('\n', f);
	}
	sqlite3_finalize(st);
	fclose(f);
}

/* What the index holds, by dossier id: rows, facets, citations, the word
 * forms beside each public row, and every token of both full-text tables
 * at its place. */
static char *index_contents(void)
{
	static const char *const queries[] = {
		"SELECT id, title, kind, status, year, visibility, embargo,"
		" received, public FROM doc ORDER BY id",
		"SELECT d.id, f.name, f.value FROM facet f JOIN doc d"
		" ON d.rowid = f.doc ORDER BY 1, 2, 3",
		"SELECT src, dst, how FROM cite ORDER BY 1, 2, 3",
		"SELECT d.id, hex(t.terms) FROM pubterms t JOIN doc d"
		" ON d.rowid = t.rowid ORDER BY 1",
		"SELECT hex(v.term), d.id, v.col, v.offset FROM temp.vs v"
		" JOIN doc d ON d.rowid = v.doc ORDER BY 1, 2, 3, 4",
		"SELECT hex(v.term), d.id, v.col, v.offset FROM temp.vp v"
		" JOIN doc d ON d.rowid = v.doc ORDER BY 1, 2, 3, 4",
		"SELECT d.id, s.title, s.summary, s.body, s.advice, s.notes"
		" FROM staff s JOIN doc d ON d.rowid = s.rowid ORDER BY 1",
		"SELECT d.id, p.title, p.advice FROM pub p JOIN doc d"
		" ON d.rowid = p.rowid ORDER BY 1",
		"SELECT hex(key), df FROM staff_key WHERE df > 0 ORDER BY 1",
		"SELECT hex(key), df FROM pub_key WHERE df > 0 ORDER BY 1",
	};
	char path[512], *all = NULL;
	size_t all_len = 0;
	FILE *f = open_memstream(&all, &all_len);
	sqlite3 *db;

	snprintf(path, sizeof(path), "%s/index.sqlite", archive_derived_dir(a));
	ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
			 SQLITE_OK);
	ck_assert_int_eq(search_register_dutch(db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db,
				      "CREATE VIRTUAL TABLE temp.vs USING"
				      " fts5vocab(main, staff, instance);"
				      "CREATE VIRTUAL TABLE temp.vp USING"
				      " fts5vocab(main, pub, instance);",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	for (size_t i = 0; i < sizeof(queries) / sizeof(*queries); i++) {
		char *part = NULL;
		size_t n = 0;

		dump(db, queries[i], &part, &n);
		fprintf(f, "== %s\n%s", queries[i], part);
		free(part);
	}
	sqlite3_close(db);
	fclose(f);
	return all;
}

static void write_in_tree(const char *rel, const char *text)
{
	char path[512], cmd[600];

	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s/%s')\"",
		 archive_path(a), rel);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/%s", archive_path(a), rel);
	fixture_write_file(path, text);
}

/* A rebuild reads and tokenizes the dossiers in a thread beside the one
 * that writes them, through a ring of 256: more dossiers than that, of
 * every kind, must give the very index that writing them one by one
 * gives. */
START_TEST(rebuild_in_a_thread_as_one_by_one)
{
	char rel[128], text[2048], *one_by_one, *rebuilt;
	search_stats st;

	ck_assert_int_eq(search_update(ix, 0, &st), 0);
	for (int i = 1; i <= 300; i++) {
		static const char *const front[] = {
			FIXTURE_PUBLISHED "values: [privacy]\n",
			"status: draft\nvisibility: public\n",
			"status: published\nvisibility: confidential\n",
			FIXTURE_PUBLISHED "embargo_until: 2027-01-01\n",
			FIXTURE_PUBLISHED "values: [transparantie]\n"
					  "topics: [camera]\n"
					  "related: [2021-001]\n",
		};

		snprintf(rel, sizeof(rel), "dossiers/2025/2025-%03d/dossier.md",
			 i);
		if (i == 150) {
			/* one that does not read is left out, both ways */
			write_in_tree(rel, "---\ntitle: [niet af\n---\n");
			continue;
		}
		snprintf(text, sizeof(text),
			 "---\nid: 2025-%03d\ntitle: \"Proef %d met "
			 "sensoren en satellietbeelden\"\nkind: unasked\n"
			 "received: 2025-02-01\n%s---\nZie 2025-%03d en "
			 "ECT:2021:1; de wijk%d telt mee.\n",
			 i, i, front[i % 5], i > 1 ? i - 1 : 2, i);
		write_in_tree(rel, text);
		snprintf(rel, sizeof(rel), "dossiers/2025/2025-%03d/advies.md",
			 i);
		snprintf(text, sizeof(text),
			 "---\nadopted: 2025-06-01\nsummary: \"Advies %d over "
			 "algoritmeregisters\"\n---\nCamera's en drones%s, "
			 "woord%d.\n<!-- intern -->\nintern%d\n"
			 "<!-- /intern -->\nTot slot 2025-%03d.\n",
			 i, i % 2 ? " in de binnenstad" : "", i, i,
			 i % 7 + 1);
		write_in_tree(rel, text);
		if (i % 4 == 0) {
			snprintf(rel, sizeof(rel),
				 "dossiers/2025/2025-%03d/notities/gesprek.md",
				 i);
			snprintf(text, sizeof(text), "Gesprek %d, notitie%d.\n",
				 i, i);
			write_in_tree(rel, text);
		}
	}
	ck_assert_int_eq(fixture_git(archive_path(a), "add -A"), 0);
	commit_by_hand("-m 'driehonderd dossiers'");
	/* one by one: the update after a commit */
	ck_assert_int_eq(search_update(ix, 0, &st), 0);
	ck_assert(!st.rebuilt);
	ck_assert_int_eq(st.indexed, 299);
	one_by_one = index_contents();
	ck_assert_ptr_nonnull(strstr(one_by_one, "notitie8"));
	ck_assert_ptr_nonnull(strstr(one_by_one, "intern7"));
	ck_assert_int_eq(search_update(ix, 1, &st), 0);
	ck_assert(st.rebuilt);
	ck_assert_int_eq(st.indexed, 4 + 299);
	rebuilt = index_contents();
	if (strcmp(one_by_one, rebuilt)) {
		size_t at = 0;

		while (one_by_one[at] == rebuilt[at])
			at++;
		ck_abort_msg("the rebuild differs at byte %zu:\n%.300s\n"
			     "one by one:\n%.300s", at,
			     rebuilt + (at > 100 ? at - 100 : 0),
			     one_by_one + (at > 100 ? at - 100 : 0));
	}
	free(one_by_one);
	/* an object of the archive that is damaged stops the rebuild with
	 * the file it belongs to, from the thread that read it, and the
	 * index stays as it was */
	{
		char cmd[600], oid[64] = "", path[600], *now;
		FILE *p;

		snprintf(cmd, sizeof(cmd),
			 "git -C '%s' rev-parse "
			 "HEAD:dossiers/2025/2025-280/advies.md",
			 archive_path(a));
		ck_assert_ptr_nonnull(p = popen(cmd, "r"));
		ck_assert_ptr_nonnull(fgets(oid, sizeof(oid), p));
		pclose(p);
		oid[strcspn(oid, "\n")] = '\0';
		ck_assert_uint_eq(strlen(oid), 40);
		snprintf(path, sizeof(path), "%s/.git/objects/%.2s/%s",
			 archive_path(a), oid, oid + 2);
		ck_assert_int_eq(chmod(path, 0644), 0);
		fixture_write_file(path, "geen zlib");
		ck_assert_int_ne(search_update(ix, 1, &st), 0);
		ck_assert_ptr_nonnull(strstr(archive_error_last(),
					     "dossiers/2025/2025-280/advies.md"));
		ck_assert_ptr_nonnull(strstr(archive_error_last(), "damaged"));
		now = index_contents();
		ck_assert_str_eq(now, rebuilt);
		free(now);
	}
	free(rebuilt);
}
END_TEST

/*
 * The lists of best rows (search/best.c) rank a query of single words
 * without visiting every match; they must give exactly the results and
 * scores of FTS5's own bm25 over every match, for common words whose
 * lists leave rows out (more rows than a list keeps), with filters, and
 * after rows were changed, added and taken out one by one.
 */
static const char *const many_words[] = {
	"toezicht", "camera", "camera's", "sensoren", "sensor", "drones",
	"privacy", "satellietbeelden", "cameratoezicht", "algoritmeregister",
	"register", "gemeente", "inwoners", "bewaartermijn", "locatiegegevens",
	"transparantie", "openbare", "ruimte", "de", "het", "en", "van", "een",
	"met", "wijk", "buurt", "gegevens", "beelden", "algoritme", "toets",
	"de", "de", "het", "en", "toezicht", "camera's", "gemeente",
};
#define NMANY (sizeof(many_words) / sizeof(*many_words))

static unsigned next_word(unsigned *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return (*seed >> 16) % NMANY;
}

/* Words drawn from many_words: n of them, after a head. */
static void some_words(char *out, size_t size, const char *head, int n,
		       unsigned *seed)
{
	size_t at = (size_t)snprintf(out, size, "%s", head);

	for (int i = 0; i < n && at + 40 < size; i++)
		at += (size_t)snprintf(out + at, size - at, " %s",
				       many_words[next_word(seed)]);
}

static void put_many(int from, int to, unsigned seed)
{
	char rel[128], title[256], body[8192], text[9000];

	for (int i = from; i < to; i++) {
		int year = 2019 + i % 7;
		static const char *const front[] = {
			FIXTURE_PUBLISHED, FIXTURE_PUBLISHED "values: [privacy]\n",
			"status: draft\nvisibility: public\n",
			FIXTURE_PUBLISHED "kind: unasked\n",
		};

		some_words(title, sizeof(title), "Advies", 2 + i % 5, &seed);
		snprintf(rel, sizeof(rel), "dossiers/%d/%d-%03d/dossier.md",
			 year, year, i);
		snprintf(text, sizeof(text),
			 "---\nid: %d-%03d\ntitle: \"%s\"\n%s%sreceived: "
			 "%d-02-01\n---\n",
			 year, i, title, i % 4 == 3 ? "" : "kind: asked\n",
			 front[i % 4], year);
		write_in_tree(rel, text);
		some_words(body, sizeof(body), "De commissie", 10 + (i * 37) % 600,
			   &seed);
		some_words(title, sizeof(title), "Samenvatting", 1 + i % 4,
			   &seed);
		snprintf(rel, sizeof(rel), "dossiers/%d/%d-%03d/advies.md",
			 year, year, i);
		snprintf(text, sizeof(text),
			 "---\nadopted: %d-06-01\nsummary: \"%s\"\n---\n%s.\n",
			 year, title, body);
		write_in_tree(rel, text);
	}
}

static int agree_with_fts5(int need_lists)
{
	static const char *const queries[] = {
		"toezicht", "camera", "sensoren", "satelliet", "register",
		"de", "wijk", "drones privacy", "camera's openbare ruimte",
		"toezicht -drones", "locatiegegevens bewaartermijn",
		"gemeente de het", "onbekendwoord", "toezicht onbekendwoord",
	};
	int lists = 0;

	for (size_t q = 0; q < sizeof(queries) / sizeof(*queries); q++)
		for (int v = 0; v < 6; v++) {
			search_opts o = { 0 };
			json_t *fast, *slow;
			const char *plan;

			o.public_only = v == 1;
			o.year = v == 2 ? 2023 : 0;
			o.kind = v == 3 ? "unasked" : NULL;
			o.limit = v == 4 ? 60 : 0;
			o.value = v == 5 ? "privacy" : NULL;
			fast = run(queries[q], &o);
			plan = search_query_plan(ix);
			lists += !strcmp(plan, "lists");
			/* here most rows hold every word, so the rows
			 * without one are few: leaving a word out can
			 * need every match */
			if (need_lists && v == 0 && !strchr(queries[q], '-'))
				ck_assert_msg(!strcmp(plan, "lists"),
					      "%s: ranked by %s", queries[q],
					      plan);
			o.rank_every = 1;
			slow = run(queries[q], &o);
			ck_assert_str_eq(search_query_plan(ix), "fts5");
			ck_assert_msg(json_array_size(fast) == json_array_size(slow),
				      "%s (%d): %zu results, FTS5 %zu",
				      queries[q], v, json_array_size(fast),
				      json_array_size(slow));
			for (size_t i = 0; i < json_array_size(slow); i++) {
				double a = json_real_value(json_object_get(
					       json_array_get(fast, i), "score")),
				       b = json_real_value(json_object_get(
					       json_array_get(slow, i), "score"));

				ck_assert_msg(!strcmp(id_at(fast, i), id_at(slow, i)) &&
						      fabs(a - b) <= 1e-12 * fabs(b),
					      "%s (%d) at %zu: %s %.17g, FTS5 "
					      "%s %.17g", queries[q], v, i,
					      id_at(fast, i), a, id_at(slow, i), b);
			}
			json_decref(fast);
			json_decref(slow);
		}
	return lists;
}

START_TEST(lists_rank_as_fts5)
{
	char rel[128], path[600];
	int lists;

	put_many(1, 601, 7);
	ck_assert_int_eq(fixture_git(archive_path(a), "add -A"), 0);
	commit_by_hand("-m 'zeshonderd dossiers'");
	ck_assert_int_eq(search_update(ix, 1, NULL), 0);
	lists = agree_with_fts5(1);
	/* the filtered ones may need every match; most do not */
	ck_assert_int_ge(lists, 60);
	/* rows changed, added and taken out one by one */
	put_many(590, 640, 99);
	for (int i = 10; i < 30; i++) {
		int year = 2019 + i % 7;

		snprintf(rel, sizeof(rel), "dossiers/%d/%d-%03d", year, year, i);
		snprintf(path, sizeof(path), "rm -r -q '%s'", rel);
		ck_assert_int_eq(fixture_git(archive_path(a), path), 0);
	}
	ck_assert_int_eq(fixture_git(archive_path(a), "add -A"), 0);
	commit_by_hand("-m 'gewijzigd, nieuw en weg'");
	agree_with_fts5(1);
	/* lists that leave out nearly every row: often undecided, never
	 * wrong */
	search_best_keep = 16;
	ck_assert_int_eq(search_update(ix, 1, NULL), 0);
	search_best_keep = 512;
	ck_assert_int_gt(agree_with_fts5(0), 0);
}
END_TEST

Suite *search_suite(void)
{
	Suite *s = suite_create("search");
	TCase *t = tcase_create("language");

	tcase_add_test(t, dutch_word_forms);
	tcase_add_test(t, remembered_words);
	tcase_add_test(t, stems_and_parts);
	tcase_add_test(t, snippets_cut_and_mark);
	tcase_add_test(t, snippets_mark_what_matches);
	tcase_add_test(t, query_language);
	suite_add_tcase(s, t);
	t = tcase_create("index");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_set_timeout(t, 120);
	tcase_add_test(t, ranking);
	tcase_add_test(t, public_postings_of_one_row);
	tcase_add_test(t, whole_words_rank_above_parts);
	tcase_add_test(t, results_and_facets);
	tcase_add_test(t, incremental_updates);
	tcase_add_test(t, frozen_index);
	tcase_add_test(t, page_cache_region);
	tcase_add_test(t, public_filter);
	tcase_add_test(t, citations_and_similar);
	tcase_add_test(t, damaged_index);
	tcase_add_test(t, rebuild_in_a_thread_as_one_by_one);
	tcase_add_test(t, rebuild_apart_with_the_index_open_elsewhere);
	tcase_add_test(t, lists_rank_as_fts5);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(search_suite());
	int failed;

	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? 1 : 0;
}
