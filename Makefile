# The two set-up commands of README.md, plus helpers. Tests build in release mode because the
# numeric kernels are 10-50x slower unoptimised; -enable-testing keeps @testable imports working.
SWIFT_TEST_FLAGS = -c release -Xswiftc -enable-testing

.PHONY: test demo build parity

build:
	swift build -c release

test:
	swift test $(SWIFT_TEST_FLAGS)

demo:
	@echo "The demo lands with the transfer-learning workflow issue; see README.md." && exit 2
