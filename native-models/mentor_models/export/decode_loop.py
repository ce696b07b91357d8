"""Wraps the exported single-step decode graph in an ONNX `Loop` (BUNDLE.md, decode.onnx).

The step graph (DecodeStepGraph traced by torch.onnx.export) becomes the Loop body; its weights
move to the outer graph, which the body reads as outer-scope values. The loop carries `logits` and
`kv` and scans out one token per iteration, so the KV cache stays inside onnxruntime for the whole
call instead of crossing into the caller once per token (spec/performance.md §3.5, §7).
"""

from __future__ import annotations

import onnx
from onnx import TensorProto, helper

# Step graph input/output names, as DecodeStepGraph is exported.
STEP_INPUTS = ("logits", "kv", "prefix_mask", "index", "r", "cfg_scale", "temperature", "top_k", "top_p")
STEP_OUTPUTS = ("token", "logits_next", "kv_next")
# Inputs of decode.onnx that the body reads straight from the outer scope.
SHARED_INPUTS = ("prefix_mask", "cfg_scale", "temperature", "top_k", "top_p")


def _value_info(graph: onnx.GraphProto, name: str, inputs: bool = True) -> onnx.ValueInfoProto:
    for value in (graph.input if inputs else graph.output):
        if value.name == name:
            return value
    raise ValueError(f"step graph has no {'input' if inputs else 'output'} named {name!r}")


def _renamed(value: onnx.ValueInfoProto, name: str) -> onnx.ValueInfoProto:
    copy = onnx.ValueInfoProto()
    copy.CopyFrom(value)
    copy.name = name
    return copy


def topologically_sorted(nodes: list[onnx.NodeProto], available: set[str]) -> list[onnx.NodeProto]:
    """ONNX requires producers before consumers; converters that append nodes (the fp16 pass adds
    its input casts at the end) break that order, so the body is sorted before it is used."""
    ready = set(available)
    pending = list(nodes)
    ordered: list[onnx.NodeProto] = []
    while pending:
        still = [node for node in pending if not all(name in ready for name in node.input)]
        placed = [node for node in pending if all(name in ready for name in node.input)]
        if not placed:
            missing = sorted({n for node in still for n in node.input if n not in ready})[:5]
            raise ValueError(f"decode step graph has inputs nothing produces: {missing}")
        for node in placed:
            ordered.append(node)
            ready.update(node.output)
        pending = still
    return ordered


def build_decode_loop(step: onnx.ModelProto) -> onnx.ModelProto:
    """decode.onnx from the step model: same opset, weights shared, names as BUNDLE.md."""
    g = step.graph
    body_prefix = "step/"
    # Every value produced inside the body gets a prefix, so it cannot collide with outer names;
    # weights and the shared inputs keep theirs and are read from the outer scope.
    outer_names = {init.name for init in g.initializer} | set(SHARED_INPUTS)
    rename = {"logits": "logits_in", "kv": "kv_in", "index": "index", "r": "r"}

    def mapped(name: str) -> str:
        if name == "" or name in outer_names:
            return name
        if name in rename:
            return rename[name]
        return body_prefix + name

    body_nodes = []
    # index = start_index + iteration; r = uniforms_t[iteration]
    body_nodes.append(helper.make_node("Add", ["start_index", "iteration"], ["index"], name="loop/index"))
    body_nodes.append(helper.make_node("Gather", ["uniforms_t", "iteration"], ["r"], name="loop/r", axis=0))
    for node in g.node:
        copy = onnx.NodeProto()
        copy.CopyFrom(node)
        del copy.input[:]
        del copy.output[:]
        copy.input.extend(mapped(n) for n in node.input)
        copy.output.extend(mapped(n) for n in node.output)
        copy.name = body_prefix + (node.name or node.op_type)
        body_nodes.append(copy)
    available = {"iteration", "cond_in", "logits_in", "kv_in", "start_index", "uniforms_t", ""} | outer_names
    body_nodes = topologically_sorted(body_nodes, available)
    body_nodes.append(helper.make_node("Identity", ["cond_in"], ["cond_out"], name="loop/cond"))
    body_nodes.append(helper.make_node("Identity", [mapped("token")], ["token_scan"], name="loop/token"))
    body_nodes.append(helper.make_node("Identity", [mapped("logits_next")], ["logits_carry"], name="loop/logits"))
    body_nodes.append(helper.make_node("Identity", [mapped("kv_next")], ["kv_carry"], name="loop/kv"))

    logits_info = _value_info(g, "logits")
    kv_info = _value_info(g, "kv")
    token_info = _value_info(g, "token", inputs=False)
    body = helper.make_graph(
        body_nodes,
        "decode_body",
        inputs=[
            helper.make_tensor_value_info("iteration", TensorProto.INT64, []),
            helper.make_tensor_value_info("cond_in", TensorProto.BOOL, []),
            _renamed(logits_info, "logits_in"),
            _renamed(kv_info, "kv_in"),
        ],
        outputs=[
            helper.make_tensor_value_info("cond_out", TensorProto.BOOL, []),
            _renamed(logits_info, "logits_carry"),
            _renamed(kv_info, "kv_carry"),
            _renamed(token_info, "token_scan"),
        ],
    )

    outer_nodes = [
        helper.make_node("Shape", ["uniforms"], ["uniforms_shape"], name="outer/shape"),
        helper.make_node("Constant", [], ["one"], name="outer/one", value=helper.make_tensor("one_value", TensorProto.INT64, [], [1])),
        helper.make_node("Gather", ["uniforms_shape", "one"], ["trip_count"], name="outer/trip", axis=0),
        helper.make_node("Constant", [], ["keep_going"], name="outer/cond", value=helper.make_tensor("true_value", TensorProto.BOOL, [], [True])),
        helper.make_node("Transpose", ["uniforms"], ["uniforms_t"], name="outer/uniforms_t", perm=[1, 0]),
        helper.make_node("Loop", ["trip_count", "keep_going", "logits", "kv"], ["logits_out", "kv_out", "tokens_kb"], name="decode_loop", body=body),
        helper.make_node("Transpose", ["tokens_kb"], ["tokens"], name="outer/tokens", perm=[1, 0]),
    ]
    b = "B"
    inputs = [
        _renamed(logits_info, "logits"),
        _renamed(kv_info, "kv"),
        _value_info(g, "prefix_mask"),
        helper.make_tensor_value_info("start_index", TensorProto.INT64, []),
        helper.make_tensor_value_info("uniforms", TensorProto.FLOAT, [b, "K"]),
        _value_info(g, "cfg_scale"),
        _value_info(g, "temperature"),
        _value_info(g, "top_k"),
        _value_info(g, "top_p"),
    ]
    outputs = [
        helper.make_tensor_value_info("tokens", TensorProto.INT64, [b, "K"]),
        _renamed(logits_info, "logits_out"),
        _renamed(kv_info, "kv_out"),
    ]
    graph = helper.make_graph(outer_nodes, "decode", inputs, outputs, initializer=list(g.initializer))
    model = helper.make_model(graph, opset_imports=list(step.opset_import), producer_name="mentor_models.export")
    model.ir_version = step.ir_version
    return model
