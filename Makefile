# The two set-up commands of README.md, plus helpers. Tests build in release mode because the
# numeric kernels are 10-50x slower unoptimised; -enable-testing keeps @testable imports working.
SWIFT_TEST_FLAGS = -c release -Xswiftc -enable-testing

.PHONY: test demo build parity

build:
	swift build -c release

test:
	swift test $(SWIFT_TEST_FLAGS)

# Real-size parity with Keras (opt-in, needs Python; see tools/fixtures/zoo_fixtures.py):
# 224x224 weight files in three layouts + Keras outputs, then the Swift comparison table.
PARITY_DIR ?= $(CURDIR)/Tests/Fixtures/large/parity
parity:
	python3 tools/fixtures/zoo_fixtures.py --full
	FTUNE_PARITY_DIR=$(PARITY_DIR) swift test $(SWIFT_TEST_FLAGS) --filter FullParityTests

demo:
	@echo "The demo lands with the transfer-learning workflow issue; see README.md." && exit 2
