/*
 * snippet.c: mores_snippet(), the passage shown under a search result.
 *
 * mores_snippet(table, open, close, ellipsis, tokens) picks, like FTS5's
 * snippet(table, -1, ...), the window of `tokens` words that holds the
 * most of the query's phrases, marks them and cuts with the ellipsis. It
 * chooses from the positions the index already holds for the row (FTS5's
 * instances), so only the chosen column is tokenized, and only up to the
 * window's end: FTS5's own snippet() tokenizes every column of the row
 * in full, twice for the chosen one, which made the twenty snippets of a
 * query cost more than finding its results.
 *
 * The window: each hit in turn opens one, and a hit that is the first of
 * its column also one from the column's start; its score is 1000 for each
 * distinct phrase in it and 1 for each further hit, more in running text
 * (IN_TEXT, FROM_START), and the best, first column first and earliest
 * first on a tie, wins. The window is centred on its hits, or starts
 * where their sentence starts when that keeps as many distinct phrases in
 * it, so that a snippet reads from the start of a sentence where it can.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "search/search_int.h"

struct hit {
	int phrase, col, off, end; /* end: the phrase's last token */
};

struct win {
	int col, first, last, distinct, score;
	int at; /* where it starts: a column's start, or -1 to centre it */
};

/* What a window in running text earns beyond its hits, and one from the
 * start of such a column beyond that. The tables of the index (staff,
 * pub, hpub) all begin with title, summary, question, vals, topics: the
 * title is shown above the snippet anyway, and values and topics are
 * lists of words, not text to read. */
#define IN_TEXT 100
#define FROM_START 20
#define NOT_TEXT ((1u << 0) | (1u << 3) | (1u << 4))

static int running_text(int col)
{
	return col >= 32 || !(NOT_TEXT & (1u << col));
}

/* What the tokenizer callback needs and finds. */
struct cut {
	const char *text;
	int pos;       /* the next token's position */
	int base, top; /* positions whose offsets are kept: [base, top] */
	int first;     /* the window's first hit */
	int sentence;  /* the last sentence start at or before first, or -1 */
	int (*at)[2];  /* byte offsets of positions base..top */
};

static int by_place(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;

	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	return (x->phrase > y->phrase) - (x->phrase < y->phrase);
}

/* Scores the window of column col that starts at position from: the
 * hits h[i..] in it, counted with the stamps in seen. */
static struct win score_from(const struct hit *h, int n, int i, int from,
			     int tokens, int *seen, int *stamp)
{
	struct win w = { h[i].col, -1, -1, 0, 0, -1 };

	++*stamp;
	for (int j = i; j < n && h[j].col == w.col && h[j].off < from + tokens;
	     j++) {
		if (h[j].off < from)
			continue;
		if (seen[h[j].phrase] != *stamp) {
			seen[h[j].phrase] = *stamp;
			w.distinct++;
			w.score += 1000;
		} else {
			w.score++;
		}
		if (w.first < 0)
			w.first = h[j].off;
		if (h[j].end > w.last)
			w.last = h[j].end;
	}
	return w;
}

static int sentence_ends_before(const char *text, int off)
{
	int i = off - 1;

	while (i >= 0 && (text[i] == ' ' || text[i] == '\t' ||
			  text[i] == '\n' || text[i] == '\r'))
		i--;
	if (i == off - 1 || i < 0)
		return 0;
	return text[i] == '.' || text[i] == ':' || text[i] == '?' ||
	       text[i] == '!';
}

static int cut_token(void *ctx, int tflags, const char *tok, int n,
		     int start, int end)
{
	struct cut *c = ctx;
	int pos;

	(void)tok;
	(void)n;
	if (tflags & FTS5_TOKEN_COLOCATED)
		return SQLITE_OK;
	pos = c->pos++;
	if (pos > c->top)
		return SQLITE_DONE;
	if (pos < c->base)
		return SQLITE_OK;
	c->at[pos - c->base][0] = start;
	c->at[pos - c->base][1] = end;
	if (pos <= c->first &&
	    (pos == 0 || sentence_ends_before(c->text, start)))
		c->sentence = pos;
	return SQLITE_OK;
}

static void put(sqlite3_str *s, const char *text, int from, int to)
{
	if (to > from)
		sqlite3_str_append(s, text + from, to - from);
}

/* The hits of the row, in column and position order; *out is NULL when
 * there are none. */
static int load_hits(const Fts5ExtensionApi *api, Fts5Context *fts,
		     struct hit **out, int *count)
{
	struct hit *h = NULL;
	int n = 0, rc = api->xInstCount(fts, &n);

	if (rc == SQLITE_OK && n > 0 &&
	    !(h = sqlite3_malloc64((sqlite3_uint64)n * sizeof(*h))))
		rc = SQLITE_NOMEM;
	for (int i = 0; rc == SQLITE_OK && i < n; i++) {
		rc = api->xInst(fts, i, &h[i].phrase, &h[i].col, &h[i].off);
		if (rc == SQLITE_OK) {
			int words = api->xPhraseSize(fts, h[i].phrase);

			h[i].end = h[i].off + (words > 0 ? words - 1 : 0);
		}
	}
	if (rc != SQLITE_OK) {
		sqlite3_free(h);
		return rc;
	}
	if (n > 0)
		qsort(h, (size_t)n, sizeof(*h), by_place);
	*out = h;
	*count = n;
	return SQLITE_OK;
}

/* The best window of the hits h[0..n) (see the top of the file); with
 * no hit, the title from its start. */
static struct win choose(const struct hit *h, int n, int tokens, int *seen,
			 int *stamp)
{
	struct win best = { 0, -1, -1, 0, 0, -1 };

	for (int i = 0; i < n; i++) {
		struct win w = score_from(h, n, i, h[i].off, tokens, seen,
					  stamp);

		if (!running_text(h[i].col)) {
			if (w.score > best.score)
				best = w;
			continue;
		}
		w.score += IN_TEXT;
		if (w.score > best.score)
			best = w;
		if (i > 0 && h[i - 1].col == h[i].col)
			continue;
		w = score_from(h, n, i, 0, tokens, seen, stamp);
		w.score += IN_TEXT + FROM_START;
		w.at = 0;
		if (w.first >= 0 && w.score > best.score)
			best = w;
	}
	if (best.first < 0)
		best = (struct win){ 0, 0, 0, 0, 0, 0 };
	return best;
}

/* Where window best starts, now that the tokens up to its furthest end
 * are known: centred on its hits, or at their sentence when that keeps
 * them. */
static int place(const struct win *best, const struct cut *c,
		 const struct hit *h, int n, int tokens, int size, int *seen,
		 int *stamp)
{
	int start = best->first - (tokens - (best->last + 1 - best->first)) / 2;

	if (start > best->first)
		start = best->first;
	if (size != INT_MAX && start + tokens > size)
		start = size - tokens; /* a centred window fills up to the end */
	if (best->at >= 0) {
		start = best->at;
	} else if (c->sentence >= 0 && c->sentence + tokens > best->first) {
		int i = 0;

		while (i < n &&
		       (h[i].col != best->col || h[i].off < c->sentence))
			i++;
		if (i < n && score_from(h, n, i, c->sentence, tokens, seen,
					stamp)
					     .distinct >= best->distinct)
			start = c->sentence;
	}
	return start < c->base ? c->base : start;
}

/* Writes positions start..end of column col's text with its hits marked,
 * cut with the ellipsis where the text goes on. */
static void write_window(sqlite3_str *s, const struct cut *c, int len,
			 int size, int start, int end, const struct hit *h,
			 int n, int col, const char *const mark[3])
{
	const char *text = c->text;
	int from = start > 0 ? c->at[start - c->base][0] : 0;

	if (start > 0)
		sqlite3_str_appendall(s, mark[2]);
	for (int i = 0; i < n; i++) {
		int a, b;

		if (h[i].col != col || h[i].end < start || h[i].off > end)
			continue;
		a = h[i].off < start ? start : h[i].off;
		b = h[i].end > end ? end : h[i].end;
		/* overlapping hits make one mark */
		while (i + 1 < n && h[i + 1].col == col && h[i + 1].off <= b &&
		       h[i + 1].off <= end) {
			i++;
			if (h[i].end > b)
				b = h[i].end > end ? end : h[i].end;
		}
		put(s, text, from, c->at[a - c->base][0]);
		sqlite3_str_appendall(s, mark[0]);
		put(s, text, c->at[a - c->base][0], c->at[b - c->base][1]);
		sqlite3_str_appendall(s, mark[1]);
		from = c->at[b - c->base][1];
	}
	put(s, text, from, c->at[end - c->base][1]);
	if (size != INT_MAX && end >= size - 1)
		put(s, text, c->at[end - c->base][1], len);
	else
		sqlite3_str_appendall(s, mark[2]);
}

static void snippet_fn(const Fts5ExtensionApi *api, Fts5Context *fts,
		       sqlite3_context *ctx, int nval, sqlite3_value **val)
{
	const char *mark[3]; /* open, close, ellipsis */
	struct hit *h = NULL;
	struct win best;
	struct cut c = { 0 };
	sqlite3_str *s;
	char *out;
	int *seen = NULL, stamp = 0, n = 0, tokens, len = 0, size, start, end;
	int nphrase = api->xPhraseCount(fts), rc;

	if (nval != 4) {
		sqlite3_result_error(ctx, "mores_snippet() takes 4 arguments",
				     -1);
		return;
	}
	for (int i = 0; i < 3; i++) {
		mark[i] = (const char *)sqlite3_value_text(val[i]);
		if (!mark[i])
			mark[i] = "";
	}
	tokens = sqlite3_value_int(val[3]);
	tokens = tokens < 1 ? 1 : tokens > 64 ? 64 : tokens;
	rc = load_hits(api, fts, &h, &n);
	if (rc == SQLITE_OK &&
	    !(seen = sqlite3_malloc64((sqlite3_uint64)(nphrase + 1) *
				      sizeof(*seen))))
		rc = SQLITE_NOMEM;
	if (rc == SQLITE_OK) {
		memset(seen, 0, (size_t)(nphrase + 1) * sizeof(*seen));
		best = choose(h, n, tokens, seen, &stamp);
		rc = api->xColumnText(fts, best.col, &c.text, &len);
	}
	if (rc == SQLITE_OK && !c.text)
		c.text = "";

	/* tokenize up to the window's furthest possible end */
	if (rc == SQLITE_OK) {
		c.first = best.first;
		c.base = best.first > tokens ? best.first - tokens : 0;
		c.top = best.first + tokens - 1;
		c.sentence = -1;
		c.at = sqlite3_malloc64((sqlite3_uint64)(c.top - c.base + 1) *
					sizeof(*c.at));
		rc = c.at ? api->xTokenize(fts, c.text, len, &c, cut_token)
			  : SQLITE_NOMEM;
		if (rc == SQLITE_DONE)
			rc = SQLITE_OK;
	}
	if (rc == SQLITE_OK) {
		/* the column's size in tokens, when its end was reached */
		size = c.pos <= c.top + 1 ? c.pos : INT_MAX;
		start = place(&best, &c, h, n, tokens, size, seen, &stamp);
		end = start + tokens - 1;
		if (end > c.top)
			end = c.top;
		if (end >= c.pos)
			end = c.pos - 1;
		s = sqlite3_str_new(NULL);
		if (end >= start)
			write_window(s, &c, len, size, start, end, h, n,
				     best.col, mark);
		rc = sqlite3_str_errcode(s);
		out = sqlite3_str_finish(s);
		if (rc == SQLITE_OK && out)
			sqlite3_result_text(ctx, out, -1, sqlite3_free);
		else if (rc == SQLITE_OK)
			sqlite3_result_text(ctx, "", 0, SQLITE_STATIC);
		else
			sqlite3_free(out);
	}
	if (rc != SQLITE_OK)
		sqlite3_result_error_code(ctx, rc);
	sqlite3_free(h);
	sqlite3_free(seen);
	sqlite3_free(c.at);
}

int search_register_snippet(sqlite3 *db)
{
	fts5_api *api = search_fts5_of(db);

	if (!api)
		return SQLITE_ERROR;
	return api->xCreateFunction(api, "mores_snippet", NULL, snippet_fn,
				    NULL);
}

