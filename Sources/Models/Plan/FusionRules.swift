/// The execution plan's rewrite rules, in the order they apply: a later rule sees (and may
/// grow) the plan nodes of the earlier ones, and never takes a node one already claimed.
///
/// Adding a fused kernel: one file under `Plan/Rules/` with the rule (its pattern, the passes
/// it serves, its `FTUNE_*=0` switch) and its `PlanNode` (how the fused step runs, its profile
/// label), one entry here, and a test comparing the fused pass with the layers one by one.
enum FusionRules {
  static let all: [any FusionRule.Type] = [
    // Passes that keep nothing for backward (inference, the frozen prefix of a step).
    BandRule.self,  // Conv 3×3 → Conv 3×3 → MaxPool 2×2 in row bands (VGG)
    FoldRule.self,  // (ZeroPadding →) Conv → BatchNorm (→ ReLU): BN folded into the weights
    BlockRule.self,  // three folds of an inverted-residual block (→ Add) in one kernel
    ResidualRule.self,  // a fold → Add (→ ReLU): the Add in the convolution's epilogue
    PaddedPoolRule.self,  // ZeroPadding → MaxPool: the pool reads the unpadded input
    // Passes that record for backward (the trainable part of a step).
    NormActivationRule.self,  // BatchNorm → ReLU: the clamp in the BN's output pass
    PaddedDepthwiseRule.self,  // ZeroPadding → DepthwiseConv: zeros as window padding
  ]
}
