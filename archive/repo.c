/*
 * repo.c: opening, finding and creating archives, their settings
 * (mores.yml), and reading files and folders of a committed state.
 */
#include "archive_int.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int archive_git_fail(int code, const char *what)
{
	const git_error *e = git_error_last();

	return archive_error_set(code, "%s: %s", what,
				 e && e->message ? e->message : "git error");
}

void archive_snap_clear(struct archive_snap *snap)
{
	git_tree_free(snap->tree);
	git_commit_free(snap->commit);
	snap->tree = NULL;
	snap->commit = NULL;
	snap->hex[0] = '\0';
}

int archive_snap_set(struct archive_snap *snap, struct archive *a,
		     const git_oid *oid)
{
	git_commit *commit;
	git_tree *tree;

	if (git_commit_lookup(&commit, a->repo, oid) != 0)
		return archive_git_fail(ARCHIVE_ERROR, a->path);
	if (git_commit_tree(&tree, commit) != 0) {
		git_commit_free(commit);
		return archive_git_fail(ARCHIVE_ERROR, a->path);
	}
	archive_snap_clear(snap);
	snap->archive = a;
	snap->commit = commit;
	snap->tree = tree;
	git_oid_tostr(snap->hex, sizeof(snap->hex), oid);
	return 0;
}

int archive_branch(char **out, struct archive *a)
{
	git_reference *head;
	const char *target;

	*out = NULL;
	if (git_reference_lookup(&head, a->repo, "HEAD") != 0)
		return archive_git_fail(ARCHIVE_ERROR, a->path);
	target = git_reference_symbolic_target(head);
	if (!target) {
		git_reference_free(head);
		return archive_error_set(
			ARCHIVE_EINVALID,
			"%s: HEAD is detached; check out a branch first",
			a->path);
	}
	*out = strdup(target);
	git_reference_free(head);
	return *out ? 0 : archive_error_set(ARCHIVE_ERROR, "out of memory");
}

static int head_oid(git_oid *oid, struct archive *a)
{
	char *branch;
	int rc = archive_branch(&branch, a);

	if (rc != 0)
		return rc;
	rc = git_reference_name_to_id(oid, a->repo, branch);
	free(branch);
	if (rc == GIT_ENOTFOUND)
		return archive_error_set(ARCHIVE_ENOTFOUND,
					 "%s: not a mores archive (no commits)",
					 a->path);
	return rc == 0 ? 0 : archive_git_fail(ARCHIVE_ERROR, a->path);
}

void archive_free(archive *a)
{
	if (!a)
		return;
	archive_snap_clear(&a->snap);
	archive_node_free(a->settings);
	git_repository_free(a->repo);
	free(a->path);
	free(a->derived);
	free(a);
	git_libgit2_shutdown();
}

static char *join(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *s = malloc(n);

	if (s)
		snprintf(s, n, "%s%s%s", a,
			 *a && a[strlen(a) - 1] == '/' ? "" : "/", b);
	return s;
}

int archive_settings_parse(archive_node **out, const char *text, size_t len)
{
	archive_node *settings = NULL;
	int rc;

	*out = NULL;
	if (archive_utf8_check(text, len, NULL) != 0)
		return archive_error_set(ARCHIVE_EINVALID,
					 "mores.yml: not valid UTF-8 text");
	if ((rc = archive_yaml_parse(&settings, "mores.yml", text, len, 1)))
		return rc;
	if (archive_node_kind_of(settings) != ARCHIVE_NODE_MAP ||
	    !archive_node_get_scalar(settings, "code")) {
		archive_node_free(settings);
		return archive_error_set(ARCHIVE_EINVALID,
					 "mores.yml: code: missing (the "
					 "committee's citation code, e.g. ECE)");
	}
	*out = settings;
	return 0;
}

/*
 * libgit2 built with mbedTLS reads and decodes every certificate of the
 * system's CA store when it starts, for HTTPS remotes: about 5 ms of
 * every command that opens an archive. mores only opens local
 * repositories (harvesting goes through libcurl), so the Makefile links
 * libgit2's call to mbedtls_x509_crt_parse_file here instead (ld --wrap).
 * The store stays empty: an HTTPS remote through libgit2 would fail
 * verification, never be trusted unchecked.
 */
int __wrap_mbedtls_x509_crt_parse_file(void *chain, const char *path);

int __wrap_mbedtls_x509_crt_parse_file(void *chain, const char *path)
{
	(void)chain;
	(void)path;
	return 0;
}

/* Starts libgit2 (each call is matched by git_libgit2_shutdown()) with
 * the settings every archive uses. */
static void libgit2_setup(void)
{
	git_libgit2_init();
	git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1);
	/* A year's tree holds hundreds of dossiers and every path lookup
	 * passes through it: keep trees of any size in the object cache
	 * (libgit2 keeps none over 4 KiB), or each lookup inflates it anew. */
	git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_TREE,
			 (size_t)1 << 22);
	/* Pack files are read through memory maps, which libgit2 lets grow
	 * to 8 GiB: reading a whole large archive (an index rebuild, a site
	 * build) then holds all of its packs in memory. Windows of 16 MiB,
	 * 64 MiB of them at most, keep memory the same at any size. */
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, (size_t)16 << 20);
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, (size_t)64 << 20);
	/* An object read is not hashed again to see that it is the one
	 * asked for, as git does not when it reads: zlib's checksum still
	 * catches a damaged object, and `git fsck` checks the hashes. The
	 * hashing was a fifth of the time of reading a dossier. */
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
}

int archive_open(archive **out, const char *path)
{
	archive *a;
	git_oid oid;
	char *text = NULL;
	size_t len;
	int rc;

	*out = NULL;
	libgit2_setup();
	a = calloc(1, sizeof(*a));
	if (!a) {
		git_libgit2_shutdown();
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	}
	if (git_repository_open_ext(&a->repo, path,
				    GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) != 0) {
		rc = archive_error_set(ARCHIVE_ENOTFOUND,
				       "%s: not a mores archive (no git "
				       "repository here)",
				       path);
		goto fail;
	}
	if (git_repository_is_bare(a->repo)) {
		a->path = strdup(git_repository_path(a->repo));
		a->derived = join(a->path, "mores");
	} else {
		a->path = strdup(git_repository_workdir(a->repo));
		a->derived = a->path ? join(a->path, ".mores") : NULL;
	}
	if (!a->path || !a->derived) {
		rc = archive_error_set(ARCHIVE_ERROR, "out of memory");
		goto fail;
	}
	if (strlen(a->path) > 1 && a->path[strlen(a->path) - 1] == '/')
		a->path[strlen(a->path) - 1] = '\0';
	if ((rc = head_oid(&oid, a)) != 0)
		goto fail;
	if ((rc = archive_snap_set(&a->snap, a, &oid)) != 0)
		goto fail;
	rc = archive_snap_read(&text, &len, &a->snap, "mores.yml");
	if (rc == ARCHIVE_ENOTFOUND) {
		rc = archive_error_set(ARCHIVE_ENOTFOUND,
				       "%s: not a mores archive (no mores.yml "
				       "committed)",
				       path);
		goto fail;
	}
	if (rc != 0)
		goto fail;
	rc = archive_settings_parse(&a->settings, text, len);
	free(text);
	if (rc != 0)
		goto fail;
	*out = a;
	return 0;
fail:
	archive_free(a);
	return rc;
}

int archive_open_at(archive **out, const archive *a)
{
	archive *b;
	int rc = archive_open(&b, a->path);

	*out = NULL;
	if (rc != 0)
		return rc;
	if ((rc = archive_snap_set(&b->snap, b, git_commit_id(a->snap.commit))) !=
	    0) {
		archive_free(b);
		return rc;
	}
	*out = b;
	return 0;
}

int archive_find(archive **out, const char *path)
{
	char dir[PATH_MAX], probe[PATH_MAX + 16];
	const char *env = getenv("MORES_ARCHIVE");
	struct stat st;

	if (path)
		return archive_open(out, path);
	if (env && *env)
		return archive_open(out, env);
	if (!getcwd(dir, sizeof(dir)))
		return archive_error_set(ARCHIVE_ERROR,
					 "cannot read the current folder");
	for (;;) {
		char *slash;

		snprintf(probe, sizeof(probe), "%s/mores.yml", dir);
		if (stat(probe, &st) == 0)
			return archive_open(out, dir[0] ? dir : "/");
		slash = strrchr(dir, '/');
		if (!slash || slash == dir) {
			if (dir[1] == '\0' || !slash)
				break;
			dir[1] = '\0';
			continue;
		}
		*slash = '\0';
	}
	*out = NULL;
	return archive_error_set(ARCHIVE_ENOTFOUND,
				 "no archive here: no mores.yml in this folder "
				 "or above it (use -C ARCHIVE or $MORES_ARCHIVE)");
}

const char *archive_path(const archive *a)
{
	return a->path;
}

int archive_is_bare(const archive *a)
{
	return git_repository_is_bare(a->repo);
}

const char *archive_name(const archive *a)
{
	const char *name = archive_node_get_scalar(a->settings, "name");

	return name ? name : archive_code(a);
}

const char *archive_code(const archive *a)
{
	return archive_node_get_scalar(a->settings, "code");
}

const archive_node *archive_settings(const archive *a)
{
	return a->settings;
}

const char *archive_derived_dir(const archive *a)
{
	return a->derived;
}

archive_snap *archive_snapshot(archive *a)
{
	return &a->snap;
}

const char *archive_snap_commit(const archive_snap *s)
{
	return s->hex;
}

static int lookup_entry(git_tree_entry **out, archive_snap *s,
			const char *path, git_object_t want)
{
	int rc = git_tree_entry_bypath(out, s->tree, path);

	if (rc == GIT_ENOTFOUND ||
	    (rc == 0 && git_tree_entry_type(*out) != want)) {
		if (rc == 0)
			git_tree_entry_free(*out);
		*out = NULL;
		return ARCHIVE_ENOTFOUND;
	}
	if (rc != 0)
		return archive_git_fail(ARCHIVE_ERROR, path);
	return 0;
}

int archive_snap_read(char **out, size_t *len, archive_snap *s,
		      const char *path)
{
	git_tree_entry *entry;
	git_blob *blob;
	size_t n;
	int rc;

	*out = NULL;
	rc = lookup_entry(&entry, s, path, GIT_OBJECT_BLOB);
	if (rc == ARCHIVE_ENOTFOUND)
		return archive_error_set(rc, "%s: no such file", path);
	if (rc != 0)
		return rc;
	rc = archive_object_check(s->archive, git_tree_entry_id(entry), path);
	if (rc != 0) {
		git_tree_entry_free(entry);
		return rc;
	}
	rc = git_blob_lookup(&blob, s->archive->repo,
			     git_tree_entry_id(entry));
	git_tree_entry_free(entry);
	if (rc != 0)
		return archive_git_fail(ARCHIVE_ERROR, path);
	n = (size_t)git_blob_rawsize(blob);
	*out = malloc(n + 1);
	if (!*out) {
		git_blob_free(blob);
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	}
	memcpy(*out, git_blob_rawcontent(blob), n);
	(*out)[n] = '\0';
	git_blob_free(blob);
	if (len)
		*len = n;
	return 0;
}

int archive_snap_blob_id(char out[41], archive_snap *s, const char *path)
{
	git_tree_entry *entry;
	int rc = lookup_entry(&entry, s, path, GIT_OBJECT_BLOB);

	out[0] = '\0';
	if (rc != 0)
		return rc;
	git_oid_tostr(out, 41, git_tree_entry_id(entry));
	git_tree_entry_free(entry);
	return 0;
}

int archive_snap_entry_id(char out[41], archive_snap *s, const char *path)
{
	git_tree_entry *entry;
	int rc = git_tree_entry_bypath(&entry, s->tree, path);

	out[0] = '\0';
	if (rc == GIT_ENOTFOUND) {
		git_error_clear();
		return archive_error_set(ARCHIVE_ENOTFOUND, "%s: no such file "
					 "or folder", path);
	}
	if (rc != 0)
		return archive_git_fail(ARCHIVE_ERROR, path);
	git_oid_tostr(out, 41, git_tree_entry_id(entry));
	git_tree_entry_free(entry);
	return 0;
}

static int cmp_names(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

void archive_names_free(char **names, size_t count)
{
	if (!names)
		return;
	for (size_t i = 0; i < count; i++)
		free(names[i]);
	free(names);
}

int archive_snap_list(char ***out, size_t *count, archive_snap *s,
		      const char *dir)
{
	git_tree_entry *entry = NULL;
	git_tree *tree;
	char **names;
	size_t n;
	int rc;

	*out = NULL;
	*count = 0;
	if (!dir || !*dir) {
		if (git_tree_dup(&tree, s->tree) != 0)
			return archive_git_fail(ARCHIVE_ERROR, "tree");
	} else {
		rc = lookup_entry(&entry, s, dir, GIT_OBJECT_TREE);
		if (rc != 0)
			return rc == ARCHIVE_ENOTFOUND
				       ? archive_error_set(rc,
							   "%s: no such folder",
							   dir)
				       : rc;
		rc = git_tree_lookup(&tree, s->archive->repo,
				     git_tree_entry_id(entry));
		git_tree_entry_free(entry);
		if (rc != 0)
			return archive_git_fail(ARCHIVE_ERROR, dir);
	}
	n = git_tree_entrycount(tree);
	names = calloc(n ? n : 1, sizeof(*names));
	if (!names) {
		git_tree_free(tree);
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		names[i] = strdup(
			git_tree_entry_name(git_tree_entry_byindex(tree, i)));
		if (!names[i]) {
			archive_names_free(names, i);
			git_tree_free(tree);
			return archive_error_set(ARCHIVE_ERROR, "out of memory");
		}
	}
	git_tree_free(tree);
	qsort(names, n, sizeof(*names), cmp_names);
	*out = names;
	*count = n;
	return 0;
}

/* ---- authors ---------------------------------------------------------- */

static int author_check(const char *author, const char *source)
{
	const char *lt = strchr(author, '<');
	size_t len = strlen(author);

	if (!lt || lt == author || len < 3 || author[len - 1] != '>' ||
	    strchr(lt + 1, '<') || strchr(author, '\n') ||
	    lt + 1 == author + len - 1)
		return archive_error_set(ARCHIVE_EINVALID,
					 "%s: author '%s' is not of the form "
					 "'Name <mail>'",
					 source, author);
	return 0;
}

int archive_author_resolve(char **out, archive *a, const char *given)
{
	const char *env = getenv("MORES_AUTHOR");
	git_config *cfg = NULL;
	git_buf name = { 0 }, mail = { 0 };
	int rc;

	*out = NULL;
	if (given || (env && *env)) {
		const char *author = given ? given : env;

		rc = author_check(author, given ? "--author" : "MORES_AUTHOR");
		if (rc != 0)
			return rc;
		*out = strdup(author);
		return *out ? 0 : archive_error_set(ARCHIVE_ERROR,
						    "out of memory");
	}
	if (a)
		rc = git_repository_config_snapshot(&cfg, a->repo);
	else
		rc = git_config_open_default(&cfg);
	if (rc == 0 && git_config_get_string_buf(&name, cfg, "user.name") == 0 &&
	    git_config_get_string_buf(&mail, cfg, "user.email") == 0 &&
	    name.size > 0 && mail.size > 0) {
		size_t n = name.size + mail.size + 4;

		*out = malloc(n);
		if (*out)
			snprintf(*out, n, "%s <%s>", name.ptr, mail.ptr);
	}
	git_buf_dispose(&name);
	git_buf_dispose(&mail);
	git_config_free(cfg);
	if (*out)
		return 0;
	return archive_error_set(ARCHIVE_ENOAUTHOR,
				 "no author known: pass --author \"Name "
				 "<mail>\", set MORES_AUTHOR, or set git's "
				 "user.name and user.email");
}

int archive_signature(git_signature **out, const char *author)
{
	const char *lt = strchr(author, '<');
	char *name;
	size_t n;
	int rc;

	if (author_check(author, "author") != 0)
		return ARCHIVE_EINVALID;
	n = (size_t)(lt - author);
	while (n > 0 && author[n - 1] == ' ')
		n--;
	name = strndup(author, n);
	if (!name)
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	{
		char *mail = strndup(lt + 1, strlen(lt + 1) - 1);

		rc = mail ? git_signature_now(out, name, mail) : -1;
		free(mail);
	}
	free(name);
	return rc == 0 ? 0 : archive_git_fail(ARCHIVE_EINVALID, "author");
}

int archive_path_check(const char *path)
{
	const char *p = path;

	if (!*path || *path == '/')
		goto bad;
	while (*p) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);

		if (n == 0 || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.') ||
		    (n == 4 && strncasecmp(p, ".git", 4) == 0))
			goto bad;
		if (memchr(p, '\\', n))
			goto bad;
		p += n + (slash ? 1 : 0);
		if (slash && !*p)
			goto bad;
	}
	return 0;
bad:
	return archive_error_set(ARCHIVE_EINVALID,
				 "'%s' is not a path inside the archive", path);
}

/* ---- creating an archive ---------------------------------------------- */

static int code_check(const char *code)
{
	size_t n = strlen(code);

	if (n < 1 || n > 12)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!((code[i] >= 'A' && code[i] <= 'Z') ||
		      (i > 0 && code[i] >= '0' && code[i] <= '9')))
			return -1;
	return 0;
}

static int put_blob(git_treebuilder *tb, git_repository *repo,
		    const char *name, const char *text)
{
	git_oid oid;

	if (git_blob_create_from_buffer(&oid, repo, text, strlen(text)) != 0 ||
	    git_treebuilder_insert(NULL, tb, name, &oid,
				   GIT_FILEMODE_BLOB) != 0)
		return archive_git_fail(ARCHIVE_ERROR, name);
	return 0;
}

static int settings_text(char **out, const char *name, const char *code)
{
	archive_node *root = archive_node_new(ARCHIVE_NODE_MAP, NULL);
	archive_node *site = archive_node_new(ARCHIVE_NODE_MAP, NULL);
	char title[600];
	int rc;

	if (!root || !site) {
		archive_node_free(root);
		archive_node_free(site);
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	}
	snprintf(title, sizeof(title), "Reflecties van de %s", name);
	rc = archive_node_put_scalar(root, "name", name);
	rc = rc ? rc : archive_node_put_scalar(root, "code", code);
	rc = rc ? rc : archive_node_put_scalar(root, "language", "nl");
	rc = rc ? rc : archive_node_put_scalar(site, "title", title);
	if (rc != 0)
		archive_node_free(site);
	else
		rc = archive_node_put(root, "site", site);
	if (rc == 0)
		rc = archive_yaml_emit(out, NULL, root);
	archive_node_free(root);
	return rc;
}

int archive_init(const char *dir, const char *name, const char *code,
		 const char *author)
{
	git_repository *repo = NULL;
	git_repository_init_options opts = GIT_REPOSITORY_INIT_OPTIONS_INIT;
	git_treebuilder *tb = NULL;
	git_signature *sig = NULL;
	git_oid tree_oid, commit_oid;
	git_tree *tree = NULL;
	char *settings = NULL;
	struct stat st;
	int rc;

	if (!name || !*name || strchr(name, '\n') || strlen(name) > 200)
		return archive_error_set(ARCHIVE_EINVALID,
					 "--name: '%s' is not a committee name "
					 "(one line, at most 200 characters)",
					 name ? name : "");
	if (archive_utf8_check(name, strlen(name), NULL) != 0)
		return archive_error_set(ARCHIVE_EINVALID,
					 "--name: not valid UTF-8 text");
	if (!code || code_check(code) != 0)
		return archive_error_set(ARCHIVE_EINVALID,
					 "--code: '%s' is not a citation code "
					 "(capital letters and digits, starting "
					 "with a letter, at most 12, e.g. ECE)",
					 code ? code : "");
	libgit2_setup();
	if ((rc = archive_signature(&sig, author)) != 0) {
		git_libgit2_shutdown();
		return rc;
	}
	{
		char probe[PATH_MAX];

		snprintf(probe, sizeof(probe), "%s/.git", dir);
		if (stat(probe, &st) == 0 ||
		    git_repository_open_ext(&repo, dir,
					    GIT_REPOSITORY_OPEN_NO_SEARCH,
					    NULL) == 0) {
			git_repository_free(repo);
			git_signature_free(sig);
			git_libgit2_shutdown();
			return archive_error_set(ARCHIVE_EEXISTS,
						 "%s: already holds a git "
						 "repository",
						 dir);
		}
	}
	opts.flags = GIT_REPOSITORY_INIT_MKPATH | GIT_REPOSITORY_INIT_NO_REINIT;
	opts.initial_head = "main";
	rc = ARCHIVE_ERROR;
	if (settings_text(&settings, name, code) != 0)
		goto done;
	if (git_repository_init_ext(&repo, dir, &opts) != 0) {
		archive_git_fail(ARCHIVE_ERROR, dir);
		goto done;
	}
	if (git_treebuilder_new(&tb, repo, NULL) != 0 ||
	    put_blob(tb, repo, "mores.yml", settings) != 0 ||
	    put_blob(tb, repo, ".gitignore", "/.mores/\n/_site/\n") != 0 ||
	    git_treebuilder_write(&tree_oid, tb) != 0 ||
	    git_tree_lookup(&tree, repo, &tree_oid) != 0) {
		archive_git_fail(ARCHIVE_ERROR, dir);
		goto done;
	}
	if (git_commit_create(&commit_oid, repo, "HEAD", sig, sig, NULL,
			      "Archief aangemaakt\n", tree, 0, NULL) != 0) {
		archive_git_fail(ARCHIVE_ERROR, dir);
		goto done;
	}
	{
		git_checkout_options co = GIT_CHECKOUT_OPTIONS_INIT;

		co.checkout_strategy = GIT_CHECKOUT_SAFE;
		if (git_checkout_head(repo, &co) != 0) {
			archive_git_fail(ARCHIVE_ERROR, dir);
			goto done;
		}
	}
	rc = 0;
done:
	free(settings);
	git_tree_free(tree);
	git_treebuilder_free(tb);
	git_signature_free(sig);
	git_repository_free(repo);
	git_libgit2_shutdown();
	return rc;
}
