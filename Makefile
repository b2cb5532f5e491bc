# mores: one Makefile for the program, its tests, the demo and benchmarks.

PREFIX ?= /usr/local
BINDIR = $(PREFIX)/bin
DATADIR = $(PREFIX)/share/mores
MANDIR = $(PREFIX)/share/man/man1

CC ?= cc
PKGS = libgit2 yaml-0.1 jansson sqlite3 libcmark-gfm libmicrohttpd libcurl zlib
CFLAGS ?= -O2 -g
CFLAGS += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-missing-field-initializers -I.
CFLAGS += $(shell pkg-config --cflags $(PKGS))
# The libraries every command uses are linked in from the static archives
# that Debian's -dev packages ship: a command then starts without finding
# and relocating some thirty shared libraries, and libgit2 without reading
# the CA store (archive/repo.c). libcurl and libmicrohttpd are opened only
# by the commands that need them (archive/dynlib.c). BENCHMARKS.md has the
# figures. LINK=shared links the usual way. The position-independent
# program's own relocations are packed (DT_RELR, glibc 2.36 and later),
# which the loader applies in a fraction of the time.
LINK ?= static
ifeq ($(LINK),static)
LDLIBS += -Wl,-z,pack-relative-relocs
LDLIBS += -Wl,-Bstatic -lgit2 -lmbedtls -lmbedx509 -lmbedcrypto \
	-lhttp_parser -lssh2 -lcrypto -lpcre2-8 -lsqlite3 -lyaml -ljansson \
	-lcmark-gfm-extensions -lcmark-gfm -lstemmer -lz -Wl,-Bdynamic \
	-l:libgssapi_krb5.so.2 -Wl,--wrap=mbedtls_x509_crt_parse_file
else
LDLIBS += $(shell pkg-config --libs libgit2 yaml-0.1 jansson sqlite3 \
	libcmark-gfm zlib libcrypto) -lcmark-gfm-extensions -lstemmer
endif
LDLIBS += -lm -lpthread -ldl
CHECK_LIBS = $(shell pkg-config --libs check)

ARCHIVE_SRC = $(wildcard archive/*.c)
CASEWORK_SRC = $(wildcard casework/*.c)
SEARCH_SRC = $(wildcard search/*.c)
SITE_SRC = $(wildcard site-gen/*.c)
NET_SRC = $(wildcard net/*.c)
CLI_SRC = $(wildcard cli/*.c)
LIB_SRC = $(ARCHIVE_SRC) $(CASEWORK_SRC) $(SEARCH_SRC) $(SITE_SRC) $(NET_SRC)
LIB_OBJ = $(LIB_SRC:.c=.o)
CLI_OBJ = $(CLI_SRC:.c=.o)
HEADERS = $(wildcard */*.h)

TEST_SUITES = $(patsubst %.c,%,$(wildcard tests/check_*.c))

.PHONY: all deps demo check unit e2e install clean asan valgrind

all: mores

deps:
	@sh scripts/install-deps.sh

mores: $(CLI_OBJ) libmores.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) libmores.a $(LDLIBS)

libmores.a: $(LIB_OBJ)
	$(AR) rcs $@ $^

%.o: %.c $(HEADERS)
	@echo "  CC $<"
	@$(CC) $(CFLAGS) -c -o $@ $<

tests/check_%: tests/check_%.c tests/fixture.c libmores.a $(HEADERS)
	$(CC) $(CFLAGS) $(shell pkg-config --cflags check) -o $@ $< tests/fixture.c libmores.a \
		$(LDLIBS) $(CHECK_LIBS)

# demo and check install missing packages first, then build in a fresh
# make, so that pkg-config sees what was just installed.
demo: deps
	@$(MAKE) --no-print-directory mores
	@sh scripts/demo.sh

check: deps
	@$(MAKE) --no-print-directory mores $(TEST_SUITES)
	@sh tests/run.sh

unit: mores $(TEST_SUITES)
	@sh tests/run.sh unit

e2e: mores
	@sh tests/run.sh e2e

# The whole suite under AddressSanitizer and UndefinedBehaviorSanitizer,
# built in a copy of the tree (SANITIZE_DIR) so that the normal objects
# stay as they are. Any report fails the run. (CFLAGS goes through the
# environment: on the command line it would replace the flags the
# Makefile adds. At -O1 gcc guesses more snprintf truncations than at
# -O2; they stay warnings here, the normal build decides.)
SANITIZE_DIR ?= $(or $(TMPDIR),/tmp)/mores-asan
SAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all -Wno-error=format-truncation
asan:
	rm -rf $(SANITIZE_DIR) && mkdir -p $(SANITIZE_DIR)
	tar cf - --exclude=./.git --exclude=./site-gen/node_modules \
		--exclude=./tests/browser/node_modules --exclude=./tests/fuzz/build \
		--exclude=./_demo . | tar xf - -C $(SANITIZE_DIR)
	for d in site-gen tests/browser; do \
		[ ! -d $$d/node_modules ] || ln -s $(CURDIR)/$$d/node_modules $(SANITIZE_DIR)/$$d/; \
	done
	$(MAKE) --no-print-directory -C $(SANITIZE_DIR) clean
	CFLAGS="$(SAN_FLAGS)" LDFLAGS="-fsanitize=address,undefined" \
		$(MAKE) --no-print-directory -C $(SANITIZE_DIR) mores $(TEST_SUITES)
	cd $(SANITIZE_DIR) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 sh tests/run.sh
	rm -rf $(SANITIZE_DIR)

# The suites under valgrind memcheck: every unit suite, and the end-to-end
# scripts in VALGRIND_E2E (`make valgrind VALGRIND_E2E=all` for all of
# them; under valgrind the whole end-to-end tier takes too long for CI).
VALGRIND_E2E ?= lifecycle bad_input faults
VALGRIND = valgrind -q --error-exitcode=99 --leak-check=full \
	--errors-for-leak-kinds=definite,indirect \
	--show-leak-kinds=definite,indirect
valgrind: mores $(TEST_SUITES)
	MORES_VALGRIND=1 sh tests/run.sh unit
	@set -e; cd tests/e2e; \
	scripts="$(VALGRIND_E2E)"; [ "$$scripts" = all ] && \
		scripts=$$(ls *.sh | grep -v '^lib.sh$$' | sed 's/\.sh$$//'); \
	for s in $$scripts; do \
		echo "== tests/e2e/$$s.sh (valgrind)"; \
		MORES_WRAP="$(VALGRIND)" MORES_BIN=$(CURDIR)/mores \
			MORES_DATADIR=$(CURDIR) GIT_CONFIG_NOSYSTEM=1 \
			env -u MORES_ARCHIVE -u MORES_AUTHOR -u MORES_TODAY \
			bash $$s.sh; \
	done

# The NL Design System styles the site uses, from the npm registry
# (site-gen/package-lock.json pins them); `make deps` installs them.
NLDS_LIB = site-gen/node_modules/@utrecht/component-library-css/dist
NLDS_THEME = site-gen/node_modules/@nl-design-system-unstable/voorbeeld-design-tokens/dist

install: mores
	@test -f $(NLDS_LIB)/index.css || { echo "make install: run 'make deps' first for the NL Design System styles" >&2; exit 1; }
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/templates/advice $(DESTDIR)$(MANDIR)
	install -d $(DESTDIR)$(DATADIR)/site-gen/assets
	install -m 755 mores $(DESTDIR)$(BINDIR)/mores
	install -m 644 templates/values.yml $(DESTDIR)$(DATADIR)/templates/values.yml
	install -m 644 templates/advice/*.md $(DESTDIR)$(DATADIR)/templates/advice/
	install -m 644 cli/mores.1 $(DESTDIR)$(MANDIR)/mores.1
	install -d $(DESTDIR)$(DATADIR)/$(NLDS_LIB) $(DESTDIR)$(DATADIR)/$(NLDS_THEME)
	install -m 644 site-gen/assets/mores.css site-gen/assets/zoeken.js $(DESTDIR)$(DATADIR)/site-gen/assets/
	install -m 644 $(NLDS_LIB)/index.css $(DESTDIR)$(DATADIR)/$(NLDS_LIB)/index.css
	install -m 644 $(NLDS_THEME)/theme.css $(DESTDIR)$(DATADIR)/$(NLDS_THEME)/theme.css

# Benchmarks, fuzzing and soak runs have their own rules.
-include bench/Makefile.inc tests/fuzz/Makefile.inc

clean:
	rm -f mores libmores.a */*.o $(TEST_SUITES)
	rm -rf _demo
