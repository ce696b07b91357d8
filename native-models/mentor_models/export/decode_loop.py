"""Wraps the exported decode step (DecodeLoopBody traced by torch.onnx.export) in an ONNX `Loop`:
decode.onnx of BUNDLE.md.

The step graph becomes the Loop body; its weights move to the outer graph, which the body reads as
outer-scope values, and so do the per-layer KV caches: they are read in place every iteration and
never carried, so no iteration copies them (onnxruntime copies a loop-carried tensor that a node
writes, every iteration: 85 MB per token for GPT-B in format 1). The loop carries only the logits
and, per cache, the row of keys or values fed so far (`row_key_i` / `row_value_i`, one slot longer
each iteration; decode.onnx returns them stacked as `new_kv`), and scans out one token per
iteration. The Loop keeps the graph one step long whatever the number of tokens per call and allows
any K: unrolling 16 steps of GPT-B instead gave 27k nodes and minutes of onnxruntime session setup.
"""

from __future__ import annotations

from typing import Callable

import onnx
from onnx import TensorProto, helper

from ..bundle_spec import cache_names

# Step graph inputs that the body reads from the outer scope (decode.onnx's own inputs).
SHARED_INPUTS = ("prefix_mask", "start_index", "uniforms", "cfg_scale", "temperature", "top_k", "top_p")


def row_names(caches: list[str]) -> list[str]:
    """The loop-carried row of each cache: key_cache_0 -> row_key_0 (the k/v fed in this call)."""
    return ["row_" + name.replace("_cache", "") for name in caches]


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


def _with_dims(value: onnx.ValueInfoProto, dims: dict[int, str]) -> onnx.ValueInfoProto:
    """A copy of `value` whose axes in `dims` are named (symbolic) instead of fixed or unnamed."""
    copy = onnx.ValueInfoProto()
    copy.CopyFrom(value)
    for axis, name in dims.items():
        dim = copy.type.tensor_type.shape.dim[axis]
        dim.Clear()
        dim.dim_param = name
    return copy


def subgraphs(node: onnx.NodeProto) -> list[onnx.GraphProto]:
    return [a.g for a in node.attribute if a.type == onnx.AttributeProto.GRAPH] + \
        [g for a in node.attribute if a.type == onnx.AttributeProto.GRAPHS for g in a.graphs]


def _needs(node: onnx.NodeProto) -> set[str]:
    """Every outer value a node reads: its inputs, and what its subgraphs (the sampler's `If`
    branches) read from the enclosing graph."""
    needed = {name for name in node.input if name}
    for graph in subgraphs(node):
        local = {value.name for value in graph.input} | {init.name for init in graph.initializer}
        for inner in graph.node:
            needed |= _needs(inner) - local
            local |= set(inner.output)
    return needed


def _rename_subgraphs(node: onnx.NodeProto, mapped: Callable[[str], str]) -> None:
    """Applies the body's renaming inside a node's subgraphs too: they name outer values directly."""
    for graph in subgraphs(node):
        for value in list(graph.input) + list(graph.output) + list(graph.value_info):
            value.name = mapped(value.name)
        for init in graph.initializer:
            init.name = mapped(init.name)
        for inner in graph.node:
            inner.input[:] = [mapped(n) for n in inner.input]
            inner.output[:] = [mapped(n) for n in inner.output]
            _rename_subgraphs(inner, mapped)


def topologically_sorted(nodes: list[onnx.NodeProto], available: set[str]) -> list[onnx.NodeProto]:
    """ONNX requires producers before consumers; converters that append nodes (the fp16 pass adds
    its input casts at the end) break that order, so the body is sorted before it is used."""
    ready = set(available)
    pending = [(node, _needs(node)) for node in nodes]
    ordered: list[onnx.NodeProto] = []
    while pending:
        still = [(node, needs) for node, needs in pending if not needs <= ready]
        placed = [node for node, needs in pending if needs <= ready]
        if not placed:
            missing = sorted({n for _, needs in still for n in needs if n not in ready})[:5]
            raise ValueError(f"decode step graph has inputs nothing produces: {missing}")
        for node in placed:
            ordered.append(node)
            ready.update(node.output)
        pending = still
    return ordered


def build_decode_loop(step: onnx.ModelProto, n_layer: int) -> onnx.ModelProto:
    """decode.onnx from the step model: same opset, weights shared, names as BUNDLE.md."""
    g = step.graph
    caches = cache_names(n_layer)
    rows = row_names(caches)
    body_prefix = "step/"
    # Every value produced inside the body gets a prefix, so it cannot collide with outer names;
    # weights, caches and the shared inputs keep theirs and are read from the outer scope.
    outer_names = {init.name for init in g.initializer} | set(SHARED_INPUTS) | set(caches)
    carried = ["logits", *rows]
    # The step's outputs are renamed to the body's outputs directly (Identity nodes in between would
    # be kernels run every token).
    step_outputs = {"logits_next": "logits_carry", **{f"{row}_next": f"{row}_carry" for row in rows}, "token": "token_scan"}
    rename = {"iteration": "iteration", **{name: f"{name}_in" for name in carried}, **step_outputs}

    def mapped(name: str) -> str:
        if name == "" or name in outer_names:
            return name
        if name in rename:
            return rename[name]
        return body_prefix + name

    body_nodes = []
    for node in g.node:
        copy = onnx.NodeProto()
        copy.CopyFrom(node)
        del copy.input[:]
        del copy.output[:]
        copy.input.extend(mapped(n) for n in node.input)
        copy.output.extend(mapped(n) for n in node.output)
        copy.name = body_prefix + (node.name or node.op_type)
        _rename_subgraphs(copy, mapped)
        body_nodes.append(copy)
    available = {"iteration", "cond_in", ""} | {f"{name}_in" for name in carried} | outer_names
    body_nodes = topologically_sorted(body_nodes, available)
    body_nodes.append(helper.make_node("Identity", ["cond_in"], ["cond_out"], name="loop/cond"))

    logits_info = _value_info(g, "logits")
    row_info = {row: _with_dims(_value_info(g, row), {0: "R", 2: "j"}) for row in rows}
    token_info = _value_info(g, "token", inputs=False)
    kv_type = row_info[rows[0]].type.tensor_type.elem_type
    body = helper.make_graph(
        body_nodes,
        "decode_body",
        inputs=[
            helper.make_tensor_value_info("iteration", TensorProto.INT64, []),
            helper.make_tensor_value_info("cond_in", TensorProto.BOOL, []),
            _renamed(logits_info, "logits_in"),
            *(_renamed(row_info[row], f"{row}_in") for row in rows),
        ],
        outputs=[
            helper.make_tensor_value_info("cond_out", TensorProto.BOOL, []),
            _renamed(logits_info, "logits_carry"),
            *(_renamed(row_info[row], f"{row}_carry") for row in rows),
            _renamed(token_info, "token_scan"),
        ],
    )

    outer_nodes = [
        helper.make_node("Shape", ["uniforms"], ["uniforms_shape"], name="outer/shape"),
        helper.make_node("Constant", [], ["one"], name="outer/one", value=helper.make_tensor("one_value", TensorProto.INT64, [], [1])),
        helper.make_node("Gather", ["uniforms_shape", "one"], ["trip_count"], name="outer/trip", axis=0),
        helper.make_node("Constant", [], ["keep_going"], name="outer/cond", value=helper.make_tensor("true_value", TensorProto.BOOL, [], [True])),
        # The empty rows [R, KV, 0, Dh] the first iteration starts from: slot 0 of the caches' own
        # shape, so the dtype and every other axis follow the caches.
        helper.make_node("Constant", [], ["no_slots"], name="outer/no_slots",
                         value=helper.make_tensor("no_slots_value", TensorProto.INT64, [4], [0, 0, 0, 0])),
        helper.make_node("Constant", [], ["slot_axis"], name="outer/slot_axis",
                         value=helper.make_tensor("slot_axis_value", TensorProto.INT64, [4], [0, 1, 2, 3])),
    ]
    ends = helper.make_node("Shape", [caches[0]], ["cache_shape"], name="outer/cache_shape")
    outer_nodes.append(ends)
    outer_nodes.append(helper.make_node("Constant", [], ["slot_end_mask"], name="outer/slot_end_mask",
                                        value=helper.make_tensor("slot_end_mask_value", TensorProto.INT64, [4], [1, 1, 0, 1])))
    outer_nodes.append(helper.make_node("Mul", ["cache_shape", "slot_end_mask"], ["empty_ends"], name="outer/empty_ends"))
    for cache, row in zip(caches, rows):
        outer_nodes.append(helper.make_node("Slice", [cache, "no_slots", "empty_ends", "slot_axis"], [f"{row}_empty"],
                                            name=f"outer/{row}_empty"))
    outer_nodes.append(helper.make_node(
        "Loop", ["trip_count", "keep_going", "logits", *(f"{row}_empty" for row in rows)],
        ["logits_out", *(f"{row}_final" for row in rows), "tokens_kb"], name="decode_loop", body=body))
    outer_nodes.append(helper.make_node("Transpose", ["tokens_kb"], ["tokens"], name="outer/tokens", perm=[1, 0]))
    zero_axis = helper.make_node("Constant", [], ["zero_axis"], name="outer/zero_axis",
                                 value=helper.make_tensor("zero_axis_value", TensorProto.INT64, [1], [0]))
    outer_nodes.append(zero_axis)
    for row in rows:
        outer_nodes.append(helper.make_node("Unsqueeze", [f"{row}_final", "zero_axis"], [f"{row}_stacked"], name=f"outer/{row}_stacked"))
    outer_nodes.append(helper.make_node("Concat", [f"{row}_stacked" for row in rows], ["new_kv"], name="outer/new_kv", axis=0))

    b = "B"
    inputs = [
        _renamed(logits_info, "logits"),
        _value_info(g, "prefix_mask"),
        _value_info(g, "start_index"),
        helper.make_tensor_value_info("uniforms", TensorProto.FLOAT, [b, "K"]),
        _value_info(g, "cfg_scale"),
        _value_info(g, "temperature"),
        _value_info(g, "top_k"),
        _value_info(g, "top_p"),
        *(_value_info(g, name) for name in caches),
    ]
    row_dims = row_info[rows[0]].type.tensor_type.shape.dim
    new_kv_shape = [2 * n_layer, "R", row_dims[1].dim_value or row_dims[1].dim_param, "K", row_dims[3].dim_value or row_dims[3].dim_param]
    outputs = [
        helper.make_tensor_value_info("tokens", TensorProto.INT64, [b, "K"]),
        _renamed(logits_info, "logits_out"),
        helper.make_tensor_value_info("new_kv", kv_type, new_kv_shape),
    ]
    graph = helper.make_graph(outer_nodes, "decode", inputs, outputs, initializer=list(g.initializer))
    model = helper.make_model(graph, opset_imports=list(step.opset_import), producer_name="mentor_models.export")
    model.ir_version = step.ir_version
    return model
