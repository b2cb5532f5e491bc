/*
 * mores.c: the command line: global options, command dispatch, usage and
 * exit codes (0 success, 1 an error, 2 bad usage).
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cli_fail(void)
{
	const char *msg = archive_error_last();

	fprintf(stderr, "mores: %s\n", *msg ? msg : "failed");
	return 1;
}

int cli_usage(const char *command, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "mores %s: ", command);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	for (const struct command *c = cli_commands; c->name; c++)
		if (!strcmp(c->name, command))
			fprintf(stderr, "usage: mores %s\n", c->usage);
	return EXIT_USAGE;
}

int cli_bad_option(const char *command, char **argv,
		   const struct option *opts)
{
	const char *arg = argv[optind - 1];

	if (optopt && !strncmp(arg, "--", 2))
		for (; opts->name; opts++)
			if (opts->val == optopt &&
			    opts->has_arg == required_argument)
				return cli_usage(command,
						 "option '%s' needs a value",
						 arg);
	return cli_usage(command, "bad option '%s'", arg);
}

int cli_open(archive **out, struct cli *cli)
{
	return archive_find(out, cli->archive_path);
}

int cli_author(char **out, struct cli *cli, archive *a)
{
	return archive_author_resolve(out, a, cli->author);
}

void cli_print_json(json_t *j)
{
	json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
}

static void usage(FILE *f)
{
	cli_help_overview(f);
}

/* Finds the command named by one or two words of argv. */
static const struct command *find_command(int argc, char **argv, int *words)
{
	for (const struct command *c = cli_commands; c->name; c++) {
		size_t n = strlen(argv[0]);

		if (strncmp(c->name, argv[0], n) != 0)
			continue;
		if (c->name[n] == '\0') {
			*words = 1;
			return c;
		}
		if (c->name[n] == ' ' && argc > 1 &&
		    strcmp(c->name + n + 1, argv[1]) == 0) {
			*words = 2;
			return c;
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct cli cli = { 0 };
	const struct command *cmd;
	int i = 1, words, rc;

	while (i < argc && argv[i][0] == '-') {
		if (!strcmp(argv[i], "-C") && i + 1 < argc) {
			cli.archive_path = argv[i + 1];
			i += 2;
		} else if (!strncmp(argv[i], "-C", 2) && argv[i][2]) {
			cli.archive_path = argv[i] + 2;
			i++;
		} else if (!strcmp(argv[i], "--author") && i + 1 < argc) {
			cli.author = argv[i + 1];
			i += 2;
		} else if (!strncmp(argv[i], "--author=", 9)) {
			cli.author = argv[i] + 9;
			i++;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--version")) {
			puts("mores " MORES_VERSION);
			return 0;
		} else {
			fprintf(stderr, "mores: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[i], "help")) {
		if (i + 1 >= argc) {
			usage(stdout);
			return 0;
		}
		{
			char name[64];

			snprintf(name, sizeof(name), "%s%s%s", argv[i + 1],
				 i + 2 < argc ? " " : "",
				 i + 2 < argc ? argv[i + 2] : "");
			return cli_help_command(name);
		}
	}
	cmd = find_command(argc - i, argv + i, &words);
	if (!cmd) {
		fprintf(stderr, "mores: unknown command '%s%s%s'\n", argv[i],
			i + 1 < argc ? " " : "", i + 1 < argc ? argv[i + 1] : "");
		usage(stderr);
		return EXIT_USAGE;
	}
	i += words - 1;
	/* --help anywhere after the command shows its help. */
	for (int k = i + 1; k < argc; k++)
		if (!strcmp(argv[k], "--help"))
			return cli_help_command(cmd->name);
	rc = cmd->run(&cli, argc - i, argv + i);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "mores: cannot write output: %s\n",
			strerror(errno));
		return 1;
	}
	return rc;
}
