# rc — rootless container engine.  `make` builds bin/rc.
VERSION    := 0.1.0
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
MANDIR     ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
# systemd runs what is here for every user manager (boot and daemon-reload)
USERGENDIR ?= $(PREFIX)/lib/systemd/user-generators

CC      ?= cc
# third_party/components.tsv is the one list of rc's libraries: "linked" ones go on the
# link line, "dlopen" ones are loaded by pkg/dl on first use (only their headers are needed).
COMPONENTS := third_party/components.tsv
PKGS    := $(shell awk -F'\t' '$$2 == "library" && $$3 == "linked" { print $$4 }' $(COMPONENTS))
DL_PKGS := $(shell awk -F'\t' '$$2 == "library" && $$3 == "dlopen" { print $$4 }' $(COMPONENTS))
BUILD   ?= build
BIN     ?= bin

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) $(DL_PKGS))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS))
# the unit tests build fixtures with libarchive itself
DL_LIBS    := $(shell pkg-config --libs $(DL_PKGS))
# bin/rc takes the "linked" libraries' static archives (from their -dev packages): the dynamic
# loader's work for them was a third of a short command's time (third_party/README.md).
# STATIC=0 links their shared libraries instead, as a distribution may prefer.
STATIC  ?= 1
ifeq ($(STATIC),1)
RC_LIBS := -Wl,-Bstatic $(PKG_LIBS) -Wl,-Bdynamic -lm -pthread
else
RC_LIBS := $(PKG_LIBS)
endif
GEN        := $(BUILD)/gen

CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wformat=2 \
           -fno-strict-aliasing -D_GNU_SOURCE -DRC_VERSION='"$(VERSION)"' \
           -Ipkg -I$(GEN) -MMD -MP $(PKG_CFLAGS) $(SANITIZE)
LDFLAGS += -Wl,--as-needed $(SANITIZE)

PKG_SRCS := $(sort $(wildcard pkg/*/*.c))
CMD_SRCS := $(sort $(wildcard cmd/rc/*.c))
PKG_OBJS := $(PKG_SRCS:%.c=$(BUILD)/%.o)
CMD_OBJS := $(CMD_SRCS:%.c=$(BUILD)/%.o)
LIBRC    := $(BUILD)/librc.a

UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=build-fuzz/fuzz/%)
FUZZ_SECONDS ?= 15

.PHONY: FORCE all clean check check-unit check-system check-asan bench install uninstall unit-bins fuzz fuzz-run
all: $(BIN)/rc

$(GEN)/components.h: $(COMPONENTS) scripts/components-h.awk
	@mkdir -p $(dir $@)
	awk -f scripts/components-h.awk $(COMPONENTS) >$@.tmp && mv $@.tmp $@

# rc version's facts: the commit and its time (reproducible: no clock);
# rewritten only when they change, so that only info.c recompiles.
$(GEN)/version.h: FORCE
	@mkdir -p $(dir $@)
	@{ echo "#define RC_GIT_COMMIT \"$$(git rev-parse HEAD 2>/dev/null)\""; \
	   echo "#define RC_BUILT $$(git log -1 --format=%ct 2>/dev/null || echo 0)LL"; } >$@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

FORCE:

$(BUILD)/cmd/rc/info.o: $(GEN)/version.h

$(BUILD)/%.o: %.c | $(GEN)/components.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(LIBRC): $(PKG_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(BIN)/rc: $(CMD_OBJS) $(LIBRC)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(CMD_OBJS) $(LIBRC) $(RC_LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(LIBRC)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBRC) $(PKG_LIBS) $(DL_LIBS) -lcmocka

unit-bins: $(UNIT_BINS)

# Unit tests + system tests; as root, the system tests run as an unprivileged
# test user that tests/setup-host.sh prepares.  Ends with "N passed, N failed".
HAVE_CLANG := $(shell command -v clang 2>/dev/null)

check: all unit-bins $(if $(HAVE_CLANG),fuzz)
	@BUILD=$(BUILD) BIN=$(BIN) tests/run-tests.sh

check-unit: unit-bins
	@BUILD=$(BUILD) BIN=$(BIN) tests/run-tests.sh --unit-only

check-asan:
	$(MAKE) BUILD=build-asan BIN=bin-asan SANITIZE='-fsanitize=address,undefined -fno-omit-frame-pointer' check

# libFuzzer targets for every parser of outside input (clang).  fuzz-run runs
# each for FUZZ_SECONDS from its seed corpus; make check runs it when clang is there.
fuzz:
	$(MAKE) BUILD=build-fuzz BIN=bin-fuzz CC=clang \
		SANITIZE='-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer' build-fuzz/librc.a
	$(MAKE) BUILD=build-fuzz CC=clang $(FUZZ_BINS)

build-fuzz/fuzz/%: tests/fuzz/%.c build-fuzz/librc.a
	@mkdir -p $(dir $@)
	$(CC) $(filter-out -MMD -MP,$(CFLAGS)) -fsanitize=fuzzer,address,undefined -o $@ $< build-fuzz/librc.a $(PKG_LIBS)

fuzz-run: fuzz
	@for f in $(FUZZ_BINS); do \
		name=$$(basename $$f); corpus=build-fuzz/corpus/$$name; mkdir -p $$corpus; \
		if [ -d tests/fuzz/seeds/$$name ]; then cp -n tests/fuzz/seeds/$$name/* $$corpus/ 2>/dev/null || true; fi; \
		echo "fuzz: $$name for $(FUZZ_SECONDS)s"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=0 $$corpus >build-fuzz/$$name.log 2>&1 \
			|| { tail -50 build-fuzz/$$name.log; echo "fuzz: $$name FAILED"; exit 1; }; \
		echo "fuzz: $$name ok ($$(grep -o 'DONE.*' build-fuzz/$$name.log | head -1))"; \
	done

bench: all
	@BIN=$(BIN) tests/bench/run-bench.sh

install: all
	install -D -m 0755 $(BIN)/rc $(DESTDIR)$(BINDIR)/rc
	install -D -m 0644 docs/rc.1 $(DESTDIR)$(MANDIR)/man1/rc.1
	install -d $(DESTDIR)$(MANDIR)/man1
	install -m 0644 docs/man/*.1 $(DESTDIR)$(MANDIR)/man1/
	install -D -m 0644 completions/rc.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/rc
	install -D -m 0644 rootless.conf.example $(DESTDIR)$(SYSCONFDIR)/rc/rootless.conf.example
	install -d $(DESTDIR)$(USERGENDIR)
	ln -sf $(BINDIR)/rc $(DESTDIR)$(USERGENDIR)/rc-user-generator
	@if [ -d /etc/apparmor.d ] && [ -z "$(DESTDIR)" ]; then \
		sed 's|@BINDIR@|$(BINDIR)|' scripts/apparmor-rc > /etc/apparmor.d/rc; \
		command -v apparmor_parser >/dev/null && apparmor_parser -r /etc/apparmor.d/rc || true; \
	fi

# The per-command pages come from --help; a test fails when they disagree.
man: all
	scripts/gen-man.sh $(BIN)/rc docs/man

uninstall:
	rm -f $(DESTDIR)$(USERGENDIR)/rc-user-generator
	rm -f $(DESTDIR)$(BINDIR)/rc $(DESTDIR)$(MANDIR)/man1/rc.1 $(DESTDIR)$(MANDIR)/man1/rc-*.1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/rc

clean:
	rm -rf build build-asan build-fuzz bin bin-asan bin-fuzz

-include $(PKG_OBJS:.o=.d) $(CMD_OBJS:.o=.d)
