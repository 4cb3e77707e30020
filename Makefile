# rowcast build. `make` builds build/rowcast; `make check` installs what the
# tests need (scripts/install-deps.sh), then runs every test; `make demo` runs
# the seed README's example against a throwaway MariaDB.

CC      ?= cc
PKGS    := libmariadb zlib libzstd lua5.4 libnats hiredis libdeflate
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wno-unused-parameter -Wformat=2 -Wvla
CFLAGS  ?= -O2 -g
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) -Isrc $(PKG_CFLAGS)
LDLIBS  := $(PKG_LIBS) -lm

SRC     := $(sort $(wildcard src/core/*.c src/event/*.c src/decode/*.c src/encode/*.c \
                             src/mysql/*.c src/filter/*.c src/sink/*.c src/apply/*.c \
                             src/triggers/*.c))
CLI_SRC := $(sort $(wildcard src/cli/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))

B        := build
OBJ      := $(SRC:%.c=$(B)/obj/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(B)/obj/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)

# Sanitizer build of the library and unit tests (decoder tests under ASan+UBSan).
SAN      := build-san
SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
SAN_OBJ  := $(SRC:%.c=$(SAN)/obj/%.o)
SAN_UNIT := $(UNIT_SRC:tests/unit/%.c=$(SAN)/tests/%)

# libFuzzer targets (clang): build-fuzz/fuzz_*; `make fuzz` runs the decoder's
# for FUZZ_SECONDS over its corpus in tests/fuzz/corpus.
FZ       := build-fuzz
FUZZ_CC  ?= clang
FUZZ_FLAGS := -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(FZ)/%)
FUZZ_SECONDS ?= 600

.PHONY: all deps check unit unit-san integration demo fuzz fuzz-build clean format

all: $(B)/rowcast

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(B)/librowcast.a: $(OBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/rowcast: $(CLI_OBJ) $(B)/librowcast.a
	$(CC) $(ALL_CFLAGS) -o $@ $(CLI_OBJ) $(B)/librowcast.a $(LDLIBS)

$(B)/tests/%: tests/unit/%.c $(B)/librowcast.a tests/unit/rc_test.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(B)/librowcast.a $(LDLIBS)

$(SAN)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -MMD -MP -c $< -o $@

$(SAN)/librowcast.a: $(SAN_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(SAN)/tests/%: tests/unit/%.c $(SAN)/librowcast.a tests/unit/rc_test.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -Itests/unit -o $@ $< $(SAN)/librowcast.a $(LDLIBS)

$(SAN)/rowcast: $(CLI_SRC) $(SAN)/librowcast.a
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -o $@ $(CLI_SRC) $(SAN)/librowcast.a $(LDLIBS)

$(FZ)/fuzz_%: tests/fuzz/fuzz_%.c $(SRC)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=c11 -D_GNU_SOURCE -Isrc $(PKG_CFLAGS) $(FUZZ_FLAGS) -o $@ $< $(SRC) $(LDLIBS)

fuzz-build: $(FUZZ_BIN)

# Each target in turn, from its seeds (tests/fuzz/corpus/NAME, else
# tests/fuzz/corpus) into build-fuzz/corpus-NAME.
fuzz: fuzz-build
	@for f in $(FUZZ_BIN); do \
	    n=$${f##*/fuzz_}; seeds=tests/fuzz/corpus/$$n; \
	    [ -d $$seeds ] || seeds=tests/fuzz/corpus; \
	    extra=; [ $$n = decode ] && extra="$(wildcard ../shared/fixtures/binlogs)"; \
	    mkdir -p $(FZ)/corpus-$$n; \
	    echo "fuzzing $$n for $(FUZZ_SECONDS)s"; \
	    $$f -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	        $(FZ)/corpus-$$n $$seeds $$extra || exit 1; \
	done

deps:
	bash scripts/install-deps.sh

unit: $(UNIT_BIN)
unit-san: $(SAN_UNIT) $(SAN)/rowcast

# Everything: dependencies, both builds, then the runner (unit, sanitizer,
# golden, integration, fuzz smoke), which prints "N passed, N failed" last.
check: deps
	$(MAKE) all unit unit-san fuzz-build
	python3 tests/run.py

demo: deps
	$(MAKE) all
	bash scripts/demo.sh

# rowcast against its peers (mariadb-binlog, @vlasky/zongji) on the same data in
# one run; writes bench/RESULTS.md. BENCH_ARGS=--quick for 1/10 of the rows.
.PHONY: bench
bench: all
	python3 bench/run.py $(BENCH_ARGS)

format:
	clang-format -i $(SRC) $(CLI_SRC) $(wildcard src/*/*.h) $(UNIT_SRC)

clean:
	rm -rf $(B) $(SAN) build-fuzz

-include $(OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(SAN_OBJ:.o=.d)
