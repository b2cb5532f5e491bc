/*
 * cmd_other.c: the commands besides `case`: init, advice and response,
 * due, check and template list.
 */
#include "casework/casework.h"
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define OPT_AUTHOR 1000

static int parse_opts(int argc, char **argv, const struct option *opts,
		      struct cli *cli, const char *name,
		      int (*each)(int c, void *ctx), void *ctx)
{
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == OPT_AUTHOR)
			cli->author = optarg;
		else if (c == '?' || c == ':')
			return cli_bad_option(name, argv, opts);
		else if (each && each(c, ctx) != 0)
			return EXIT_USAGE;
	}
	return 0;
}

static const struct option author_only[] = {
	{ "author", required_argument, 0, OPT_AUTHOR }, { 0, 0, 0, 0 }
};

static const char *str(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v ? v : "";
}

/* ---- init ----------------------------------------------------------- */

struct init_opts {
	const char *name, *code;
};

static int init_opt(int c, void *ctx)
{
	struct init_opts *o = ctx;

	if (c == 'n')
		o->name = optarg;
	else if (c == 'c')
		o->code = optarg;
	return 0;
}

int cmd_init(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, 0, 'n' },
		{ "code", required_argument, 0, 'c' },
		{ "author", required_argument, 0, OPT_AUTHOR },
		{ 0, 0, 0, 0 }
	};
	struct init_opts o = { 0 };
	char *author = NULL;
	int rc = parse_opts(argc, argv, opts, cli, "init", init_opt, &o);

	if (rc)
		return rc;
	if (argc - optind != 1)
		return cli_usage("init", "give one folder");
	if (!o.name || !o.code)
		return cli_usage("init", "--name and --code are required");
	if (archive_author_resolve(&author, NULL, cli->author) ||
	    archive_init(argv[optind], o.name, o.code, author))
		rc = cli_fail();
	else
		printf("Created archive %s for %s (%s)\n", argv[optind], o.name,
		       o.code);
	free(author);
	return rc;
}

/* ---- advice and response ------------------------------------------------ */

static int read_input(char **out, size_t *len, const char *file)
{
	char *buf = NULL;
	size_t used = 0, cap = 0, got;

	if (strcmp(file, "-") != 0)
		return archive_file_slurp(out, len, file);
	do {
		if (cap - used < 4096) {
			char *nb = realloc(buf, (cap = cap * 2 + 8192) + 1);

			if (!nb) {
				free(buf);
				return archive_error_set(ARCHIVE_ERROR,
							 "out of memory");
			}
			buf = nb;
		}
		got = fread(buf + used, 1, cap - used, stdin);
		used += got;
	} while (got > 0);
	if (ferror(stdin)) {
		free(buf);
		return archive_error_set(ARCHIVE_ERROR, "cannot read stdin");
	}
	buf[used] = '\0';
	*out = buf;
	*len = used;
	return 0;
}

static int template_opt(int c, void *ctx)
{
	if (c == 't')
		*(const char **)ctx = optarg;
	return 0;
}

int cmd_advice_new(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "template", required_argument, 0, 't' },
		{ "author", required_argument, 0, OPT_AUTHOR },
		{ 0, 0, 0, 0 }
	};
	const char *tpl = NULL;
	archive *a = NULL;
	char *author = NULL;
	int rc = parse_opts(argc, argv, opts, cli, "advice new", template_opt,
			    &tpl);

	if (rc)
		return rc;
	if (argc - optind != 1)
		return cli_usage("advice new", "give one dossier id");
	if (cli_open(&a, cli) || cli_author(&author, cli, a) ||
	    casework_advice_new(a, author, argv[optind], tpl))
		rc = cli_fail();
	else
		printf("Drafted advies.md for %s; edit it with: mores advice "
		       "edit %s\n",
		       argv[optind], argv[optind]);
	free(author);
	archive_free(a);
	return rc;
}

static int put_common(struct cli *cli, int argc, char **argv, const char *name,
		      int (*put)(archive *, const char *, const char *,
				 const char *, size_t))
{
	archive *a = NULL;
	char *author = NULL, *text = NULL;
	size_t len = 0;
	int rc = parse_opts(argc, argv, author_only, cli, name, NULL, NULL);

	if (rc)
		return rc;
	if (argc - optind != 2)
		return cli_usage(name, "give a dossier id and FILE (or -)");
	if (cli_open(&a, cli) || cli_author(&author, cli, a) ||
	    read_input(&text, &len, argv[optind + 1]) ||
	    put(a, author, argv[optind], text, len))
		rc = cli_fail();
	free(text);
	free(author);
	archive_free(a);
	return rc;
}

int cmd_advice_put(struct cli *cli, int argc, char **argv)
{
	return put_common(cli, argc, argv, "advice put", casework_advice_put);
}

int cmd_response_put(struct cli *cli, int argc, char **argv)
{
	return put_common(cli, argc, argv, "response put",
			  casework_response_put);
}

/* Runs $VISUAL or $EDITOR (through the shell, so it may carry options) on
 * path. Returns 0 when the editor exited successfully. */
static int run_editor(const char *path)
{
	const char *editor = getenv("VISUAL");
	pid_t pid;
	int status;

	if (!editor || !*editor)
		editor = getenv("EDITOR");
	if (!editor || !*editor)
		editor = "vi";
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		char cmd[4096];

		snprintf(cmd, sizeof(cmd), "%s \"$1\"", editor);
		execl("/bin/sh", "sh", "-c", cmd, "sh", path, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int cmd_advice_edit(struct cli *cli, int argc, char **argv)
{
	archive *a = NULL;
	char *author = NULL, *before = NULL, *after = NULL;
	char path[4096];
	const char *tmp = getenv("TMPDIR");
	size_t len = 0;
	FILE *f;
	int fd, rc = parse_opts(argc, argv, author_only, cli, "advice edit",
				NULL, NULL);

	if (rc)
		return rc;
	if (argc - optind != 1)
		return cli_usage("advice edit", "give one dossier id");
	if (cli_open(&a, cli) || cli_author(&author, cli, a) ||
	    casework_advice_text(&before, a, argv[optind])) {
		rc = cli_fail();
		goto done;
	}
	snprintf(path, sizeof(path), "%s/mores-advies-%s-XXXXXX.md",
		 tmp && *tmp ? tmp : "/tmp", argv[optind]);
	fd = mkstemps(path, 3);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		fprintf(stderr, "mores: %s: %s\n", path, strerror(errno));
		rc = 1;
		goto done;
	}
	fputs(before, f);
	if (fclose(f) != 0) {
		fprintf(stderr, "mores: %s: %s\n", path, strerror(errno));
		unlink(path);
		rc = 1;
		goto done;
	}
	if (run_editor(path) != 0) {
		fprintf(stderr, "mores: the editor failed; nothing was "
				"committed (your text: %s)\n",
			path);
		rc = 1;
		goto done;
	}
	if (archive_file_slurp(&after, &len, path)) {
		rc = cli_fail();
		goto done;
	}
	if (!strcmp(before, after)) {
		puts("No changes.");
		unlink(path);
		goto done;
	}
	if (casework_advice_put(a, author, argv[optind], after, len)) {
		rc = cli_fail();
		fprintf(stderr, "mores: nothing was committed; your text is "
				"kept in %s\n",
			path);
		goto done;
	}
	unlink(path);
done:
	free(before);
	free(after);
	free(author);
	archive_free(a);
	return rc;
}

/* ---- due, check, template list ----------------------------------------- */

struct due_opts {
	int within, json;
	const char *bad;
};

static int due_opt(int c, void *ctx)
{
	struct due_opts *o = ctx;
	char *end;
	long v;

	if (c == 'j') {
		o->json = 1;
		return 0;
	}
	v = strtol(optarg, &end, 10);
	if (*end || end == optarg || v < 0 || v > 36500) {
		cli_usage("due", "--within: '%s' is not a number of days",
			  optarg);
		return 1;
	}
	o->within = (int)v;
	return 0;
}

int cmd_due(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "within", required_argument, 0, 'w' },
		{ "json", no_argument, 0, 'j' },
		{ 0, 0, 0, 0 }
	};
	struct due_opts o = { -1, 0, NULL };
	archive *a = NULL;
	json_t *items = NULL, *row;
	size_t i;
	int rc = parse_opts(argc, argv, opts, cli, "due", due_opt, &o);

	if (rc)
		return rc;
	if (optind < argc)
		return cli_usage("due", "unexpected argument '%s'", argv[optind]);
	if (cli_open(&a, cli) || casework_due(&items, a, o.within)) {
		rc = cli_fail();
	} else if (o.json) {
		cli_print_json(items);
	} else if (json_array_size(items) == 0) {
		puts("Nothing due.");
	} else {
		static const char *const labels[][2] = {
			{ "deadline", "deadline" },
			{ "follow_up", "follow-up" },
			{ "action", "action" },
		};
		printf("%-10s %-9s %-9s %-9s %s\n", "DATE", "", "WHAT", "ID",
		       "TITLE / ACTION");
		json_array_foreach(items, i, row)
		{
			const char *what = str(row, "what"), *label = what;
			long days = (long)json_integer_value(
				json_object_get(row, "days"));
			char when[32];

			for (size_t k = 0; k < 3; k++)
				if (!strcmp(labels[k][0], what))
					label = labels[k][1];
			if (days < 0)
				snprintf(when, sizeof(when), "overdue");
			else if (days == 0)
				snprintf(when, sizeof(when), "today");
			else
				snprintf(when, sizeof(when), "in %ldd", days);
			printf("%-10s %-9s %-9s %-9s ", str(row, "date"), when,
			       label, str(row, "id"));
			if (!strcmp(what, "action"))
				printf("%s%s%s%s\n", str(row, "action"),
				       *str(row, "owner") ? " (" : "",
				       str(row, "owner"),
				       *str(row, "owner") ? ")" : "");
			else
				printf("%s\n", str(row, "title"));
		}
	}
	json_decref(items);
	archive_free(a);
	return rc;
}

static void print_problem(const char *file, const char *field,
			  const char *msg, void *ctx)
{
	(void)ctx;
	printf("%s: %s: %s\n", file, field, msg);
}

int cmd_check(struct cli *cli, int argc, char **argv)
{
	archive *a = NULL;
	int n, rc = parse_opts(argc, argv, author_only, cli, "check", NULL,
			       NULL);

	if (rc)
		return rc;
	if (optind < argc)
		return cli_usage("check", "unexpected argument '%s'",
				 argv[optind]);
	if (cli_open(&a, cli))
		return cli_fail();
	n = casework_check(a, print_problem, NULL);
	if (n < 0)
		rc = cli_fail();
	else if (n > 0) {
		fprintf(stderr, "mores: %d problem%s found\n", n,
			n == 1 ? "" : "s");
		rc = 1;
	}
	archive_free(a);
	return rc;
}

int cmd_template_list(struct cli *cli, int argc, char **argv)
{
	archive *a = NULL;
	json_t *list = NULL, *row;
	size_t i;
	int rc = parse_opts(argc, argv, author_only, cli, "template list", NULL,
			    NULL);

	if (rc)
		return rc;
	if (cli_open(&a, cli) || casework_template_list(&list, a))
		rc = cli_fail();
	else
		json_array_foreach(list, i, row)
			printf("%-20s %-8s %s\n", str(row, "name"),
			       str(row, "source"), str(row, "title"));
	json_decref(list);
	archive_free(a);
	return rc;
}
