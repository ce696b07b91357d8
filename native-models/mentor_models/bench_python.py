"""The Python side of the studio's benchmark (`npm run bench`, bench/ and main/cli/bench/).

  python -m mentor_models.bench_python ort   --bundle DIR --image REF.png --prompt TEXT [...]
  python -m mentor_models.bench_python past-present --bundle DIR --baseline FILE.onnx --image REF.png [...]
  python -m mentor_models.bench_python torch --config b   --image REF.png --prompt TEXT [...]
  python -m mentor_models.bench_python info  --bundle DIR

`ort`: the bundle through onnxruntime (BundleRunner) with `--tokens-per-call` tokens per decode call
(1 = decode.onnx called once per token: the per-layer caches are passed in and the token's keys
and values come back and are written into them in Python, every token).
`past-present`: the conventional per-token loop (past_present_baseline.py, Optimum's
decoder_with_past layout) after the bundle's own vision, text-encoder and prefill graphs: every
token the whole KV cache goes into onnxruntime and comes back one slot longer. Its step grows with
the position, so every token of the image is generated and timed.
`torch`: the PyTorch eager reference generator (reference.reference_generate) on
`random_models(config, seed=--weights-seed)`, the same weights as `export --random-init`.
`info`: versions, numpy copy and read bandwidth (1 and `--threads` threads), and the byte size of
decode.onnx's initializers.
`profile`: onnxruntime's profiler on one decode call of `--tokens-per-call` tokens: time per operator
type per token (where a decode step's time goes).

With `--decode-tokens K`, a generation stops (StopBench) once `--skip-tokens` + K decode calls ran,
and the K later ones are timed: a decode step costs the same at every position (attention runs over
the whole fixed-size cache, masked), so this gives the per-token time without waiting for every
token of a slow baseline.

Each prints one JSON object on stdout. Times are milliseconds, wall clock (time.perf_counter); a
stage's time is the sum over its graph calls in one generation; runs after the warm-up are reported
one by one and the caller takes medians.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import sys
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np


def _peak_rss_bytes() -> int:
    # Linux reports ru_maxrss in KiB (macOS in bytes).
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)


class StopBench(Exception):
    """Raised from inside a generation once enough decode steps were timed."""


class StageTimes:
    def __init__(self) -> None:
        self.ms: dict[str, float] = {}
        self.calls: dict[str, list[float]] = {}

    def add(self, stage: str, ms: float) -> None:
        self.ms[stage] = self.ms.get(stage, 0.0) + ms
        self.calls.setdefault(stage, []).append(ms)


class DecodeLimit:
    """Stops a generation after `skip + count` decode calls (count 0: never); the calls after the
    first `skip` are the measured ones."""

    def __init__(self, skip: int, count: int):
        self.skip, self.count = skip, count

    def check(self, calls: int) -> None:
        if self.count > 0 and calls >= self.skip + self.count:
            raise StopBench()


class _TimedSession:
    """Stands in for an onnxruntime session: same run(), with the wall time of each call recorded."""

    def __init__(self, session: Any, stage: str, times: Callable[[], StageTimes], after: Callable[[], None]):
        self._session, self._stage, self._times, self._after = session, stage, times, after

    def run(self, output_names: Any, feeds: dict[str, Any]) -> Any:
        started = time.perf_counter()
        out = self._session.run(output_names, feeds)
        self._times().add(self._stage, (time.perf_counter() - started) * 1000)
        self._after()
        return out


def _engine_session_options(ort: Any, threads: int) -> Any:
    """What the TypeScript engine sets (main/engine/runtime/open-runtime.ts): intra-op threads, one
    inter-op thread, sequential, every graph optimisation, threads spinning during a run and
    stopping when it returns."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.add_session_config_entry("session.intra_op.allow_spinning", "1")
    options.add_session_config_entry("session.inter_op.allow_spinning", "1")
    options.add_session_config_entry("session.force_spinning_stop", "1")
    return options


def _load_image(path: str):
    from PIL import Image

    with Image.open(path) as image:
        return image.convert("RGB")


def _run_record(times: StageTimes, total_ms: float, limit: DecodeLimit, tokens_per_call: int, stopped: bool) -> dict[str, Any]:
    decode_calls = times.calls.get("decode", [])
    measured = decode_calls[limit.skip:] if stopped else decode_calls
    tokens = len(measured) * tokens_per_call
    return {
        "timings": {**{k: v for k, v in times.ms.items() if k != "decode"}, "decode": sum(measured), "total": total_ms},
        "decodeCalls": len(decode_calls),
        "decodeTokensMeasured": tokens,
        "decodeMsPerToken": sum(measured) / tokens if tokens else None,
        # The median call, per token: robust to bursts of other work on the machine.
        "decodeMsPerTokenMedian": float(np.median(measured)) / tokens_per_call if tokens else None,
        "stoppedEarly": stopped,
    }


def bench_ort(args: argparse.Namespace) -> dict[str, Any]:
    import onnxruntime as ort

    from .bundle_runner import BundleRunner

    current = StageTimes()
    limit = DecodeLimit(args.skip_tokens, args.decode_tokens)
    runner = BundleRunner(args.bundle, verify=False, threads=args.threads)
    if args.session_options == "engine":
        # The TypeScript engine's session options (open-runtime.ts).
        options = _engine_session_options(ort, args.threads)
        for key in list(runner.sessions):
            name = runner.manifest["graphs"][key]
            runner.sessions[key] = ort.InferenceSession(str(Path(args.bundle) / name), options, providers=["CPUExecutionProvider"])
    for key, session in list(runner.sessions.items()):
        after = (lambda: limit.check(len(current.calls.get("decode", [])))) if key == "decode" else (lambda: None)
        runner.sessions[key] = _TimedSession(session, key, lambda: current, after)  # type: ignore[assignment]
    image = _load_image(args.image)
    params = runner.defaults()
    runs = []
    sampled: list[int] = []

    def on_call(done: int, tokens: np.ndarray) -> None:
        sampled[:] = tokens[0, :done].tolist()

    for i in range(args.warmup + args.runs):
        current = StageTimes()
        started = time.perf_counter()
        stopped = False
        try:
            runner.generate(args.prompt, [image], args.seed, params=params, tokens_per_call=args.tokens_per_call, on_call=on_call)
        except StopBench:
            stopped = True
        total = (time.perf_counter() - started) * 1000
        if i >= args.warmup:
            runs.append(_run_record(current, total, limit, args.tokens_per_call, stopped))
    return {
        "kind": "ort",
        "tokensPerCall": args.tokens_per_call,
        "threads": args.threads,
        "sessionOptions": args.session_options,
        "tokens": int(runner.config["grid"]) ** 2,
        "runs": runs,
        "sampledTokens": sampled,
        "peakRssBytes": _peak_rss_bytes(),
        "versions": {"onnxruntime": ort.__version__, "numpy": np.__version__, "python": platform.python_version()},
    }


def bench_past_present(args: argparse.Namespace) -> dict[str, Any]:
    import onnxruntime as ort

    from .bundle_runner import BundleRunner
    from .past_present_baseline import decode_past_present
    from .uniforms import uniforms as uniforms_for

    runner = BundleRunner(args.bundle, verify=False, threads=args.threads)
    current = StageTimes()
    for key, session in list(runner.sessions.items()):
        runner.sessions[key] = _TimedSession(session, key, lambda: current, lambda: None)  # type: ignore[assignment]
    options = _engine_session_options(ort, args.threads)
    step = ort.InferenceSession(str(args.baseline), options, providers=["CPUExecutionProvider"])
    c = runner.config
    n_tokens = int(c["grid"]) ** 2
    params = runner.defaults()
    image = _load_image(args.image)
    runs = []
    sampled: list[int] = []
    boundary = 0
    for i in range(args.warmup + args.runs):
        current = StageTimes()
        started = time.perf_counter()
        logits, prefix_mask, caches = runner.prefix(args.prompt, [image])
        marks = [time.perf_counter()]
        crossed = [0]

        def on_step(done: int, feeds: dict[str, np.ndarray], outputs: list[np.ndarray]) -> None:
            marks.append(time.perf_counter())
            crossed[0] += sum(a.nbytes for a in feeds.values()) + sum(a.nbytes for a in outputs)

        tokens = decode_past_present(step, logits, caches, prefix_mask, uniforms_for(args.seed, 1, n_tokens),
                                     (params.cfg_scale, params.temperature, params.top_k, params.top_p),
                                     int(c["prefixLength"]), n_tokens, on_step)
        for earlier, later in zip(marks, marks[1:]):
            current.add("decode", (later - earlier) * 1000)
        runner.sessions["vqDecode"].run(None, {"tokens": tokens})
        total = (time.perf_counter() - started) * 1000
        if i >= args.warmup:
            # Every step is timed (it grows with the position); the first few are warm-up.
            runs.append(_run_record(current, total, DecodeLimit(0, 0), 1, False))
            sampled = tokens[0].tolist()
            boundary = crossed[0]
    return {
        "kind": "pastPresent",
        "threads": args.threads,
        "tokens": n_tokens,
        "runs": runs,
        "sampledTokens": sampled,
        "boundaryBytesPerImage": boundary,
        "peakRssBytes": _peak_rss_bytes(),
        "versions": {"onnxruntime": ort.__version__, "numpy": np.__version__, "python": platform.python_version()},
    }


def bench_torch(args: argparse.Namespace) -> dict[str, Any]:
    import torch

    from .export import graphs
    from .export.models import random_models
    from .reference import Sampling, reference_generate

    torch.set_num_threads(args.threads)
    current = StageTimes()
    limit = DecodeLimit(args.skip_tokens, args.decode_tokens)
    sampled: list[int] = []
    stage_of = {"VisionGraph": "vision", "TextEncoderGraph": "textEncoder", "PrefillGraph": "prefill",
                "DecodeStepGraph": "decode", "VQDecodeGraph": "vqDecode"}
    originals = {name: getattr(graphs, name) for name in stage_of}

    def timed(cls: type, stage: str) -> type:
        class Timed(cls):  # type: ignore[misc, valid-type]
            def forward(self, *inputs):  # noqa: ANN002, ANN202
                started = time.perf_counter()
                out = super().forward(*inputs)
                current.add(stage, (time.perf_counter() - started) * 1000)
                if stage == "decode":
                    sampled.append(int(out[0][0]))
                    limit.check(len(current.calls["decode"]))
                return out

        Timed.__name__ = cls.__name__
        return Timed

    loading = time.perf_counter()
    models = random_models(args.config, seed=args.weights_seed)
    load_ms = (time.perf_counter() - loading) * 1000
    sampling = Sampling(args.cfg, args.temperature, args.top_k, args.top_p)
    image = _load_image(args.image)
    runs = []
    # reference_generate imports the graph classes from the module when it is called, so timed
    # subclasses put in the module's namespace are what it runs: the reference itself, unchanged.
    for name, stage in stage_of.items():
        setattr(graphs, name, timed(originals[name], stage))
    try:
        for i in range(args.warmup + args.runs):
            current = StageTimes()
            sampled.clear()
            started = time.perf_counter()
            stopped = False
            try:
                reference_generate(models, args.prompt, [image], args.seed, sampling=sampling)
            except StopBench:
                stopped = True
            total = (time.perf_counter() - started) * 1000
            if i >= args.warmup:
                runs.append(_run_record(current, total, limit, 1, stopped))
    finally:
        for name, cls in originals.items():
            setattr(graphs, name, cls)
    return {
        "kind": "torch",
        "threads": torch.get_num_threads(),
        "tokens": int(models.gpt_cfg.block_size),
        "modelLoadMs": load_ms,
        "runs": runs,
        "sampledTokens": list(sampled),
        "peakRssBytes": _peak_rss_bytes(),
        "versions": {"torch": torch.__version__, "numpy": np.__version__, "python": platform.python_version()},
    }


def profile_decode(args: argparse.Namespace) -> dict[str, Any]:
    """Where one decode call's time goes, by operator type: onnxruntime's profiler on decode.onnx for
    `--tokens-per-call` tokens after prefill (session options as the TS engine sets them)."""
    import os
    import tempfile

    import onnxruntime as ort

    from .bundle_runner import BundleRunner

    runner = BundleRunner(args.bundle, verify=False, threads=args.threads)
    logits, prefix_mask, caches = runner.prefix(args.prompt, [_load_image(args.image)])
    options = _engine_session_options(ort, args.threads)
    options.enable_profiling = True
    options.profile_file_prefix = os.path.join(tempfile.mkdtemp(prefix="mentor-profile-"), "decode")
    session = ort.InferenceSession(str(Path(args.bundle) / runner.manifest["graphs"]["decode"]), options,
                                   providers=["CPUExecutionProvider"])
    k = args.tokens_per_call

    def feeds(start: int) -> dict[str, Any]:
        return {"logits": logits, "prefix_mask": prefix_mask, "start_index": np.array(start, dtype=np.int64),
                "uniforms": np.full((1, k), 0.5, dtype=np.float32), "cfg_scale": np.array(7.5, dtype=np.float32),
                "temperature": np.array(0.9, dtype=np.float32), "top_k": np.array(0, dtype=np.int64),
                "top_p": np.array(1.0, dtype=np.float32), **caches}

    session.run(None, feeds(0))  # warm-up call (also profiled; its events are dropped below)
    marker = time.perf_counter()
    session.run(None, feeds(k))
    call_ms = (time.perf_counter() - marker) * 1000
    trace = json.loads(Path(session.end_profiling()).read_text())
    runs = [e for e in trace if e.get("cat") == "Session" and e.get("name") == "model_run"]
    if len(runs) < 2:
        raise RuntimeError("profiler recorded fewer than two runs")
    second = runs[-1]
    lo, hi = second["ts"], second["ts"] + second["dur"]
    by_op: dict[str, dict[str, float]] = {}
    node_us = 0.0
    for event in trace:
        if event.get("cat") != "Node" or not str(event.get("name", "")).endswith("_kernel_time"):
            continue
        if not (lo <= event["ts"] <= hi):
            continue
        op = event.get("args", {}).get("op_name", "?")
        entry = by_op.setdefault(op, {"us": 0.0, "calls": 0})
        entry["us"] += event["dur"]
        entry["calls"] += 1
        node_us += event["dur"]
    # The Loop node's own time includes its body's nodes; count the body ops, not the Loop.
    loop_us = by_op.pop("Loop", {"us": 0.0})["us"]
    body_us = node_us - loop_us
    ops = sorted(({"op": op, "msPerToken": v["us"] / 1000 / k, "callsPerToken": v["calls"] / k} for op, v in by_op.items()),
                 key=lambda e: -e["msPerToken"])
    return {"kind": "profile", "tokensPerCall": k, "threads": args.threads, "callMs": call_ms,
            "runMsPerToken": second["dur"] / 1000 / k, "opsMsPerToken": body_us / 1000 / k,
            "kernelsPerToken": sum(e["callsPerToken"] for e in ops), "ops": ops[:12]}


def numpy_copy_bandwidth(megabytes: int = 512, repeats: int = 5) -> dict[str, Any]:
    """Best of `repeats` copies of one array into another (one thread): bytes read + written per second."""
    src = np.ones(megabytes * (1 << 20) // 4, dtype=np.float32)
    dst = np.zeros_like(src)
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        np.copyto(dst, src)
        best = min(best, time.perf_counter() - started)
    return {"bytes": int(src.nbytes), "seconds": best, "readWriteGBs": 2 * src.nbytes / best / 1e9}


def numpy_read_bandwidth(threads: int, megabytes: int = 256, repeats: int = 5) -> dict[str, Any]:
    """Best of `repeats` sums of one large float32 array per thread, all threads at once: bytes read
    per second. A decode step streams its weights (and KV cache) without writing them, so this,
    not a copy's read + write, is the bandwidth its floor divides by. numpy's sum is vectorised and
    releases the GIL, so `threads` Python threads read in parallel."""
    from concurrent.futures import ThreadPoolExecutor

    arrays = [np.ones(megabytes * (1 << 20) // 4, dtype=np.float32) for _ in range(threads)]
    best = float("inf")
    with ThreadPoolExecutor(threads) as pool:
        for _ in range(repeats):
            started = time.perf_counter()
            list(pool.map(np.sum, arrays))
            best = min(best, time.perf_counter() - started)
    return {"threads": threads, "bytes": int(sum(a.nbytes for a in arrays)), "seconds": best,
            "readGBs": sum(a.nbytes for a in arrays) / best / 1e9}


def decode_initializer_bytes(bundle: Path) -> dict[str, Any]:
    """Bytes of decode.onnx's initializers (weights), outer graph and any subgraph."""
    import onnx

    from .manifest import read_manifest

    manifest = read_manifest(bundle)
    model = onnx.load(str(bundle / manifest["graphs"]["decode"]), load_external_data=False)
    total = 0
    count = 0
    largest: list[tuple[int, str]] = []

    def visit(graph: onnx.GraphProto) -> None:
        nonlocal total, count
        for init in graph.initializer:
            size = int(np.prod(init.dims, dtype=np.int64)) * np.dtype(onnx.helper.tensor_dtype_to_np_dtype(init.data_type)).itemsize
            total += size
            count += 1
            largest.append((size, init.name))
        for node in graph.node:
            for attribute in node.attribute:
                if attribute.type == onnx.AttributeProto.GRAPH:
                    visit(attribute.g)

    visit(model.graph)
    largest.sort(reverse=True)
    return {"bytes": total, "count": count, "largest": [{"name": n, "bytes": s} for s, n in largest[:4]]}


def info(args: argparse.Namespace) -> dict[str, Any]:
    import onnxruntime as ort

    out: dict[str, Any] = {"kind": "info", "versions": {"onnxruntime": ort.__version__, "numpy": np.__version__,
                                                         "python": platform.python_version()}}
    try:
        import torch

        out["versions"]["torch"] = torch.__version__
    except ImportError:
        pass
    out["numpyCopy"] = numpy_copy_bandwidth()
    out["numpyRead"] = [numpy_read_bandwidth(n) for n in sorted({1, args.threads})]
    if args.bundle is not None:
        out["decodeInitializers"] = decode_initializer_bytes(Path(args.bundle))
    return out


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m mentor_models.bench_python", description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["ort", "past-present", "torch", "info", "profile"])
    parser.add_argument("--bundle", help="bundle folder (ort, info)")
    parser.add_argument("--baseline", help="the past/present step graph (past-present; past_present_baseline.py export)")
    parser.add_argument("--config", default="b", help="random_models preset (torch): tiny, b")
    parser.add_argument("--weights-seed", type=int, default=0, help="seed of the random weights (export's --seed)")
    parser.add_argument("--image", help="the reference image")
    parser.add_argument("--prompt", default="The cat in <image>. A cat as a pixel-art hero")
    parser.add_argument("--seed", type=int, default=42, help="sampling seed")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--tokens-per-call", type=int, default=1, help="decode tokens per call (ort)")
    parser.add_argument("--session-options", choices=["engine", "default"], default="engine",
                        help="ort: engine = the TS engine's session options; default = BundleRunner's own (onnxruntime's "
                             "defaults: idle threads keep spinning after a run)")
    parser.add_argument("--warmup", type=int, default=0, help="whole generations run before the timed ones")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--decode-tokens", type=int, default=0,
                        help="stop each generation after timing this many decode calls (0: generate every token)")
    parser.add_argument("--skip-tokens", type=int, default=4,
                        help="with --decode-tokens: decode calls run before the timed ones (warm-up)")
    # Sampling for torch (the bundle's defaults for ort): MENTOR's evaluation settings.
    parser.add_argument("--cfg", type=float, default=7.5)
    parser.add_argument("--temperature", type=float, default=0.9)
    parser.add_argument("--top-k", type=int, default=0)
    parser.add_argument("--top-p", type=float, default=1.0)
    args = parser.parse_args(argv)
    if args.what in ("ort", "profile") and (args.bundle is None or args.image is None):
        parser.error(f"{args.what} needs --bundle and --image")
    if args.what == "past-present" and (args.bundle is None or args.baseline is None or args.image is None):
        parser.error("past-present needs --bundle, --baseline and --image")
    if args.what == "torch" and args.image is None:
        parser.error("torch needs --image")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    result = {"ort": bench_ort, "past-present": bench_past_present, "torch": bench_torch, "info": info, "profile": profile_decode}[args.what](args)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
