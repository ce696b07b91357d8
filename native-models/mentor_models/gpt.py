"""The LlamaGen text-to-image GPT with MENTOR's multimodal prefix (model only).

Modified from: LlamaGen `autoregressive/models/gpt.py` and MENTOR
`autoregressive/models/empty_fix_gpt.py` (architecture facts only; spec: shared/spec/mentor-model.md
§2.5–2.7, §3.3, §4.3, §4.5). Parameter and buffer names equal the official checkpoint keys, so
`load_state_dict(checkpoint["model"])` works without renaming. The RoPE table, attention masks and
the KV cache are not module state: the official checkpoints have none of them.

Instead of LlamaGen's `None`-dispatching `forward`, three tensor-only entry points (batch is the
only dynamic size; no Python branching on tensor values) that trace to ONNX:

- `forward_train`: teacher forcing over [prefix, tokens[:, :-1]] -> logits for all N tokens.
- `prefill` / `prefill_caches`: the prefix alone -> logits for token 0 + a static KV cache of
  length S = T + N (one tensor, or one key and one value tensor per layer).
- `decode_token`: one token at an absolute position, attending to a read-only cache plus the
  keys of tokens fed earlier in the same call -> logits for the next token + this token's k/v.
  The caller writes those into its cache (the bundle's decode graph returns them; the PyTorch
  reference writes them in place), so no graph ever copies the cache to update it.
- `decode_step`: `decode_token` on the combined cache, functionally updated (tests, tracing).

Prefix input convention (all three): `prefix_states` are the encoder states in caption_dim, in
ANY padding layout (right-padded straight from T5, or already left-padded), with their mask; the
model left-pads them itself (`prefix.left_pad`, idempotent). `null_rows` marks rows that take the
CFG null condition instead: the raw `uncond_embedding`, keeping that row's (left-padded) mask, as
LlamaGen's `generate()` and MENTOR's `token_drop` do. So an exported prefill graph holds all the
prefix logic, and the decode graph takes the very mask the prefill graph took.

Shapes: B/R batch rows (R = 2B with CFG), T prefix slots (cls_token_num), N image tokens
(block_size), S = T + N, D model width, H heads, KV kv-heads, hd head_dim, V vocab.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .configs import GPTConfig
from .prefix import key_validity, left_pad, left_pad_mask, prefix_attention_mask
from .rope import ROPE_VARIANTS, RopeVariant, apply_rotary_emb, precompute_freqs_cis_2d


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x: Tensor) -> Tensor:
        # fp32 statistics, then back to the input dtype before the gain (as LlamaGen).
        xf = x.float()
        out = xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + self.eps)
        return out.type_as(x) * self.weight


class MLP(nn.Module):
    """fc1 -> GELU(tanh) -> fc2, no biases: the caption projection `cap_proj`."""

    def __init__(self, in_features: int, hidden_features: int, out_features: int):
        super().__init__()
        self.fc1 = nn.Linear(in_features, hidden_features, bias=False)
        self.act = nn.GELU(approximate="tanh")
        self.fc2 = nn.Linear(hidden_features, out_features, bias=False)

    def forward(self, x: Tensor) -> Tensor:
        return self.fc2(self.act(self.fc1(x)))


class CaptionEmbedder(nn.Module):
    """`cls_embedding`: projects caption_dim encoder states to the model width.

    `uncond_embedding` [T, caption_dim] is the CFG null prefix. It is a persistent buffer, never
    trained (spec §2.5), and must come from the checkpoint. The CFG drop itself is the caller's.
    """

    def __init__(self, caption_dim: int, dim: int, cls_token_num: int):
        super().__init__()
        self.cap_proj = MLP(caption_dim, dim, dim)
        self.register_buffer(
            "uncond_embedding", torch.randn(cls_token_num, caption_dim) / caption_dim**0.5)

    def forward(self, caption: Tensor) -> Tensor:
        return self.cap_proj(caption)


class Rotary(nn.Module):
    """Stateless module around `apply_rotary_emb`: forward hooks see q/k before and after RoPE."""

    def __init__(self, variant: RopeVariant):
        super().__init__()
        self.variant = variant

    def forward(self, x: Tensor, freqs_cis: Tensor, is_prefix: Tensor) -> Tensor:
        return apply_rotary_emb(x, freqs_cis, self.variant, is_prefix)


class Attention(nn.Module):
    def __init__(self, cfg: GPTConfig, rope_variant: RopeVariant):
        super().__init__()
        self.n_head, self.kv_heads, self.head_dim = cfg.n_head, cfg.kv_heads, cfg.head_dim
        # Fused projection; rows: q (H·hd), then k (KV·hd), then v (KV·hd); head h = rows h·hd..
        self.wqkv = nn.Linear(cfg.dim, (cfg.n_head + 2 * cfg.kv_heads) * cfg.head_dim, bias=False)
        self.wo = nn.Linear(cfg.dim, cfg.dim, bias=False)
        self.rope = Rotary(rope_variant)
        self.attn_dropout_p = cfg.attn_dropout_p
        self.cache_len = cfg.seq_len  # S: decode's cache slots
        self.resid_dropout = nn.Dropout(cfg.resid_dropout_p)

    def _qkv(self, x: Tensor, freqs_cis: Tensor,
             is_prefix: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """x [B, S, D] -> q [B, H, S, hd], k and v [B, KV, S, hd]; q/k rotated."""
        b, s, _ = x.shape
        q_dim, kv_dim = self.n_head * self.head_dim, self.kv_heads * self.head_dim
        q, k, v = self.wqkv(x).split([q_dim, kv_dim, kv_dim], dim=-1)
        q = self.rope(q.view(b, s, self.n_head, self.head_dim), freqs_cis, is_prefix)
        k = self.rope(k.view(b, s, self.kv_heads, self.head_dim), freqs_cis, is_prefix)
        v = v.view(b, s, self.kv_heads, self.head_dim)
        return q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)

    def forward(self, x: Tensor, freqs_cis: Tensor, is_prefix: Tensor,
                mask: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """Full-sequence attention. x [B, S, D], mask [B, S, S] bool -> (out [B, S, D], k, v).

        k and v ([B, KV, S, hd], k rotated, before the GQA repeat) are what a KV cache stores.
        """
        b, s, d = x.shape
        q, k, v = self._qkv(x, freqs_cis, is_prefix)
        group = self.n_head // self.kv_heads
        # GQA: query head h reads kv head h // group.
        kr = k.repeat_interleave(group, dim=1) if group > 1 else k
        vr = v.repeat_interleave(group, dim=1) if group > 1 else v
        out = F.scaled_dot_product_attention(                          # [B, H, S, hd]
            q, kr, vr, attn_mask=mask[:, None],
            dropout_p=self.attn_dropout_p if self.training else 0.0)
        out = self.resid_dropout(self.wo(out.transpose(1, 2).reshape(b, s, d)))
        return out, k, v

    def project_one_position(self, x: Tensor, rope: tuple[Tensor, Tensor]) -> tuple[Tensor, Tensor, Tensor]:
        """x [R, 1, D] at one image position, rope from `decode_rope` -> (qg [R, KV, G, hd]: the
        scaled queries grouped by their kv head, k [R, KV, 1, hd] rotated, v [R, KV, 1, hd])."""
        heads, kv_heads, hd = self.n_head, self.kv_heads, self.head_dim
        qkv = self.wqkv(x).reshape(-1, heads + 2 * kv_heads, 1, hd)    # [R, H + 2KV, 1, hd]
        qk, v_new = qkv.split([heads + kv_heads, kv_heads], dim=1)
        q, k_new = rotate_one_position(qk, *rope, heads + kv_heads, hd).split([heads, kv_heads], dim=1)
        # GQA without repeating the cache: the `group` query heads of kv-head g become rows.
        # The scale goes on q (hd values, not S scores); 1/8 for hd = 64 is exact either way.
        qg = (q * hd**-0.5).reshape(-1, kv_heads, heads // kv_heads, hd)
        return qg, k_new, v_new

    def decode(self, x: Tensor, rope: tuple[Tensor, Tensor], cache_k: Tensor, cache_v: Tensor,
               cache_bias: Tensor, row_k: Tensor | None,
               row_v: Tensor | None) -> tuple[Tensor, Tensor, Tensor]:
        """One new image position. x [R, 1, D]; rope: `decode_rope` of its position; cache_k/v
        [R, KV, S, hd], read only; cache_bias [R, 1, 1, S]: 0 on the cache slots this query may
        read, -inf elsewhere; row_k/v [R, KV, j, hd] or None: the keys and values of the j
        tokens fed earlier in the same call, which are not in the cache
        -> (out [R, 1, D], keys, values [R, KV, j + 1, hd]: the row with this token appended).

        Softmax over [cache slots ; row ; new key] equals attention over a cache that holds the
        row, so the cache is never written here: in ONNX a write copies it (85 MB for GPT-B).
        Reshapes use -1 for the rows so that the exported graph has no shape arithmetic.
        """
        qg, k_new, v_new = self.project_one_position(x, rope)
        keys = k_new if row_k is None else torch.cat([row_k, k_new], dim=2)    # [R, KV, j + 1, hd]
        values = v_new if row_v is None else torch.cat([row_v, v_new], dim=2)
        s_cache = torch.matmul(qg, cache_k.transpose(-1, -2)) + cache_bias.to(qg.dtype)  # [R, KV, G, S]
        s_row = torch.matmul(qg, keys.transpose(-1, -2))              # [R, KV, G, j + 1]
        probs = torch.softmax(torch.cat([s_cache, s_row], dim=-1).float(), dim=-1).type_as(qg)
        s = self.cache_len
        out = torch.matmul(probs[..., :s], cache_v) + torch.matmul(probs[..., s:], values)
        out = self.resid_dropout(self.wo(out.reshape(-1, 1, self.n_head * self.head_dim)))
        return out, keys, values


def rotate_one_position(x: Tensor, cos2: Tensor, sin2: Tensor, heads: int, hd: int) -> Tensor:
    """RoPE of one image position on x [R, heads, 1, hd]: `apply_rotary_emb`'s values exactly,
    in the fewest graph ops (decode runs it once per layer and token; the sizes are Python ints,
    so the exported reshapes are constants).

    cos2 = (c0, c0, c1, c1, ...), sin2 = (-s0, s0, -s1, s1, ...) from `GPT.decode_rope`, and
    swap(x) = (x1, x0, x3, x2, ...): x·cos2 + swap(x)·sin2 = (x0·c − x1·s, x1·c + x0·s) per pair,
    the same products and sums as apply_rotary_emb (a + (−b) is a − b in IEEE arithmetic).
    """
    swapped = x.reshape(-1, hd // 2, 2).flip(-1).reshape(-1, heads, 1, hd)
    return x * cos2 + swapped * sin2


class FeedForward(nn.Module):
    """SwiGLU: w2(silu(w1 x) · w3 x)."""

    def __init__(self, cfg: GPTConfig):
        super().__init__()
        self.w1 = nn.Linear(cfg.dim, cfg.ffn_hidden_dim, bias=False)
        self.w3 = nn.Linear(cfg.dim, cfg.ffn_hidden_dim, bias=False)
        self.w2 = nn.Linear(cfg.ffn_hidden_dim, cfg.dim, bias=False)
        self.ffn_dropout = nn.Dropout(cfg.ffn_dropout_p)

    def forward(self, x: Tensor) -> Tensor:
        return self.ffn_dropout(self.w2(F.silu(self.w1(x)) * self.w3(x)))


def drop_path(x: Tensor, p: float, training: bool) -> Tensor:
    """Stochastic depth per sample (LlamaGen uses timm's DropPath, scale_by_keep)."""
    if p == 0.0 or not training:
        return x
    keep = x.new_empty(x.shape[0], *([1] * (x.dim() - 1))).bernoulli_(1.0 - p)
    return x * keep / (1.0 - p)


class TransformerBlock(nn.Module):
    def __init__(self, cfg: GPTConfig, rope_variant: RopeVariant, drop_path_p: float):
        super().__init__()
        self.attention = Attention(cfg, rope_variant)
        self.feed_forward = FeedForward(cfg)
        self.attention_norm = RMSNorm(cfg.dim, cfg.norm_eps)
        self.ffn_norm = RMSNorm(cfg.dim, cfg.norm_eps)
        self.drop_path_p = drop_path_p

    def _ffn(self, h: Tensor) -> Tensor:
        return h + drop_path(self.feed_forward(self.ffn_norm(h)), self.drop_path_p, self.training)

    def forward(self, x: Tensor, freqs_cis: Tensor, is_prefix: Tensor,
                mask: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        a, k, v = self.attention(self.attention_norm(x), freqs_cis, is_prefix, mask)
        h = x + drop_path(a, self.drop_path_p, self.training)
        return self._ffn(h), k, v

    def decode(self, x: Tensor, rope: tuple[Tensor, Tensor], cache_k: Tensor, cache_v: Tensor,
               cache_bias: Tensor, row_k: Tensor | None,
               row_v: Tensor | None) -> tuple[Tensor, Tensor, Tensor]:
        a, k, v = self.attention.decode(self.attention_norm(x), rope, cache_k, cache_v,
                                        cache_bias, row_k, row_v)
        return self._ffn(x + a), k, v


class GPT(nn.Module):
    """LlamaGen T2I GPT conditioned on a MENTOR prefix of `cls_token_num` encoder states.

    rope_variant: "mentor" for MENTOR checkpoints (prefix unrotated), "llamagen" to reproduce
    original LlamaGen T2I checkpoints (prefix q/k zeroed, LlamaGen issue #54). Spec §2.7.
    Fresh weights follow LlamaGen: normal(0, initializer_range) for Linear/Embedding, zero
    `output.weight` (so a fresh model predicts uniform logits).
    """

    def __init__(self, cfg: GPTConfig, rope_variant: RopeVariant = "mentor"):
        super().__init__()
        if rope_variant not in ROPE_VARIANTS:
            raise ValueError(f"rope_variant: {rope_variant!r} is not one of {ROPE_VARIANTS}")
        self.cfg, self.rope_variant = cfg, rope_variant
        self.cls_embedding = CaptionEmbedder(cfg.caption_dim, cfg.dim, cfg.cls_token_num)
        self.tok_embeddings = nn.Embedding(cfg.vocab_size, cfg.dim)
        self.tok_dropout = nn.Dropout(cfg.token_dropout_p)
        # Deeper blocks drop more. Explicit CPU: the model may be built under torch.device("meta").
        rates = torch.linspace(0, cfg.drop_path_rate, cfg.n_layer, device="cpu").tolist()
        self.layers = nn.ModuleList(
            TransformerBlock(cfg, rope_variant, rate) for rate in rates)
        self.norm = RMSNorm(cfg.dim, cfg.norm_eps)
        self.output = nn.Linear(cfg.dim, cfg.vocab_size, bias=False)
        # A plain attribute, not a buffer: not in checkpoints, and `model.to(bfloat16)` must not
        # round it (LlamaGen keeps the table fp32 too). Always on the CPU, even when the model is
        # built on `meta` (small: [S, hd/2, 2]), moved per call; ONNX tracing makes it a constant.
        self.freqs_cis = precompute_freqs_cis_2d(cfg.grid_size, cfg.head_dim, cfg.rope_base,
                                                 cfg.cls_token_num, device="cpu")
        self.init_weights()

    def init_weights(self) -> None:
        """LlamaGen's fresh init (checkpoint loading overwrites it). Skipped on `meta` tensors:
        nothing to fill, and meta `normal_` costs seconds of first-call overhead."""
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)) and not m.weight.is_meta:
                nn.init.normal_(m.weight, mean=0.0, std=self.cfg.initializer_range)
        if not self.output.weight.is_meta:
            nn.init.zeros_(self.output.weight)

    # --- helpers ---------------------------------------------------------------------------

    def _prefix(self, prefix_states: Tensor, prefix_mask: Tensor,
                null_rows: Tensor | None) -> tuple[Tensor, Tensor]:
        """-> (projected prefix [B, T, D], left-padded mask [B, T] bool)."""
        t = self.cfg.cls_token_num
        if prefix_states.shape[1] != t:
            raise ValueError(
                f"prefix_states: {prefix_states.shape[1]} rows, expected cls_token_num={t}")
        uncond = self.cls_embedding.uncond_embedding
        states, mask = left_pad(prefix_states.to(uncond.dtype), prefix_mask)
        if null_rows is not None:
            states = torch.where(null_rows.to(torch.bool)[:, None, None], uncond[None], states)
        return self.cls_embedding(states), mask

    def _rope_rows(self, positions: Tensor, device: torch.device) -> tuple[Tensor, Tensor]:
        """Absolute positions [L] -> (table rows [L, hd/2, 2], is_prefix [L] bool)."""
        table = self.freqs_cis.to(device)
        return table.index_select(0, positions), positions < self.cfg.cls_token_num

    def _logits(self, h: Tensor) -> Tensor:
        return self.output(self.norm(h)).float()

    # --- entry points ----------------------------------------------------------------------

    def forward_train(self, prefix_states: Tensor, prefix_mask: Tensor, tokens: Tensor,
                      null_rows: Tensor | None = None) -> Tensor:
        """Teacher forcing. prefix_states [B, T, caption_dim], prefix_mask [B, T] (any layout;
        left-padded is the trainer's usual form), tokens [B, n] int64 with n <= N (normally N),
        null_rows [B] bool or None (CFG drop decided by the trainer) -> logits [B, n, V] fp32.

        The sequence is [prefix, tokens[:, :-1]]; the output at position T-1+j predicts token j.
        Module dropouts (token, attention, residual, FFN, drop path) act in train mode.
        """
        t = self.cfg.cls_token_num
        if tokens.shape[1] > self.cfg.block_size:
            raise ValueError(f"tokens: {tokens.shape[1]} > block_size={self.cfg.block_size}")
        prefix, mask = self._prefix(prefix_states, prefix_mask, null_rows)
        h = torch.cat([prefix, self.tok_embeddings(tokens[:, :-1])], dim=1)  # [B, L, D]
        h = self.tok_dropout(h)
        length = h.shape[1]                                           # L = T + n - 1
        freqs, is_prefix = self._rope_rows(torch.arange(length, device=h.device), h.device)
        attn_mask = prefix_attention_mask(mask, length)               # [B, L, L]
        for layer in self.layers:
            h, _, _ = layer(h, freqs, is_prefix, attn_mask)
        return self._logits(h[:, t - 1:])

    def prefill_caches(self, prefix_states: Tensor, prefix_mask: Tensor,
                       null_rows: Tensor | None = None) -> tuple[Tensor, list[tuple[Tensor, Tensor]]]:
        """Run the T prefix positions. prefix_states [R, T, caption_dim] and prefix_mask [R, T]
        in any padding layout (left-padded inside); null_rows [R] bool or None: rows replaced by
        the CFG null `uncond_embedding` (keeping that row's mask).

        -> (logits [R, V] fp32 from the last prefix slot, i.e. for image token 0;
            per layer (k, v), each [R, KV, S, hd] in the model dtype, k rotated, slots >= T zero).
        """
        t, s = self.cfg.cls_token_num, self.cfg.seq_len
        h, mask = self._prefix(prefix_states, prefix_mask, null_rows)  # [R, T, D]
        freqs, is_prefix = self._rope_rows(torch.arange(t, device=h.device), h.device)
        attn_mask = prefix_attention_mask(mask, t)                     # [R, T, T]
        caches = []
        for layer in self.layers:
            h, k, v = layer(h, freqs, is_prefix, attn_mask)            # k, v [R, KV, T, hd]
            caches.append((F.pad(k, (0, 0, 0, s - t)), F.pad(v, (0, 0, 0, s - t))))
        return self._logits(h[:, -1]), caches

    def prefill(self, prefix_states: Tensor, prefix_mask: Tensor,
                null_rows: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """`prefill_caches` with the cache as one tensor kv [n_layer, 2, R, KV, S, hd]."""
        logits, caches = self.prefill_caches(prefix_states, prefix_mask, null_rows)
        return logits, torch.stack([torch.stack(pair) for pair in caches])

    def decode_rope(self, position: Tensor) -> tuple[Tensor, Tensor]:
        """0-d int64 image position p >= T -> (cos2, sin2) [hd] for `rotate_one_position`.
        Image positions always rotate (both RoPE variants differ only on prefix positions)."""
        row = self.freqs_cis.to(self.output.weight.device).index_select(0, position.reshape(1))[0]
        cos, sin = row[:, 0], row[:, 1]                                # [hd/2] each
        return torch.stack([cos, cos], dim=-1).flatten(), torch.stack([-sin, sin], dim=-1).flatten()

    def cache_bias(self, prefix_mask: Tensor, first_free: Tensor) -> Tensor:
        """[R, T] prefix mask (any layout) and the first cache slot not yet written (0-d int64)
        -> [R, 1, 1, S] float32 for `decode_token`: 0 on the valid prefix slots and the image
        slots before `first_free`, -inf on the rest (pad slots, and slots not written yet)."""
        s = self.cfg.seq_len
        slots = torch.arange(s, device=prefix_mask.device)             # [S]
        ok = key_validity(left_pad_mask(prefix_mask), s) & (slots < first_free)[None, :]  # [R, S]
        zero = torch.zeros((), dtype=torch.float32, device=prefix_mask.device)
        return torch.where(ok, zero, zero - math.inf)[:, None, None, :]

    def decode_token(self, token: Tensor, position: Tensor, caches: list[tuple[Tensor, Tensor]],
                     cache_bias: Tensor, rows: list[tuple[Tensor, Tensor]] | None = None
                     ) -> tuple[Tensor, list[tuple[Tensor, Tensor]]]:
        """Feed one image token. token [R] int64; position: 0-d int64, its absolute sequence
        position p (T <= p < S; token j of the image sits at p = T + j, grid cell j); caches: per
        layer (k, v) [R, KV, S, hd], read only; cache_bias from `cache_bias` (which slots the
        cache holds for this query); rows: per layer (k, v) [R, KV, j, hd] of the tokens fed
        earlier in this call that are not in the cache (positions p - j .. p - 1), or None.

        -> (logits [R, V] fp32 for the token at p + 1, per layer (keys, values)
            [R, KV, j + 1, hd]: `rows` with this token's k/v appended, for the caller to store at
            slots p - j .. p).
        """
        h = self.tok_embeddings(token)[:, None]                        # [R, 1, D]
        rope = self.decode_rope(position)
        grown = []
        for i, layer in enumerate(self.layers):
            row_k, row_v = rows[i] if rows is not None else (None, None)
            h, keys, values = layer.decode(h, rope, caches[i][0], caches[i][1], cache_bias, row_k, row_v)
            grown.append((keys, values))
        return self._logits(h[:, 0]), grown

    def decode_step(self, token: Tensor, position: Tensor, kv: Tensor,
                    prefix_mask: Tensor) -> tuple[Tensor, Tensor]:
        """`decode_token` on the one-tensor cache kv [n_layer, 2, R, KV, S, hd] (slots < p
        written), with prefix_mask [R, T] as given to prefill (any layout)
        -> (logits [R, V] fp32 for the token at p + 1, a new kv with this token written at p).
        """
        bias = self.cache_bias(prefix_mask, position)
        logits, new = self.decode_token(token, position, [(kv[i, 0], kv[i, 1]) for i in range(len(self.layers))], bias)
        new_kv = torch.stack([torch.stack(pair) for pair in new]).to(kv.dtype)  # [n_layer, 2, R, KV, 1, hd]
        index = position.reshape(1, 1, 1, 1, 1, 1).expand_as(new_kv)
        return logits, kv.scatter(4, index, new_kv)
