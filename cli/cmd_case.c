/*
 * cmd_case.c: the `mores case ...` commands: option parsing and printing
 * for registering, listing, showing, setting, moving, history and triage.
 */
#include "casework/casework.h"
#include "search/search.h"
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OPT_AUTHOR 1000

/* Parses the common --author and --json options; other options go to the
 * caller's handler. Returns -1 when done, or the option character. */
static int next_opt(int argc, char **argv, const struct option *opts,
		    struct cli *cli, const char *name, int *usage_error)
{
	int c;

	for (;;) {
		c = getopt_long(argc, argv, "", opts, NULL);
		if (c == OPT_AUTHOR) {
			cli->author = optarg;
			continue;
		}
		if (c == '?' || c == ':') {
			*usage_error = cli_bad_option(name, argv, opts);
			return -1;
		}
		return c;
	}
}

static void begin_opts(void)
{
	optind = 0;
	opterr = 0;
}

/* Adds to a growing list of strings. */
static int push(const char ***list, size_t *n, const char *v)
{
	const char **grown = realloc(*list, (*n + 1) * sizeof(*grown));

	if (!grown)
		return -1;
	grown[(*n)++] = v;
	*list = grown;
	return 0;
}

int cmd_case_new(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kind", required_argument, 0, 'k' },
		{ "title", required_argument, 0, 't' },
		{ "requester", required_argument, 0, 'r' },
		{ "question", required_argument, 0, 'q' },
		{ "received", required_argument, 0, 'R' },
		{ "value", required_argument, 0, 'v' },
		{ "topic", required_argument, 0, 'T' },
		{ "confidential", no_argument, 0, 'c' },
		{ "deadline", required_argument, 0, 'd' },
		{ "author", required_argument, 0, OPT_AUTHOR },
		{ 0, 0, 0, 0 }
	};
	casework_new_opts o = { 0 };
	const char **values = NULL, **topics = NULL;
	archive *a = NULL;
	char *author = NULL, *id = NULL;
	int c, bad = 0, rc = 1;

	begin_opts();
	while ((c = next_opt(argc, argv, opts, cli, "case new", &bad)) != -1) {
		switch (c) {
		case 'k': o.kind = optarg; break;
		case 't': o.title = optarg; break;
		case 'r': o.requester = optarg; break;
		case 'q': o.question = optarg; break;
		case 'R': o.received = optarg; break;
		case 'd': o.deadline = optarg; break;
		case 'c': o.confidential = 1; break;
		case 'v': push(&values, &o.nvalues, optarg); break;
		case 'T': push(&topics, &o.ntopics, optarg); break;
		}
	}
	o.values = values;
	o.topics = topics;
	if (bad)
		rc = bad;
	else if (optind < argc)
		rc = cli_usage("case new", "unexpected argument '%s'",
			       argv[optind]);
	else if (!o.kind)
		rc = cli_usage("case new", "--kind is required");
	else if (!o.title)
		rc = cli_usage("case new", "--title is required");
	else if (cli_open(&a, cli) || cli_author(&author, cli, a) ||
		 casework_case_new(&id, a, author, &o))
		rc = cli_fail();
	else {
		puts(id);
		rc = 0;
	}
	free(values);
	free(topics);
	free(author);
	free(id);
	archive_free(a);
	return rc;
}

static const char *str(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v ? v : "";
}

int cmd_case_list(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "status", required_argument, 0, 's' },
		{ "kind", required_argument, 0, 'k' },
		{ "json", no_argument, 0, 'j' },
		{ 0, 0, 0, 0 }
	};
	const char *status = NULL, *kind = NULL;
	int c, bad = 0, json = 0, rc;
	archive *a = NULL;
	json_t *list = NULL, *row;
	size_t i;

	begin_opts();
	while ((c = next_opt(argc, argv, opts, cli, "case list", &bad)) != -1) {
		if (c == 's')
			status = optarg;
		else if (c == 'k')
			kind = optarg;
		else if (c == 'j')
			json = 1;
	}
	if (bad)
		return bad;
	if (optind < argc)
		return cli_usage("case list", "unexpected argument '%s'",
				 argv[optind]);
	if (cli_open(&a, cli) || casework_case_list(&list, a, status, kind)) {
		rc = cli_fail();
		archive_free(a);
		return rc;
	}
	if (json)
		cli_print_json(list);
	else if (json_array_size(list) == 0)
		puts("No dossiers.");
	else {
		printf("%-9s %-12s %-8s %-10s %s\n", "ID", "STATUS", "KIND",
		       "RECEIVED", "TITLE");
		json_array_foreach(list, i, row)
		{
			if (json_object_get(row, "error")) {
				printf("%-9s %s\n", str(row, "id"),
				       str(row, "error"));
				continue;
			}
			printf("%-9s %-12s %-8s %-10s %s%s\n", str(row, "id"),
			       str(row, "status"), str(row, "kind"),
			       str(row, "received"), str(row, "title"),
			       !strcmp(str(row, "visibility"), "confidential")
				       ? " [vertrouwelijk]"
				       : "");
		}
	}
	json_decref(list);
	archive_free(a);
	return 0;
}

/* Prints a front matter value: text, a list joined by commas, or a map. */
static void print_value(const char *key, json_t *v)
{
	size_t i;
	json_t *item;
	const char *k;

	if (json_is_null(v))
		return;
	if (json_is_string(v)) {
		printf("%-14s %s\n", key, json_string_value(v));
		return;
	}
	if (json_is_array(v)) {
		printf("%-14s ", key);
		json_array_foreach(v, i, item)
		{
			if (json_is_string(item))
				printf("%s%s", i ? ", " : "",
				       json_string_value(item));
			else if (json_is_object(item))
				printf("%s%s", i ? "; " : "",
				       str(item, "what"));
		}
		putchar('\n');
		return;
	}
	if (json_is_object(v)) {
		printf("%-14s", key);
		json_object_foreach(v, k, item)
		{
			if (json_is_string(item))
				printf(" %s=%s", k, json_string_value(item));
			else if (json_is_array(item)) {
				printf(" %s=", k);
				for (size_t n = 0; n < json_array_size(item); n++)
					printf("%s%s", n ? "," : "",
					       json_string_value(
						       json_array_get(item, n)));
			}
		}
		putchar('\n');
	}
}

static void print_actions(json_t *actions)
{
	size_t i;
	json_t *a;

	json_array_foreach(actions, i, a)
	{
		printf("  [%c] %s", json_is_true(json_object_get(a, "done")) ? 'x' : ' ',
		       str(a, "what"));
		if (*str(a, "owner"))
			printf(" (%s", str(a, "owner"));
		if (*str(a, "due"))
			printf("%s%s", *str(a, "owner") ? ", " : " (",
			       str(a, "due"));
		if (*str(a, "owner") || *str(a, "due"))
			putchar(')');
		putchar('\n');
	}
}

static void print_dossier(json_t *d)
{
	const char *key;
	json_t *v, *advice, *response, *cited;
	size_t i;

	printf("%s  %s\n", str(d, "citation"), str(d, "title"));
	json_object_foreach(d, key, v)
	{
		if (!strcmp(key, "body") || !strcmp(key, "advice") ||
		    !strcmp(key, "response") || !strcmp(key, "cited_by") ||
		    !strcmp(key, "cited_how") ||
		    !strcmp(key, "citation") || !strcmp(key, "title"))
			continue;
		print_value(key, v);
	}
	cited = json_object_get(d, "cited_how");
	if (json_array_size(cited) > 0) {
		printf("%-14s ", "cited by");
		json_array_foreach(cited, i, v)
			printf("%s%s (%s)", i ? ", " : "", str(v, "id"),
			       str(v, "how"));
		putchar('\n');
	}
	printf("\n%s", str(d, "body"));
	advice = json_object_get(d, "advice");
	if (json_is_object(advice)) {
		printf("\n--- advies.md");
		if (*str(advice, "adopted"))
			printf(" (vastgesteld %s)", str(advice, "adopted"));
		printf(" ---\n");
		if (*str(advice, "summary"))
			printf("Samenvatting: %s\n", str(advice, "summary"));
		if (json_array_size(json_object_get(advice, "actions"))) {
			printf("Actiepunten:\n");
			print_actions(json_object_get(advice, "actions"));
		}
		printf("%s", str(advice, "body"));
	}
	response = json_object_get(d, "response");
	if (json_is_object(response))
		printf("\n--- reactie.md (%s, %s) ---\n%s", str(response, "from"),
		       str(response, "received"), str(response, "body"));
}

/*
 * Adds who cites dossier id: cited_by, their ids, and cited_how, each with
 * how ("related", "text" or "related+text"), from the search index. When
 * the index cannot be opened (a read-only archive, say) the related lists
 * of all dossiers answer instead.
 */
static void add_cited_by(json_t *d, archive *a, const char *id)
{
	search_index *ix = NULL;
	json_t *how = NULL, *ids = json_array(), *v;
	size_t i;

	if (search_open(&ix, a) != 0 || search_cited_by(&how, ix, id) != 0) {
		json_t *related = casework_cited_by(a, id);

		archive_error_clear();
		how = json_array();
		json_array_foreach(related, i, v)
			json_array_append_new(how, json_pack("{s:O,s:s}", "id",
							     v, "how",
							     "related"));
		json_decref(related);
	}
	search_close(ix);
	json_array_foreach(how, i, v)
		json_array_append(ids, json_object_get(v, "id"));
	json_object_set_new(d, "cited_by", ids);
	json_object_set_new(d, "cited_how", how);
}

int cmd_case_show(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, 0, 'j' }, { 0, 0, 0, 0 }
	};
	int c, bad = 0, json = 0, rc = 0;
	archive *a = NULL;
	json_t *d = NULL;

	begin_opts();
	while ((c = next_opt(argc, argv, opts, cli, "case show", &bad)) != -1)
		json = c == 'j' ? 1 : json;
	if (bad)
		return bad;
	if (argc - optind != 1)
		return cli_usage("case show", "give one dossier id");
	if (cli_open(&a, cli) || casework_case_show(&d, a, argv[optind]))
		rc = cli_fail();
	else {
		add_cited_by(d, a, argv[optind]);
		if (json) {
			json_object_del(d, "cited_how");
			cli_print_json(d);
		} else {
			print_dossier(d);
		}
	}
	json_decref(d);
	archive_free(a);
	return rc;
}

int cmd_case_set(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "author", required_argument, 0, OPT_AUTHOR }, { 0, 0, 0, 0 }
	};
	int c, bad = 0, rc = 0;
	archive *a = NULL;
	char *author = NULL;

	begin_opts();
	while ((c = next_opt(argc, argv, opts, cli, "case set", &bad)) != -1)
		;
	if (bad)
		return bad;
	if (argc - optind < 2)
		return cli_usage("case set", "give a dossier id and KEY=VALUE");
	if (cli_open(&a, cli) || cli_author(&author, cli, a) ||
	    casework_case_set(a, author, argv[optind], argv + optind + 1,
			      (size_t)(argc - optind - 1)))
		rc = cli_fail();
	free(author);
	archive_free(a);
	return rc;
}

int cmd_case_move(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "reason", required_argument, 0, 'r' },
		{ "author", required_argument, 0, OPT_AUTHOR },
		{ 0, 0, 0, 0 }
	};
	const char *reason = NULL;
	int c, bad = 0, rc = 0;
	archive *a = NULL;
	char *author = NULL;

	begin_opts();
	while ((c = next_opt(argc, argv, opts, cli, "case move", &bad)) != -1)
		if (c == 'r')
			reason = optarg;
	if (bad)
		return bad;
	if (argc - optind != 2)
		return cli_usage("case move", "give a dossier id and a status");
	if (cli_open(&a, cli) || cli_author(&author, cli, a) ||
	    casework_case_move(a, author, argv[optind], argv[optind + 1],
			       reason))
		rc = cli_fail();
	free(author);
	archive_free(a);
	return rc;
}

int cmd_case_log(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, 0, 'j' }, { 0, 0, 0, 0 }
	};
	int c, bad = 0, json = 0, rc = 0;
	archive *a = NULL;
	json_t *log = NULL, *row;
	size_t i;

	begin_opts();
	while ((c = next_opt(argc, argv, opts, cli, "case log", &bad)) != -1)
		json = c == 'j' ? 1 : json;
	if (bad)
		return bad;
	if (argc - optind != 1)
		return cli_usage("case log", "give one dossier id");
	if (cli_open(&a, cli) || casework_case_log(&log, a, argv[optind]))
		rc = cli_fail();
	else if (json)
		cli_print_json(log);
	else
		json_array_foreach(log, i, row)
		{
			const char *msg = str(row, "message");

			printf("%.16s  %-28s %.*s\n", str(row, "date"),
			       str(row, "author"), (int)strcspn(msg, "\n"), msg);
		}
	json_decref(log);
	archive_free(a);
	return rc;
}

/* Asks the triage questions on the terminal. */
static int ask(const char **answers, char bufs[][64])
{
	for (int i = 0; casework_triage_questions[i].key; i++) {
		const casework_triage_question *q = &casework_triage_questions[i];

		for (;;) {
			printf("%s\n  (", q->question);
			for (const char *const *a = q->answers; *a; a++)
				printf("%s%s", a == q->answers ? "" : " / ", *a);
			printf("; leeg: overslaan) > ");
			fflush(stdout);
			if (!fgets(bufs[i], 64, stdin))
				return -1;
			bufs[i][strcspn(bufs[i], "\r\n")] = '\0';
			if (!bufs[i][0])
				break;
			int ok = 0;

			for (const char *const *a = q->answers; *a; a++)
				ok |= !strcmp(*a, bufs[i]);
			if (ok) {
				answers[i] = bufs[i];
				break;
			}
			printf("  '%s' is geen van de antwoorden.\n", bufs[i]);
		}
	}
	return 0;
}

int cmd_case_triage(struct cli *cli, int argc, char **argv)
{
	static struct option opts[16];
	const char *answers[16] = { 0 };
	char bufs[16][64];
	int n = 0, c, bad = 0, json = 0, given = 0, rc = 0;
	archive *a = NULL;
	char *author = NULL;
	json_t *sugg = NULL, *row;
	size_t i;

	for (; casework_triage_questions[n].key; n++)
		opts[n] = (struct option){ casework_triage_questions[n].flag + 2,
					   required_argument, 0, 'a' + n };
	opts[n++] = (struct option){ "author", required_argument, 0, OPT_AUTHOR };
	opts[n++] = (struct option){ "json", no_argument, 0, 'J' };
	opts[n] = (struct option){ 0, 0, 0, 0 };
	begin_opts();
	while ((c = next_opt(argc, argv, opts, cli, "case triage", &bad)) != -1) {
		if (c == 'J')
			json = 1;
		else {
			answers[c - 'a'] = optarg;
			given = 1;
		}
	}
	if (bad)
		return bad;
	if (argc - optind != 1)
		return cli_usage("case triage", "give one dossier id");
	if (!given) {
		if (!isatty(STDIN_FILENO))
			return cli_usage("case triage",
					 "give the answers as flags (no "
					 "terminal to ask on)");
		if (ask(answers, bufs) != 0)
			return cli_usage("case triage", "no answers given");
	}
	if (cli_open(&a, cli) || cli_author(&author, cli, a) ||
	    casework_triage(&sugg, a, author, argv[optind], answers))
		rc = cli_fail();
	else if (json)
		cli_print_json(sugg);
	else {
		printf("Suggested instruments for %s:\n", argv[optind]);
		json_array_foreach(sugg, i, row)
			printf("  %-19s %s\n", str(row, "instrument"),
			       str(row, "reason"));
	}
	json_decref(sugg);
	free(author);
	archive_free(a);
	return rc;
}
