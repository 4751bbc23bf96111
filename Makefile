# cxnode — build, test, demo, bench.
#
#   make            build build/cxnode
#   make test       install missing packages, build, run the default suite
#   make demo       install missing packages, build, run the embedded demo
#   make bench      import/append benchmark (long)
#   make asan       the test suite under AddressSanitizer + UBSan
#   make valgrind   the unit tests under valgrind memcheck
#   make fuzz       libFuzzer targets for every decoder (clang, long)
#
# Settings: BUILD (output directory), CC, CFLAGS, LDFLAGS, V=1 (loud),
# WERROR=1 (warnings are errors; CI sets it), PREFIX, DESTDIR.

BUILD   ?= build
CC      ?= cc
PREFIX  ?= /usr/local
CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wno-unused-parameter -Wformat=2 -Wvla
ifeq ($(WERROR),1)
WARN    += -Werror
endif
CPPFLAGS += -std=c11 -D_GNU_SOURCE -I. -I$(BUILD) -MMD -MP
LIBS    := -ljansson -lnng -lprotobuf-c -llmdb -lcrypto -linih -lpthread

ifeq ($(V),1)
Q :=
else
Q := @
endif

# Libraries, one per directory, in link order (each uses only those after it).
MODS    := node gen ingest credit store net keys proto util
PROTO_C := $(BUILD)/proto/cxnode.pb-c.c
SRC_node   := $(filter-out node/main.c,$(wildcard node/*.c))
SRC_gen    := $(wildcard gen/*.c)
SRC_ingest := $(wildcard ingest/*.c)
SRC_credit := $(wildcard credit/*.c)
SRC_store  := $(wildcard store/*.c)
SRC_net    := $(wildcard net/*.c)
SRC_keys   := $(wildcard keys/*.c)
SRC_proto  := $(PROTO_C)
SRC_util   := $(wildcard util/*.c)
obj = $(patsubst %.c,$(BUILD)/%.o,$(patsubst $(BUILD)/%,%,$(1)))
LIB = $(BUILD)/lib$(1).a

# Which libraries a module's unit test needs (default: all of them).
DEPS_util   := util
DEPS_keys   := keys proto util
DEPS_store  := store keys proto util
DEPS_net    := net keys proto util
DEPS_credit := credit proto util
DEPS_ingest := ingest credit proto util
DEPS_gen    := gen ingest credit proto util

TESTS   := $(patsubst tests/%_test.c,$(BUILD)/tests/%_test,$(wildcard tests/*_test.c))
FUZZ    := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
REPLAY  := $(patsubst %,$(BUILD)/fuzz/replay_%,$(FUZZ))

all: $(BUILD)/cxnode
.PHONY: all deps test demo bench asan valgrind fuzz clean install check-tools

$(BUILD)/proto/cxnode.pb-c.c: proto/cxnode.proto
	@mkdir -p $(@D)
	@echo "  PROTOC  $<"
	$(Q)protoc-c --c_out=$(BUILD) $<
$(BUILD)/proto/cxnode.pb-c.h: $(BUILD)/proto/cxnode.pb-c.c

# Every object may include the generated header.
$(BUILD)/%.o: %.c $(BUILD)/proto/cxnode.pb-c.h
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) -c -o $@ $<
$(BUILD)/proto/cxnode.pb-c.o: $(PROTO_C)
	@echo "  CC      $<"
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

define lib_rule
$(call LIB,$(1)): $(call obj,$(SRC_$(1)))
	@echo "  AR      $$@"
	$(Q)rm -f $$@ && ar rcs $$@ $$^
endef
$(foreach m,$(MODS),$(eval $(call lib_rule,$(m))))

ALL_LIBS := $(foreach m,$(MODS),$(call LIB,$(m)))

$(BUILD)/cxnode: $(BUILD)/node/main.o $(ALL_LIBS)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

define test_rule
$(BUILD)/tests/$(1)_test: $(BUILD)/tests/$(1)_test.o $(foreach m,$(or $(DEPS_$(1)),$(MODS)),$(call LIB,$(m)))
	@echo "  LD      $$@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $$@ $$^ -lcmocka $(LIBS)
endef
$(foreach t,$(patsubst tests/%_test.c,%,$(wildcard tests/*_test.c)),$(eval $(call test_rule,$(t))))

# Fuzz targets: a replay driver (any compiler) runs the stored corpus in the
# default suite; `make fuzz` builds the libFuzzer flavour with clang.
define replay_rule
$(BUILD)/fuzz/replay_$(1): $(BUILD)/tests/fuzz/fuzz_$(1).o $(BUILD)/tests/fuzz/replay.o $(ALL_LIBS)
	@mkdir -p $$(@D)
	@echo "  LD      $$@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $$@ $$^ $(LIBS)
endef
$(foreach f,$(FUZZ),$(eval $(call replay_rule,$(f))))

deps:
	$(Q)./tools/deps.sh

check-tools: $(BUILD)/cxnode $(TESTS) $(REPLAY)

test: deps
	$(Q)$(MAKE) --no-print-directory check-tools
	$(Q)BUILD=$(BUILD) ./tests/run.sh

demo: deps
	$(Q)$(MAKE) --no-print-directory $(BUILD)/cxnode
	$(Q)BUILD=$(BUILD) ./tools/demo.sh

bench: deps
	$(Q)$(MAKE) --no-print-directory $(BUILD)/cxnode $(BUILD)/bench_lmdb $(BUILD)/bench_nng
	$(Q)BUILD=$(BUILD) ./tools/bench.sh

$(BUILD)/bench_lmdb: $(BUILD)/tools/bench_lmdb.o
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ -llmdb

$(BUILD)/bench_nng: $(BUILD)/tools/bench_nng.o
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ -lnng -lpthread

SANFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
# A sanitizer report exits 86, which no test expects, so it always fails.
asan: deps
	$(Q)ASAN_OPTIONS=exitcode=86:detect_leaks=1 LSAN_OPTIONS=exitcode=86 \
	  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  $(MAKE) --no-print-directory BUILD=build-asan CFLAGS="$(SANFLAGS)" LDFLAGS="-fsanitize=address,undefined" test

valgrind: deps
	$(Q)$(MAKE) --no-print-directory BUILD=build-vg CFLAGS="-O1 -g" check-tools
	$(Q)BUILD=build-vg VALGRIND=1 ./tests/run.sh

FUZZFLAGS := -O1 -g -fsanitize=fuzzer-no-link,address,undefined
fuzz: deps
	$(Q)$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang CFLAGS="$(FUZZFLAGS)" $(foreach m,$(MODS),build-fuzz/lib$(m).a)
	$(Q)for f in $(FUZZ); do \
	  clang $(CPPFLAGS:-MMD=) -Ibuild-fuzz -O1 -g -fsanitize=fuzzer,address,undefined \
	    -o build-fuzz/fuzz_$$f tests/fuzz/fuzz_$$f.c $(foreach m,$(MODS),build-fuzz/lib$(m).a) $(LIBS) || exit 1; \
	  mkdir -p build-fuzz/corpus_$$f; \
	  build-fuzz/fuzz_$$f -max_total_time=$${FUZZ_SECONDS:-60} build-fuzz/corpus_$$f tests/fuzz/corpus/$$f || exit 1; \
	done

install: $(BUILD)/cxnode
	install -D -m 0755 $(BUILD)/cxnode $(DESTDIR)$(PREFIX)/bin/cxnode
	install -D -m 0644 docs/cxnode.1 $(DESTDIR)$(PREFIX)/share/man/man1/cxnode.1

clean:
	rm -rf build build-asan build-vg build-fuzz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
