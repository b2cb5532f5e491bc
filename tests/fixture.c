/*
 * fixture.c: throwaway archives on disk for the Check suites.
 */
#include "tests/fixture.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *fixture_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *dir;

	if (asprintf(&dir, "%s/mores-test-XXXXXX", base ? base : "/tmp") < 0)
		ck_abort_msg("out of memory");
	if (!mkdtemp(dir))
		ck_abort_msg("mkdtemp %s failed", dir);
	return dir;
}

void fixture_rmdir(char *dir)
{
	char *cmd;

	if (asprintf(&cmd, "rm -rf '%s'", dir) >= 0) {
		if (system(cmd) != 0)
			fprintf(stderr, "fixture: could not remove %s\n", dir);
		free(cmd);
	}
	free(dir);
}

archive *fixture_archive(const char *dir)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/arch", dir);
	if (archive_init(path, "Testcommissie", "ECT", FIXTURE_AUTHOR))
		ck_abort_msg("archive_init: %s", archive_error_last());
	return fixture_open(dir);
}

archive *fixture_open(const char *dir)
{
	char path[4096];
	archive *a;

	snprintf(path, sizeof(path), "%s/arch", dir);
	if (archive_open(&a, path))
		ck_abort_msg("archive_open: %s", archive_error_last());
	return a;
}

int fixture_git(const char *path, const char *args)
{
	char *cmd;
	int status;

	if (asprintf(&cmd, "git -C '%s' %s >/dev/null 2>&1", path, args) < 0)
		ck_abort_msg("out of memory");
	status = system(cmd);
	free(cmd);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The first line git prints for args, or "" when it fails. */
static void git_line(char *out, size_t size, const char *path,
		     const char *args)
{
	char *cmd;
	FILE *p;

	out[0] = '\0';
	if (asprintf(&cmd, "git -C '%s' %s 2>/dev/null", path, args) < 0)
		ck_abort_msg("out of memory");
	p = popen(cmd, "r");
	free(cmd);
	if (!p)
		return;
	if (fgets(out, (int)size, p))
		out[strcspn(out, "\n")] = '\0';
	pclose(p);
}

int fixture_commit_count(archive *a)
{
	char line[64];

	git_line(line, sizeof(line), archive_path(a), "rev-list --count HEAD");
	return line[0] ? atoi(line) : 0;
}

int fixture_file_equals(const char *dir, const char *rel, const char *text)
{
	char path[4096], *got;
	size_t len;
	int same;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	if (archive_file_slurp(&got, &len, path))
		return 0;
	same = len == strlen(text) && !memcmp(got, text, len);
	free(got);
	return same;
}

int fixture_file_in_head(archive *a, const char *path)
{
	char args[4200];

	snprintf(args, sizeof(args), "cat-file -e 'HEAD:%s'", path);
	return fixture_git(archive_path(a), args) == 0;
}

void fixture_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f))
		ck_abort_msg("cannot write %s", path);
}

struct put_files {
	const char *path[2];
	const char *text[2];
};

static int stage_files(archive_txn *t, void *ctx)
{
	struct put_files *p = ctx;
	int rc = 0;

	archive_txn_message(t, "Testbestand %s\n", p->path[0]);
	for (int i = 0; i < 2 && p->path[i] && !rc; i++)
		rc = archive_txn_put(t, p->path[i], p->text[i],
				     strlen(p->text[i]));
	return rc;
}

void fixture_commit_text(archive *a, const char *path, const char *text)
{
	struct put_files p = { { path, NULL }, { text, NULL } };

	if (archive_write(a, FIXTURE_AUTHOR, stage_files, &p))
		ck_abort_msg("commit %s: %s", path, archive_error_last());
}

void fixture_git_commit(archive *a, const char *path, const char *text)
{
	char file[] = "/tmp/mores-blob-XXXXXX", index[64], *cmd;
	int fd = mkstemp(file), status;

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		ck_abort_msg("cannot write a temporary file");
	close(fd);
	/* a private index leaves the working tree and its index alone */
	if (asprintf(&cmd,
		     "cd '%s' && export GIT_INDEX_FILE='%s.index' && "
		     "git read-tree HEAD && "
		     "blob=$(git hash-object -w '%s') && "
		     "git update-index --add --cacheinfo 100644,$blob,'%s' && "
		     "tree=$(git write-tree) && "
		     "c=$(git -c user.name=Ander -c user.email=ander@example.org "
		     "commit-tree $tree -p HEAD -m 'Elders gewijzigd') && "
		     "git update-ref HEAD $c",
		     archive_path(a), file, file, path) < 0)
		ck_abort_msg("out of memory");
	status = system(cmd);
	free(cmd);
	unlink(file);
	snprintf(index, sizeof(index), "%s.index", file);
	unlink(index);
	if (status != 0)
		ck_abort_msg("git could not commit %s", path);
}

void fixture_commit_file(archive *a, const char *path, int n)
{
	char text[32];

	snprintf(text, sizeof(text), "%d\n", n);
	fixture_git_commit(a, path, text);
}

void fixture_commit_dossier(archive *a, const char *id, const char *kind,
			    const char *advice)
{
	char dossier[2048], advies[512], dpath[256], apath[256];
	struct put_files p = { { dpath, advice ? apath : NULL },
			       { dossier, advies } };
	int asked = !strcmp(kind, FIXTURE_ASKED);

	snprintf(dpath, sizeof(dpath), "dossiers/%.4s/%s/dossier.md", id, id);
	snprintf(apath, sizeof(apath), "dossiers/%.4s/%s/advies.md", id, id);
	snprintf(dossier, sizeof(dossier),
		 "---\nid: %s\ntitle: Slimme camera's in %s\nkind: %s\n%s"
		 "received: %.4s-03-01\nstatus: %s\nvisibility: public\n"
		 "values: [privacy]\n---\nDe casus.\n",
		 id, id, kind,
		 asked ? "requester: Gemeente Test\nquestion: Mag het?\n" : "",
		 id, advice ? "draft" : "registered");
	snprintf(advies, sizeof(advies),
		 "---\nsummary: Kort gezegd.\n---\nHet advies over %s.\n", id);
	if (archive_write(a, FIXTURE_AUTHOR, stage_files, &p))
		ck_abort_msg("commit dossier %s: %s", id, archive_error_last());
}

void fixture_put_dossier(archive *a, const char *id, const char *title,
			 const char *front, const char *body,
			 const char *summary, const char *advice)
{
	char path[128], *text;

	snprintf(path, sizeof(path), "dossiers/%.4s/%s/dossier.md", id, id);
	if (asprintf(&text,
		     "---\nid: %s\ntitle: \"%s\"\nkind: unasked\nreceived: "
		     "%.4s-02-01\n%s---\n%s\n",
		     id, title, id, front, body) < 0)
		ck_abort_msg("out of memory");
	fixture_commit_text(a, path, text);
	free(text);
	if (!advice)
		return;
	snprintf(path, sizeof(path), "dossiers/%.4s/%s/advies.md", id, id);
	if (asprintf(&text,
		     "---\nadopted: %.4s-06-01\nsummary: \"%s\"\n---\n%s\n",
		     id, summary, advice) < 0)
		ck_abort_msg("out of memory");
	fixture_commit_text(a, path, text);
	free(text);
}

void fixture_note_problem(void *ctx, const char *field)
{
	char *buf = ctx;
	size_t used = strlen(buf);

	snprintf(buf + used, 1024 - used, "%s,", field);
}
