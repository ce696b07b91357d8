import io
import math
import warnings

import numpy as np
import onnxruntime as ort
import pytest
import torch

from mentor_models.sampler import (
    NextTokenSampler,
    check_sampling_params,
    draw,
    guide,
    keep_mask,
    sample_next,
    top_k_keep,
    top_p_keep,
)
from mentor_models.uniforms import uniforms

OFF_K = torch.tensor(0)
OFF_P = torch.tensor(1.0)


def row(*values):
    return torch.tensor([values], dtype=torch.float32)  # [1, V]


def kept(mask):
    return torch.nonzero(mask[0]).flatten().tolist()


def sample(c, u=None, r=0.0, s=1.0, t=1.0, k=0, p=1.0):
    u = torch.zeros_like(c) if u is None else u
    rr = torch.full((c.shape[0],), r, dtype=torch.float32)
    return sample_next(c, u, rr, torch.tensor(s), torch.tensor(t), torch.tensor(k), torch.tensor(p))


# --- step 1: guidance ---

def test_guidance_formula_and_switch():
    c, u = row(1, 2, 3, 4, 5), row(0, 1, 1, 1, 1)
    torch.testing.assert_close(guide(c, u, torch.tensor(3.0)), row(3, 4, 7, 10, 13), rtol=0, atol=0)
    for s in (1.0, 0.5, 0.0):  # s <= 1: the conditional logits alone
        torch.testing.assert_close(guide(c, u, torch.tensor(s)), c, rtol=0, atol=0)


def test_guidance_changes_the_greedy_token():
    c, u = row(2, 1.9, 0, 0, 0), row(2.5, 0, 0, 0, 0)
    assert sample(c, u, s=1.0, t=0.0).item() == 0  # g = c
    assert sample(c, u, s=2.0, t=0.0).item() == 1  # g = [1.5, 3.8, 0, 0, 0]


# --- step 2: temperature 0 ---

def test_temperature_zero_is_argmax_lowest_id_on_ties():
    c = row(1, 3, 3, 0, 3)
    for r in (0.0, 0.5, 0.999):
        assert sample(c, r=r, t=0.0).item() == 1
        assert sample(c, r=r, t=-1.0).item() == 1  # the graph maps T < 0 to greedy too


def test_temperature_scales_the_distribution():
    # P(token 0) for logits [ln 3, 0]: 0.75 at T=1, 0.9 at T=0.5 (9:1), 0.5 in the T -> inf limit.
    c = row(math.log(3.0), 0.0)
    r = torch.tensor([0.74, 0.76, 0.89, 0.91])
    for t, expected in ((1.0, [0, 1, 1, 1]), (0.5, [0, 0, 0, 1])):
        c4 = c.expand(4, 2)
        out = sample_next(c4, torch.zeros_like(c4), r, torch.tensor(1.0), torch.tensor(t), OFF_K, OFF_P)
        assert out.tolist() == expected


# --- step 3: top-k ---

@pytest.mark.parametrize("k, expected", [
    (1, [1, 3]),            # the two maxima tie: both stay
    (2, [1, 3]),
    (3, [1, 2, 3]),
    (4, [0, 1, 2, 3]),
    (5, [0, 1, 2, 3, 4]),   # k = V: off
    (9, [0, 1, 2, 3, 4]),   # k > V: off
    (0, [0, 1, 2, 3, 4]),   # off
    (-1, [0, 1, 2, 3, 4]),  # off
])
def test_top_k(k, expected):
    assert kept(top_k_keep(row(1, 3, 2, 3, 0), torch.tensor(k))) == expected


def test_top_k_keeps_ties_at_the_kth_value():
    assert kept(top_k_keep(row(1, 3, 2, 2, 0), torch.tensor(2))) == [1, 2, 3]


# --- step 4: top-p ---

def _mass_before(logits, keep):
    probs = torch.softmax(torch.where(keep, logits, -math.inf), dim=-1)[0]
    q, order = torch.sort(probs, descending=True)
    return (q.cumsum(0) - q), order


def test_top_p_prefix_rule_at_the_exact_boundary():
    logits = row(0.2, 1.5, -0.3, 0.9, -1.0)  # sorted order: 1, 3, 0, 2, 4
    keep_all = torch.ones_like(logits, dtype=torch.bool)
    before, order = _mass_before(logits, keep_all)
    assert order.tolist() == [1, 3, 0, 2, 4]
    for j in range(1, 5):
        boundary = before[j]  # float32, exactly what the sampler computes
        at = top_p_keep(logits, keep_all, boundary)
        above = top_p_keep(logits, keep_all, torch.nextafter(boundary, torch.tensor(2.0)))
        assert sorted(kept(at)) == sorted(order[:j].tolist())  # before_j < p fails at p = before_j
        assert sorted(kept(above)) == sorted(order[: j + 1].tolist())


def test_top_p_keeps_the_top_token_even_for_tiny_p():
    logits = row(0.2, 1.5, -0.3, 0.9, -1.0)
    keep_all = torch.ones_like(logits, dtype=torch.bool)
    assert kept(top_p_keep(logits, keep_all, torch.tensor(1e-6))) == [1]
    assert kept(top_p_keep(logits, keep_all, torch.tensor(0.0))) == [1]


def test_top_p_keeps_equal_probabilities_together():
    # probs ~ [0.5, 0.25, 0.125, 0.125, 0]: p = 0.8 reaches into the tied pair, and both stay.
    logits = row(math.log(0.5), math.log(0.25), math.log(0.125), math.log(0.125), -20.0)
    keep_all = torch.ones_like(logits, dtype=torch.bool)
    assert kept(top_p_keep(logits, keep_all, torch.tensor(0.7))) == [0, 1]
    assert kept(top_p_keep(logits, keep_all, torch.tensor(0.8))) == [0, 1, 2, 3]
    assert kept(top_p_keep(logits, keep_all, torch.tensor(1.0))) == [0, 1, 2, 3, 4]  # off


def test_top_p_works_on_the_top_k_survivors():
    logits = row(3.0, 2.0, 1.0, 0.0, -1.0)
    keep_k = top_k_keep(logits, torch.tensor(2))  # tokens 0, 1: renormalized 0.731 / 0.269
    assert kept(top_p_keep(logits, keep_k, torch.tensor(0.72))) == [0]
    assert kept(top_p_keep(logits, keep_k, torch.tensor(0.74))) == [0, 1]
    assert kept(top_p_keep(logits, keep_k, torch.tensor(1.0))) == [0, 1]  # never re-adds 2..4


def test_keep_mask_skips_only_steps_that_keep_everything():
    # keep_mask runs top-k / top-p only when they are on; off, they keep every token anyway.
    gen = torch.Generator().manual_seed(11)
    for case in range(60):
        logits = torch.randn(3, 9, generator=gen)
        if case % 3 == 0:
            logits = torch.round(logits * 2) / 2  # ties
        k = torch.tensor([0, -2, 1, 4, 8, 9, 30][case % 7])
        p = torch.tensor([1.0, 1.5, 0.9, 0.3, 1e-9][case % 5])
        assert torch.equal(keep_mask(logits, k, p), top_p_keep(logits, top_k_keep(logits, k), p)), (case, k, p)


# --- step 5: the draw ---

def test_draw_boundaries_on_exact_quarters():
    logits = row(1, 1, 1, 1, -5)
    keep = top_k_keep(logits, torch.tensor(4))  # probabilities exactly 0.25; token 4 removed
    cdf = torch.softmax(torch.where(keep, logits, -math.inf), -1).cumsum(-1)
    assert cdf[0].tolist() == [0.25, 0.5, 0.75, 1.0, 1.0]
    cases = {0.0: 0, 0.25 - 2**-24: 0, 0.25: 1, 0.5 - 2**-24: 1, 0.5: 2, 0.75: 3, 1 - 2**-24: 3}
    for r, token in cases.items():
        assert draw(logits, keep, torch.tensor([r])).item() == token, r


def test_draw_never_picks_a_removed_token():
    logits = row(5, 1, 1, 1, 1)
    keep = torch.tensor([[False, True, False, True, False]])
    got = {draw(logits, keep, torch.tensor([r])).item() for r in (0.0, 0.3, 0.5, 0.7, 1 - 2**-24)}
    assert got == {1, 3}


def test_sample_next_matches_a_float64_reference():
    torch.manual_seed(0)
    c, u = torch.randn(64, 7) * 2, torch.randn(64, 7)
    r = torch.from_numpy(uniforms(3, 1, 64)[0])
    out = sample_next(c, u, r, torch.tensor(1.5), torch.tensor(0.8), torch.tensor(4), torch.tensor(0.9))
    for b in range(64):
        g = (u[b] + 1.5 * (c[b] - u[b])).double() / 0.8
        order = torch.argsort(g, descending=True)
        keep = g >= g[order[3]]
        q = torch.softmax(torch.where(keep, g, -math.inf), 0)
        qs = torch.sort(q, descending=True).values
        nucleus = (qs.cumsum(0) - qs < 0.9)
        nucleus[0] = True
        keep &= q >= qs[nucleus].min()
        cdf = torch.softmax(torch.where(keep, g, -math.inf), 0).cumsum(0)
        expected = int((cdf <= r[b].double() * cdf[-1]).sum())
        assert out[b].item() == expected


def test_accepts_python_scalars_and_half_logits():
    c = row(0.0, 4.0, 0.0)
    assert sample_next(c.half(), c.half(), torch.tensor([0.5]), 2.0, 0.0, 0, 1.0).item() == 1
    assert sample_next(c, c, torch.tensor([0.5]), 1, 1, 1, 1).dtype == torch.int64


# --- statistics ---

@pytest.mark.parametrize("t, k", [(1.0, 0), (0.7, 3)])
def test_draws_follow_the_distribution(t, k):
    n = 10_000
    logits = row(0.5, -0.2, 1.3, 0.0, -1.0)
    r = torch.from_numpy(uniforms(2024, 1, n)[0])  # [n]
    c = logits.expand(n, 5)
    tokens = sample_next(c, c, r, torch.tensor(1.0), torch.tensor(t), torch.tensor(k), OFF_P)
    g = logits[0].double() / t
    if k:
        g = torch.where(g >= torch.sort(g, descending=True).values[k - 1], g, -math.inf)
    expected = torch.softmax(g, 0).numpy()
    freq = np.bincount(tokens.numpy(), minlength=5) / n
    sigma = np.sqrt(expected * (1 - expected) / n)
    assert np.all(np.abs(freq - expected) <= 4 * sigma + 1e-12), (freq, expected)


# --- parameter checks ---

def test_check_sampling_params():
    check_sampling_params(7.5, 0.9, 16384, 1.0)
    check_sampling_params(1.0, 0.0, 0, 0.5)
    for bad in [(-1.0, 1.0, 0, 1.0), (1.0, -0.1, 0, 1.0), (1.0, 1.0, -1, 1.0), (1.0, 1.0, 2.5, 1.0),
                (1.0, 1.0, 0, 0.0), (1.0, 1.0, 0, 1.5), (math.nan, 1.0, 0, 1.0), (1.0, math.inf, 0, 1.0)]:
        with pytest.raises(ValueError):
            check_sampling_params(*bad)


# --- ONNX ---

NAMES = ["logits_cond", "logits_uncond", "r", "cfg_scale", "temperature", "top_k", "top_p"]


@pytest.fixture(scope="module")
def onnx_model() -> bytes:
    args = (torch.randn(2, 5), torch.randn(2, 5), torch.rand(2), torch.tensor(2.0), torch.tensor(1.0),
            torch.tensor(3), torch.tensor(0.9))
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the TorchScript exporter is deprecated
        torch.onnx.export(
            NextTokenSampler(), args, buf, dynamo=False, opset_version=17,
            input_names=NAMES, output_names=["tokens"],
            dynamic_axes={"logits_cond": {0: "B", 1: "V"}, "logits_uncond": {0: "B", 1: "V"},
                          "r": {0: "B"}, "tokens": {0: "B"}},
        )
    return buf.getvalue()


@pytest.fixture(scope="module")
def onnx_session(onnx_model):
    return ort.InferenceSession(onnx_model, providers=["CPUExecutionProvider"])


def test_onnx_export_matches_torch(onnx_session):
    gen = torch.Generator().manual_seed(1234)
    rng = np.random.default_rng(1234)
    mismatches = []
    for case in range(200):
        b, v = int(rng.integers(1, 7)), int(rng.integers(2, 41))
        c = torch.randn(b, v, generator=gen) * 3
        u = torch.randn(b, v, generator=gen) * 3
        if case % 4 == 0:  # coarse values: ties everywhere
            c, u = torch.round(c * 2) / 2, torch.round(u * 2) / 2
        r = torch.from_numpy(uniforms(case, b, 1)[:, 0])  # [b]
        s = float(rng.choice([0.0, 1.0, 1.5, 4.0]))
        t = float(rng.choice([0.0, 0.5, 1.0, 1.3]))
        k = int(rng.choice([0, -1, 1, 3, v, v + 5]))
        p = float(rng.choice([1.0, 1.5, 0.9, 0.5, 0.2]))
        inputs = [c, u, r, torch.tensor(s), torch.tensor(t), torch.tensor(k), torch.tensor(p)]
        expected = sample_next(*inputs).numpy()
        got = onnx_session.run(None, {n: x.numpy() for n, x in zip(NAMES, inputs)})[0]
        assert got.dtype == np.int64 and got.shape == (b,)
        if not np.array_equal(got, expected):
            mismatches.append((case, b, v, s, t, k, p, got, expected))
    assert not mismatches


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # torch.jit.script is deprecated
def test_scripted_module_matches_eager():
    # The exporter may build the decode Loop with torch.jit.script; the sampler must compile as is.
    scripted = torch.jit.script(NextTokenSampler())
    gen = torch.Generator().manual_seed(7)
    for case in range(20):
        c, u = torch.randn(3, 17, generator=gen) * 2, torch.randn(3, 17, generator=gen)
        r = torch.from_numpy(uniforms(case, 3, 1)[:, 0])
        scalars = (torch.tensor(1.0 + case % 3), torch.tensor(0.0 if case % 5 == 0 else 0.9),
                   torch.tensor(case % 6), torch.tensor(0.6 + 0.1 * (case % 5)))
        assert torch.equal(scripted(c, u, r, *scalars), sample_next(c, u, r, *scalars))


def test_exported_sampler_sorts_only_when_top_k_or_top_p_is_on(onnx_model):
    import onnx

    from mentor_models.export.decode_loop import subgraphs

    model = onnx.load_from_string(onnx_model)

    def sorts(graph, inside_if=False):
        found = []
        for node in graph.node:
            if node.op_type == "TopK":
                found.append(inside_if)
            for sub in subgraphs(node):
                found += sorts(sub, inside_if or node.op_type == "If")
        return found

    placements = sorts(model.graph)
    assert placements and all(placements)  # two sorts (top-k, top-p), each inside an If branch
