"""The LlamaGen text-to-image GPT with MENTOR's multimodal prefix (model only).

Modified from: LlamaGen `autoregressive/models/gpt.py` and MENTOR
`autoregressive/models/empty_fix_gpt.py` (architecture facts only; spec: shared/spec/mentor-model.md
§2.5–2.7, §3.3, §4.3, §4.5). Parameter and buffer names equal the official checkpoint keys, so
`load_state_dict(checkpoint["model"])` works without renaming. The RoPE table, attention masks and
the KV cache are not module state: the official checkpoints have none of them.

Instead of LlamaGen's `None`-dispatching `forward`, three tensor-only entry points (batch is the
only dynamic size; no Python branching on tensor values) that trace to ONNX:

- `forward_train`: teacher forcing over [prefix, tokens[:, :-1]] -> logits for all N tokens.
- `prefill`: the prefix alone -> logits for token 0 + a static KV cache of length S = T + N.
- `decode_step`: one token at an absolute position -> logits for the next token + updated cache.

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

    def decode(self, x: Tensor, freqs_cis: Tensor, is_prefix: Tensor, cache_k: Tensor,
               cache_v: Tensor, key_ok: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """One new position. x [R, 1, D]; cache_k/v [R, KV, S, hd]; key_ok [R, S] bool (cached keys
        this query may see, its own slot excluded) -> (out [R, 1, D], k_new, v_new [R, KV, 1, hd]).

        The new key is scored beside the cache instead of being written into it first: softmax
        over [S cached keys ; 1 new key] equals attention over the updated cache, without copying
        each layer's cache. The caller writes all layers' k_new/v_new in one scatter.
        """
        r, _, d = x.shape
        q, k_new, v_new = self._qkv(x, freqs_cis, is_prefix)          # q [R, H, 1, hd]
        group = self.n_head // self.kv_heads
        # GQA without repeating the cache: the `group` query heads of kv-head g become rows.
        qg = q.reshape(r, self.kv_heads, group, self.head_dim)        # [R, KV, G, hd]
        scale = self.head_dim**-0.5
        s_cache = torch.matmul(qg, cache_k.transpose(-1, -2)) * scale  # [R, KV, G, S]
        s_cache = torch.where(key_ok[:, None, None, :], s_cache,
                              torch.full_like(s_cache, float("-inf")))
        s_new = (qg * k_new).sum(-1, keepdim=True) * scale             # [R, KV, G, 1]
        probs = torch.softmax(torch.cat([s_cache, s_new], dim=-1).float(), dim=-1).type_as(q)
        s = cache_k.shape[2]
        out = torch.matmul(probs[..., :s], cache_v) + probs[..., s:] * v_new  # [R, KV, G, hd]
        out = self.resid_dropout(self.wo(out.reshape(r, 1, d)))
        return out, k_new, v_new


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

    def decode(self, x: Tensor, freqs_cis: Tensor, is_prefix: Tensor, cache_k: Tensor,
               cache_v: Tensor, key_ok: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        a, k, v = self.attention.decode(self.attention_norm(x), freqs_cis, is_prefix,
                                        cache_k, cache_v, key_ok)
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

    def prefill(self, prefix_states: Tensor, prefix_mask: Tensor,
                null_rows: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """Run the T prefix positions. prefix_states [R, T, caption_dim] and prefix_mask [R, T]
        in any padding layout (left-padded inside); null_rows [R] bool or None: rows replaced by
        the CFG null `uncond_embedding` (keeping that row's mask).

        -> (logits [R, V] fp32 from the last prefix slot, i.e. for image token 0;
            kv [n_layer, 2, R, KV, S, hd] in the model dtype, k rotated, slots >= T zero).
        """
        t, s = self.cfg.cls_token_num, self.cfg.seq_len
        h, mask = self._prefix(prefix_states, prefix_mask, null_rows)  # [R, T, D]
        freqs, is_prefix = self._rope_rows(torch.arange(t, device=h.device), h.device)
        attn_mask = prefix_attention_mask(mask, t)                     # [R, T, T]
        kvs = []
        for layer in self.layers:
            h, k, v = layer(h, freqs, is_prefix, attn_mask)
            kvs.append(torch.stack([k, v]))                            # [2, R, KV, T, hd]
        kv = F.pad(torch.stack(kvs), (0, 0, 0, s - t))                 # [n_layer, 2, R, KV, S, hd]
        return self._logits(h[:, -1]), kv

    def decode_step(self, token: Tensor, position: Tensor, kv: Tensor,
                    prefix_mask: Tensor) -> tuple[Tensor, Tensor]:
        """Feed one image token. token [R] int64; position: 0-d int64, its absolute sequence
        position p (T <= p < S; token j of the image sits at p = T + j, grid cell j);
        kv [n_layer, 2, R, KV, S, hd] from prefill/earlier steps; prefix_mask [R, T], the same
        mask given to prefill (any layout).

        -> (logits [R, V] fp32 for the token at p + 1, kv with this token's k/v written at p).
        The query sees cached keys < p whose prefix slot is valid, plus itself.
        """
        t, s = self.cfg.cls_token_num, self.cfg.seq_len
        h = self.tok_embeddings(token)[:, None]                        # [R, 1, D]
        freqs, is_prefix = self._rope_rows(position.reshape(1), h.device)
        slots = torch.arange(s, device=h.device)                       # [S]
        key_ok = key_validity(left_pad_mask(prefix_mask), s) & (slots < position)[None, :]  # [R, S]
        new = []
        for i, layer in enumerate(self.layers):
            h, k, v = layer.decode(h, freqs, is_prefix, kv[i, 0], kv[i, 1], key_ok)
            new.append(torch.stack([k, v]))                            # [2, R, KV, 1, hd]
        new_kv = torch.stack(new).to(kv.dtype)                         # [n_layer, 2, R, KV, 1, hd]
        # One scatter for all layers (ScatterElements in ONNX); no in-place write.
        index = position.reshape(1, 1, 1, 1, 1, 1).expand_as(new_kv)
        kv = kv.scatter(4, index, new_kv)
        return self._logits(h[:, 0]), kv
