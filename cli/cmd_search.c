/*
 * cmd_search.c: `mores index`, `mores search` and `mores similar`.
 */
#include "cli.h"
#include "search/search.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int parse_int(const char *flag, const char *v, int lo, int hi, int *out)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (!*v || *end || n < lo || n > hi) {
		archive_error_set(ARCHIVE_EINVALID, "%s: '%s' is not a number "
						    "from %d to %d",
				  flag, v, lo, hi);
		return -1;
	}
	*out = (int)n;
	return 0;
}

/* Opens the archive and its index. */
static int open_index(archive **a, search_index **ix, struct cli *cli)
{
	*a = NULL;
	*ix = NULL;
	if (cli_open(a, cli) != 0 || search_open(ix, *a) != 0)
		return -1;
	return 0;
}

int cmd_index(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rebuild", no_argument, 0, 'r' }, { 0, 0, 0, 0 }
	};
	search_stats st;
	search_index *ix;
	archive *a;
	int c, rebuild = 0, rc = 0;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'r')
			return cli_usage("index", "bad option '%s'",
					 argv[optind - 1]);
		rebuild = 1;
	}
	if (optind != argc)
		return cli_usage("index", "unexpected '%s'", argv[optind]);
	if (open_index(&a, &ix, cli) != 0 || search_update(ix, rebuild, &st))
		rc = cli_fail();
	else
		printf("%s: %zu dossier%s indexed, %zu removed, at commit "
		       "%.12s\n",
		       st.rebuilt ? "rebuilt" : "updated", st.indexed,
		       st.indexed == 1 ? "" : "s", st.removed,
		       search_commit(ix));
	search_close(ix);
	archive_free(a);
	return rc;
}

/* Joins the words of the query: `mores search camera privacy` and
 * `mores search "camera privacy"` mean the same. */
static char *join_args(int argc, char **argv)
{
	size_t len = 1;
	char *q;

	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	if (!(q = calloc(1, len)))
		return NULL;
	for (int i = 0; i < argc; i++) {
		if (i)
			strcat(q, " ");
		strcat(q, argv[i]);
	}
	return q;
}

/* A snippet on one indented line: the line breaks of the text it comes
 * from become spaces. */
static void print_snippet(json_t *r)
{
	const char *s = json_string_value(json_object_get(r, "snippet"));
	int space = 0;

	fputs("    ", stdout);
	for (; s && *s; s++) {
		if (*s == '\n' || *s == '\r' || *s == '\t' || *s == ' ') {
			space = 1;
			continue;
		}
		if (space)
			putchar(' ');
		space = 0;
		putchar(*s);
	}
	putchar('\n');
}

static void print_results(json_t *list, const char *query)
{
	size_t i;
	json_t *r;

	if (json_array_size(list) == 0) {
		printf("No dossiers match '%s'.\n", query);
		return;
	}
	json_array_foreach(list, i, r)
	{
		if (json_is_true(json_object_get(r, "harvested"))) {
			/* another committee's: its citation, name and page */
			printf("%-8s  %-12s %-7s %8.3g  %s [%s]\n    %s\n",
			       json_string_value(json_object_get(r, "id")),
			       json_string_value(json_object_get(r, "citation")),
			       json_string_value(json_object_get(r, "kind"))
				       ? json_string_value(
						 json_object_get(r, "kind"))
				       : "",
			       json_real_value(json_object_get(r, "score")),
			       json_string_value(json_object_get(r, "title")),
			       json_string_value(json_object_get(r, "committee")),
			       json_string_value(json_object_get(r, "url")));
			print_snippet(r);
			continue;
		}
		printf("%s  %-12s %-7s %8.3g  %s\n",
		       json_string_value(json_object_get(r, "id")),
		       json_string_value(json_object_get(r, "citation")),
		       json_string_value(json_object_get(r, "kind")),
		       json_real_value(json_object_get(r, "score")),
		       json_string_value(json_object_get(r, "title")));
		print_snippet(r);
	}
}

static int by_score(const void *x, const void *y)
{
	double a = json_real_value(json_object_get(*(json_t *const *)x, "score"));
	double b = json_real_value(json_object_get(*(json_t *const *)y, "score"));

	return (a < b) - (a > b);
}

/* Merges the harvested reflections that match into list, best first,
 * keeping the limit. */
static int add_harvested(json_t *list, search_index *ix, const char *query,
			 const search_opts *o)
{
	json_t *more = NULL, *r, **rows;
	size_t i, n, limit = o->limit > 0 ? (size_t)o->limit : 20;

	if (search_harvested(&more, ix, query, o) != 0)
		return -1;
	json_array_extend(list, more);
	json_decref(more);
	n = json_array_size(list);
	if (!(rows = calloc(n + 1, sizeof(*rows))))
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	json_array_foreach(list, i, r)
		rows[i] = json_incref(r);
	qsort(rows, n, sizeof(*rows), by_score);
	json_array_clear(list);
	for (i = 0; i < n; i++) {
		if (i < limit)
			json_array_append(list, rows[i]);
		json_decref(rows[i]);
	}
	free(rows);
	return 0;
}

/* The options of search take their value as the next word or after
 * '='; every other word, "-word" included, belongs to the query. */
static const char *option_value(int argc, char **argv, int *i,
				const char *name)
{
	size_t n = strlen(name);
	const char *arg = argv[*i];

	if (strncmp(arg, name, n))
		return NULL;
	if (arg[n] == '=')
		return arg + n + 1;
	if (arg[n] || *i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

int cmd_search(struct cli *cli, int argc, char **argv)
{
	static const char *const valued[] = { "--kind", "--value", "--year",
					      "--status", "--limit" };
	search_opts o = { 0 };
	search_index *ix = NULL;
	archive *a = NULL;
	json_t *list = NULL;
	char **words = calloc((size_t)argc + 1, sizeof(*words)), *query;
	int nwords = 0, json = 0, rc = 0, only_words = 0, harvested = 0;

	if (!words)
		return cli_fail();
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *v = NULL;
		size_t k;

		if (only_words || arg[0] != '-' || arg[1] != '-') {
			words[nwords++] = argv[i];
			continue;
		}
		if (!strcmp(arg, "--")) {
			only_words = 1;
			continue;
		}
		if (!strcmp(arg, "--public")) {
			o.public_only = 1;
			continue;
		}
		if (!strcmp(arg, "--json")) {
			json = 1;
			continue;
		}
		if (!strcmp(arg, "--harvested")) {
			harvested = 1;
			continue;
		}
		for (k = 0; k < sizeof(valued) / sizeof(*valued); k++)
			if ((v = option_value(argc, argv, &i, valued[k])))
				break;
		if (!v) {
			free(words);
			return cli_usage("search", "bad option '%s'", arg);
		}
		if (k == 0)
			o.kind = v;
		else if (k == 1)
			o.value = v;
		else if (k == 3)
			o.status = v;
		else if (parse_int(valued[k], v, k == 2 ? 1000 : 1,
				   k == 2 ? 9999 : 10000,
				   k == 2 ? &o.year : &o.limit)) {
			free(words);
			return cli_fail();
		}
	}
	if (nwords == 0) {
		free(words);
		return cli_usage("search", "give the words to search for");
	}
	query = join_args(nwords, words);
	free(words);
	if (!query)
		return cli_fail();
	if (!json && isatty(STDOUT_FILENO)) {
		o.mark_open = "\033[1m";
		o.mark_close = "\033[0m";
	}
	if (open_index(&a, &ix, cli) != 0 ||
	    search_query(&list, ix, query, &o) != 0 ||
	    (harvested && add_harvested(list, ix, query, &o) != 0))
		rc = cli_fail();
	else if (json)
		cli_print_json(list);
	else
		print_results(list, query);
	json_decref(list);
	free(query);
	search_close(ix);
	archive_free(a);
	return rc;
}

int cmd_similar(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "limit", required_argument, 0, 'l' },
		{ "json", no_argument, 0, 'j' },
		{ 0, 0, 0, 0 }
	};
	search_index *ix = NULL;
	archive *a = NULL;
	json_t *list = NULL, *r, *why;
	int c, json = 0, limit = 10, rc = 0;
	size_t i, k;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'j')
			json = 1;
		else if (c == 'l') {
			if (parse_int("--limit", optarg, 1, 1000, &limit))
				return cli_fail();
		} else
			return cli_usage("similar", "bad option '%s'",
					 argv[optind - 1]);
	}
	if (argc - optind != 1)
		return cli_usage("similar", "give one dossier id");
	if (open_index(&a, &ix, cli) != 0 ||
	    search_similar(&list, ix, argv[optind], limit) != 0)
		rc = cli_fail();
	else if (json)
		cli_print_json(list);
	else if (json_array_size(list) == 0)
		printf("No dossier shares enough with %s.\n", argv[optind]);
	else
		json_array_foreach(list, i, r)
		{
			printf("%s  %5.2f  %s\n",
			       json_string_value(json_object_get(r, "id")),
			       json_real_value(json_object_get(r, "score")),
			       json_string_value(json_object_get(r, "title")));
			json_array_foreach(json_object_get(r, "why"), k, why)
				printf("    %s\n", json_string_value(why));
		}
	json_decref(list);
	search_close(ix);
	archive_free(a);
	return rc;
}
