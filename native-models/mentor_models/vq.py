"""LlamaGen's VQ image tokenizer (`vq_ds16_t2i`, spec §2.8): conv encoder, L2-normalised codebook, conv decoder.

Module and parameter names are the checkpoint's (`vq_ds16_t2i.pt["model"]`, spec §3.3), so its
state dict loads strictly. MENTOR uses the tokenizer frozen: codes for training targets
(`encode_to_codes`) and images from generated codes (`decode_codes`); no training losses here.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .configs import VQConfig

# LlamaGen's quantizer registers a rolling buffer of the last 65536 code indices (a usage
# statistic, written only in training). Its length does not depend on the codebook size; it is
# kept only so checkpoints load strictly.
CODEBOOK_USAGE_LEN = 65536


def _norm(cfg: VQConfig, channels: int) -> nn.GroupNorm:
    return nn.GroupNorm(cfg.norm_groups, channels, eps=cfg.norm_eps, affine=True)


def _swish(x: torch.Tensor) -> torch.Tensor:
    return x * torch.sigmoid(x)


class ResnetBlock(nn.Module):
    def __init__(self, cfg: VQConfig, c_in: int, c_out: int) -> None:
        super().__init__()
        self.norm1 = _norm(cfg, c_in)
        self.conv1 = nn.Conv2d(c_in, c_out, 3, padding=1)
        self.norm2 = _norm(cfg, c_out)
        self.dropout = nn.Dropout(cfg.dropout_p)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1)
        # A 1x1 projection on the skip path only where the width changes (key `nin_shortcut`).
        self.nin_shortcut = nn.Conv2d(c_in, c_out, 1) if c_in != c_out else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.conv1(_swish(self.norm1(x)))
        h = self.conv2(self.dropout(_swish(self.norm2(h))))
        skip = x if self.nin_shortcut is None else self.nin_shortcut(x)
        return skip + h


class AttnBlock(nn.Module):
    """Single-head self-attention over all spatial positions, 1x1-conv projections, scale c^-0.5."""

    def __init__(self, cfg: VQConfig, c: int) -> None:
        super().__init__()
        self.norm = _norm(cfg, c)
        self.q = nn.Conv2d(c, c, 1)
        self.k = nn.Conv2d(c, c, 1)
        self.v = nn.Conv2d(c, c, 1)
        self.proj_out = nn.Conv2d(c, c, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, c, hgt, wid = x.shape
        h = self.norm(x)
        q = self.q(h).flatten(2).transpose(1, 2)  # [B, HW, C]
        k = self.k(h).flatten(2)                  # [B, C, HW]
        v = self.v(h).flatten(2)                  # [B, C, HW]
        attn = torch.softmax(torch.bmm(q, k) * (c ** -0.5), dim=2)  # [B, HW(query), HW(key)]
        out = torch.bmm(v, attn.transpose(1, 2)).reshape(b, c, hgt, wid)  # [B, C, H, W]
        return x + self.proj_out(out)


class Downsample(nn.Module):
    def __init__(self, c: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3, stride=2, padding=0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # Pad right and bottom only: a symmetric padding=1 would shift the sampling grid.
        return self.conv(F.pad(x, (0, 1, 0, 1)))


class Upsample(nn.Module):
    def __init__(self, c: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # Nearest ×2, written as expand + reshape: exactly F.interpolate(scale_factor=2, "nearest"),
        # but it exports without a Resize node, whose float scales input breaks fp16 conversion.
        b, c, h, w = x.shape
        up = x[:, :, :, None, :, None].expand(b, c, h, 2, w, 2).reshape(b, c, 2 * h, 2 * w)
        return self.conv(up)


class _Level(nn.Module):
    """One resolution: `res` blocks, `attn` blocks (one after each res block, or none), then an
    optional `downsample` / `upsample` (keys `conv_blocks.{i}.res.{j}`, `.attn.{j}`, ...)."""

    def __init__(self, cfg: VQConfig, c_in: int, c_out: int, n_res: int, with_attn: bool) -> None:
        super().__init__()
        self.res = nn.ModuleList(ResnetBlock(cfg, c_in if j == 0 else c_out, c_out) for j in range(n_res))
        self.attn = nn.ModuleList(AttnBlock(cfg, c_out) for _ in range(n_res if with_attn else 0))

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        for j, res in enumerate(self.res):
            h = res(h)
            if len(self.attn):
                h = self.attn[j](h)
        if hasattr(self, "downsample"):
            h = self.downsample(h)
        if hasattr(self, "upsample"):
            h = self.upsample(h)
        return h


def _mid(cfg: VQConfig, c: int) -> nn.ModuleList:
    return nn.ModuleList([ResnetBlock(cfg, c, c), AttnBlock(cfg, c), ResnetBlock(cfg, c, c)])


class Encoder(nn.Module):
    """[B, 3, H, W] -> [B, z_channels, H/ds, W/ds]; attention only at the last (coarsest) level."""

    def __init__(self, cfg: VQConfig) -> None:
        super().__init__()
        widths = [cfg.ch * m for m in cfg.ch_mult]  # VQ-16: 128, 128, 256, 256, 512
        self.conv_in = nn.Conv2d(3, cfg.ch, 3, padding=1)
        self.conv_blocks = nn.ModuleList()
        c_in = cfg.ch
        for i, c_out in enumerate(widths):
            last = i == len(widths) - 1
            level = _Level(cfg, c_in, c_out, cfg.encoder_res_blocks, with_attn=last)
            if not last:
                level.downsample = Downsample(c_out)
            self.conv_blocks.append(level)
            c_in = c_out
        self.mid = _mid(cfg, c_in)
        self.norm_out = _norm(cfg, c_in)
        self.conv_out = nn.Conv2d(c_in, cfg.z_channels, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.conv_in(x)
        for level in self.conv_blocks:
            h = level(h)
        for block in self.mid:
            h = block(h)
        return self.conv_out(_swish(self.norm_out(h)))


class Decoder(nn.Module):
    """[B, z_channels, h, w] -> [B, 3, h·ds, w·ds]; walks ch_mult in reverse, attention at the first level."""

    def __init__(self, cfg: VQConfig) -> None:
        super().__init__()
        widths = [cfg.ch * m for m in reversed(cfg.ch_mult)]  # VQ-16: 512, 256, 256, 128, 128
        c_in = widths[0]
        self.conv_in = nn.Conv2d(cfg.z_channels, c_in, 3, padding=1)
        self.mid = _mid(cfg, c_in)
        self.conv_blocks = nn.ModuleList()
        for i, c_out in enumerate(widths):
            level = _Level(cfg, c_in, c_out, cfg.decoder_res_blocks, with_attn=i == 0)
            if i != len(widths) - 1:
                level.upsample = Upsample(c_out)
            self.conv_blocks.append(level)
            c_in = c_out
        self.norm_out = _norm(cfg, c_in)
        self.conv_out = nn.Conv2d(c_in, 3, 3, padding=1)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        h = self.conv_in(z)
        for block in self.mid:
            h = block(h)
        for level in self.conv_blocks:
            h = level(h)
        return self.conv_out(_swish(self.norm_out(h)))


class VectorQuantizer(nn.Module):
    def __init__(self, cfg: VQConfig) -> None:
        super().__init__()
        self.l2_norm = cfg.codebook_l2_norm
        self.embedding = nn.Embedding(cfg.codebook_size, cfg.codebook_embed_dim)  # [K, e]
        nn.init.uniform_(self.embedding.weight, -1.0 / cfg.codebook_size, 1.0 / cfg.codebook_size)
        self.register_buffer("codebook_used", torch.zeros(CODEBOOK_USAGE_LEN))  # [65536], unused here

    def codebook(self) -> torch.Tensor:
        """[K, e] code vectors as the model uses them: stored rows need not be unit length, so they
        are normalised here, at every use (LlamaGen's forward and get_codebook_entry do the same)."""
        w = self.embedding.weight
        return F.normalize(w, p=2, dim=-1) if self.l2_norm else w

    def nearest(self, z: torch.Tensor) -> torch.Tensor:
        """z [B, e, h, w] -> codes [B, h·w] (row-major), nearest code by squared L2 distance."""
        b = z.shape[0]
        flat = z.permute(0, 2, 3, 1).reshape(-1, z.shape[1])  # [B·h·w, e]
        if self.l2_norm:
            flat = F.normalize(flat, p=2, dim=-1)
        table = self.codebook()
        # |z|^2 + |e|^2 - 2 z·e, the expansion LlamaGen uses, so near-ties break the same way.
        dist = (flat.pow(2).sum(1, keepdim=True) + table.pow(2).sum(1)
                - 2 * flat @ table.t())  # [B·h·w, K]
        return dist.argmin(dim=1).reshape(b, -1)

    def lookup(self, codes: torch.Tensor, grid: tuple[int, int]) -> torch.Tensor:
        """codes [B, h·w] (row-major) -> quantised latents [B, e, h, w]."""
        h, w = grid
        z = F.embedding(codes, self.codebook())  # [B, h·w, e]
        # contiguous() as LlamaGen does: conv kernels choose their algorithm by memory layout, and
        # the same layout keeps decode bitwise equal to the reference.
        return z.reshape(codes.shape[0], h, w, -1).permute(0, 3, 1, 2).contiguous()  # [B, e, h, w]


class VQModel(nn.Module):
    def __init__(self, cfg: VQConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.encoder = Encoder(cfg)
        self.decoder = Decoder(cfg)
        self.quantize = VectorQuantizer(cfg)
        self.quant_conv = nn.Conv2d(cfg.z_channels, cfg.codebook_embed_dim, 1)
        self.post_quant_conv = nn.Conv2d(cfg.codebook_embed_dim, cfg.z_channels, 1)

    @torch.no_grad()
    def encode_to_codes(self, images: torch.Tensor) -> torch.Tensor:
        """images [B, 3, H, W] in [-1, 1] (H, W multiples of cfg.downsample) -> codes [B, (H/ds)·(W/ds)]."""
        return self.quantize.nearest(self.quant_conv(self.encoder(images)))

    def decode_codes(self, codes: torch.Tensor, grid: int | tuple[int, int]) -> torch.Tensor:
        """codes [B, N] (row-major over the grid) -> images [B, 3, h·ds, w·ds], nominally in [-1, 1]
        (not clamped). grid: (h, w) with h·w = N, or one int for a square grid."""
        h, w = (grid, grid) if isinstance(grid, int) else grid
        if codes.shape[1] != h * w:  # a Python check, so it vanishes from a traced graph
            raise ValueError(f"grid: {h}x{w} does not hold {codes.shape[1]} codes")
        return self.decoder(self.post_quant_conv(self.quantize.lookup(codes, (h, w))))
