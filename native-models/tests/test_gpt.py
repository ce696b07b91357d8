"""The MENTOR/LlamaGen T2I GPT (mentor_models.gpt): checkpoint key layout (spec §3.3),
teacher-forced consistency of prefill/decode_step with forward_train, the two RoPE variants (spec §2.7, LlamaGen
#54), prefix padding invariance (§2.5) and ONNX traceability of the inference entry points (§4.5).
"""

import math
import warnings
from dataclasses import replace

import numpy as np
import pytest
import torch

from mentor_models.configs import count_parameters, get_gpt_config
from mentor_models.gpt import GPT, rotate_one_position
from mentor_models.prefix import left_pad, left_pad_mask
from mentor_models.rope import apply_rotary_emb

TINY = get_gpt_config("GPT-tiny")
T, N, C = TINY.cls_token_num, TINY.block_size, TINY.caption_dim


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    # Tiny matmuls on a shared 2-core machine: extra threads only spin (about 10x slower).
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def make_model(rope_variant="mentor", cfg=TINY, seed=0):
    torch.manual_seed(seed)
    model = GPT(cfg, rope_variant).eval()
    # A fresh model has a zero output head (LlamaGen init), which would hide every logit check.
    torch.nn.init.normal_(model.output.weight, std=0.02)
    return model


def make_prefix(lengths, t=T, seed=1):
    """Right-padded encoder states as T5 returns them, with garbage in the pad rows."""
    g = torch.Generator().manual_seed(seed)
    states = torch.randn(len(lengths), t, C, generator=g)
    mask = torch.arange(t)[None, :] < torch.tensor(lengths)[:, None]
    return states, mask


def teacher_forced_decode(model, states, mask, tokens, null_rows=None):
    """prefill + one decode_step per token: the logits that predict tokens 0..n-1."""
    t = model.cfg.cls_token_num
    logits, kv = model.prefill(states, mask, null_rows)
    out = [logits]
    for j in range(tokens.shape[1]):  # the last step (p = S-1) runs too; its logits are unused
        logits, kv = model.decode_step(tokens[:, j], torch.tensor(t + j), kv, mask)
        out.append(logits)
    return torch.stack(out[:-1], dim=1), kv


# --- checkpoint layout -------------------------------------------------------------------------

def expected_xl_keys():
    """Spec §3.3, GPT part, with the MENTOR prefix (512 rows)."""
    keys = {
        "cls_embedding.uncond_embedding": (512, 2048),
        "cls_embedding.cap_proj.fc1.weight": (1280, 2048),
        "cls_embedding.cap_proj.fc2.weight": (1280, 1280),
        "tok_embeddings.weight": (16384, 1280),
        "norm.weight": (1280,),
        "output.weight": (16384, 1280),
    }
    for i in range(36):
        keys |= {
            f"layers.{i}.attention.wqkv.weight": (3840, 1280),
            f"layers.{i}.attention.wo.weight": (1280, 1280),
            f"layers.{i}.feed_forward.w1.weight": (3584, 1280),
            f"layers.{i}.feed_forward.w3.weight": (3584, 1280),
            f"layers.{i}.feed_forward.w2.weight": (1280, 3584),
            f"layers.{i}.attention_norm.weight": (1280,),
            f"layers.{i}.ffn_norm.weight": (1280,),
        }
    return keys


def test_gpt_xl_state_dict_is_the_official_layout():
    with torch.device("meta"):  # shapes only: no 3 GB allocation
        model = GPT(get_gpt_config("GPT-XL"))
    got = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    assert got == expected_xl_keys()  # same names, same shapes, nothing extra (no RoPE/mask/cache)
    assert [name for name, _ in model.named_buffers()] == ["cls_embedding.uncond_embedding"]
    n_params = sum(p.numel() for p in model.parameters())
    assert n_params == count_parameters(model.cfg) == 777_678_080
    # The RoPE table is a plain fp32 CPU constant even for a meta-built model.
    assert model.freqs_cis.device.type == "cpu" and model.freqs_cis.shape == (1536, 32, 2)


def test_state_dict_round_trip_and_dtype_cast_keeps_rope_fp32():
    a, b = make_model(seed=0), GPT(TINY).eval()
    b.load_state_dict(a.state_dict())  # strict: the names are the whole state
    states, mask = make_prefix([5, 64])
    with torch.no_grad():
        assert torch.equal(a.prefill(states, mask)[0], b.prefill(states, mask)[0])
    b.to(torch.bfloat16)
    assert b.freqs_cis.dtype == torch.float32
    assert b.cls_embedding.uncond_embedding.dtype == torch.bfloat16


def test_fresh_init_follows_llamagen():
    model = GPT(get_gpt_config("GPT-tiny", dim=128, n_head=4))
    assert torch.count_nonzero(model.output.weight) == 0
    w = model.layers[0].feed_forward.w1.weight
    assert abs(w.std().item() - 0.02) < 0.002 and abs(w.mean().item()) < 0.002
    u = model.cls_embedding.uncond_embedding
    # randn / sqrt(caption_dim)
    assert abs(u.std().item() * math.sqrt(TINY.caption_dim) - 1.0) < 0.1
    states, mask = make_prefix([3])
    with torch.no_grad():
        assert torch.count_nonzero(model.eval().prefill(states, mask)[0]) == 0


# --- teacher-forced consistency ----------------------------------------------------------------

@pytest.mark.parametrize("variant", ["mentor", "llamagen"])
def test_prefill_and_decode_reproduce_forward_train(variant):
    model = make_model(variant)
    states, mask = make_prefix([9, 64, 1, 30])
    states = torch.cat([states, states[:2]])              # CFG layout: [cond; null] rows
    mask = torch.cat([mask, mask[:2]])
    null_rows = torch.tensor([False] * 4 + [True] * 2)
    tokens = torch.randint(0, TINY.vocab_size, (6, N), generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        ref = model.forward_train(states, mask, tokens, null_rows)
        got, kv = teacher_forced_decode(model, states, mask, tokens, null_rows)
    assert ref.shape == got.shape == (6, N, TINY.vocab_size) and ref.dtype == torch.float32
    assert (ref - got).abs().max().item() <= 1e-5
    assert kv.shape == (TINY.n_layer, 2, 6, TINY.kv_heads, TINY.seq_len, TINY.head_dim)
    # The trainer's form of the same input (left-padded beforehand) gives the same logits.
    lp_states, lp_mask = left_pad(states, mask)
    with torch.no_grad():
        again = model.forward_train(lp_states, lp_mask, tokens, null_rows)
    assert (again - ref).abs().max().item() <= 1e-6


def test_prefill_cache_layout():
    model = make_model()
    states, mask = make_prefix([4, 20])
    with torch.no_grad():
        logits, kv = model.prefill(states, mask)
    assert logits.shape == (2, TINY.vocab_size) and logits.dtype == torch.float32
    assert torch.count_nonzero(kv[..., T:, :]) == 0               # image slots not written yet
    assert torch.count_nonzero(kv[..., T - 4:T, :]) > 0           # the valid slots (left-padded)


def test_gqa_decode_matches_forward_train():
    cfg = get_gpt_config("GPT-tiny", n_kv_head=2)
    model = make_model(cfg=cfg)
    assert model.layers[0].attention.wqkv.weight.shape == ((4 + 2 * 2) * 16, 64)
    states, mask = make_prefix([7, 50])
    tokens = torch.randint(0, cfg.vocab_size, (2, 12))
    with torch.no_grad():
        ref = model.forward_train(states, mask, tokens)
        got, _ = teacher_forced_decode(model, states, mask, tokens)
    assert (ref - got).abs().max().item() <= 1e-5


def test_null_rows_use_uncond_embedding_with_the_rows_mask():
    model = make_model()
    states, mask = make_prefix([12])
    uncond = model.cls_embedding.uncond_embedding
    with torch.no_grad():
        via_flag = model.prefill(states, mask, torch.tensor([True]))[0]
        # LlamaGen generate(): the raw buffer as an already left-padded prefix, mask left-padded.
        by_hand = model.prefill(uncond[None], left_pad_mask(mask))[0]
        cond = model.prefill(states, mask)[0]
    assert (via_flag - by_hand).abs().max().item() <= 1e-6
    assert (via_flag - cond).abs().max().item() > 1e-3


def test_tokens_fed_in_one_call_attend_as_if_they_were_cached():
    """decode_token with the call's earlier tokens kept beside a read-only cache (the bundle's
    decode graph) gives the logits and keys of writing each token into the cache first."""
    model = make_model()
    states, mask = make_prefix([9, 40])
    tokens = torch.randint(0, TINY.vocab_size, (2, 6), generator=torch.Generator().manual_seed(5))
    start = 3  # the call begins at image token 3; slots T..T+2 hold earlier calls' tokens
    with torch.no_grad():
        _, kv = model.prefill(states, mask)
        for j in range(start):
            _, kv = model.decode_step(tokens[:, j], torch.tensor(T + j), kv, mask)
        want, cached = [], kv
        for j in range(start, 6):
            logits, cached = model.decode_step(tokens[:, j], torch.tensor(T + j), cached, mask)
            want.append(logits)
        caches = [(kv[i, 0], kv[i, 1]) for i in range(TINY.n_layer)]
        bias = model.cache_bias(mask, torch.tensor(T + start))
        got, rows = [], None
        for j in range(start, 6):
            logits, rows = model.decode_token(tokens[:, j], torch.tensor(T + j), caches, bias, rows)
            got.append(logits)
    assert (torch.stack(got) - torch.stack(want)).abs().max().item() <= 1e-6
    for i, (keys, values) in enumerate(rows):
        assert keys.shape == (2, TINY.kv_heads, 6 - start, TINY.head_dim)
        assert (keys - cached[i, 0, :, :, T + start:T + 6]).abs().max().item() <= 1e-6
        assert (values - cached[i, 1, :, :, T + start:T + 6]).abs().max().item() <= 1e-6
    assert torch.equal(kv[:, :, :, :, T + start:], torch.zeros_like(kv[:, :, :, :, T + start:]))  # never written


@pytest.mark.parametrize("variant", ["mentor", "llamagen"])
def test_decode_rope_is_apply_rotary_emb_bit_for_bit(variant):
    model = make_model(variant)
    heads = TINY.n_head + TINY.kv_heads
    x = torch.randn(3, heads, 1, TINY.head_dim, generator=torch.Generator().manual_seed(4)) * 5
    for position in (T, T + 9, T + 43, T + N - 1):
        cos2, sin2 = model.decode_rope(torch.tensor(position))
        got = rotate_one_position(x, cos2, sin2, heads, TINY.head_dim)
        rows = model.freqs_cis[position:position + 1]
        want = apply_rotary_emb(x.transpose(1, 2), rows, variant, torch.tensor([False])).transpose(1, 2)
        assert torch.equal(got, want), position


# --- RoPE variants (LlamaGen #54) -------------------------------------------------------------

def capture_rope(model, layer):
    """Records (before, after) of every RoPE call of one layer: q then k per forward."""
    calls = []
    handle = model.layers[layer].attention.rope.register_forward_hook(
        lambda mod, args, out: calls.append((args[0].detach().clone(), out.detach().clone())))
    return calls, handle


def image_attention_over_prefix(q, k, mask):
    """Attention probabilities of image queries (positions >= T) over the prefix keys.
    q, k: [B, L, H, hd] after RoPE; mask [B, T] left-padded -> [B, H, L-T, T]."""
    L = q.shape[1]
    scores = torch.einsum("bqhd,bkhd->bhqk", q, k) / math.sqrt(q.shape[-1])
    causal = torch.ones(L, L).tril().bool()
    keys = torch.cat([mask, torch.ones(mask.shape[0], L - T, dtype=torch.bool)], dim=1)
    allowed = causal[None, None] & keys[:, None, None, :]
    probs = torch.softmax(scores.masked_fill(~allowed, float("-inf")), dim=-1)
    return probs[:, :, T:, :T], scores[:, :, T:, :T]


def test_llamagen_variant_zeroes_prefix_qk_and_flattens_attention_over_prefix():
    model = make_model("llamagen")
    states, mask = make_prefix([10, 37])
    tokens = torch.randint(0, TINY.vocab_size, (2, 16))
    calls, handle = capture_rope(model, layer=1)
    with torch.no_grad():
        model.forward_train(states, mask, tokens)
    handle.remove()
    (q_in, q), (k_in, k) = calls
    assert torch.count_nonzero(q_in[:, :T]) > 0                    # real content went in ...
    assert torch.count_nonzero(q[:, :T]) == 0                      # ... and was zeroed
    assert torch.count_nonzero(k[:, :T]) == 0
    probs, scores = image_attention_over_prefix(q, k, left_pad_mask(mask))
    assert torch.count_nonzero(scores) == 0                        # content-blind scores
    for b, valid in enumerate([10, 37]):
        visible = probs[b, :, :, T - valid:]                        # [H, n, valid]
        torch.testing.assert_close(visible, visible[..., :1].expand_as(visible), rtol=1e-6, atol=0)
        assert torch.count_nonzero(probs[b, :, :, :T - valid]) == 0   # padding stays closed


def test_mentor_variant_leaves_prefix_unrotated_and_rotates_image_cells():
    model = make_model("mentor")
    states, mask = make_prefix([10, 37])
    tokens = torch.randint(0, TINY.vocab_size, (2, N))
    calls, handle = capture_rope(model, layer=2)
    with torch.no_grad():
        model.forward_train(states, mask, tokens)
    handle.remove()
    (q_in, q), (k_in, k) = calls
    assert torch.equal(q[:, :T], q_in[:, :T]) and torch.equal(k[:, :T], k_in[:, :T])
    # Image token j = 43 sits at sequence position T + 43, grid cell (r, c) = (5, 3) of 8x8.
    j = 43
    r, c = divmod(j, TINY.grid_size)
    quarter = TINY.head_dim // 4
    for x_in, x_out in ((q_in, q), (k_in, k)):
        before, after = x_in[1, T + j, 3], x_out[1, T + j, 3]       # head 3, [hd]
        for i in range(TINY.head_dim // 2):
            freq = TINY.rope_base ** (-4 * (i % quarter) / TINY.head_dim)
            angle = (r if i < quarter else c) * freq
            x0, x1 = before[2 * i].item(), before[2 * i + 1].item()
            cos, sin = math.cos(angle), math.sin(angle)
            want = [x0 * cos - x1 * sin, x1 * cos + x0 * sin]
            assert after[2 * i:2 * i + 2].tolist() == pytest.approx(want, abs=1e-5)
    probs, _ = image_attention_over_prefix(q, k, left_pad_mask(mask))
    visible = probs[1, :, :, T - 37:]
    assert (visible.amax(-1) / visible.amin(-1)).min().item() > 1.01  # content decides: not uniform


def test_variants_share_weights_and_differ_only_through_the_prefix():
    fixed, buggy = make_model("mentor"), make_model("llamagen")
    pairs = zip(fixed.state_dict().values(), buggy.state_dict().values())
    assert all(torch.equal(a, b) for a, b in pairs)
    states, mask = make_prefix([20])
    with torch.no_grad():
        assert (fixed.prefill(states, mask)[0] - buggy.prefill(states, mask)[0]).abs().max() > 1e-3
    with pytest.raises(ValueError, match="^rope_variant: "):
        GPT(TINY, "zero-fix")


# --- padding invariance ------------------------------------------------------------------------

def test_more_padding_gives_the_same_logits():
    """Same valid condition, 64 vs 96 prefix slots (so 54 vs 86 pads), garbage pad rows, and
    right- vs left-padded input: MENTOR's prefix carries no position, so logits match."""
    small = make_model("mentor")
    big_cfg = replace(TINY, cls_token_num=T + 32)
    big = GPT(big_cfg).eval()
    state = {k: v for k, v in small.state_dict().items() if k != "cls_embedding.uncond_embedding"}
    missing, unexpected = big.load_state_dict(state, strict=False)
    assert missing == ["cls_embedding.uncond_embedding"] and unexpected == []

    valid = 10
    s_small, m_small = make_prefix([valid], t=T, seed=5)
    s_big = torch.randn(1, T + 32, C) * 100                          # different garbage in pads
    s_big[:, :valid] = s_small[:, :valid]
    m_big = torch.arange(T + 32)[None] < valid
    s_left, m_left = left_pad(s_small, m_small)                       # already left-padded form
    tokens = torch.randint(0, TINY.vocab_size, (1, N))
    with torch.no_grad():
        ref = small.forward_train(s_small, m_small, tokens)
        for st, mk, model in ((s_big, m_big, big), (s_left, m_left, small)):
            assert (model.forward_train(st, mk, tokens) - ref).abs().max().item() <= 1e-5
        got_big, _ = teacher_forced_decode(big, s_big, m_big, tokens[:, :8])
        assert (got_big - ref[:, :8]).abs().max().item() <= 1e-5


# --- training mode ----------------------------------------------------------------------------

def test_train_mode_applies_module_dropouts():
    states, mask = make_prefix([30, 8])
    tokens = torch.randint(0, TINY.vocab_size, (2, N))
    model = make_model()
    with torch.no_grad():
        evaluated = model.forward_train(states, mask, tokens)
        trained = model.train().forward_train(states, mask, tokens)
    assert (trained - evaluated).abs().max().item() > 1e-4
    no_drop = replace(TINY, token_dropout_p=0.0, resid_dropout_p=0.0, ffn_dropout_p=0.0)
    model = make_model(cfg=no_drop)
    with torch.no_grad():
        assert torch.equal(model.train().forward_train(states, mask, tokens),
                           model.eval().forward_train(states, mask, tokens))
    loss = torch.nn.functional.cross_entropy(
        make_model().train().forward_train(states, mask, tokens).flatten(0, 1), tokens.flatten())
    loss.backward()  # differentiable end to end (the trainer's path)


# --- ONNX (TorchScript exporter, opset 17) ------------------------------------------------------

class _Prefill(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, states, mask, null_rows):
        return self.model.prefill(states, mask, null_rows)


class _Decode(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, token, position, kv, mask):
        return self.model.decode_step(token, position, kv, mask)


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning")
def test_prefill_and_decode_export_to_onnx_with_dynamic_rows(tmp_path):
    import onnxruntime as ort

    model = make_model()
    states, mask = make_prefix([6, 40])
    null_rows = torch.tensor([False, True])
    with torch.no_grad():
        _, kv = model.prefill(states, mask, null_rows)
    rows = {0: "rows"}
    specs = {
        "prefill": (_Prefill(model), (states, mask, null_rows), ["states", "mask", "null_rows"],
                    ["logits", "kv"], {"states": rows, "mask": rows, "null_rows": rows,
                                       "logits": rows, "kv": {2: "rows"}}),
        "decode": (_Decode(model), (torch.tensor([1, 2]), torch.tensor(T), kv, mask),
                   ["token", "position", "kv", "mask"], ["logits", "kv_out"],
                   {"token": rows, "kv": {2: "rows"}, "mask": rows, "logits": rows,
                    "kv_out": {2: "rows"}}),
    }
    sessions = {}
    for name, (wrapper, args, inputs, outputs, axes) in specs.items():
        path = tmp_path / f"{name}.onnx"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # eval() on the wrapper: the exporter restores the wrapper's train flag afterwards,
            # recursively, which would put the GPT into train mode (dropouts on).
            torch.onnx.export(wrapper.eval(), args, str(path), dynamo=False, opset_version=17,
                              input_names=inputs, output_names=outputs, dynamic_axes=axes)
        sessions[name] = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    assert not model.training

    # Run at another row count than traced, CFG layout, two decode steps chained through ONNX.
    states, mask = make_prefix([3, 64, 17, 3], seed=9)
    null_rows = torch.tensor([False, False, False, True])
    tokens = torch.randint(0, TINY.vocab_size, (4, 2))
    with torch.no_grad():
        want, _ = teacher_forced_decode(model, states, mask, tokens, null_rows)
    logits, kv = sessions["prefill"].run(None, {"states": states.numpy(), "mask": mask.numpy(),
                                                "null_rows": null_rows.numpy()})
    got = [logits]
    for j in range(2):
        logits, kv = sessions["decode"].run(None, {
            "token": tokens[:, j].numpy(), "position": np.array(T + j, dtype=np.int64),
            "kv": kv, "mask": mask.numpy()})
        got.append(logits)
    np.testing.assert_allclose(np.stack(got[:2], axis=1), want.numpy(), rtol=0, atol=1e-5)
