/// One call of a layer in a Functional model's config, as Keras 2 and Keras 3 record it.
struct LayerCall {
  /// The layers whose outputs the call takes, in order: positional tensors first, then
  /// tensors passed by keyword (TFOpLambda's `y`), by keyword name.
  var inputs: [String] = []
  /// The keyword arguments without the tensors (`{"y": 127.5, "name": null}`); Keras 3's
  /// positional arguments are under `args`, each tensor there replaced by `"<tensor>"`, so
  /// `args` shows where a constant operand sits (`[<tensor>, 3.0]`).
  var arguments: [String: Any] = [:]

  static let tensorPlaceholder = "<tensor>"

  /// The calls of `inbound_nodes`: Keras 2's `[[["name", node, tensor, {kwargs}], …]]`
  /// (a TFOpLambda's call unwrapped: `[["name", node, tensor, {kwargs}]]`) or Keras 3's
  /// `[{"args": […], "kwargs": {…}}]`.
  static func calls(_ inboundNodes: Any?) -> [LayerCall] {
    guard let calls = inboundNodes as? [Any] else { return [] }
    return calls.map { call in
      if let keras3 = call as? [String: Any] { return keras3Call(keras3) }
      let list = call as? [Any] ?? []
      return keras2Call(list.first is String ? [list] : list.compactMap { $0 as? [Any] })
    }
  }

  /// `["name", node, tensor]` with an optional kwargs dict after it.
  private static func keras2Ref(_ any: Any?) -> String? {
    guard let ref = any as? [Any], ref.count >= 3, let name = ref[0] as? String, ref[1] is Int,
      ref[2] is Int
    else { return nil }
    return name
  }

  private static func keras2Call(_ entries: [[Any]]) -> LayerCall {
    var call = LayerCall()
    call.inputs = entries.compactMap { keras2Ref($0) }
    let kwargs = entries.first.flatMap { $0.count >= 4 ? $0[3] as? [String: Any] : nil } ?? [:]
    for key in kwargs.keys.sorted() {
      if let name = keras2Ref(kwargs[key]) {
        call.inputs.append(name)
      } else {
        call.arguments[key] = kwargs[key]
      }
    }
    return call
  }

  private static func keras3Call(_ node: [String: Any]) -> LayerCall {
    var call = LayerCall()
    let args = node["args"] as? [Any] ?? []
    collectTensors(args, into: &call.inputs)
    call.arguments = node["kwargs"] as? [String: Any] ?? [:]
    call.arguments["args"] = args.map { isTensor($0) ? tensorPlaceholder : $0 }
    return call
  }

  private static func isTensor(_ any: Any) -> Bool {
    (any as? [String: Any])?["class_name"] as? String == "__keras_tensor__"
  }

  private static func collectTensors(_ any: Any?, into names: inout [String]) {
    if let dict = any as? [String: Any] {
      if isTensor(dict),
        let history = (dict["config"] as? [String: Any])?["keras_history"] as? [Any],
        let name = history.first as? String
      {
        names.append(name)
      }
    } else if let list = any as? [Any] {
      for item in list { collectTensors(item, into: &names) }
    }
  }
}
