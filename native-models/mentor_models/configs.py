"""Model configs for the MENTOR generator (LlamaGen GPT) and its VQ-16 image tokenizer.

Facts come from spec/mentor-model.md §2.6 (GPT) and §2.8 (VQ). Defaults are MENTOR's GPT-XL at
512 px; `GPT_CONFIGS` / `VQ_CONFIGS` are the named presets, including tiny ones for CPU tests.
Configs are frozen: derive variants with `dataclasses.replace` or `get_gpt_config(name, **overrides)`,
which re-runs the validation and recomputes the derived sizes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace


def find_multiple(n: int, k: int) -> int:
    """Smallest multiple of k that is >= n (LlamaGen's helper for the FFN width)."""
    return n if n % k == 0 else n + k - (n % k)


def _check(ok: bool, name: str, msg: str) -> None:
    if not ok:
        raise ValueError(f"{name}: {msg}")


@dataclass(frozen=True)
class GPTConfig:
    # --- size (GPT-XL) ---
    dim: int = 1280                         # model width
    n_layer: int = 36
    n_head: int = 20                        # head_dim = dim / n_head = 64
    n_kv_head: int | None = None            # None = n_head (no GQA in any released checkpoint)
    multiple_of: int = 256                  # FFN hidden rounded up to this
    ffn_dim_multiplier: float | None = None  # optional scale on the 2/3·4·dim SwiGLU width
    # --- numerics ---
    rope_base: float = 10000.0              # 2D RoPE base
    norm_eps: float = 1e-5                  # RMSNorm, computed in fp32
    initializer_range: float = 0.02         # normal(0, 0.02) for fresh Linear/Embedding
    # --- regularization (training only; inference is eval mode) ---
    token_dropout_p: float = 0.1            # on the concatenated [prefix, tokens] embeddings
    attn_dropout_p: float = 0.0
    resid_dropout_p: float = 0.1
    ffn_dropout_p: float = 0.1
    drop_path_rate: float = 0.0
    class_dropout_prob: float = 0.1         # CFG: whole prefix swapped for uncond_embedding
    # --- conditioning and sequence ---
    vocab_size: int = 16384                 # = VQ codebook_size
    caption_dim: int = 2048                 # FlanT5-XL d_model, input of cap_proj
    cls_token_num: int = 512                # prefix length T: MENTOR 512, LlamaGen T2I 120, C2I 1
    block_size: int = 1024                  # image tokens N = (image_size/16)^2: 1024 at 512 px, 256 at 256 px

    # --- derived in __post_init__ (not constructor arguments) ---
    head_dim: int = field(init=False)       # dim // n_head
    kv_heads: int = field(init=False)       # n_kv_head resolved
    ffn_hidden_dim: int = field(init=False)  # SwiGLU width of w1/w3 (3584 for XL)
    grid_size: int = field(init=False)      # sqrt(block_size): codes per image side
    seq_len: int = field(init=False)        # cls_token_num + block_size: KV-cache length

    def __post_init__(self) -> None:
        for name in ("dim", "n_layer", "n_head", "multiple_of", "vocab_size", "caption_dim",
                     "cls_token_num", "block_size"):
            _check(getattr(self, name) > 0, name, f"must be positive, got {getattr(self, name)}")
        _check(self.dim % self.n_head == 0, "dim",
               f"{self.dim} is not divisible by n_head={self.n_head}")
        head_dim = self.dim // self.n_head
        # 2D RoPE gives head_dim/4 frequencies to rows and head_dim/4 to columns, one per
        # rotated pair, so head_dim must split into four equal parts.
        _check(head_dim % 4 == 0, "n_head",
               f"head_dim = dim/n_head = {head_dim} must be a multiple of 4 for 2D RoPE")
        kv_heads = self.n_head if self.n_kv_head is None else self.n_kv_head
        _check(0 < kv_heads <= self.n_head and self.n_head % kv_heads == 0, "n_kv_head",
               f"{self.n_kv_head} must be positive and divide n_head={self.n_head}")
        _check(self.ffn_dim_multiplier is None or self.ffn_dim_multiplier > 0,
               "ffn_dim_multiplier", f"must be positive or None, got {self.ffn_dim_multiplier}")
        grid = math.isqrt(self.block_size)
        _check(grid * grid == self.block_size, "block_size",
               f"{self.block_size} is not a square; image tokens form a grid x grid layout")
        for name in ("token_dropout_p", "attn_dropout_p", "resid_dropout_p", "ffn_dropout_p",
                     "drop_path_rate", "class_dropout_prob"):
            p = getattr(self, name)
            _check(0.0 <= p < 1.0, name, f"must be in [0, 1), got {p}")
        _check(self.norm_eps > 0, "norm_eps", f"must be positive, got {self.norm_eps}")
        _check(self.rope_base > 0, "rope_base", f"must be positive, got {self.rope_base}")

        # LlamaGen FeedForward: 4·dim, scaled by 2/3 (SwiGLU has three matrices, not two),
        # optional multiplier, then rounded up to multiple_of. int() truncates at each step.
        hidden = int(2 * (4 * self.dim) / 3)
        if self.ffn_dim_multiplier is not None:
            hidden = int(self.ffn_dim_multiplier * hidden)
        set_ = object.__setattr__  # frozen dataclass: derived fields are set once, here
        set_(self, "head_dim", head_dim)
        set_(self, "kv_heads", kv_heads)
        set_(self, "ffn_hidden_dim", find_multiple(hidden, self.multiple_of))
        set_(self, "grid_size", grid)
        set_(self, "seq_len", self.cls_token_num + self.block_size)


# LlamaGen `GPT_models` sizes (spec §2.6); everything not listed keeps the GPT-XL defaults above.
# Comments: analytic count_parameters() for the T2I model with its caption projection.
GPT_CONFIGS: dict[str, GPTConfig] = {
    "GPT-B": GPTConfig(n_layer=12, n_head=12, dim=768),        # 112.3 M
    "GPT-L": GPTConfig(n_layer=24, n_head=16, dim=1024),       # 345.0 M
    "GPT-XL": GPTConfig(n_layer=36, n_head=20, dim=1280),      # 777.7 M (MENTOR)
    "GPT-XXL": GPTConfig(n_layer=48, n_head=24, dim=1536),     # 1.41 B
    "GPT-XXXL": GPTConfig(n_layer=48, n_head=40, dim=2560),    # 3.90 B
    "GPT-1B": GPTConfig(n_layer=22, n_head=32, dim=2048),      # 1.20 B
    "GPT-3B": GPTConfig(n_layer=24, n_head=32, dim=3200),      # 3.11 B (head_dim 100)
    "GPT-7B": GPTConfig(n_layer=32, n_head=32, dim=4096),      # 6.63 B
    # LlamaGen's T2I layout (256 px: 16x16 grid, 120-slot prefix) at GPT-B width, fed by a
    # 768-d (T5-base-sized) encoder: a small real-shaped model for GPU export/timing checks.
    "GPT-B-256": GPTConfig(n_layer=12, n_head=12, dim=768, caption_dim=768,
                           cls_token_num=120, block_size=256),  # 111.3 M
    # Debug size for CPU tests/CI export: 8x8 code grid (VQ-tiny at 32 px), 64-slot prefix (room
    # for a 16-token tiny image plus text), 512 codes, 48-d "T5". head_dim 16 keeps 2D RoPE
    # non-trivial (4 row + 4 column frequencies).
    "GPT-tiny": GPTConfig(n_layer=3, n_head=4, dim=64, multiple_of=32, vocab_size=512,
                          caption_dim=48, cls_token_num=64, block_size=64),  # 0.23 M
}


def get_gpt_config(name: str, **overrides) -> GPTConfig:
    """Named preset with optional field overrides, e.g. get_gpt_config("GPT-XL", block_size=256)."""
    if name not in GPT_CONFIGS:
        raise KeyError(f"unknown GPT config {name!r}; choose from {sorted(GPT_CONFIGS)}")
    return replace(GPT_CONFIGS[name], **overrides)


def count_parameters(cfg: GPTConfig) -> int:
    """Trainable parameters of the T2I GPT (spec §2.6/§3.3), computed from shapes alone.

    Excludes buffers: `cls_embedding.uncond_embedding` [cls_token_num, caption_dim], RoPE tables
    and KV caches, so the count does not depend on cls_token_num or block_size. No biases anywhere.
    """
    d = cfg.dim
    tok_embeddings = cfg.vocab_size * d                    # [vocab, dim]
    cap_proj = cfg.caption_dim * d + d * d                 # fc1 [dim, caption_dim], fc2 [dim, dim]
    wqkv = (cfg.n_head + 2 * cfg.kv_heads) * cfg.head_dim * d  # [(H + 2·KV)·head_dim, dim]
    wo = d * d
    ffn = 3 * cfg.ffn_hidden_dim * d                       # w1, w3 [hidden, dim]; w2 [dim, hidden]
    norms = 2 * d                                          # attention_norm, ffn_norm
    per_layer = wqkv + wo + ffn + norms
    final_norm = d
    output = cfg.vocab_size * d                            # untied head [vocab, dim]
    return tok_embeddings + cap_proj + cfg.n_layer * per_layer + final_norm + output


@dataclass(frozen=True)
class VQConfig:
    """VQ-16 image tokenizer (`vq_ds16_t2i`); decode-only at inference, frozen in training."""

    codebook_size: int = 16384              # = GPTConfig.vocab_size
    codebook_embed_dim: int = 8             # code vectors are tiny; post_quant_conv lifts 8 -> z_channels
    codebook_l2_norm: bool = True           # z and codebook both L2-normalized; normalize table at load
    z_channels: int = 256
    ch: int = 128                           # base width; level widths = ch * ch_mult
    ch_mult: tuple[int, ...] = (1, 1, 2, 2, 4)  # encoder order; the decoder walks it reversed
    encoder_res_blocks: int = 2             # per level
    decoder_res_blocks: int = 3             # per level (LlamaGen: num_res_blocks + 1)
    norm_groups: int = 32                   # GroupNorm(32, eps 1e-6, affine), swish activations
    norm_eps: float = 1e-6
    dropout_p: float = 0.0

    downsample: int = field(init=False)     # 2^(levels - 1) = 16: one stride-2 step between levels

    def __post_init__(self) -> None:
        for name in ("codebook_size", "codebook_embed_dim", "z_channels", "ch",
                     "encoder_res_blocks", "decoder_res_blocks", "norm_groups"):
            _check(getattr(self, name) > 0, name, f"must be positive, got {getattr(self, name)}")
        _check(len(self.ch_mult) >= 1 and all(m > 0 for m in self.ch_mult), "ch_mult",
               f"needs at least one positive multiplier, got {self.ch_mult}")
        for width in (self.z_channels, *(self.ch * m for m in self.ch_mult)):
            _check(width % self.norm_groups == 0, "norm_groups",
                   f"{self.norm_groups} does not divide channel width {width}")
        _check(0.0 <= self.dropout_p < 1.0, "dropout_p", f"must be in [0, 1), got {self.dropout_p}")
        object.__setattr__(self, "downsample", 2 ** (len(self.ch_mult) - 1))

    def tokens_for(self, image_size: int) -> int:
        """Number of codes (GPT block_size) for a square image: 1024 at 512 px for VQ-16."""
        _check(image_size > 0 and image_size % self.downsample == 0, "image_size",
               f"{image_size} is not a positive multiple of the downsample factor {self.downsample}")
        return (image_size // self.downsample) ** 2


VQ_CONFIGS: dict[str, VQConfig] = {
    "VQ-16": VQConfig(),
    # Debug size: 3 levels (ds 4), 8-wide groups; pairs with GPT-tiny (512 codes, 32 px -> 8x8).
    "VQ-tiny": VQConfig(codebook_size=512, z_channels=32, ch=16, ch_mult=(1, 2, 2),
                        encoder_res_blocks=1, decoder_res_blocks=1, norm_groups=8),
}
